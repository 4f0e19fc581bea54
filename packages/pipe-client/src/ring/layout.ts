// Byte offsets and constants of docs/ring-format.md (version 1). Keep in step with driver/core/rp_ring.h.

export const MAGIC = 0x50495052;
export const VERSION = 1;
export const HEADER_SIZE = 4096;
export const SLOT_COUNT = 128;
export const SLOT_OFFSET = 256;
export const SLOT_SIZE = 16;

export const MODE_MESSAGE = 1;
export const MODE_BYTE = 2;

export const Off = {
  magic: 0,
  version: 4,
  headerSize: 6,
  capacity: 8,
  mode: 12,
  slotCount: 16,
  slotOffset: 20,
  dataOffset: 24,

  head: 64,
  wlock: 68,
  spaceSeq: 72,
  writersWaiting: 76,
  msgsIn: 80,
  bytesIn: 88,

  tail: 128,
  rlock: 132,
  dataSeq: 136,
  readersWaiting: 140,
  tailSkip: 144,
  msgsOut: 148,
  bytesOut: 156,
  abandoned: 164,

  attachSeq: 192,
  writersEver: 196,
} as const;

export const SlotOff = { pid: 0, token: 4, role: 8 } as const;
export const ROLE_WRITER = 1;
export const ROLE_READER = 2;

export const RECORD_HEADER = 8;
export const STATE_RESERVED = 1;
export const STATE_COMMITTED = 2;
export const LEN_MASK = 0x3fffffff;

/** Word index in an Int32Array over the whole segment. */
export const W = (byteOffset: number): number => byteOffset >> 2;

export const recordSize = (len: number): number => RECORD_HEADER + ((len + 7) & ~7);
export const maxMessage = (capacity: number): number => capacity - RECORD_HEADER;
export const maxBytePiece = (capacity: number): number => capacity / 2 - RECORD_HEADER;
