import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, writeSync, type Stats } from 'node:fs';
import { ErrorCode, RingPipeError, fromSystemError } from '../../errors.js';
import { HEADER_SIZE, Off, SLOT_COUNT, SLOT_OFFSET, SLOT_SIZE, SlotOff, W } from '../../ring/layout.js';
import { readCounter } from '../../ring/header-stats.js';
import { readHeaderPage, readState, type Liveness, type ShmPipeState } from '../ring-file-state.js';
import { ofdLocked } from '../../platform/linux/libc.js';
import { openLockFile } from './lock-file.js';
import {
  OPEN_FLAGS,
  keptPastTtl,
  releaseLifetimeLock,
  removeSegment,
  segmentPath,
  stillLinked,
  tryLifetimeLock,
} from './segment.js';

// Looking at a pipe without attaching to it: the file is read with pread, never mapped (ring-file-state.ts).

/**
 * The state of the pipe's segment; undefined when there is no pipe: no file, not a regular
 * file, or a file no handle has open with nothing unread (the next opener replaces it). A
 * kept pipe past its time to live is removed on the way (when the caller may) and is no pipe.
 */
export function inspectShmPipe(canonical: string): ShmPipeState | undefined {
  const path = segmentPath(canonical);
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | OPEN_FLAGS);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ELOOP' || code === 'EISDIR' || code === 'ENXIO') return undefined;
    throw fromSystemError(err, path);
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) return undefined;
    const header = readHeaderPage(fd);
    const liveness = livenessOf(fd, path, stats, new Int32Array(header.page.buffer));
    let state: ShmPipeState;
    try {
      state = readState(fd, stats, path, header, liveness);
    } catch (err) {
      // A broken file no handle has is no pipe: the next opener replaces it.
      if (liveness.any()) throw err;
      return undefined;
    } finally {
      liveness.close();
    }
    if (!state.kept) return state;
    if (state.unreadMessages === 0 || !stillLinked(fd, path)) return undefined;
    if (state.keptSince === undefined) state.keptSince = stampKept(path);
    if (keptPastTtl(state.ttl ?? 0, state.keptSince ?? 0, Date.now())) {
      removeExpired(path);
      return undefined;
    }
    return state;
  } finally {
    closeSync(fd);
  }
}

/**
 * Slot liveness from the pipe's lock file, for those the pipe lets write (and so open the lock
 * file). A user who may only read the pipe cannot open it: for them a slot is live while a
 * process has the PID it holds (statistics only; PID reuse can fool it). A file without a lock
 * file (see replaceLockless in segment.ts) goes by the locks on its own bytes.
 */
function livenessOf(fd: number, path: string, stats: Stats, header: Int32Array): Liveness {
  let lockFd: number | undefined;
  try {
    lockFd = openLockFile(path, stats, false);
  } catch (err) {
    if ((err as RingPipeError).code !== ErrorCode.PermissionDenied) throw err;
    const alive = (slot: number): boolean => {
      const pid = header[W(SLOT_OFFSET + slot * SLOT_SIZE + SlotOff.pid)]!;
      return pid > 0 && processExists(pid);
    };
    return { alive, any: () => SLOTS.some(alive), close: () => {} };
  }
  const locks = lockFd ?? fd;
  return { alive: (slot) => ofdLocked(locks, slot), any: () => ofdLocked(locks, 0, SLOT_COUNT), close: () => lockFd !== undefined && closeSync(lockFd) };
}

const SLOTS = Array.from({ length: SLOT_COUNT }, (_, slot) => slot);

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Runs `use` holding L, with the file at `path` and its lock file opened for writing;
 * undefined when it cannot (not ours to write, gone, not trusted, or L held).
 */
function underLifetimeLock<T>(path: string, use: (fd: number, lockFd: number) => T): T | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDWR | OPEN_FLAGS);
  } catch {
    return undefined;
  }
  let lockFd: number | undefined;
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) return undefined;
    try {
      lockFd = openLockFile(path, stats, true);
    } catch {
      return undefined;
    }
    if (lockFd === undefined || !tryLifetimeLock(lockFd, 8)) return undefined;
    try {
      return use(fd, lockFd);
    } finally {
      releaseLifetimeLock(lockFd);
    }
  } finally {
    if (lockFd !== undefined) closeSync(lockFd);
    closeSync(fd);
  }
}

/** A pipe kept because its last handle died (not stamped by a closer): its kept time starts now. */
function stampKept(path: string): number | undefined {
  return underLifetimeLock(path, (fd, lockFd) => {
    if (ofdLocked(lockFd, 0, SLOT_COUNT)) return undefined;
    const field = Buffer.alloc(8);
    readSync(fd, field, 0, 8, Off.keptSinceMs);
    const already = readCounter(new Int32Array(field.buffer, field.byteOffset, 2), 0);
    if (already > 0) return already;
    const now = Date.now();
    field.writeBigUInt64LE(BigInt(now));
    writeSync(fd, field, 0, 8, Off.keptSinceMs);
    return now;
  });
}

/** Removes a kept pipe past its time to live, checked again under L. */
function removeExpired(path: string): void {
  underLifetimeLock(path, (fd, lockFd) => {
    const stats = fstatSync(fd);
    if (ofdLocked(lockFd, 0, SLOT_COUNT) || !stillLinked(fd, path)) return;
    const header = new Uint8Array(HEADER_SIZE);
    if (readSync(fd, header, 0, HEADER_SIZE, 0) < HEADER_SIZE) return;
    const i32 = new Int32Array(header.buffer);
    if (keptPastTtl(readCounter(i32, W(Off.ttlMs)), readCounter(i32, W(Off.keptSinceMs)), Date.now())) removeSegment(path, stats.ino);
  });
}

/**
 * `removePipe` on shared memory: unlinks the name under L like mq_unlink (open handles keep
 * the old file; unread messages of a kept pipe go with it).
 */
export function removeShmPipe(canonical: string, owner: number | undefined): void {
  const path = segmentPath(canonical);
  let stats: Stats;
  try {
    stats = lstatSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new RingPipeError(ErrorCode.NotFound, `no pipe named ${canonical}`);
    throw fromSystemError(err, path);
  }
  if (!stats.isFile()) throw new RingPipeError(ErrorCode.Untrusted, `${path} is not a ringpipe segment (not a regular file); remove it by hand`);
  const expected = owner ?? process.geteuid!();
  if (stats.uid !== expected) {
    throw new RingPipeError(ErrorCode.PermissionDenied, `pipe ${canonical} belongs to uid ${stats.uid}${owner === undefined ? ', not to us' : ''}`);
  }
  let removed: boolean | undefined;
  try {
    removed = underLifetimeLock(path, (fd) => {
      if (!stillLinked(fd, path)) return false;
      removeSegment(path, fstatSync(fd).ino, true);
      return true;
    });
    // We may not write it (or L stays held): unlink without L; a closer checks that the path still names its file.
    if (removed === undefined) removeSegment(path, stats.ino, true);
  } catch (err) {
    throw fromSystemError(err, `removing ${path}`);
  }
  if (removed === false) {
    throw new RingPipeError(ErrorCode.NotFound, `no pipe named ${canonical} (removed meanwhile)`);
  }
}
