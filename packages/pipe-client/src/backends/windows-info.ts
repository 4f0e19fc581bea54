import koffi from 'koffi';
import { ErrorCode, RingPipeError } from '../errors.js';
import { HEADER_SIZE } from '../ring/layout.js';
import { Ring } from '../ring/ring.js';
import { IOCTL, ListHeader, ListIn, NameIn, PipeInfo, STATUS } from './windows-driver/abi.js';
import { deviceIoControl, infoFromDriver, openDevice, statusError, withDevice, type WinPipeInfo } from './windows-driver/device.js';
import { winError } from '../platform/windows/errors.js';
import { FILE_MAP_READ, SECTION_STAT, closeHandle, k32 } from '../platform/windows/kernel32.js';
import { createError, objectBase } from '../platform/windows/named-objects.js';
import { checkOwner, trustedOwners } from '../platform/windows/security.js';
import { shmAlive, viewSize } from './windows-shm/open.js';
import { shmPipeNames } from './windows-shm/list.js';

export type { WinPipeInfo } from './windows-driver/device.js';

// Statistics of the Windows backends' pipes, read without attaching.

export function windowsDriverAvailable(): boolean {
  const h = openDevice();
  closeHandle(h);
  return h !== 0n;
}

export const notFound = (canonical: string): RingPipeError => new RingPipeError(ErrorCode.NotFound, `no pipe named ${canonical} is open or kept`);

/** The driver's ringpipe_name for `canonical`. */
export function nameIn(canonical: string): Buffer {
  const input = Buffer.alloc(NameIn.size);
  input.writeUInt32LE(canonical.length, NameIn.nameLen);
  input.write(canonical, NameIn.name, 'latin1');
  return input;
}

/** A pipe's statistics without attaching: the driver's first, then a named mapping's. */
export function statWindowsPipe(canonical: string): WinPipeInfo {
  const fromDriver = withDevice((h, ov) => {
    const out = Buffer.alloc(PipeInfo.size);
    return deviceIoControl(h, IOCTL.stat, nameIn(canonical), out, ov).status === STATUS.success ? infoFromDriver(out, 0) : undefined;
  });
  return fromDriver ?? statShmPipe(canonical);
}

/** The section `base` of pipe `canonical`, opened to look at it. */
export function openShmSection(canonical: string, base: string): bigint {
  const mapping = k32().OpenFileMappingW(SECTION_STAT, 0, base) as bigint;
  if (mapping !== 0n) return mapping;
  const err = k32().GetLastError() as number;
  if (err === 2) throw notFound(canonical);
  // A name held by an object of another type (a mutex): untrusted, as createPipe says.
  throw createError(`opening ${base}`, err);
}

/** An shm pipe's statistics, if its section belongs to a trusted owner and a live handle has it. */
function statShmPipe(canonical: string): WinPipeInfo {
  const base = objectBase(canonical);
  const mapping = openShmSection(canonical, base);
  try {
    checkOwner(mapping, trustedOwners(undefined), base);
    const address = k32().MapViewOfFile(mapping, FILE_MAP_READ, 0, 0, 0) as bigint;
    if (address === 0n) throw winError(`MapViewOfFile of ${base}`);
    try {
      const length = viewSize(address);
      if (length < HEADER_SIZE) throw notFound(canonical);
      const ring = new Ring(koffi.view(address, length) as ArrayBuffer, { alive: shmAlive(base), yieldCpu: () => {}, wake: () => {} });
      const stats = ring.stats();
      // A section whose handles all died is no open pipe: the next open starts it afresh.
      if (stats.handles === 0) throw notFound(canonical);
      // A section lives only while a handle has it: never kept.
      return {
        name: canonical,
        backend: 'shm',
        ...stats,
        kept: false,
        unreadMessages: stats.messagesIn - stats.messagesOut,
        unreadBytes: stats.bytesIn - stats.bytesOut,
      };
    } finally {
      k32().UnmapViewOfFile(address);
    }
  } finally {
    closeHandle(mapping);
  }
}

/** Attempts at a complete driver list while pipes come and go. */
const LIST_ATTEMPTS = 8;

/** Every pipe of the driver (IOCTL_RINGPIPE_LIST, the buffer grown to the count it reports). */
function listDriverPipes(): WinPipeInfo[] {
  return (
    withDevice((h, ov) => {
      let room = 64;
      const listIn = Buffer.alloc(ListIn.size);
      listIn.writeUInt32LE(PipeInfo.size, ListIn.entrySize);
      for (let attempt = 0; attempt < LIST_ATTEMPTS; attempt++) {
        const out = Buffer.alloc(ListHeader.size + room * PipeInfo.size);
        const got = deviceIoControl(h, IOCTL.list, listIn, out, ov);
        if (got.status !== STATUS.success) throw statusError(got.status, 'listing the driver pipes');
        const count = out.readUInt32LE(ListHeader.count);
        const returned = out.readUInt32LE(ListHeader.returned);
        if (returned >= count) {
          const pipes: WinPipeInfo[] = [];
          for (let i = 0; i < returned; i++) pipes.push(infoFromDriver(out, ListHeader.size + i * PipeInfo.size));
          return pipes;
        }
        room = Math.max(room * 2, count + (count >> 3) + 16);
      }
      throw new RingPipeError(ErrorCode.Busy, `pipes of the driver come and go too fast to list them (${LIST_ATTEMPTS} attempts)`);
    }) ?? []
  );
}

/**
 * The driver's pipes, then the shm pipes of this session (their sections, found in
 * the session's object directory) that belong to the caller and are open.
 */
export function listWindowsPipes(): WinPipeInfo[] {
  const pipes = listDriverPipes();
  for (const name of shmPipeNames() ?? []) {
    try {
      pipes.push(statShmPipe(name));
    } catch {
      // closed meanwhile, another user's, or not a pipe of ours
    }
  }
  return pipes.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.backend < b.backend ? -1 : 1));
}
