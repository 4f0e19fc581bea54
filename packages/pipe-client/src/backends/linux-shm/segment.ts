import { closeSync, constants, fchmodSync, fstatSync, lstatSync, openSync, unlinkSync, type Stats } from 'node:fs';
import { ErrorCode, RingPipeError, fromSystemError } from '../../errors.js';
import { HEADER_SIZE, MODE_MESSAGE, SLEEP_BELL, modeName, SLEEP_OS, SLOT_COUNT, sleeperKinds } from '../../ring/layout.js';
import { Ring, type RingPlatform } from '../../ring/ring.js';
import { checkHeader, initHeader } from '../../ring/header.js';
import { wokePeer } from '../../wait/cpu-handoff.js';
import { Bells, removeBells } from './bell.js';
import { createLockFile, openLockFile, removeLockFile } from './lock-file.js';
import {
  PROT_READ,
  allocate,
  futexWake,
  linkUnnamed,
  mapShared,
  ofdLock,
  ofdLocked,
  ofdUnlock,
  populate,
  unmap,
  yieldCpu,
  type Mapping,
} from '../../platform/linux/libc.js';
import { SlotLiveness } from '../../platform/linux/slot-liveness.js';

export const SHM_DIR = '/dev/shm';
export const SHM_PREFIX = 'ringpipe.';

export const segmentPath = (canonical: string): string => `${SHM_DIR}/${SHM_PREFIX}${canonical}`;

/** Byte of the lock file whose OFD lock is the lifetime lock L (docs/ring-format.md, Lifetime); bytes 0..127 are the slots'. */
export const LIFETIME_LOCK = SLOT_COUNT;
/** Tries at L before an open reports BUSY: a holder is inside a few system calls, unless it is stopped. */
const LIFETIME_TRIES = 2000;
const O_TMPFILE = 0o20000000 | constants.O_DIRECTORY;
export const OPEN_FLAGS = constants.O_NOFOLLOW | constants.O_NONBLOCK | 0o2000000; /* O_CLOEXEC */

export interface SegmentRequest {
  capacity: number;
  /** MODE_MESSAGE or MODE_BYTE; undefined adopts the existing pipe's mode (message for a new one). */
  mode: number | undefined;
  permissions: number;
  /** The uid an existing pipe must belong to (root is trusted too); undefined: our own. */
  owner: number | undefined;
  /** Time to live of the pipe once kept, in ms (0: none); only a new pipe takes it. */
  ttl: number;
}

/** One attachment of this process to a pipe's shared segment: the Lifetime section of docs/ring-format.md. */
export class Segment {
  /** Use Segment.open. */
  constructor(
    readonly path: string,
    private readonly fd: number,
    /** The pipe's lock file (lock-file.ts): its slot locks and L. */
    private readonly lockFd: number,
    readonly mapping: Mapping,
    readonly ring: Ring,
    readonly slot: number,
    /** Where sleepers of this handle wait, when the pipe has bells we trust; else they sleep on the futex. */
    readonly bells: Bells | undefined,
    private readonly inode: number,
    /** Whether this open made the segment (false: it joined one). */
    readonly created: boolean,
    /** What the ring's platform asks whether a peer's slot is live. */
    private readonly liveness: SlotLiveness,
  ) {}

  static open(canonical: string, request: SegmentRequest): Segment {
    const path = segmentPath(canonical);
    // Each pass ends in a segment, or in a race lost to another opener or closer (then look again).
    for (let pass = 0; pass < 64; pass++) {
      const fd = openExisting(path);
      const segment = fd === undefined ? create(path, request) : join(fd, path, canonical, request);
      if (segment) return segment;
    }
    throw new RingPipeError(ErrorCode.Busy, `pipe ${canonical} keeps being created and removed by other processes; try again`);
  }

  get token(): number {
    return this.ring.tokenOf(this.slot);
  }

  /** Whether what this handle saw of its peers' liveness at `since` still holds (SlotLiveness.heldSince). */
  peersHeldSince(since: number): boolean {
    return this.liveness.heldSince(since);
  }

  /**
   * Detaches; the last handle keeps the pipe when something is unread (stamping when), else
   * removes it. Synchronous and never waits, so it also runs at exit.
   */
  close(): void {
    this.ring.detach(this.slot);
    ofdUnlock(this.lockFd, this.slot);
    if (tryLifetimeLock(this.lockFd, 8)) {
      if (!ofdLocked(this.lockFd, 0, SLOT_COUNT) && stillLinked(this.fd, this.path)) {
        if (this.ring.unread().messages > 0) this.ring.keptSinceMs = Date.now();
        else removeSegment(this.path, this.inode);
      }
      ofdUnlock(this.lockFd, LIFETIME_LOCK);
    }
    this.bells?.close();
    unmap(this.mapping);
    this.liveness.close();
    closeSync(this.lockFd);
    closeSync(this.fd);
  }
}

/** Opens the pipe's file if there is one (undefined: there is none); refuses what is not a file we may trust. */
function openExisting(path: string): number | undefined {
  try {
    return openSync(path, constants.O_RDWR | OPEN_FLAGS);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    // A socket, FIFO or device we may not open is refused before its permissions are looked at.
    if (code === 'ELOOP' || code === 'EISDIR' || code === 'ENXIO' || (code === 'EACCES' && !isRegularFile(path))) {
      throw new RingPipeError(ErrorCode.Untrusted, `${path} is not a ringpipe segment (${code}); remove it or use another name`, { cause: err });
    }
    throw fromSystemError(err, path);
  }
}

function isRegularFile(path: string): boolean {
  try {
    return lstatSync(path).isFile();
  } catch {
    return true; // gone meanwhile: the caller's error stands
  }
}

/** Makes a new segment out of sight (O_TMPFILE), then links it under its name; undefined when someone else's came first. */
function create(path: string, request: SegmentRequest): Segment | undefined {
  const total = HEADER_SIZE + request.capacity;
  let fd: number;
  try {
    fd = openSync(SHM_DIR, O_TMPFILE | constants.O_RDWR | 0o2000000, 0o600);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOSPC' || code === 'EDQUOT') {
      throw new RingPipeError(ErrorCode.NoSpace, `${SHM_DIR} has no free inode or room for a new pipe`, { cause: err });
    }
    throw new RingPipeError(ErrorCode.BackendUnavailable, `cannot create a segment in ${SHM_DIR}: ${(err as Error).message}`, { cause: err });
  }
  let mapping: Mapping | undefined;
  let bells: Bells | undefined;
  let inode: number | undefined;
  let lockFd: number | undefined;
  const abandon = (): void => {
    bells?.close();
    if (inode !== undefined) removeBells(path, inode);
    if (lockFd !== undefined) {
      removeLockFile(path, inode!);
      closeSync(lockFd);
    }
    if (mapping) unmap(mapping);
    closeSync(fd);
  };
  try {
    fchmodSync(fd, request.permissions);
    try {
      allocate(fd, total);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOSPC' || code === 'EDQUOT') {
        throw new RingPipeError(ErrorCode.NoSpace, `${SHM_DIR} has no room for a ring of ${request.capacity} bytes`, { cause: err });
      }
      throw err;
    }
    mapping = mapShared(fd, total);
    initHeader(mapping.buffer, request.capacity, request.mode ?? MODE_MESSAGE, request.ttl);
    inode = fstatSync(fd).ino;
    lockFd = createLockFile(SHM_DIR, path, inode, request.permissions);
    if (lockFd === undefined) {
      abandon();
      return undefined;
    }
    const platform = shmPlatform(lockFd, mapping);
    const ring = new Ring(mapping.buffer, platform);
    ofdLock(lockFd, 0);
    olderReleasesSeeUs(fd, 0);
    platform.ownSlot = 0;
    ring.attach(0, process.pid);
    bells = platform.bells = Bells.create(path, inode, request.permissions);
    try {
      linkUnnamed(fd, path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      abandon();
      return undefined;
    }
    return new Segment(path, fd, lockFd, mapping, ring, 0, bells, inode, true, (platform.liveness = new SlotLiveness(lockFd)));
  } catch (err) {
    abandon();
    throw fromSystemError(err, path);
  }
}

/**
 * Attaches to an existing file under L, adopting a kept pipe; undefined when the file was left
 * over with nothing unread, or expired (then removed), or removed meanwhile.
 */
function join(fd: number, path: string, canonical: string, request: SegmentRequest): Segment | undefined {
  let mapping: Mapping | undefined;
  let slot = -1;
  let holdsL = false;
  let bells: Bells | undefined;
  let lockFd: number | undefined;
  const release = (): void => {
    bells?.close();
    if (mapping) unmap(mapping);
    if (lockFd !== undefined) {
      if (slot >= 0) ofdUnlock(lockFd, slot);
      if (holdsL) ofdUnlock(lockFd, LIFETIME_LOCK);
      closeSync(lockFd);
    }
    closeSync(fd);
  };
  const replace = (inode: number): undefined => {
    // Only holders of L unlink, so the path still names the file we checked.
    if (stillLinked(fd, path)) removeSegment(path, inode, true);
    release();
    return undefined;
  };
  try {
    const stats = fstatSync(fd);
    checkTrusted(stats, path, request.owner);
    lockFd = openLockFile(path, stats, true);
    if (lockFd === undefined) {
      replaceLockless(fd, stats, path);
      release();
      return undefined;
    }
    holdsL = tryLifetimeLock(lockFd, LIFETIME_TRIES);
    if (!holdsL) throw new RingPipeError(ErrorCode.Busy, `pipe ${canonical} is being opened or closed by a process that is stopped; try again`);
    const live = ofdLocked(lockFd, 0, SLOT_COUNT);
    let capacity: number;
    try {
      ({ capacity } = readHeader(fd, stats, path));
    } catch (err) {
      if (live) throw err;
      return replace(stats.ino); // every handle died and left something that is no pipe
    }
    mapping = mapShared(fd, HEADER_SIZE + capacity);
    const platform = shmPlatform(lockFd, mapping);
    const ring = new Ring(mapping.buffer, platform);
    if (!live && (keptPastTtl(ring.ttlMs, ring.keptSinceMs, Date.now()) || ring.unread().messages === 0)) return replace(stats.ino);
    if (request.mode !== undefined && request.mode !== ring.mode) {
      const want = modeName(request.mode ?? MODE_MESSAGE);
      throw new RingPipeError(ErrorCode.ModeMismatch, `pipe ${canonical} exists in ${ring.stats().mode} mode, not ${want} mode`);
    }
    for (let s = 0; s < SLOT_COUNT && slot < 0; s++) if (ofdLock(lockFd, s)) slot = s;
    if (slot < 0) throw new RingPipeError(ErrorCode.TooManyHandles, `pipe ${canonical} has all of its ${SLOT_COUNT} handles open`);
    olderReleasesSeeUs(fd, slot);
    platform.ownSlot = slot;
    bells = platform.bells = Bells.open(path, stats.ino, stats.uid);
    ring.attach(slot, process.pid);
    if (!stillLinked(fd, path)) {
      ring.detach(slot);
      release();
      return undefined;
    }
    ring.keptSinceMs = 0;
    ofdUnlock(lockFd, LIFETIME_LOCK);
    return new Segment(path, fd, lockFd, mapping, ring, slot, bells, stats.ino, false, (platform.liveness = new SlotLiveness(lockFd)));
  } catch (err) {
    release();
    throw fromSystemError(err, path);
  }
}

/**
 * Releases before the lock file judge liveness by locks on the segment file's own bytes and
 * remove a file where they see none: each handle also locks its slot's byte there when it can
 * (a read lock someone holds may stop it; nothing of this release looks at these locks of a
 * file that has a lock file).
 */
function olderReleasesSeeUs(fd: number, slot: number): void {
  ofdLock(fd, slot);
}

/**
 * A file at the path with no lock file: removed meanwhile, made by hand, or by an older
 * ringpipe release, whose handles lock the bytes of the file itself (docs/ring-format.md,
 * Lifetime). One such handle alive: refused (CORRUPT, or what its header says). None: replaced,
 * under the older release's L (byte 128 of the file).
 */
function replaceLockless(fd: number, stats: Stats, path: string): void {
  if (!stillLinked(fd, path)) return;
  if (ofdLocked(fd, 0, SLOT_COUNT)) {
    readHeader(fd, stats, path);
    throw new RingPipeError(ErrorCode.Corrupt, `${path} is in use by an older ringpipe release (it has no lock file)`);
  }
  if (!tryLifetimeLock(fd, LIFETIME_TRIES)) throw new RingPipeError(ErrorCode.Busy, `${path}: its lifetime lock stays held; try again`);
  try {
    if (stillLinked(fd, path)) removeSegment(path, stats.ino, true);
  } finally {
    releaseLifetimeLock(fd);
  }
}

/** Whether a pipe kept since `keptSince` (0: not stamped yet) has outlived its time to live (0: none) at `now`. */
export function keptPastTtl(ttl: number, keptSince: number, now: number): boolean {
  return ttl > 0 && keptSince > 0 && now - keptSince >= ttl;
}

/** Refuses a file that is not a regular file, or whose owner is neither the one asked for nor root. */
export function checkTrusted(stats: Stats, path: string, owner: number | undefined): void {
  if (!stats.isFile()) throw new RingPipeError(ErrorCode.Untrusted, `${path} is not a ringpipe segment (not a regular file)`);
  const expected = owner ?? process.geteuid!();
  if (stats.uid !== expected && stats.uid !== 0) {
    throw new RingPipeError(
      ErrorCode.Untrusted,
      `${path} belongs to uid ${stats.uid}, not ${owner === undefined ? 'to us' : `to uid ${owner}`}; to join a pipe of uid ${stats.uid}, pass owner: ${stats.uid}`,
    );
  }
}

/** Maps the header page alone and checks it, then the file's size and allocation, before the rest is mapped. */
export function readHeader(fd: number, stats: Stats, path: string): { capacity: number; mode: number } {
  if (stats.size < HEADER_SIZE) throw new RingPipeError(ErrorCode.Corrupt, `${path} is shorter than a ringpipe header`);
  const header = mapShared(fd, HEADER_SIZE, PROT_READ);
  let fields: { capacity: number; mode: number };
  try {
    fields = checkHeader(header.buffer);
  } finally {
    unmap(header);
  }
  const total = HEADER_SIZE + fields.capacity;
  if (stats.size !== total) throw new RingPipeError(ErrorCode.Corrupt, `${path} has ${stats.size} bytes, not the ${total} its header says`);
  if (stats.blocks * 512 < total) throw new RingPipeError(ErrorCode.Corrupt, `${path} is not fully allocated (a sparse file could fail with SIGBUS)`);
  return fields;
}

/** Takes L without waiting, trying a few times (yielding the CPU): a holder is inside a few system calls. */
export function tryLifetimeLock(fd: number, tries: number): boolean {
  for (let i = 0; i < tries; i++) {
    if (ofdLock(fd, LIFETIME_LOCK)) return true;
    yieldCpu();
  }
  return false;
}

/** Releases L. */
export function releaseLifetimeLock(fd: number): void {
  ofdUnlock(fd, LIFETIME_LOCK);
}

/** Whether the path itself (not a link's target) still names the file we have open: same device, same inode. */
export function stillLinked(fd: number, path: string): boolean {
  try {
    const named = lstatSync(path);
    const open = fstatSync(fd);
    return named.ino === open.ino && named.dev === open.dev;
  } catch {
    return false;
  }
}

/** Removes a segment (a holder of L), then its bells and lock file; `strict` reports a failed unlink. */
export function removeSegment(path: string, inode: number, strict = false): void {
  try {
    unlinkSync(path);
  } catch (err) {
    // Already gone, or not ours to remove: the next opener finds it with no live handle.
    if (strict && (err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  removeBells(path, inode);
  removeLockFile(path, inode);
}

interface ShmPlatform extends RingPlatform {
  /** This handle's slot: its own lock is invisible to F_OFD_GETLK on its own open file description. */
  ownSlot: number;
  /** The pipe's bells, rung for sleepers counted as BELL_WAITER. */
  bells?: Bells | undefined;
  /** Set once the handle is open: remembers live slots between looks (platform/linux/slot-liveness.ts). */
  liveness?: SlotLiveness | undefined;
}

/** A slot is live while some open file description holds the lock on its byte of the lock file. */
function shmPlatform(lockFd: number, mapping: Mapping): ShmPlatform {
  const platform: ShmPlatform = {
    ownSlot: -1,
    alive: (slot) => slot === platform.ownSlot || (platform.liveness ? platform.liveness.alive(slot) : ofdLocked(lockFd, slot)),
    yieldCpu,
    populate: (offset, length) => populate(mapping, offset, length),
    wake: (which, waiting) => {
      const sleepers = sleeperKinds(waiting);
      if ((sleepers & SLEEP_OS) !== 0) futexWake(mapping.address + BigInt(which));
      if ((sleepers & SLEEP_BELL) !== 0) platform.bells?.of(which).ring();
      if (sleepers !== 0) wokePeer();
    },
  };
  return platform;
}
