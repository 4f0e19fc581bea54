// The ioctl interface of /dev/ringpipe: mirrors driver/include/ringpipe_linux_abi.h field by
// field. test/driver-abi.test.ts compiles that header and checks every number below against it.

export const DEVICE_PATH = '/dev/ringpipe';
export const ABI_VERSION = 2;
export const NAME_MAX = 64;

export const BIND_CREATE = 0x1;
export const BIND_EXCL = 0x2;
export const BIND_FOLLOW = 0x4;

export const MODE_ANY = 0;
export const MODE_MESSAGE = 1;
export const MODE_BYTE = 2;

export const RECV_EOF = 0x1;
export const INFO_KEPT = 0x1;
export const USAGE_SELF = 0xffffffff;

export const ROLE_WRITE_BEGIN = 1;
export const ROLE_WRITE_END = 2;
export const ROLE_READ_BEGIN = 3;
export const ROLE_READ_END = 4;

export { WAKE_DATA, WAKE_SPACE } from '../../ring/layout.js';

/** struct ringpipe_bind */
export const Bind = {
  size: 128,
  name: 0,
  nameLen: 64,
  flags: 68,
  perm: 72,
  capacity: 76,
  mode: 80,
  slot: 84,
  token: 88,
  maxRecord: 92,
  created: 96,
  ownerUid: 100,
  ttlMs: 104,
} as const;

/** struct ringpipe_info */
export const Info = {
  size: 192,
  name: 0,
  uid: 72,
  perm: 76,
  refs: 80,
  capacity: 84,
  mode: 88,
  used: 92,
  attached: 96,
  readers: 100,
  writers: 104,
  writersEver: 108,
  abandoned: 112,
  corrupt: 116,
  msgsIn: 120,
  bytesIn: 128,
  msgsOut: 136,
  bytesOut: 144,
  flags: 152,
  unreadMsgs: 160,
  unreadBytes: 168,
  keptSinceMs: 176,
  ttlMs: 184,
} as const;

/** struct ringpipe_stat */
export const Stat = { size: 264, name: 0, nameLen: 64, info: 72 } as const;

/** struct ringpipe_list */
export const List = { size: 24, entries: 0, max: 8, count: 12, entrySize: 16 } as const;

/** struct ringpipe_remove */
export const Remove = { size: 72, name: 0, nameLen: 64 } as const;

/** struct ringpipe_usage */
export const Usage = { size: 16, uid: 0, pipes: 4, bytes: 8 } as const;

/** struct ringpipe_recv */
export const Recv = { size: 24, buf: 0, bufSize: 8, len: 12, flags: 16 } as const;

const IOC_WRITE = 1;
const IOC_READ = 2;
const MAGIC = 0xb8;
/** _IOC(dir, type, nr, size) of <asm-generic/ioctl.h>, as an unsigned number. */
const ioc = (dir: number, nr: number, size: number): number => dir * 2 ** 30 + size * 2 ** 16 + MAGIC * 2 ** 8 + nr;

export const Ioctl = {
  VERSION: ioc(IOC_READ, 0x00, 4),
  BIND: ioc(IOC_READ | IOC_WRITE, 0x01, Bind.size),
  STAT: ioc(IOC_READ | IOC_WRITE, 0x02, Stat.size),
  LIST: ioc(IOC_READ | IOC_WRITE, 0x03, List.size),
  ROLE: ioc(IOC_WRITE, 0x04, 4),
  WAKE: ioc(IOC_WRITE, 0x05, 4),
  WANT: ioc(IOC_WRITE, 0x06, 4),
  RECV: ioc(IOC_READ | IOC_WRITE, 0x07, Recv.size),
  REMOVE: ioc(IOC_WRITE, 0x08, Remove.size),
  USAGE: ioc(IOC_READ | IOC_WRITE, 0x09, Usage.size),
} as const;
