// driver/include/ringpipe_win_abi.h in TypeScript: IOCTL codes and byte offsets of the
// structs. test/windows-abi.test.ts compiles the header and checks every number here.

export const ABI_VERSION = 2;
export const DEVICE_PATH = '\\\\.\\RingPipe';
export const NAME_FIELD = 68;

const ctl = (fn: number): number => ((0x8a52 << 16) | (fn << 2)) >>> 0;
export const IOCTL = {
  bind: ctl(0x800),
  stat: ctl(0x801),
  list: ctl(0x802),
  map: ctl(0x803),
  unmap: ctl(0x804),
  endWrite: ctl(0x805),
  wait: ctl(0x806),
  wake: ctl(0x807),
  version: ctl(0x808),
  remove: ctl(0x809),
} as const;

export const BIND = { create: 0x01, excl: 0x02, read: 0x04, write: 0x08, writerNow: 0x10, follow: 0x20 } as const;
export { WAKE_DATA, WAKE_SPACE } from '../../ring/layout.js';
export const MEMORY_MDL = 1;
export const MEMORY_SECTION = 2;

export const BindIn = { size: 96, abiVersion: 0, flags: 4, capacity: 8, mode: 12, perm: 16, nameLen: 20, name: 24, ttlMs: 88 } as const;
export const BindOut = {
  size: 104,
  abiVersion: 0,
  capacity: 4,
  mode: 8,
  slot: 12,
  token: 16,
  created: 20,
  maxRecord: 24,
  name: 32,
} as const;
export const NameIn = { size: 72, nameLen: 0, name: 4 } as const;
export const PipeInfo = {
  size: 224,
  name: 0,
  refs: 68,
  owner: 72,
  perm: 76,
  capacity: 80,
  mode: 84,
  used: 88,
  head: 92,
  tail: 96,
  attached: 100,
  readers: 104,
  writers: 108,
  writersEver: 112,
  abandoned: 116,
  readersWaiting: 120,
  writersWaiting: 124,
  dataSeq: 128,
  spaceSeq: 132,
  pendingReads: 136,
  pendingWrites: 140,
  pendingWaits: 144,
  memory: 148,
  mapped: 152,
  ringStatus: 156,
  msgsIn: 160,
  bytesIn: 168,
  msgsOut: 176,
  bytesOut: 184,
  kept: 192,
  ttlMs: 200,
  keptSinceMs: 208,
} as const;
export const ListIn = { size: 4, entrySize: 0 } as const;
export const ListHeader = { size: 8, count: 0, returned: 4 } as const;
export const MapOut = { size: 40, address: 0, length: 8, memory: 16, slot: 20, token: 24, capacity: 28, mode: 32 } as const;
export const WaitIn = { size: 8, which: 0, seq: 4 } as const;
export const Version = { size: 40, abiVersion: 0, pipes: 4, allocations: 8, memory: 12, kept: 16, charged: 24, limit: 32 } as const;

/** NTSTATUS values the driver completes requests with (OVERLAPPED.Internal). */
export const STATUS = {
  success: 0,
  endOfFile: 0xc0000011,
  objectNameInvalid: 0xc0000033,
  objectNameNotFound: 0xc0000034,
  objectNameCollision: 0xc0000035,
  accessDenied: 0xc0000022,
  objectTypeMismatch: 0xc0000024,
  tooManyOpenedFiles: 0xc000011f,
  invalidBufferSize: 0xc0000206,
  cancelled: 0xc0000120,
  fileCorrupt: 0xc0000102,
  quotaExceeded: 0xc0000044,
} as const;
