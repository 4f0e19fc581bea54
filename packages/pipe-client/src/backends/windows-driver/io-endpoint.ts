import { EOF, NO_ROOM, WROTE } from '../../endpoint.js';
import { settledWait, type Wait } from '../../wait/wait.js';
import { WaitSet } from '../../wait/wait-set.js';
import { SyscallEndpoint, type SyscallShape } from '../../syscall-endpoint.js';
import { closedError } from '../../errors.js';
import { closeAtExit, forgetAtExit } from '../../exit-hook.js';
import type { RingStats, WriteCursor } from '../../ring/ring.js';
import { PEER_CHECK_MS } from '../../wait/timing.js';
import { IOCTL, PipeInfo, STATUS } from './abi.js';
import {
  armOverlapped,
  deviceIoControl,
  failedAtOnce,
  infoFromDriver,
  newOverlapped,
  overlappedBytes,
  overlappedDone,
  overlappedStatus,
  statusError,
  type Overlapped,
} from './device.js';
import { closeHandle, k32 } from '../../platform/windows/kernel32.js';
import { handleWaiter } from '../../platform/windows/waiter.js';

const FIRST_READ_BUFFER = 1 << 16;
/** Largest WriteFile of a byte-mode chunk; the rest goes in the next one. */
const BYTE_WRITE_MAX = 1 << 20;

interface Request {
  readonly ov: Overlapped;
  buf: Buffer;
  pending: boolean;
}

export interface DriverIoShape extends SyscallShape {
  access: 'read' | 'write' | 'readwrite';
}

/**
 * A driver handle used through ReadFile and WriteFile, for when the ring cannot be
 * mapped: a ReadFile takes one whole message (byte mode: up to the buffer of one
 * record), a WriteFile puts one message (byte mode: up to 1 MiB of bytes). Reads on
 * an empty ring and writes on a full one pend in the driver; their OVERLAPPED events
 * are waited for by the process-wide WaitForMultipleObjects waiter. EOF is a read
 * completing with STATUS_END_OF_FILE (ERROR_HANDLE_EOF).
 */
export class DriverIoEndpoint extends SyscallEndpoint {
  private readonly reading: Request;
  private readonly writing: Request;
  private readonly waits = new WaitSet();
  private writer = false;
  private closed = false;
  private closing?: Promise<void>;

  constructor(
    name: string,
    private readonly h: bigint,
    private readonly sync: Overlapped,
    shape: DriverIoShape,
  ) {
    super(name, shape);
    this.writer = shape.access === 'write';
    const reads = newOverlapped();
    let writes: Overlapped;
    try {
      writes = newOverlapped();
    } catch (err) {
      closeHandle(reads.event);
      throw err;
    }
    this.reading = { ov: reads, buf: Buffer.alloc(Math.min(this.maxRecord, FIRST_READ_BUFFER)), pending: false };
    this.writing = { ov: writes, buf: Buffer.alloc(0), pending: false };
    closeAtExit(this);
  }

  protected receive(): Buffer | null | typeof EOF {
    if (this.closed) throw closedError(this.name);
    const r = this.reading;
    for (;;) {
      if (!r.pending) this.startRead();
      if (!overlappedDone(r.ov)) return null;
      r.pending = false;
      const status = overlappedStatus(r.ov);
      if (status === STATUS.success) return Buffer.from(r.buf.subarray(0, overlappedBytes(r.ov)));
      if (status === STATUS.endOfFile) return EOF;
      if (status === STATUS_BUFFER_TOO_SMALL && r.buf.length < this.maxRecord) {
        // Message mode: the message stays in the ring; ask again with room for it.
        r.buf = Buffer.alloc(Math.min(this.maxRecord, r.buf.length * 2));
        continue;
      }
      if (status === STATUS.cancelled && this.closed) throw closedError(this.name);
      throw statusError(status, `reading pipe ${this.name}`);
    }
  }

  private startRead(): void {
    const r = this.reading;
    armOverlapped(r.ov);
    const ok = k32().ReadFile(this.h, r.buf, r.buf.length, null, r.ov.buf) as number;
    if (failedAtOnce(ok, r.ov) !== undefined) throw statusError(k32().RtlGetLastNtStatus() as number, `ReadFile on pipe ${this.name}`);
    r.pending = true;
  }

  write(chunks: readonly Uint8Array[], cursor: WriteCursor): typeof WROTE | typeof NO_ROOM {
    if (this.closed) throw closedError(this.name);
    const w = this.writing;
    const from = cursor.index * 2 ** 32 + cursor.offset;
    for (;;) {
      if (w.pending) {
        if (!overlappedDone(w.ov)) break;
        w.pending = false;
        const status = overlappedStatus(w.ov);
        if (status !== STATUS.success) {
          if (status === STATUS.cancelled && this.closed) throw closedError(this.name);
          throw statusError(status, `writing pipe ${this.name}`);
        }
        this.advance(chunks, cursor, w.buf.length);
      }
      if (this.mode === 'byte') this.skipEmpty(chunks, cursor);
      if (cursor.index >= chunks.length) break;
      const chunk = chunks[cursor.index]!;
      const piece = this.mode === 'byte' ? chunk.subarray(cursor.offset, cursor.offset + BYTE_WRITE_MAX) : chunk;
      // Our own copy: the driver reads it whenever the request gets room, after this call returns.
      w.buf = Buffer.from(piece);
      armOverlapped(w.ov);
      this.writer = true;
      const ok = k32().WriteFile(this.h, w.buf, w.buf.length, null, w.ov.buf) as number;
      if (failedAtOnce(ok, w.ov) !== undefined) throw statusError(k32().RtlGetLastNtStatus() as number, `WriteFile on pipe ${this.name}`);
      w.pending = true;
    }
    return cursor.index * 2 ** 32 + cursor.offset > from || cursor.index >= chunks.length ? WROTE : NO_ROOM;
  }

  private advance(chunks: readonly Uint8Array[], cursor: WriteCursor, written: number): void {
    if (this.mode === 'message') {
      cursor.index++;
      return;
    }
    cursor.offset += written;
    this.skipEmpty(chunks, cursor);
  }

  private skipEmpty(chunks: readonly Uint8Array[], cursor: WriteCursor): void {
    while (cursor.index < chunks.length && cursor.offset >= chunks[cursor.index]!.length) {
      cursor.index++;
      cursor.offset = 0;
    }
  }

  waitReadable(): Wait {
    return this.waitFor(this.reading);
  }

  waitWritable(): Wait {
    return this.waitFor(this.writing);
  }

  /** Until the pending request completes (re-checked every 250 ms). */
  private waitFor(r: Request): Wait {
    if (!r.pending || overlappedDone(r.ov)) return settledWait();
    return this.waits.track(handleWaiter.wait(r.ov.event, () => overlappedDone(r.ov), PEER_CHECK_MS));
  }

  startWriting(): void {
    // The driver gives the writer role at the first WriteFile (or at BIND for a write-only handle).
  }

  endWriting(): void {
    if (this.closed || !this.writer) return;
    this.writer = false;
    const ended = deviceIoControl(this.h, IOCTL.endWrite, null, null, this.sync);
    if (ended.status !== STATUS.success) throw statusError(ended.status, `ending the writes of pipe ${this.name}`);
  }

  startReading(): void {}

  stopReading(): void {}

  stats(): RingStats {
    if (this.closed) throw closedError(this.name);
    const out = Buffer.alloc(PipeInfo.size);
    const got = deviceIoControl(this.h, IOCTL.stat, null, out, this.sync);
    if (got.status !== STATUS.success) throw statusError(got.status, `statistics of pipe ${this.name}`);
    const { name: _name, backend: _backend, ...stats } = infoFromDriver(out, 0);
    return stats;
  }

  close(): Promise<void> {
    return (this.closing ??= this.release());
  }

  private async release(): Promise<void> {
    await this.waits.cancelAll();
    await handleWaiter.quiesce();
    this.closeAtExit();
  }

  /**
   * Cancels what is pending and closes the handle (the driver detaches the slot).
   * A message whose read completed just before the cancel is lost with the handle.
   */
  closeAtExit(): void {
    if (this.closed) return;
    this.closed = true;
    forgetAtExit(this);
    for (const r of [this.reading, this.writing]) {
      if (!r.pending) continue;
      if (!overlappedDone(r.ov)) k32().CancelIoEx(this.h, r.ov.buf);
      k32().GetOverlappedResult(this.h, r.ov.buf, [0], 1);
    }
    closeHandle(this.h);
    for (const ov of [this.sync, this.reading.ov, this.writing.ov]) closeHandle(ov.event);
  }
}

const STATUS_BUFFER_TOO_SMALL = 0xc0000023;
