import { closeSync, constants as fsConstants, existsSync, openSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import koffi from 'koffi';
import { ErrorCode, RingPipeError } from '../../errors.js';
import { modeName } from '../../ring/layout.js';
import type { RingStats } from '../../ring/ring.js';
import { DEVICE_PATH, INFO_KEPT, Info, Ioctl, List, NAME_MAX, Stat } from './abi.js';

// The few libc calls the driver backend makes on /dev/ringpipe. Pointers are Buffers.

const errno = osConstants.errno;
/** Linux's EUSERS, which Node's errno table lacks: the driver's "128 handles already". */
const EUSERS = 87;

let bound: ReturnType<typeof bind> | undefined;
const fn = (): ReturnType<typeof bind> => (bound ??= bind());

function bind() {
  const libc = koffi.load('libc.so.6');
  return {
    // ioctl() is variadic; every ringpipe ioctl takes one pointer, so a fixed prototype fits.
    ioctl: libc.func('int ioctl(int fd, unsigned long request, void *arg)'),
    read: libc.func('long read(int fd, void *buf, size_t count)'),
    write: libc.func('long write(int fd, const void *buf, size_t count)'),
    poll: libc.func('int poll(void *fds, unsigned long nfds, int timeout)'),
    eventfd: libc.func('int eventfd(unsigned int initval, int flags)'),
  };
}

export function deviceExists(): boolean {
  try {
    return existsSync(DEVICE_PATH);
  } catch (err) {
    // Deno without read permission on /dev/ringpipe throws where Node says false: the driver is out of reach.
    const name = (err as Error | undefined)?.name;
    if (name === 'NotCapable' || name === 'PermissionDenied') return false;
    throw err;
  }
}

/** Opens /dev/ringpipe (close-on-exec, as libuv opens every file). */
export function openDevice(flags: number): number {
  try {
    return openSync(DEVICE_PATH, flags);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENXIO' || code === 'ENODEV') throw unavailable();
    if (code === 'EACCES' || code === 'EPERM') {
      throw new RingPipeError(ErrorCode.PermissionDenied, `permission denied: ${DEVICE_PATH}`, { cause: err });
    }
    throw err;
  }
}

export function closeDevice(fd: number): void {
  closeSync(fd);
}

export function unavailable(): RingPipeError {
  return new RingPipeError(
    ErrorCode.BackendUnavailable,
    `the driver backend needs the ringpipe kernel module: ${DEVICE_PATH} does not exist (load the module ringpipe.ko, built from the ringpipe sources, or use backend "shm")`,
  );
}

/** An ioctl; returns 0, or -errno. */
export function ioctl(fd: number, request: number, arg: Buffer): number {
  const r = fn().ioctl(fd, request, arg) as number;
  return r < 0 ? -koffi.errno() : r;
}

/** Like ioctl, with a u32 argument. */
export function ioctlU32(fd: number, request: number, value: number): number {
  const arg = Buffer.alloc(4);
  arg.writeUInt32LE(value >>> 0, 0);
  return ioctl(fd, request, arg);
}

/** write(); returns the bytes written, or -errno. */
export function writeFd(fd: number, data: Uint8Array): number {
  const n = Number(fn().write(fd, data, data.length));
  return n < 0 ? -koffi.errno() : n;
}

export function eventFd(): number {
  const fd = fn().eventfd(0, fsConstants.O_NONBLOCK | 0o2000000 /* EFD_CLOEXEC */) as number;
  if (fd < 0) throw new RingPipeError(ErrorCode.BackendUnavailable, `eventfd failed: errno ${koffi.errno()}`);
  return fd;
}

/** poll() on the libuv threadpool; done gets the count of ready descriptors, or -errno. */
export function pollAsync(fds: Buffer, count: number, timeoutMs: number, done: (result: number) => void): void {
  fn().poll.async(fds, count, timeoutMs, (err: unknown, res: number) => {
    done(err ? -errno.EIO : res < 0 ? -koffi.errno() : res);
  });
}

/** Reads from a non-blocking descriptor (eventfd); returns the bytes read, or -errno. */
export function readFd(fd: number, into: Buffer): number {
  const n = Number(fn().read(fd, into, into.length));
  return n < 0 ? -koffi.errno() : n;
}

/** An errno from the device as the RingPipeError a caller can act on. */
export function driverError(negErrno: number, what: string): Error {
  const e = -negErrno;
  switch (e) {
    case errno.EACCES:
    case errno.EPERM:
      return new RingPipeError(ErrorCode.PermissionDenied, `permission denied: ${what}`);
    case errno.EPROTOTYPE:
      return new RingPipeError(ErrorCode.ModeMismatch, `${what}: the pipe exists in the other mode`);
    case EUSERS:
      return new RingPipeError(
        ErrorCode.TooManyHandles,
        `${what}: no free handle (128 per pipe; another user than the owner gets at most 64, and 16 stay the owner's)`,
      );
    case errno.EFBIG:
      return new RingPipeError(ErrorCode.BadOption, `invalid option "capacity": ${what}: above the module's max_capacity`);
    case errno.EMSGSIZE:
      return new RingPipeError(ErrorCode.MessageTooBig, `${what}: message larger than the pipe can hold`);
    case errno.ENOSPC:
    case errno.EDQUOT:
      return new RingPipeError(
        ErrorCode.NoSpace,
        `${what}: the driver's per-user limit on ring memory or pipes is reached (max_user_bytes, max_user_pipes)`,
      );
    case errno.EIO:
      return new RingPipeError(ErrorCode.Corrupt, `${what}: the ring is corrupt`);
    case errno.ENOENT:
      return new RingPipeError(ErrorCode.NotFound, `${what}: no such pipe`);
    case errno.ENAMETOOLONG:
    case errno.EINVAL:
      return new RingPipeError(ErrorCode.BadOption, `${what}: rejected by the driver (EINVAL)`);
    default: {
      const name = Object.entries(errno).find(([, v]) => v === e)?.[0] ?? String(e);
      const err = new Error(`${what} failed: ${name}`) as NodeJS.ErrnoException;
      err.errno = e;
      err.code = name;
      return err;
    }
  }
}

/** Writes a name into a struct's name field (NAME_MAX bytes) and its length word. */
export function putName(buf: Buffer, nameOff: number, lenOff: number, canonical: string): void {
  const bytes = Buffer.from(canonical, 'latin1');
  if (bytes.length > NAME_MAX) throw new RangeError('name too long');
  bytes.copy(buf, nameOff);
  buf.writeUInt32LE(bytes.length, lenOff);
}

/** A pipe's life past its last handle, as the driver reports it (PipeInfo's fields). */
export interface DriverLifetime {
  /** No file has it open: the driver keeps it for its unread messages. */
  kept: boolean;
  unreadMessages: number;
  unreadBytes: number;
  /** Kept: when its last handle left, ms since the epoch. */
  keptSince?: number;
  /** Milliseconds it may stay kept, when its creator set one. */
  ttl?: number;
}

/** struct ringpipe_info, as the fields the CLI shows. */
export interface DriverInfo extends RingStats, DriverLifetime {
  name: string;
  uid: number;
  perm: number;
  refs: number;
  corrupt: boolean;
}

export function parseInfo(buf: Buffer, at: number): DriverInfo {
  const u32 = (off: number): number => buf.readUInt32LE(at + off);
  const u64 = (off: number): number => Number(buf.readBigUInt64LE(at + off));
  const nameBytes = buf.subarray(at + Info.name, at + Info.name + NAME_MAX + 1);
  const end = nameBytes.indexOf(0);
  return {
    name: nameBytes.subarray(0, end < 0 ? NAME_MAX : end).toString('latin1'),
    uid: u32(Info.uid),
    perm: u32(Info.perm),
    refs: u32(Info.refs),
    capacity: u32(Info.capacity),
    mode: modeName(u32(Info.mode)),
    usedBytes: u32(Info.used),
    messagesIn: u64(Info.msgsIn),
    bytesIn: u64(Info.bytesIn),
    messagesOut: u64(Info.msgsOut),
    bytesOut: u64(Info.bytesOut),
    abandoned: u32(Info.abandoned),
    handles: u32(Info.attached),
    writers: u32(Info.writers),
    readers: u32(Info.readers),
    writersEver: u32(Info.writersEver),
    corrupt: u32(Info.corrupt) !== 0,
    kept: (u32(Info.flags) & INFO_KEPT) !== 0,
    unreadMessages: u64(Info.unreadMsgs),
    unreadBytes: u64(Info.unreadBytes),
    ...((u32(Info.flags) & INFO_KEPT) !== 0 && { keptSince: u64(Info.keptSinceMs) }),
    ...(u64(Info.ttlMs) > 0 && { ttl: u64(Info.ttlMs) }),
  };
}

/** STAT of a pipe by name (fd bound or not), or of the bound pipe with canonical ''. */
export function statOn(fd: number, canonical: string): DriverInfo | undefined {
  const buf = Buffer.alloc(Stat.size);
  putName(buf, Stat.name, Stat.nameLen, canonical);
  const r = ioctl(fd, Ioctl.STAT, buf);
  if (r === -errno.ENOENT || r === -errno.EACCES) return undefined;
  if (r < 0) throw driverError(r, `stat of ${canonical || 'the bound pipe'}`);
  return parseInfo(buf, Stat.info);
}

/** Every pipe of the driver that the caller owns or may read. */
export function listOn(fd: number): DriverInfo[] {
  let max = 64;
  for (let tries = 0; tries < 8; tries++) {
    const entries = Buffer.alloc(Info.size * max);
    const arg = Buffer.alloc(List.size);
    arg.writeBigUInt64LE(koffi.address(entries) as bigint, List.entries);
    arg.writeUInt32LE(max, List.max);
    const r = ioctl(fd, Ioctl.LIST, arg);
    if (r < 0) throw driverError(r, 'list of the driver pipes');
    const count = arg.readUInt32LE(List.count);
    if (count <= max) return Array.from({ length: count }, (_, i) => parseInfo(entries, i * Info.size));
    max = count + 16;
  }
  throw new RingPipeError(ErrorCode.Busy, 'pipes of the driver come and go too fast to list them');
}
