import { ErrorCode, RingPipeError } from '../../errors.js';
import { modeName } from '../../ring/layout.js';
import type { RingStats } from '../../ring/ring.js';
import { DEVICE_PATH, PipeInfo, STATUS } from './abi.js';
import { winError } from '../../platform/windows/errors.js';
import {
  ERROR_IO_PENDING,
  FILE_FLAG_OVERLAPPED,
  FILE_SHARE_READ,
  FILE_SHARE_WRITE,
  GENERIC_READ,
  GENERIC_WRITE,
  INVALID_HANDLE,
  OPEN_EXISTING,
  OVERLAPPED_SIZE,
  STATUS_PENDING,
  closeHandle,
  k32,
} from '../../platform/windows/kernel32.js';

// \\.\RingPipe: opening it, and requests on it through OVERLAPPED structures.

export interface WinPipeInfo extends RingStats {
  name: string;
  backend: 'shm' | 'driver';
  /** No handle has it open; it holds unread messages (the driver keeps it). */
  kept: boolean;
  unreadMessages: number;
  unreadBytes: number;
  /** ms since the epoch when its last handle left; present when kept. */
  keptSince?: number;
  /** ms; present when set. */
  ttl?: number;
}

/** An OVERLAPPED with its own manual-reset event. Internal (offset 0) is the request's NTSTATUS. */
export interface Overlapped {
  readonly buf: Buffer;
  readonly event: bigint;
}

export function newOverlapped(): Overlapped {
  const event = k32().CreateEventW(null, 1, 0, null) as bigint;
  if (event === 0n) throw winError('CreateEventW');
  const buf = Buffer.alloc(OVERLAPPED_SIZE);
  buf.writeBigUInt64LE(event, 24);
  return { buf, event };
}

/**
 * Clears the OVERLAPPED for a new request and marks it STATUS_PENDING: kernel32
 * writes Internal only once the request reached the driver, so a call that fails
 * with Internal still pending failed at once (the Win32 error tells why).
 */
export function armOverlapped(ov: Overlapped): void {
  ov.buf.fill(0, 0, 24);
  ov.buf.writeUInt32LE(STATUS_PENDING, 0);
}

export const overlappedDone = (ov: Overlapped): boolean => ov.buf.readUInt32LE(0) !== STATUS_PENDING;
export const overlappedStatus = (ov: Overlapped): number => ov.buf.readUInt32LE(0);
export const overlappedBytes = (ov: Overlapped): number => Number(ov.buf.readBigUInt64LE(8));

/**
 * After a ReadFile/WriteFile/DeviceIoControl that returned `ok`: the Win32 error
 * of a request that failed at once, else undefined (it completed or is pending).
 */
export function failedAtOnce(ok: number, ov: Overlapped): number | undefined {
  if (ok || overlappedDone(ov)) return undefined;
  const err = k32().GetLastError() as number;
  return err === ERROR_IO_PENDING ? undefined : err;
}

/** DeviceIoControl, waited for; returns the request's NTSTATUS and byte count. */
export function deviceIoControl(
  h: bigint,
  code: number,
  input: Buffer | null,
  output: Buffer | null,
  ov: Overlapped,
): { status: number; bytes: number } {
  armOverlapped(ov);
  const ok = k32().DeviceIoControl(h, code, input, input?.length ?? 0, output, output?.length ?? 0, null, ov.buf) as number;
  const err = failedAtOnce(ok, ov);
  if (err !== undefined) return { status: statusFromWin32(err), bytes: 0 };
  if (!overlappedDone(ov)) k32().GetOverlappedResult(h, ov.buf, [0], 1);
  return { status: overlappedStatus(ov), bytes: overlappedBytes(ov) };
}

/** The driver's NTSTATUS back from the Win32 error it became (see README's IOCTL table). */
function statusFromWin32(err: number): number {
  const map: Record<number, number> = {
    2: STATUS.objectNameNotFound,
    4: STATUS.tooManyOpenedFiles,
    5: STATUS.accessDenied,
    6: STATUS.objectTypeMismatch,
    123: STATUS.objectNameInvalid,
    183: STATUS.objectNameCollision,
    1392: STATUS.fileCorrupt,
    1816: STATUS.quotaExceeded,
  };
  return map[err] ?? (0xe0000000 | err) >>> 0;
}

/** The Win32 error of an NTSTATUS (or of a Win32 error wrapped by statusFromWin32). */
export function win32FromStatus(status: number): number {
  if ((status & 0xe0000000) >>> 0 === 0xe0000000) return status & 0xffff;
  return k32().RtlNtStatusToDosError(status) as number;
}

export function openDevice(): bigint {
  const h = k32().CreateFileW(
    DEVICE_PATH,
    GENERIC_READ | GENERIC_WRITE,
    FILE_SHARE_READ | FILE_SHARE_WRITE,
    null,
    OPEN_EXISTING,
    FILE_FLAG_OVERLAPPED,
    0n,
  ) as bigint;
  return h === INVALID_HANDLE ? 0n : h;
}

export function driverUnavailable(): RingPipeError {
  return new RingPipeError(ErrorCode.BackendUnavailable, `the ringpipe driver is not running (cannot open ${DEVICE_PATH})`);
}

/** Runs `fn` with an open device handle and an OVERLAPPED, or returns undefined when the driver is not running. */
export function withDevice<T>(fn: (h: bigint, ov: Overlapped) => T): T | undefined {
  const h = openDevice();
  if (h === 0n) return undefined;
  let ov: Overlapped | undefined;
  try {
    ov = newOverlapped();
    return fn(h, ov);
  } finally {
    closeHandle(h);
    if (ov) closeHandle(ov.event);
  }
}

export function bindError(status: number, name: string): RingPipeError {
  switch (status) {
    case STATUS.objectNameInvalid:
      return new RingPipeError(ErrorCode.BadName, `the driver refused the name ${name}`);
    case STATUS.objectTypeMismatch:
      return new RingPipeError(ErrorCode.ModeMismatch, `pipe ${name} exists in the other mode`);
    case STATUS.accessDenied:
      return new RingPipeError(ErrorCode.PermissionDenied, `permission denied: pipe ${name}`);
    case STATUS.tooManyOpenedFiles:
      return new RingPipeError(ErrorCode.TooManyHandles, `pipe ${name} has all of its 128 handles open`);
    case STATUS.fileCorrupt:
      return new RingPipeError(ErrorCode.Corrupt, `pipe ${name} is corrupt`);
    case STATUS.quotaExceeded:
      return new RingPipeError(ErrorCode.NoSpace, `pipe ${name}: its ring would take this session past the driver's limit of ring memory (MaxUserBytes)`);
    default:
      return statusError(status, `ringpipe driver: binding ${name}`);
  }
}

/** What a request on a handle gets once the driver is gone (Wine: STATUS_FILE_DELETED after `net stop`). */
const DRIVER_GONE = new Set([0xc0000123, 0xc0000008, 0xc000000e, 0xc0000010]);

/** Any other failed request as a RingPipeError. */
export function statusError(status: number, what: string): RingPipeError {
  if (status === STATUS.invalidBufferSize) return new RingPipeError(ErrorCode.MessageTooBig, `${what}: the message is larger than the pipe can hold`);
  if (DRIVER_GONE.has(status >>> 0)) {
    return new RingPipeError(ErrorCode.BackendUnavailable, `${what}: the ringpipe driver is gone (NTSTATUS 0x${(status >>> 0).toString(16)})`);
  }
  return winError(`${what} (NTSTATUS 0x${(status >>> 0).toString(16)})`, win32FromStatus(status));
}

/** One ringpipe_pipe_info at `at` in `out`. */
export function infoFromDriver(out: Buffer, at: number): WinPipeInfo {
  const u32 = (off: number): number => out.readUInt32LE(at + off);
  const u64 = (off: number): number => Number(out.readBigUInt64LE(at + off));
  const nameEnd = out.indexOf(0, at);
  const kept = u32(PipeInfo.kept) === 1;
  const ttl = u64(PipeInfo.ttlMs);
  return {
    name: out.toString('latin1', at, nameEnd < 0 || nameEnd > at + 64 ? at + 64 : nameEnd),
    backend: 'driver',
    kept,
    unreadMessages: u64(PipeInfo.msgsIn) - u64(PipeInfo.msgsOut),
    unreadBytes: u64(PipeInfo.bytesIn) - u64(PipeInfo.bytesOut),
    ...(kept ? { keptSince: u64(PipeInfo.keptSinceMs) } : {}),
    ...(ttl !== 0 ? { ttl } : {}),
    capacity: u32(PipeInfo.capacity),
    mode: modeName(u32(PipeInfo.mode)),
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
