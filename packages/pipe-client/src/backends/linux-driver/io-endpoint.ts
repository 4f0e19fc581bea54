import { constants as osConstants } from 'node:os';
import koffi from 'koffi';
import { EOF, NO_ROOM, WROTE } from '../../endpoint.js';
import type { Wait } from '../../wait/wait.js';
import { ErrorCode, RingPipeError, closedError } from '../../errors.js';
import { SyscallEndpoint } from '../../syscall-endpoint.js';
import type { RingStats, WriteCursor } from '../../ring/ring.js';
import { Ioctl, RECV_EOF, ROLE_READ_BEGIN, ROLE_READ_END, ROLE_WRITE_BEGIN, ROLE_WRITE_END, Recv } from './abi.js';
import { closeDevice, driverError, ioctl, ioctlU32, statOn, writeFd } from './device.js';
import type { Bound, DriverRequest } from './bind.js';
import { POLLIN, POLLOUT, pollWaiter } from './poll-waiter.js';
import { WaitSet } from '../../wait/wait-set.js';

const errno = osConstants.errno;
const addressOf = (buf: Buffer): bigint => koffi.address(buf) as bigint;

/**
 * A driver handle that moves messages with system calls: write() is one record,
 * RINGPIPE_IOC_RECV one message (it tells an empty message from EOF), poll()
 * waits. Used when the handle may not map the ring (one-sided permissions) or
 * RINGPIPE_DRIVER_IO=syscall says so.
 */
export class DriverIoEndpoint extends SyscallEndpoint {
  private readonly fd: number;
  private readonly waits = new WaitSet();
  private closed = false;
  private closing?: Promise<void>;
  private recvBuf = Buffer.alloc(0);
  private readonly recvArg = Buffer.alloc(Recv.size);

  constructor(
    name: string,
    bound: Bound,
    private readonly request: DriverRequest,
  ) {
    super(name, bound);
    this.fd = bound.fd;
  }

  write(chunks: readonly Uint8Array[], cursor: WriteCursor): typeof WROTE | typeof NO_ROOM {
    if (this.closed) throw closedError(this.name);
    const from = cursor.index;
    while (cursor.index < chunks.length) {
      const chunk = chunks[cursor.index]!;
      // One write() is one record: a whole message, or in byte mode a piece of at most maxRecord bytes.
      const piece = this.mode === 'byte' ? chunk.subarray(cursor.offset, cursor.offset + this.maxRecord) : chunk;
      const n = piece.length === 0 && this.mode === 'byte' ? 0 : writeFd(this.fd, piece);
      if (n === -errno.EAGAIN) break;
      if (n < 0) throw driverError(n, `write to pipe ${this.name}`);
      if (n !== piece.length) throw new RingPipeError(ErrorCode.Corrupt, `short write to pipe ${this.name}: ${n} of ${piece.length} bytes`);
      cursor.offset += n;
      if (this.mode === 'message' || cursor.offset >= chunk.length) {
        cursor.index++;
        cursor.offset = 0;
      }
    }
    return cursor.index > from || cursor.index === chunks.length ? WROTE : NO_ROOM;
  }

  protected receive(): Buffer | null | typeof EOF {
    if (this.closed) throw closedError(this.name);
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
    return this.sleep(POLLIN);
  }

  /** A failed write() has told the driver the size it waits for. */
  waitWritable(): Wait {
    return this.sleep(POLLOUT);
  }

  private sleep(events: number): Wait {
    return this.waits.track(pollWaiter.wait(this.fd, events));
  }

  startWriting(): void {
    if (!this.closed && this.request.access !== 'read') this.role(ROLE_WRITE_BEGIN);
  }

  endWriting(): void {
    if (!this.closed) this.role(ROLE_WRITE_END);
  }

  startReading(): void {
    if (!this.closed && this.request.access !== 'write') this.role(ROLE_READ_BEGIN);
  }

  stopReading(): void {
    if (!this.closed) this.role(ROLE_READ_END);
  }

  private role(op: number): void {
    const r = ioctlU32(this.fd, Ioctl.ROLE, op);
    if (r < 0 && r !== -errno.EBADF) throw driverError(r, `role change on pipe ${this.name}`);
  }

  stats(): RingStats {
    if (this.closed) throw closedError(this.name);
    const info = statOn(this.fd, '');
    if (!info) throw closedError(this.name);
    const { name: _name, uid: _uid, perm: _perm, refs: _refs, corrupt: _corrupt, ...stats } = info;
    return stats;
  }

  close(): Promise<void> {
    return (this.closing ??= this.release());
  }

  private async release(): Promise<void> {
    await this.waits.cancelAll();
    this.closed = true;
    // The waiter's poll() may still hold our descriptor: close it only after the call returned.
    await pollWaiter.quiesce();
    // The driver detaches the slot (ending the writer role) when the file's last reference goes.
    closeDevice(this.fd);
  }
}
