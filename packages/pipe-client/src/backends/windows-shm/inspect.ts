import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import koffi from 'koffi';
import { ErrorCode, RingPipeError } from '../../errors.js';
import { HEADER_SIZE, Off, W } from '../../ring/layout.js';
import { readCounter } from '../../ring/header-stats.js';
import { Ring } from '../../ring/ring.js';
import type { WinPipeInfo } from '../windows-driver/device.js';
import { readHeaderPage, readState, type Liveness, type ShmPipeState } from '../ring-file-state.js';
import { keptPastTtl } from '../linux-shm/segment.js';
import { winError } from '../../platform/windows/errors.js';
import { existingKeptFolder, keptFilePath, openKeptFile, removeKeptFile } from '../../platform/windows/kept-files.js';
import { FILE_MAP_READ, SECTION_STAT, closeHandle, k32 } from '../../platform/windows/kernel32.js';
import { busy, createMutex, objectBase, takeMutex } from '../../platform/windows/named-objects.js';
import { checkOwner, trustedOwners } from '../../platform/windows/security.js';
import { NamePage, ringBase } from './name-page.js';
import { anySlotLive } from './slot-liveness.js';
import { shmAlive } from './incarnation.js';
import { viewSize } from './view.js';

// An shm pipe seen without attaching: its live incarnation (the name page's) if a handle
// has it, else the pipe kept in the user's file, read with ReadFile, never mapped.

const LOCK_WAIT_MS = 250;

export const notFound = (canonical: string): RingPipeError => new RingPipeError(ErrorCode.NotFound, `no pipe named ${canonical} is open or kept`);

/** An shm pipe's statistics: open (a trusted owner's, with a live handle) or kept in our file. */
export function statShmPipe(canonical: string): WinPipeInfo {
  const base = objectBase(canonical);
  const state = statLive(base) ?? inspectKept(canonical, base);
  if (!state) throw notFound(canonical);
  return { name: canonical, backend: 'shm', ...state };
}

function statLive(base: string): ShmPipeState | undefined {
  const page = NamePage.peek(base, trustedOwners(undefined));
  if (!page) return undefined;
  try {
    const generation = page.generation;
    if (generation === 0n) return undefined;
    const name = ringBase(base, generation);
    const h = k32().OpenFileMappingW(SECTION_STAT, 0, name) as bigint;
    if (h === 0n) return undefined;
    try {
      checkOwner(h, trustedOwners(undefined), name);
      const address = k32().MapViewOfFile(h, FILE_MAP_READ, 0, 0, 0) as bigint;
      if (address === 0n) throw winError(`MapViewOfFile of ${name}`);
      try {
        const length = viewSize(address);
        if (length < HEADER_SIZE) return undefined;
        const ring = new Ring(koffi.view(address, length) as ArrayBuffer, { alive: shmAlive(name), yieldCpu: () => {}, wake: () => {} });
        const stats = ring.stats();
        // Its handles all left: what they left is in the kept file.
        if (stats.handles === 0) return undefined;
        const unread = ring.unread();
        const ttl = ring.ttlMs;
        return { ...stats, kept: false, unreadMessages: unread.messages, unreadBytes: unread.bytes, ...(ttl > 0 ? { ttl } : {}) };
      } finally {
        k32().UnmapViewOfFile(address);
      }
    } finally {
      closeHandle(h);
    }
  } finally {
    page.close();
  }
}

/** Whether a handle has the incarnation the name page names. */
function liveIncarnation(base: string): boolean {
  const page = NamePage.peek(base, trustedOwners(undefined));
  if (!page) return false;
  try {
    return page.generation !== 0n && anySlotLive(ringBase(base, page.generation));
  } finally {
    page.close();
  }
}

const NONE_LIVE: Liveness = { alive: () => false, any: () => false, close: () => {} };

/**
 * The pipe kept in our file, if it is one: a whole ring with something unread. One kept
 * past its ttl is removed on the way; one whose last handle died is stamped kept now.
 */
function inspectKept(canonical: string, base: string): ShmPipeState | undefined {
  const folder = existingKeptFolder();
  if (!folder) return undefined;
  const path = keptFilePath(folder, canonical);
  // A plain file of ours (else ERR_RINGPIPE_UNTRUSTED), read through node:fs below.
  const checked = openKeptFile(path, false);
  if (!checked) return undefined;
  closeHandle(checked.h);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  let state: ShmPipeState;
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) return undefined;
    try {
      state = readState(fd, stats, path, readHeaderPage(fd), NONE_LIVE);
    } catch {
      return undefined; // a broken file no handle has is no pipe: the next opener replaces it
    }
  } finally {
    closeSync(fd);
  }
  if (state.unreadMessages === 0) return undefined;
  if (state.keptSince === undefined) {
    const stamped = underNameLock(base, () => stampKept(path));
    if (stamped !== undefined) state.keptSince = stamped;
  }
  if (keptPastTtl(state.ttl ?? 0, state.keptSince ?? 0, Date.now())) {
    underNameLock(base, () => removeIfExpired(path));
    return undefined;
  }
  return state;
}

/** Runs `use` holding BASE#lock with no live handle on the pipe; undefined when it cannot. */
function underNameLock<T>(base: string, use: () => T): T | undefined {
  let lock: bigint;
  try {
    lock = createMutex(`${base}#lock`, { permissions: 0o600, owners: trustedOwners(undefined) });
  } catch {
    return undefined;
  }
  try {
    if (!takeMutex(lock, LOCK_WAIT_MS, `${base}#lock`)) return undefined;
    try {
      return liveIncarnation(base) ? undefined : use();
    } finally {
      k32().ReleaseMutex(lock);
    }
  } finally {
    closeHandle(lock);
  }
}

function readField(fd: number, offset: number): number {
  const field = Buffer.alloc(8);
  readSync(fd, field, 0, 8, offset);
  return readCounter(new Int32Array(field.buffer, field.byteOffset, 2), 0);
}

/** A pipe kept because its last handle died (no closer stamped it): its kept time starts now. */
function stampKept(path: string): number | undefined {
  const fd = openSync(path, 'r+');
  try {
    const already = readField(fd, Off.keptSinceMs);
    if (already > 0) return already;
    const now = Date.now();
    const field = Buffer.alloc(8);
    field.writeBigUInt64LE(BigInt(now));
    writeSync(fd, field, 0, 8, Off.keptSinceMs);
    return now;
  } finally {
    closeSync(fd);
  }
}

/** Removes a kept pipe past its ttl, checked again under the lock. */
function removeIfExpired(path: string): void {
  const fd = openSync(path, 'r');
  let expired: boolean;
  try {
    expired = keptPastTtl(readField(fd, Off.ttlMs), readField(fd, Off.keptSinceMs), Date.now());
  } finally {
    closeSync(fd);
  }
  if (expired) removeKeptFile(path);
}

/**
 * `removePipe` on shm: under BASE#lock, the name page stops naming the open incarnation
 * (its handles keep it; the next open makes a new one), and our kept file goes.
 */
export function removeShmPipe(canonical: string, ownerSid: string | undefined): void {
  const base = objectBase(canonical);
  const owners = trustedOwners(ownerSid);
  const denied = (err: unknown): unknown =>
    err instanceof RingPipeError && err.code === ErrorCode.Untrusted
      ? new RingPipeError(ErrorCode.PermissionDenied, `pipe ${canonical} (${base}) belongs to another user: not removed`)
      : err;
  let lock: bigint;
  try {
    lock = createMutex(`${base}#lock`, { permissions: 0o600, owners });
  } catch (err) {
    throw denied(err);
  }
  try {
    if (!takeMutex(lock, 1000, `${base}#lock`)) throw busy(`pipe ${canonical}'s lock (${base}#lock)`);
    try {
      let removed = false;
      let page: NamePage | undefined;
      try {
        page = NamePage.peek(base, owners, true);
      } catch (err) {
        throw denied(err);
      }
      if (page) {
        try {
          if (page.generation !== 0n && anySlotLive(ringBase(base, page.generation))) {
            page.set(0n);
            removed = true;
          }
        } finally {
          page.close();
        }
      }
      if (!removed) removed = inspectKept(canonical, base) !== undefined;
      const folder = existingKeptFolder();
      if (folder) removeKeptFile(keptFilePath(folder, canonical));
      if (!removed) throw notFound(canonical);
    } finally {
      k32().ReleaseMutex(lock);
    }
  } finally {
    closeHandle(lock);
  }
}
