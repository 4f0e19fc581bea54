import { readSync, type Stats } from 'node:fs';
import { ErrorCode, RingPipeError } from '../errors.js';
import { HEADER_SIZE, Off, SLOT_COUNT, SLOT_OFFSET, SLOT_SIZE, SlotOff, W, maxRecord } from '../ring/layout.js';
import { headerStats, readCounter, type RingStats } from '../ring/header-stats.js';
import { checkHeader } from '../ring/header.js';
import { countUnread } from '../ring/unread.js';

// A pipe's state read from its file with pread, never mapped, so that a peer that truncates
// it cannot raise SIGBUS in the caller (docs/ring-format.md, Lifetime): the shared-memory
// backends of both systems look at pipes, kept or open, through it.

export interface ShmPipeState extends RingStats {
  kept: boolean;
  unreadMessages: number;
  unreadBytes: number;
  keptSince?: number;
  ttl?: number;
}

/** Bytes of the data area read at a time while counting what is unread. */
const CHUNK = 64 * 1024;

/** Which slots are live, as far as the caller may know (see livenessOf). */
export interface Liveness {
  alive(slot: number): boolean;
  any(): boolean;
  close(): void;
}

/** The header page read with pread; `whole` is false when the file is shorter (the rest reads as 0). */
export function readHeaderPage(fd: number): { page: Uint8Array; whole: boolean } {
  const page = new Uint8Array(HEADER_SIZE);
  return { page, whole: readSync(fd, page, 0, HEADER_SIZE, 0) === HEADER_SIZE };
}

export function readState(fd: number, stats: Stats, path: string, { page, whole }: { page: Uint8Array; whole: boolean }, liveness: Liveness): ShmPipeState {
  if (!whole) throw new RingPipeError(ErrorCode.Corrupt, `${path} is shorter than a ringpipe header`);
  const { capacity, mode } = checkHeader(page.buffer as ArrayBuffer);
  if (stats.size !== HEADER_SIZE + capacity) throw new RingPipeError(ErrorCode.Corrupt, `${path} has ${stats.size} bytes, not the ${HEADER_SIZE + capacity} its header says`);
  const i32 = new Int32Array(page.buffer);
  const alive = liveness.alive;
  const ringStats = headerStats(i32, capacity, mode, alive);
  const kept = !liveness.any();
  const data = chunkedReader(fd, capacity);
  const unread = countUnread({
    capacity,
    mode,
    maxRecord: maxRecord(capacity, mode),
    head: i32[W(Off.head)]!,
    tail: i32[W(Off.tail)]!,
    tailSkip: i32[W(Off.tailSkip)]!,
    recordAt: data,
    tokenLive: (token) => token !== 0 && slotsHolding(i32, token).some(alive),
  });
  const ttl = readCounter(i32, W(Off.ttlMs));
  const keptSince = readCounter(i32, W(Off.keptSinceMs));
  return {
    ...ringStats,
    kept,
    unreadMessages: unread.messages,
    unreadBytes: unread.bytes,
    ...(kept && keptSince > 0 ? { keptSince } : {}),
    ...(ttl > 0 ? { ttl } : {}),
  };
}

function slotsHolding(i32: Int32Array, token: number): number[] {
  const slots: number[] = [];
  for (let slot = 0; slot < SLOT_COUNT; slot++) if (i32[W(SLOT_OFFSET + slot * SLOT_SIZE + SlotOff.token)] === token) slots.push(slot);
  return slots;
}

/** Record headers of the data area through pread, a chunk at a time; bytes past the file's end read as 0. */
function chunkedReader(fd: number, capacity: number): (position: number) => { word0: number; owner: number } {
  const chunk = Buffer.alloc(Math.min(CHUNK, capacity));
  let start = -1;
  return (position) => {
    const offset = position & (capacity - 1);
    if (start < 0 || offset < start || offset + 8 > start + chunk.length) {
      start = offset - (offset % chunk.length);
      chunk.fill(0, readSync(fd, chunk, 0, chunk.length, HEADER_SIZE + start));
    }
    return { word0: chunk.readUInt32LE(offset - start), owner: chunk.readUInt32LE(offset - start + 4) };
  };
}
