import { constants } from 'node:fs';
import { constants as osConstants } from 'node:os';
import koffi from 'koffi';
import { EOF, type Endpoint, type Wait } from '../backend.js';
import { ErrorCode, RingPipeError, closedError } from '../errors.js';
import { POLL_BEFORE_SLEEP_US } from '../wait/timing.js';
import { HEADER_SIZE, Off, recordSize } from '../ring/layout.js';
import { EMPTY, Ring, type RingStats } from '../ring/ring.js';
import { mapShared, unmap, yieldCpu, type Mapping } from '../shm/libc.js';
import { pollBriefly } from '../wait/poll-briefly.js';
import {
  BIND_CREATE,
  BIND_FOLLOW,
  Bind,
  Ioctl,
  MODE_BYTE,
  MODE_MESSAGE,
  RECV_EOF,
  ROLE_READ_BEGIN,
  ROLE_READ_END,
  ROLE_WRITE_BEGIN,
  ROLE_WRITE_END,
  Recv,
  WAKE_DATA,
  WAKE_SPACE,
} from './abi.js';
import { closeDevice, driverError, ioctl, ioctlU32, openDevice, putName, statOn, writeFd } from './device.js';
import { POLLIN, POLLOUT, pollWaiter } from './waiter.js';

const errno = osConstants.errno;

export interface DriverRequest {
  capacity: number;
  /** MODE_MESSAGE or MODE_BYTE; undefined adopts the existing pipe's mode (message for a new one). */
  mode: number | undefined;
  permissions: number;
  access: 'read' | 'write' | 'readwrite';
  follow: boolean;
  /** The uid an existing pipe must belong to (root's are trusted too); undefined: the caller's euid. */
  owner?: number | undefined;
}

/**
 * How this handle moves messages: 'mapped' reads and writes the ring in the
 * mapping of the file (no system call per message), 'syscall' uses read and
 * write on the device. Mapping needs read and write permission on the pipe;
 * a handle allowed only one of them uses system calls. RINGPIPE_DRIVER_IO=syscall
 * forces system calls (tests, benchmarks).
 */
export type DriverIo = 'mapped' | 'syscall';

interface Bound {
  fd: number;
  /** Whether this bind created the pipe, and the uid that owns it. */
  created: boolean;
  owner: number;
  capacity: number;
  mode: number;
  slot: number;
  token: number;
  maxRecord: number;
}

/** The kernel driver backend: a /dev/ringpipe file bound to the pipe's name. */
export class DriverEndpoint implements Endpoint {
  readonly backend = 'driver';
  readonly capacity: number;
  readonly mode: 'message' | 'byte';
  readonly maxRecord: number;
  readonly io: DriverIo;
  private readonly fd: number;
  private readonly slot: number;
  private readonly token: number;
  private readonly mapping?: Mapping;
  private readonly ring?: Ring;
  private readonly waits = new Set<Wait>();
  /** Set in the same tick as the unmap: from then on no method may touch the ring. */
  private closed = false;
  private wanted = -1;
  private recvBuf = Buffer.alloc(0);
  private readonly recvArg = Buffer.alloc(Recv.size);

  constructor(
    readonly name: string,
    private readonly request: DriverRequest,
  ) {
    const bound = openBound(name, request);
    this.fd = bound.fd;
    this.slot = bound.slot;
    this.token = bound.token;
    this.capacity = bound.capacity;
    this.mode = bound.mode === MODE_BYTE ? 'byte' : 'message';
    this.maxRecord = bound.maxRecord;
    let io: DriverIo = 'syscall';
    if (process.env.RINGPIPE_DRIVER_IO !== 'syscall' && bound.readWrite) {
      try {
        this.mapping = mapShared(this.fd, HEADER_SIZE + this.capacity);
        this.ring = new Ring(this.mapping.buffer, {
          // Slots live exactly as long as their files: the driver detaches them, so a slot is a live handle.
          alive: () => true,
          yieldCpu,
          wake: (byteOffset) => {
            ioctlU32(this.fd, Ioctl.WAKE, byteOffset === Off.dataSeq ? WAKE_DATA : WAKE_SPACE);
          },
        });
        io = 'mapped';
      } catch (err) {
        if (this.mapping) unmap(this.mapping);
        closeDevice(this.fd);
        throw err;
      }
    }
    this.io = io;
  }

  write(chunks: readonly Uint8Array[], from: number): number {
    if (this.closed) throw closedError(this.name);
    if (this.ring) return this.ring.writeMany(this.token, chunks, from);
    let i = from;
    for (; i < chunks.length; i++) {
      const chunk = chunks[i]!;
      const n = writeFd(this.fd, chunk);
      if (n === -errno.EAGAIN) break;
      if (n < 0) throw driverError(n, `write to pipe ${this.name}`);
      if (n !== chunk.length) throw new Error(`short write to pipe ${this.name}: ${n} of ${chunk.length} bytes`);
    }
    return i - from;
  }

  read(): Buffer | null | typeof EOF {
    if (this.closed) throw closedError(this.name);
    if (this.ring) {
      // Liveness is the driver's: a dead writer's reservation is skipped at once.
      const got = this.ring.read(this.token, Infinity, true);
      if (typeof got !== 'number') return got;
      if (got === EMPTY && !this.request.follow && this.ring.isEof(false)) return EOF;
      return null;
    }
    return this.receive();
  }

  /** One message through RINGPIPE_IOC_RECV, which tells an empty message from EOF. */
  private receive(): Buffer | null | typeof EOF {
    if (this.recvBuf.length === 0) this.recvBuf = Buffer.alloc(Math.min(this.maxRecord, 1 << 16));
    for (;;) {
      this.recvArg.writeBigUInt64LE(addressOf(this.recvBuf), Recv.buf);
      this.recvArg.writeUInt32LE(this.recvBuf.length, Recv.bufSize);
      const r = ioctl(this.fd, Ioctl.RECV, this.recvArg);
      const len = this.recvArg.readUInt32LE(Recv.len);
      if (r === -errno.EAGAIN) return null;
      if (r === -errno.EMSGSIZE && len > this.recvBuf.length) {
        this.recvBuf = Buffer.alloc(len);
        continue;
      }
      if (r < 0) throw driverError(r, `read from pipe ${this.name}`);
      if (this.recvArg.readUInt32LE(Recv.flags) & RECV_EOF) return EOF;
      return Buffer.from(this.recvBuf.subarray(0, len));
    }
  }

  waitReadable(): Wait {
    const ring = this.ring;
    if (!ring) return this.sleep(POLLIN);
    return this.pollThenSleep(() => ring.readyToRead() || (!this.request.follow && ring.isEof(false)), POLLIN);
  }

  waitWritable(size: number): Wait {
    const ring = this.ring;
    // A failed write() has told the driver the size it waits for.
    if (!ring) return this.sleep(POLLOUT);
    return this.pollThenSleep(
      () => ring.freeBytes() >= recordSize(size),
      POLLOUT,
      () => {
        if (size === this.wanted) return;
        // poll() reports POLLOUT once a record of this size fits.
        ioctlU32(this.fd, Ioctl.WANT, size);
        this.wanted = size;
      },
    );
  }

  /**
   * Mapped ring: looks at the ring from the event loop for a moment (a peer
   * that answers by then costs no system call and no threadpool hop), then
   * sleeps in the process-wide poll().
   */
  private pollThenSleep(ready: () => boolean, events: number, beforeSleep?: () => void): Wait {
    const poll = pollBriefly(ready, POLL_BEFORE_SLEEP_US);
    let sleeping: Wait | undefined;
    let cancelled = false;
    const wait: Wait = {
      promise: poll.promise.then((isReady) => {
        if (isReady || cancelled || this.closed) return;
        beforeSleep?.();
        sleeping = this.sleep(events);
        return sleeping.promise;
      }),
      cancel: () => {
        cancelled = true;
        poll.cancel();
        sleeping?.cancel();
      },
    };
    this.waits.add(wait);
    wait.promise.then(() => this.waits.delete(wait));
    return wait;
  }

  private sleep(events: number): Wait {
    const pending = pollWaiter.wait(this.fd, events);
    const wait: Wait = {
      promise: pending.promise.then(() => {
        this.waits.delete(wait);
      }),
      cancel: () => pending.cancel(),
    };
    this.waits.add(wait);
    return wait;
  }

  startWriting(): void {
    if (this.closed || this.request.access === 'read') return;
    if (this.ring) this.ring.setWriter(this.slot);
    else this.role(ROLE_WRITE_BEGIN);
  }

  endWriting(): void {
    if (this.closed) return;
    if (this.ring) this.ring.endWriting(this.slot);
    else this.role(ROLE_WRITE_END);
  }

  startReading(): void {
    if (this.closed || this.request.access === 'write') return;
    if (this.ring) this.ring.setReader(this.slot);
    else this.role(ROLE_READ_BEGIN);
  }

  stopReading(): void {
    if (this.closed) return;
    if (this.ring) this.ring.clearReader(this.slot);
    else this.role(ROLE_READ_END);
  }

  private role(op: number): void {
    const r = ioctlU32(this.fd, Ioctl.ROLE, op);
    if (r < 0 && r !== -errno.EBADF) throw driverError(r, `role change on pipe ${this.name}`);
  }

  stats(): RingStats {
    if (this.closed) throw closedError(this.name);
    if (this.ring) return this.ring.stats();
    const info = statOn(this.fd, '');
    if (!info) throw closedError(this.name);
    const { name: _name, uid: _uid, perm: _perm, refs: _refs, corrupt: _corrupt, ...stats } = info;
    return stats;
  }

  private closing?: Promise<void>;

  close(): Promise<void> {
    return (this.closing ??= this.release());
  }

  private async release(): Promise<void> {
    for (const wait of this.waits) wait.cancel();
    await Promise.all([...this.waits].map((wait) => wait.promise));
    this.closed = true;
    // The waiter's poll() may still hold our descriptor: close it only after the call returned.
    await pollWaiter.quiesce();
    if (this.mapping) unmap(this.mapping);
    // The driver detaches the slot (ending the writer role) when the file's last reference goes.
    closeDevice(this.fd);
  }
}

/**
 * Opens the device with the access the pipe may allow and binds it. Read and
 * write first (the mapping needs both); a handle that uses one side only
 * falls back to that side when the pipe's permissions allow no more.
 */
function openBound(name: string, request: DriverRequest): Bound & { readWrite: boolean } {
  const attempts: Array<[number, boolean]> = [[constants.O_RDWR, true]];
  if (request.access === 'read') attempts.push([constants.O_RDONLY, false]);
  if (request.access === 'write') attempts.push([constants.O_WRONLY, false]);
  let denied: number | undefined;
  for (const [access, readWrite] of attempts) {
    const fd = openDevice(access | constants.O_NONBLOCK);
    const arg = Buffer.alloc(Bind.size);
    putName(arg, Bind.name, Bind.nameLen, name);
    arg.writeUInt32LE(BIND_CREATE | (request.follow ? BIND_FOLLOW : 0), Bind.flags);
    // The driver keeps read and write bits only, like the shared-memory file's mode.
    arg.writeUInt32LE(request.permissions & 0o666, Bind.perm);
    arg.writeUInt32LE(request.capacity, Bind.capacity);
    arg.writeUInt32LE(request.mode ?? 0, Bind.mode);
    const r = ioctl(fd, Ioctl.BIND, arg);
    if (r === 0) {
      const created = arg.readUInt32LE(Bind.created) !== 0;
      const owner = arg.readUInt32LE(Bind.ownerUid);
      if (!created && !trustedOwner(owner, request.owner)) {
        // Nothing was read or written; closing the file detaches the handle the bind took.
        closeDevice(fd);
        throw untrusted(name, owner, request.owner);
      }
      return {
        fd,
        created,
        owner,
        readWrite,
        capacity: arg.readUInt32LE(Bind.capacity),
        mode: arg.readUInt32LE(Bind.mode) === MODE_BYTE ? MODE_BYTE : MODE_MESSAGE,
        slot: arg.readUInt32LE(Bind.slot),
        token: arg.readInt32LE(Bind.token),
        maxRecord: arg.readUInt32LE(Bind.maxRecord),
      };
    }
    closeDevice(fd);
    if (r !== -errno.EACCES) {
      if (r === -errno.EPROTOTYPE) {
        const [want, has] = request.mode === MODE_BYTE ? ['byte', 'message'] : ['message', 'byte'];
        throw new RingPipeError(ErrorCode.ModeMismatch, `pipe ${name} exists in ${has} mode, not ${want} mode`);
      }
      throw driverError(r, `pipe ${name}`);
    }
    denied = r;
  }
  throw driverError(denied ?? -errno.EACCES, `pipe ${name} (driver)`);
}

/**
 * Whether to join an existing pipe of `owner`: one's own (or the `owner` option's uid), or
 * root's. A name is first come, first served: anyone may create a pipe under a name another
 * user expects, with permissions that let that user in, and read what they write.
 */
function trustedOwner(owner: number, wanted: number | undefined): boolean {
  return owner === 0 || owner === (wanted ?? process.geteuid?.() ?? -1);
}

function untrusted(name: string, owner: number, wanted: number | undefined): RingPipeError {
  const expected = wanted ?? process.geteuid?.();
  return new RingPipeError(
    ErrorCode.Untrusted,
    `pipe ${name} (driver) belongs to uid ${owner}, not to uid ${expected} or root: not joined (pass the option "owner" to trust it)`,
  );
}

const addressOf = (buf: Buffer): bigint => koffi.address(buf) as bigint;
