import { closeSync, constants, fchmodSync, fstatSync, ftruncateSync, openSync, statSync, unlinkSync } from 'node:fs';
import { ErrorCode, RingPipeError, fromSystemError } from '../errors.js';
import { HEADER_SIZE, MODE_BYTE, MODE_MESSAGE } from '../ring/layout.js';
import { Ring, type RingPlatform } from '../ring/ring.js';
import { LOCK_EX, LOCK_UN, PROT_READ, flock, futexWake, mapShared, unmap, yieldCpu, type Mapping } from './libc.js';
import { processAlive } from './liveness.js';

export const SHM_DIR = '/dev/shm';
export const SHM_PREFIX = 'ringpipe.';

export const segmentPath = (canonical: string): string => `${SHM_DIR}/${SHM_PREFIX}${canonical}`;

export interface SegmentRequest {
  capacity: number;
  /** MODE_MESSAGE or MODE_BYTE; undefined adopts the existing pipe's mode (message for a new one). */
  mode: number | undefined;
  permissions: number;
}

/** One attachment of this process to a pipe's shared segment: the lifetime part of docs/ring-format.md. */
export class Segment {
  private constructor(
    readonly path: string,
    private readonly fd: number,
    readonly mapping: Mapping,
    readonly ring: Ring,
    readonly slot: number,
    readonly token: number,
  ) {}

  static open(canonical: string, request: SegmentRequest): Segment {
    const path = segmentPath(canonical);
    for (;;) {
      const fd = openFile(path, constants.O_RDWR | constants.O_CREAT, request.permissions);
      let mapping: Mapping | undefined;
      try {
        flock(fd, LOCK_EX);
        if (!stillLinked(fd, path)) {
          closeSync(fd);
          continue;
        }
        mapping = attachMapping(fd, request);
        const ring = new Ring(mapping.buffer, platformFor(mapping));
        if (request.mode !== undefined && request.mode !== ring.mode) {
          const want = request.mode === MODE_BYTE ? 'byte' : 'message';
          throw new RingPipeError(ErrorCode.ModeMismatch, `pipe ${canonical} exists in ${ring.stats().mode} mode, not ${want} mode`);
        }
        const slot = ring.attach(process.pid);
        if (slot < 0) {
          throw new RingPipeError(ErrorCode.TooManyHandles, `pipe ${canonical} has all of its 128 handles open`);
        }
        flock(fd, LOCK_UN);
        return new Segment(path, fd, mapping, ring, slot, ring.tokenOf(slot));
      } catch (err) {
        if (mapping) unmap(mapping);
        closeSync(fd);
        throw fromSystemError(err, path);
      }
    }
  }

  /** Detaches, and removes the segment when no process is attached any more. Synchronous, so it also runs at exit. */
  close(): void {
    flock(this.fd, LOCK_EX);
    this.ring.detach(this.slot);
    if (this.ring.reclaimDead() === 0) {
      try {
        unlinkSync(this.path);
      } catch {
        // already gone: nothing to remove
      }
    }
    unmap(this.mapping);
    closeSync(this.fd);
  }
}

/** Maps an existing segment read-only for statistics; returns undefined when the name has none. */
export function withSegmentReadOnly<T>(canonical: string, use: (ring: Ring) => T): T | undefined {
  const path = segmentPath(canonical);
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw fromSystemError(err, path);
  }
  try {
    const size = fstatSync(fd).size;
    if (size < HEADER_SIZE) return undefined;
    const mapping = mapShared(fd, size, PROT_READ);
    try {
      return use(new Ring(mapping.buffer, platformFor(mapping)));
    } finally {
      unmap(mapping);
    }
  } finally {
    closeSync(fd);
  }
}

function openFile(path: string, flags: number, permissions: number): number {
  try {
    return openSync(path, flags | constants.O_NOFOLLOW, permissions);
  } catch (err) {
    throw fromSystemError(err, path);
  }
}

/** A closer may have unlinked the file between our open and our lock; then we must open again. */
function stillLinked(fd: number, path: string): boolean {
  try {
    return statSync(path).ino === fstatSync(fd).ino;
  } catch {
    return false;
  }
}

/** Maps the segment, initialising it when it is new or when every process that used it is gone. Called under the file lock. */
function attachMapping(fd: number, request: SegmentRequest): Mapping {
  const size = fstatSync(fd).size;
  if (size >= HEADER_SIZE) {
    const existing = mapShared(fd, size);
    // magic 0: the creator died before it finished the header, so nobody uses this file.
    const initialised = new Int32Array(existing.buffer, 0, 1)[0] !== 0;
    try {
      if (initialised && new Ring(existing.buffer, platformFor(existing)).reclaimDead() > 0) return existing;
    } catch (err) {
      unmap(existing);
      throw err;
    }
    unmap(existing);
  }
  const total = HEADER_SIZE + request.capacity;
  try {
    fchmodSync(fd, request.permissions);
  } catch {
    // not our file: its owner's permissions stay
  }
  ftruncateSync(fd, 0);
  ftruncateSync(fd, total);
  const mapping = mapShared(fd, total);
  Ring.init(mapping.buffer, request.capacity, request.mode ?? MODE_MESSAGE);
  return mapping;
}

function platformFor(mapping: Mapping): RingPlatform {
  return {
    alive: processAlive,
    yieldCpu,
    wake: (byteOffset) => futexWake(mapping.address + BigInt(byteOffset)),
  };
}
