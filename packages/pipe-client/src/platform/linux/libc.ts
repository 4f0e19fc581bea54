import koffi from 'koffi';

// The few libc entry points the shared-memory backend needs that Node's fs does not offer.
// Pointers are BigInt in koffi 3.


export const PROT_READ = 1;
export const PROT_WRITE = 2;
export const MAP_SHARED = 0x01;
export const MAP_ANONYMOUS = 0x20;

const SYS_fcntl = 72;
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
    madvise: libc.func('int madvise(void *addr, size_t len, int advice)'),
    schedYield: libc.func('int sched_yield(void)'),
    // syscall() is variadic; koffi calls it through fixed prototypes (glibc's stub ignores %al).
    fcntlLock: libc.func('long syscall(long nr, int fd, int cmd, void *lock)'),
    fallocate: libc.func('int fallocate(int fd, int mode, int64_t offset, int64_t len)'),
    linkat: libc.func('int linkat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, int flags)'),
    mkfifo: libc.func('int mkfifo(const char *path, uint32_t mode)'),
    futex: libc.func('long syscall(long nr, void *addr, int op, int val, void *ts, void *addr2, int val3)'),
    waitv: libc.func('long syscall(long nr, void *waiters, uint32_t n, uint32_t flags, void *ts, int clockid)'),
    mallopt: libc.func('int mallopt(int param, int value)'),
    inotifyInit1: libc.func('int inotify_init1(int flags)'),
    inotifyAddWatch: libc.func('int inotify_add_watch(int fd, const char *path, uint32_t mask)'),
    inotifyRmWatch: libc.func('int inotify_rm_watch(int fd, int wd)'),
    read: libc.func('long read(int fd, void *buf, size_t count)'),
    write: libc.func('long write(int fd, const void *buf, size_t count)'),
    close: libc.func('int close(int fd)'),
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

const MADV_POPULATE_WRITE = 23;

/**
 * Maps `length` bytes of a mapping from `offset` (both multiples of the page size) into the
 * process's page tables in one call (MADV_POPULATE_WRITE, Linux 5.14; on older kernels nothing
 * happens). A page the process touches for the first time is otherwise a page fault each (5 to
 * over 100 us on a VM, where the call takes 0.3-2 us a page).
 */
export function populate(mapping: Mapping, offset: number, length: number): void {
  fn().madvise(mapping.address + BigInt(offset), Math.min(length, mapping.length - offset), MADV_POPULATE_WRITE);
}

/** The mapping's ArrayBuffer must not be touched afterwards: the process would fault. */
export function unmap(mapping: Mapping): void {
  fn().munmap(mapping.address, mapping.length);
}

const F_OFD_GETLK = 36;
const F_OFD_SETLK = 37;
const F_WRLCK = 1;
const F_UNLCK = 2;
const flockStruct = Buffer.alloc(32);
/** The struct as 32-bit words: filled without BigInts (the peer watch fills it hundreds of times a second). */
const flockWords = new Int32Array(flockStruct.buffer, flockStruct.byteOffset, 8);

/**
 * struct flock for [start, start + len) of the file (whence SEEK_SET, pid 0 as OFD locks want):
 * x86-64 and arm64 layout, little-endian: l_type and l_whence in word 0, l_start at byte 8,
 * l_len at 16, l_pid at 24; `start` and `len` are below 2^31 (a lock file's slot bytes).
 */
function lockRange(type: number, start: number, len: number): Buffer {
  flockWords[0] = type;
  flockWords[1] = 0;
  flockWords[2] = start;
  flockWords[3] = 0;
  flockWords[4] = len;
  flockWords[5] = 0;
  flockWords[6] = 0;
  flockWords[7] = 0;
  return flockStruct;
}

/**
 * Takes an open-file-description write lock on bytes [start, start + len) without
 * waiting; false when another description holds one. The kernel drops it when the
 * description's last descriptor closes, at process death too.
 */
export function ofdLock(fd: number, start: number, len = 1): boolean {
  if (Number(fn().fcntlLock(SYS_fcntl, fd, F_OFD_SETLK, lockRange(F_WRLCK, start, len))) === 0) return true;
  const errno = koffi.errno();
  if (errno === 11 /* EAGAIN */ || errno === 13 /* EACCES */) return false;
  throw osError('fcntl(F_OFD_SETLK)');
}

export function ofdUnlock(fd: number, start: number, len = 1): void {
  fn().fcntlLock(SYS_fcntl, fd, F_OFD_SETLK, lockRange(F_UNLCK, start, len));
}

/** Whether another open file description holds a lock on any byte of [start, start + len). */
export function ofdLocked(fd: number, start: number, len = 1): boolean {
  const lock = lockRange(F_WRLCK, start, len);
  if (Number(fn().fcntlLock(SYS_fcntl, fd, F_OFD_GETLK, lock)) !== 0) throw osError('fcntl(F_OFD_GETLK)');
  return (flockWords[0]! & 0xffff) !== F_UNLCK;
}

/** Allocates the file's blocks now, so that touching them later cannot fail (ENOSPC now rather than SIGBUS later). */
export function allocate(fd: number, length: number): void {
  for (;;) {
    if (fn().fallocate(fd, 0, 0, length) === 0) return;
    if (koffi.errno() !== 4 /* EINTR */) throw osError('fallocate');
  }
}

const AT_FDCWD = -100;
const AT_SYMLINK_FOLLOW = 0x400;

/** Gives the unnamed (O_TMPFILE) file `fd` the name `path`; EEXIST when the name is taken. */
export function linkUnnamed(fd: number, path: string): void {
  if (fn().linkat(AT_FDCWD, `/proc/self/fd/${fd}`, AT_FDCWD, path, AT_SYMLINK_FOLLOW) !== 0) throw osError('linkat');
}

/** Makes a FIFO at `path` (the umask applies to `mode`); EEXIST when the name is taken. */
export function makeFifo(path: string, mode: number): void {
  if (fn().mkfifo(path, mode) !== 0) throw osError('mkfifo');
}

/** glibc's mallopt(); false when glibc refused the value. */
export function setMallocOption(param: number, value: number): boolean {
  return fn().mallopt(param, value) === 1;
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

const IN_NONBLOCK = 0o4000;
const IN_CLOEXEC = 0o2000000;

/** A non-blocking inotify descriptor; -1 when the kernel refuses one (EMFILE: the user's instances are all taken). */
export function inotifyOpen(): number {
  return fn().inotifyInit1(IN_NONBLOCK | IN_CLOEXEC) as number;
}

/** Watches `path` (followed: /proc/self/fd/N names an open file) for `mask`; the watch descriptor, or -1. */
export function inotifyWatch(fd: number, path: string, mask: number): number {
  return fn().inotifyAddWatch(fd, path, mask) as number;
}

export function inotifyUnwatch(fd: number, wd: number): void {
  fn().inotifyRmWatch(fd, wd);
}

/** read(2) without an exception for EAGAIN: the byte count, or -1 (nothing there, or an error). */
export function readOrNothing(fd: number, target: Buffer): number {
  return Number(fn().read(fd, target, target.length));
}

/** write(2) without an exception for EAGAIN: the byte count, or -1 (no room, or an error). */
export function writeOrNothing(fd: number, source: Buffer): number {
  return Number(fn().write(fd, source, source.length));
}

export function closeFd(fd: number): void {
  fn().close(fd);
}

const ERRNO_CODES: Record<number, string> = { 1: 'EPERM', 2: 'ENOENT', 13: 'EACCES', 17: 'EEXIST', 22: 'EINVAL', 28: 'ENOSPC', 95: 'EOPNOTSUPP', 122: 'EDQUOT' };

function osError(call: string): Error {
  const errno = koffi.errno();
  const code = ERRNO_CODES[errno];
  const err = new Error(`${call} failed: ${code ?? `errno ${errno}`}`) as NodeJS.ErrnoException;
  err.errno = errno;
  err.syscall = call;
  if (code) err.code = code;
  return err;
}
