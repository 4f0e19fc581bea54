// Word access shared by the ring's files, as driver/core/rp_ring_internal.h has it for the C files.
import { ErrorCode, RingPipeError } from '../errors.js';
import { HEADER_SIZE, Off, SLOT_OFFSET, SLOT_SIZE, W } from './layout.js';

/** Header fields as word indices of an Int32Array over the segment (rp_hw). */
export const H = {
  head: W(Off.head),
  tail: W(Off.tail),
  tailSkip: W(Off.tailSkip),
  wlock: W(Off.wlock),
  rlock: W(Off.rlock),
  spaceSeq: W(Off.spaceSeq),
  dataSeq: W(Off.dataSeq),
  writersWaiting: W(Off.writersWaiting),
  readersWaiting: W(Off.readersWaiting),
  msgsIn: W(Off.msgsIn),
  bytesIn: W(Off.bytesIn),
  msgsOut: W(Off.msgsOut),
  bytesOut: W(Off.bytesOut),
  abandoned: W(Off.abandoned),
  attachSeq: W(Off.attachSeq),
  writersEver: W(Off.writersEver),
  cursorFrom: W(Off.cursorFrom),
  cursorTo: W(Off.cursorTo),
  cursorOwner: W(Off.cursorOwner),
  ttlMs: W(Off.ttlMs),
  keptSinceMs: W(Off.keptSinceMs),
} as const;

/** u64 fields as indices of a BigInt64Array over the header: tail64 (tail, tail_skip), the cursor and the one in flight. */
export const TAIL64 = Off.tail / 8;
export const CURSOR64 = Off.cursor / 8;
export const CURSOR_NEXT64 = Off.cursorNext / 8;

/** The first word of the data area; a record's word0 is at DATA_WORD + ((position & mask) >> 2), its owner word next (rp_dw). */
export const DATA_WORD = W(HEADER_SIZE);

/** A slot's field (SlotOff) as a word index (rp_sw). */
export const slotWord = (slot: number, field: number): number => W(SLOT_OFFSET + slot * SLOT_SIZE + field);

/** A record's word0: its state in the top two bits, its payload length below (rp_word0). */
export const word0 = (state: number, len: number): number => (state << 30) | len;

export const corrupt = (why: string): RingPipeError => new RingPipeError(ErrorCode.Corrupt, `corrupt ring: ${why}`);

/** Adds to a (lo, hi) u32 pair; only the holder of the side's lock changes it (rp_add64). */
export function addCounter(i32: Int32Array, word: number, n: number): void {
  const lo = (i32[word]! >>> 0) + n;
  i32[word] = lo | 0;
  if (lo > 0xffffffff) i32[word + 1] = (i32[word + 1]! + Math.floor(lo / 0x100000000)) | 0;
}
