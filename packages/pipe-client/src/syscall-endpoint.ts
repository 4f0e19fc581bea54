import { EOF, NO_ROOM, WROTE, cursorNeedsMapping, nextTooBig, recordTooBig, type Endpoint } from './endpoint.js';
import type { Wait } from './wait/wait.js';
import { modeName } from './ring/layout.js';
import type { RingStats, WriteCursor } from './ring/ring.js';

/** What the driver told of the pipe when the handle bound to it. */
export interface SyscallShape {
  capacity: number;
  /** MODE_MESSAGE or MODE_BYTE. */
  mode: number;
  maxRecord: number;
  created: boolean;
}

/**
 * The Endpoint paths that a handle moving messages by system calls (a driver handle
 * without a mapping) makes of its one-message `receive` and its `write`: a message
 * taken from the driver and not handed over (a readInto target too small, a peek let
 * go unconsumed) is kept here and comes first at the next read.
 */
export abstract class SyscallEndpoint implements Endpoint {
  readonly backend = 'driver';
  readonly io = 'syscall';
  readonly capacity: number;
  readonly mode: 'message' | 'byte';
  readonly maxRecord: number;
  readonly created: boolean;
  /** Taken from the driver, not handed over yet. */
  private next?: Buffer;
  /** Handed over by peek, until releasePeek or releaseShown. */
  private peeked?: Buffer;
  /** What writeInPlace's `fill` wrote, kept while the ring has no room for it. */
  private filled?: { fill: (view: Buffer) => void; message: Buffer; cursor: WriteCursor };

  constructor(
    readonly name: string,
    shape: SyscallShape,
  ) {
    this.capacity = shape.capacity;
    this.mode = modeName(shape.mode);
    this.maxRecord = shape.maxRecord;
    this.created = shape.created;
  }

  /** One message (byte mode: some bytes) from the driver, null when nothing is ready, EOF at end. */
  protected abstract receive(): Buffer | null | typeof EOF;
  abstract write(chunks: readonly Uint8Array[], cursor: WriteCursor): typeof WROTE | typeof NO_ROOM;
  abstract waitReadable(): Wait;
  abstract waitWritable(size: number): Wait;
  abstract startWriting(): void;
  abstract endWriting(): void;
  abstract startReading(): void;
  abstract stopReading(): void;
  abstract stats(): RingStats;
  abstract close(): Promise<void>;

  read(): Buffer | null | typeof EOF {
    const next = this.next;
    if (!next) return this.receive();
    this.next = undefined;
    return next;
  }

  readBatch(): Buffer[] | null | typeof EOF {
    const got = this.read();
    return got === null || got === EOF ? got : [got];
  }

  readInto(target: Uint8Array): number | null | typeof EOF {
    const got = this.read();
    if (got === null || got === EOF) return got;
    if (got.length > target.length) {
      this.next = got;
      throw nextTooBig(this.name);
    }
    target.set(got);
    return got.length;
  }

  peek(): Buffer | null | typeof EOF {
    const got = this.read();
    if (got !== null && got !== EOF) this.peeked = got;
    return got;
  }

  releasePeek(consume: boolean): void {
    if (!consume && this.peeked) this.next = this.peeked;
    this.peeked = undefined;
  }

  peekMore(): { data: Buffer; position: number }[] {
    return [];
  }

  releaseShown(count: number): void {
    if (count >= 1) this.peeked = undefined;
  }

  /** peekMore never shows more: this wait ends only when cancelled. */
  waitShowable(): Wait {
    let cancel = (): void => {};
    return { promise: new Promise<void>((resolve) => (cancel = resolve)), cancel: () => cancel() };
  }

  writeInPlace(length: number, fill: (view: Buffer) => void): typeof WROTE | typeof NO_ROOM {
    if (length > this.maxRecord) throw recordTooBig(this.name, this.maxRecord);
    if (this.filled?.fill !== fill) {
      const message = Buffer.alloc(length);
      fill(message);
      this.filled = { fill, message, cursor: { index: 0, offset: 0 } };
    }
    const { message, cursor } = this.filled;
    while (cursor.index < 1) if (this.write([message], cursor) === NO_ROOM) return NO_ROOM;
    this.filled = undefined;
    return WROTE;
  }

  writeWithCursor(): never {
    throw cursorNeedsMapping(this.name);
  }

  cursor(): undefined {
    return undefined;
  }

  writtenThrough(): number {
    return this.stats().messagesIn;
  }

  readThrough(): number {
    const stats = this.stats();
    return stats.messagesOut + stats.abandoned;
  }
}
