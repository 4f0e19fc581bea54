import { Off, modeName, ROLE_READER, ROLE_WRITER, SLOT_COUNT, SlotOff, W } from './layout.js';
import { slotWord } from './words.js';

export interface RingStats {
  capacity: number;
  mode: 'message' | 'byte';
  usedBytes: number;
  messagesIn: number;
  bytesIn: number;
  messagesOut: number;
  bytesOut: number;
  abandoned: number;
  handles: number;
  writers: number;
  readers: number;
  writersEver: number;
  /** Shared memory: where reading stands in the ring, in bytes modulo 2^32 (the format's `tail`). */
  readPosition?: number;
}

/** Statistics from a header page (mapped, or a copy read with pread); only slots `alive` vouches for are counted. */
export function headerStats(i32: Int32Array, capacity: number, mode: number, alive: (slot: number) => boolean): RingStats {
  let handles = 0;
  let writers = 0;
  let readers = 0;
  for (let slot = 0; slot < SLOT_COUNT; slot++) {
    if (Atomics.load(i32, slotWord(slot, SlotOff.token)) === 0 || !alive(slot)) continue;
    handles++;
    const role = Atomics.load(i32, slotWord(slot, SlotOff.role));
    if (role & ROLE_WRITER) writers++;
    if (role & ROLE_READER) readers++;
  }
  const tail = Atomics.load(i32, W(Off.tail));
  const used = (Atomics.load(i32, W(Off.head)) - tail) >>> 0;
  return {
    capacity,
    mode: modeName(mode),
    usedBytes: Math.min(used, capacity),
    messagesIn: readCounter(i32, W(Off.msgsIn)),
    bytesIn: readCounter(i32, W(Off.bytesIn)),
    messagesOut: readCounter(i32, W(Off.msgsOut)),
    bytesOut: readCounter(i32, W(Off.bytesOut)),
    abandoned: Atomics.load(i32, W(Off.abandoned)) >>> 0,
    handles,
    writers,
    readers,
    writersEver: Atomics.load(i32, W(Off.writersEver)) >>> 0,
    readPosition: tail >>> 0,
  };
}

/** A (lo, hi) u32 pair of the header as a number. */
export function readCounter(i32: Int32Array, word: number): number {
  return (i32[word + 1]! >>> 0) * 0x100000000 + (i32[word]! >>> 0);
}

/** Stores a number below 2^53 as a (lo, hi) u32 pair. */
export function writeCounter(i32: Int32Array, word: number, n: number): void {
  Atomics.store(i32, word, n % 0x100000000 | 0);
  Atomics.store(i32, word + 1, Math.floor(n / 0x100000000) | 0);
}
