import koffi from 'koffi';

// The few libc entry points the shared-memory backend needs that Node's fs does not offer.
// Pointers are BigInt in koffi 3.


export const PROT_READ = 1;
export const PROT_WRITE = 2;
export const MAP_SHARED = 0x01;
export const MAP_ANONYMOUS = 0x20;
export const LOCK_EX = 2;
export const LOCK_UN = 8;

const SYS_futex = 202;
const SYS_futex_waitv = 449;
const FUTEX_WAKE = 1;
/** FUTEX2_SIZE_U32, not FUTEX2_PRIVATE: the words live in memory shared between processes. */
export const FUTEX2_SIZE_U32 = 0x02;
const CLOCK_MONOTONIC = 1;

let bound: ReturnType<typeof bind> | undefined;
/** Loaded on first use, so that importing the client costs nothing on other systems. */
const fn = (): ReturnType<typeof bind> => (bound ??= bind());

function bind() {
  const libc = koffi.load('libc.so.6');
  return {
    mmap: libc.func('void *mmap(void *addr, size_t len, int prot, int flags, int fd, long off)'),
    munmap: libc.func('int munmap(void *addr, size_t len)'),
    flock: libc.func('int flock(int fd, int op)'),
    schedYield: libc.func('int sched_yield(void)'),
    // syscall() is variadic; koffi calls it through fixed prototypes (glibc's stub ignores %al).
    futex: libc.func('long syscall(long nr, void *addr, int op, int val, void *ts, void *addr2, int val3)'),
    waitv: libc.func('long syscall(long nr, void *waiters, uint32_t n, uint32_t flags, void *ts, int clockid)'),
  };
}

const MAP_FAILED = (1n << 64n) - 1n;

export interface Mapping {
  readonly address: bigint;
  readonly length: number;
  readonly buffer: ArrayBuffer;
}

/** Maps `length` bytes of `fd` shared (fd -1: anonymous shared memory). */
export function mapShared(fd: number, length: number, prot = PROT_READ | PROT_WRITE): Mapping {
  const address = fn().mmap(null, length, prot, MAP_SHARED | (fd < 0 ? MAP_ANONYMOUS : 0), fd, 0) as bigint;
  if (address === MAP_FAILED || address === -1n) throw osError('mmap');
  return { address, length, buffer: koffi.view(address, length) as ArrayBuffer };
}

/** The mapping's ArrayBuffer must not be touched afterwards: the process would fault. */
export function unmap(mapping: Mapping): void {
  fn().munmap(mapping.address, mapping.length);
}

export function flock(fd: number, op: number): void {
  for (;;) {
    if (fn().flock(fd, op) === 0) return;
    if (koffi.errno() !== 4 /* EINTR */) throw osError('flock');
  }
}

export function yieldCpu(): void {
  fn().schedYield();
}

export function futexWake(address: bigint): void {
  fn().futex(SYS_futex, address, FUTEX_WAKE, 0x7fffffff, null, null, 0);
}

/**
 * futex_waitv on the libuv threadpool: `waiters` holds `count` struct futex_waitv
 * (u64 val, u64 uaddr, u32 flags, u32 reserved), `deadline` an absolute
 * CLOCK_MONOTONIC timespec. The callback gets the index of the word that woke, or -1.
 */
export function futexWaitvAsync(waiters: Buffer, count: number, deadline: Buffer, done: (index: number) => void): void {
  fn().waitv.async(SYS_futex_waitv, waiters, count, 0, deadline, CLOCK_MONOTONIC, (err: unknown, res: number | bigint) => {
    done(err ? -1 : Number(res));
  });
}

function osError(call: string): Error {
  const errno = koffi.errno();
  const err = new Error(`${call} failed: errno ${errno}`) as NodeJS.ErrnoException;
  err.errno = errno;
  err.syscall = call;
  return err;
}
