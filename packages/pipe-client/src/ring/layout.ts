// Byte offsets and constants of docs/ring-format.md (version 3). Keep in step with driver/core/rp_ring_layout.h.

export const MAGIC = 0x50495052;
export const VERSION = 3;
export const HEADER_SIZE = 4096;
export const SLOT_COUNT = 128;
export const SLOT_OFFSET = 256;
export const SLOT_SIZE = 16;
/** Line 0 ends with zeros from here to 64 (but for `ttl_ms`); a segment with anything else there is not ours. */
export const LINE0_ZERO_FROM = 28;

export const MODE_MESSAGE = 1;
export const MODE_BYTE = 2;
/** A mode as the API names it. */
export const modeName = (mode: number): 'message' | 'byte' => (mode === MODE_BYTE ? 'byte' : 'message');

export const Off = {
  magic: 0,
  version: 4,
  headerSize: 6,
  capacity: 8,
  mode: 12,
  slotCount: 16,
  slotOffset: 20,
  dataOffset: 24,
  /** u64 (lo, hi): the creator's time to live of a kept pipe in ms, 0 for none; written once. */
  ttlMs: 32,

  head: 64,
  wlock: 68,
  spaceSeq: 72,
  msgsIn: 80,
  bytesIn: 88,
  /** Cursor batches (see Ring.writeWithCursor): the committed cursor (u64), the one in flight (u64), its records' span and writer. */
  cursor: 96,
  cursorNext: 104,
  cursorFrom: 112,
  cursorTo: 116,
  cursorOwner: 120,
  /** In the writers' line: what a writer checks after each Write. */
  readersWaiting: 124,

  /** tail64: tail (low half) and tailSkip (high half), stored together. */
  tail: 128,
  tailSkip: 132,
  rlock: 136,
  dataSeq: 140,
  abandoned: 148,
  msgsOut: 152,
  bytesOut: 160,
  /** In the readers' line: what a reader checks after each Read. */
  writersWaiting: 168,

  attachSeq: 192,
  writersEver: 196,
  /** u64 (lo, hi): ms since the epoch when the last handle left a pipe it kept; 0 while attached. */
  keptSinceMs: 200,
} as const;

/** A wake word of the ring, by its byte offset in the header: readers sleep on data_seq, writers on space_seq. */
export type WakeWord = typeof Off.dataSeq | typeof Off.spaceSeq;

/** The wake words' codes (RP_WAKE_DATA, RP_WAKE_SPACE of rp_ring.h), as both drivers' wake requests take them. */
export const WAKE_DATA = 1;
export const WAKE_SPACE = 2;
export const wakeCode = (which: WakeWord): number => (which === Off.spaceSeq ? WAKE_SPACE : WAKE_DATA);

/**
 * What a sleeper adds to `readers_waiting` or `writers_waiting`: sleepers on the
 * seq word (futex, event, driver) count in the low 16 bits, sleepers on the
 * pipe's bell in the high 16 (docs/ring-format.md, Waiting).
 */
export const OS_WAITER = 1;
export const BELL_WAITER = 0x10000;

/** Bits of `sleeperKinds`: seq-word sleepers (futex, event, driver), bell sleepers. */
export const SLEEP_OS = 1;
export const SLEEP_BELL = 2;

/** Whom a waker told to wake all of a seq word must wake, by its waiting count: SLEEP_* bits, 0 for nobody. */
export const sleeperKinds = (waiting: number): number =>
  ((waiting & (BELL_WAITER - 1)) !== 0 ? SLEEP_OS : 0) | (waiting >>> 16 !== 0 ? SLEEP_BELL : 0);

export const SlotOff = { pid: 0, token: 4, role: 8, writing: 12 } as const;
export const ROLE_WRITER = 1;
export const ROLE_READER = 2;

export const RECORD_HEADER = 8;
export const STATE_RESERVED = 1;
export const STATE_COMMITTED = 2;
export const STATE_ABANDONED = 3;
export const LEN_MASK = 0x3fffffff;

/** Word index in an Int32Array over the whole segment. */
export const W = (byteOffset: number): number => byteOffset >> 2;

export const recordSize = (len: number): number => RECORD_HEADER + ((len + 7) & ~7);
/** The largest record: a whole message in message mode, a piece of a write in byte mode. */
export const maxRecord = (capacity: number, mode: number): number =>
  mode === MODE_BYTE ? capacity / 2 - RECORD_HEADER : capacity - RECORD_HEADER;
