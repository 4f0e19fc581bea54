import koffi from 'koffi';
import { ErrorCode, RingPipeError } from '../errors.js';
import type { ResolvedOptions } from '../options.js';
import type { Endpoint } from '../backend.js';
import { HEADER_SIZE, MODE_BYTE, MODE_MESSAGE } from '../ring/layout.js';
import { Ring, type RingStats } from '../ring/ring.js';
import { IOCTL, ListHeader, NameIn, PipeInfo, STATUS } from './abi.js';
import { FILE_MAP_READ, closeHandle, k32 } from './kernel32.js';
import { winProcessAlive } from './liveness.js';
import {
  deviceIoControl,
  mappingName,
  openDevice,
  openWindowsDriverEndpoint,
  openWindowsShmEndpoint,
  viewSize,
  type WinOpenRequest,
} from './endpoint.js';

// The Windows backends, chosen by src/index.ts when process.platform is 'win32'.

export interface WinPipeInfo extends RingStats {
  name: string;
  backend: 'shm' | 'driver';
}

/** 'driver' through ringpipe.sys, 'shm' through a named mapping; 'auto' takes the driver when it runs. */
export function openWindowsEndpoint(canonical: string, options: ResolvedOptions): Endpoint {
  const request: WinOpenRequest = {
    capacity: options.capacity,
    mode: options.mode === undefined ? undefined : options.mode === 'byte' ? MODE_BYTE : MODE_MESSAGE,
    permissions: options.permissions,
    access: options.access,
    follow: options.follow,
  };
  const backend = options.backend === 'auto' ? (windowsDriverAvailable() ? 'driver' : 'shm') : options.backend;
  return backend === 'driver' ? openWindowsDriverEndpoint(canonical, request) : openWindowsShmEndpoint(canonical, request);
}

export function windowsDriverAvailable(): boolean {
  const h = openDevice();
  closeHandle(h);
  return h !== 0n;
}

function infoFromDriver(out: Buffer, at: number): WinPipeInfo {
  const u32 = (off: number): number => out.readUInt32LE(at + off);
  const u64 = (off: number): number => Number(out.readBigUInt64LE(at + off));
  const nameEnd = out.indexOf(0, at);
  return {
    name: out.toString('latin1', at, nameEnd < 0 || nameEnd > at + 64 ? at + 64 : nameEnd),
    backend: 'driver',
    capacity: u32(PipeInfo.capacity),
    mode: u32(PipeInfo.mode) === MODE_BYTE ? 'byte' : 'message',
    usedBytes: u32(PipeInfo.used),
    messagesIn: u64(PipeInfo.msgsIn),
    bytesIn: u64(PipeInfo.bytesIn),
    messagesOut: u64(PipeInfo.msgsOut),
    bytesOut: u64(PipeInfo.bytesOut),
    abandoned: u32(PipeInfo.abandoned),
    handles: u32(PipeInfo.attached),
    writers: u32(PipeInfo.writers),
    readers: u32(PipeInfo.readers),
    writersEver: u32(PipeInfo.writersEver),
  };
}

/** A pipe's statistics without attaching: the driver's first, then a named mapping's. */
export function statWindowsPipe(canonical: string): WinPipeInfo {
  const h = openDevice();
  if (h !== 0n) {
    const ov = { buf: Buffer.alloc(32), event: k32().CreateEventW(null, 1, 0, null) as bigint };
    ov.buf.writeBigUInt64LE(ov.event, 24);
    try {
      const input = Buffer.alloc(NameIn.size);
      input.writeUInt32LE(canonical.length, NameIn.nameLen);
      input.write(canonical, NameIn.name, 'latin1');
      const out = Buffer.alloc(PipeInfo.size);
      if (deviceIoControl(h, IOCTL.stat, input, out, ov).status === STATUS.success) return infoFromDriver(out, 0);
    } finally {
      closeHandle(h);
      closeHandle(ov.event);
    }
  }
  const mapping = k32().OpenFileMappingW(FILE_MAP_READ, 0, mappingName(canonical)) as bigint;
  if (mapping === 0n) throw new RingPipeError(ErrorCode.NotFound, `no pipe named ${canonical} is open`);
  try {
    const address = k32().MapViewOfFile(mapping, FILE_MAP_READ, 0, 0, 0) as bigint;
    if (address === 0n) throw new RingPipeError(ErrorCode.NotFound, `no pipe named ${canonical} is open`);
    try {
      const length = viewSize(address);
      if (length < HEADER_SIZE) throw new RingPipeError(ErrorCode.NotFound, `no pipe named ${canonical} is open`);
      const ring = new Ring(koffi.view(address, length) as ArrayBuffer, {
        alive: (_slot, pid) => pid !== 0 && winProcessAlive(pid),
        yieldCpu: () => {},
        wake: () => {},
      });
      return { name: canonical, backend: 'shm', ...ring.stats() };
    } finally {
      k32().UnmapViewOfFile(address);
    }
  } finally {
    closeHandle(mapping);
  }
}

/**
 * The driver's pipes (IOCTL_RINGPIPE_LIST). Named mappings cannot be listed
 * without walking the object namespace, so shm pipes appear through statPipe only.
 */
export function listWindowsPipes(): WinPipeInfo[] {
  const h = openDevice();
  if (h === 0n) return [];
  const ov = { buf: Buffer.alloc(32), event: k32().CreateEventW(null, 1, 0, null) as bigint };
  ov.buf.writeBigUInt64LE(ov.event, 24);
  try {
    let room = 64;
    for (;;) {
      const out = Buffer.alloc(ListHeader.size + room * PipeInfo.size);
      const got = deviceIoControl(h, IOCTL.list, null, out, ov);
      if (got.status !== STATUS.success) return [];
      const count = out.readUInt32LE(ListHeader.count);
      const returned = out.readUInt32LE(ListHeader.returned);
      if (returned < count && room < 1024) {
        room *= 4;
        continue;
      }
      const pipes: WinPipeInfo[] = [];
      for (let i = 0; i < returned; i++) pipes.push(infoFromDriver(out, ListHeader.size + i * PipeInfo.size));
      return pipes.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    }
  } finally {
    closeHandle(h);
    closeHandle(ov.event);
  }
}
