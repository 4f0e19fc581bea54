import { Duplex } from 'node:stream';
import { EOF, NO_ROOM, type Endpoint, type Wait } from './backend.js';
import { ErrorCode, RingPipeError } from './errors.js';
import type { RingStats, WriteCursor } from './ring/ring.js';

export type Access = 'read' | 'write' | 'readwrite';

type Callback = (err?: Error | null) => void;

/**
 * A named pipe as a Node Duplex. In message mode every write is one message
 * and every 'data' chunk (and iterated value) is one whole message; in byte
 * mode the pipe is a byte stream.
 */
export class RingPipe extends Duplex {
  private readonly endpoint: Endpoint;
  private readingStarted = false;
  private writingStarted = false;
  private pendingRead?: Wait;
  private pendingWrite?: Wait;

  constructor(endpoint: Endpoint, access: Access) {
    const message = endpoint.mode === 'message';
    super({
      // `readable` and `writable` are Duplex options that @types/node 20 does not list.
      ...{ readable: access !== 'write' },
      ...{ writable: access !== 'read' },
      readableObjectMode: message,
      // One message at a time: a message taken from the ring sits in no stream buffer where destroy() would drop it.
      ...(message ? { readableHighWaterMark: 1 } : {}),
      // A message-mode writer holds at most this many messages before write() returns false.
      writableHighWaterMark: Math.min(endpoint.capacity, 1 << 16),
      allowHalfOpen: true,
    });
    this.endpoint = endpoint;
    if (access === 'write') this.startWriting();
    // A side that was never used closes with the other one, so a pure writer or pure reader releases its handle.
    this.once('finish', () => {
      if (!this.readingStarted) this.destroy();
    });
    this.once('end', () => {
      if (this.destroyed) return;
      this.endpoint.stopReading();
      if (!this.writingStarted && this.writable) this.end();
    });
  }

  get name(): string {
    return this.endpoint.name;
  }

  get capacity(): number {
    return this.endpoint.capacity;
  }

  get mode(): 'message' | 'byte' {
    return this.endpoint.mode;
  }

  get backend(): 'shm' | 'driver' {
    return this.endpoint.backend;
  }

  /** Largest message a write may carry (capacity - 8 in message mode). Byte-mode writes of any size are split. */
  get maxMessageSize(): number {
    return this.endpoint.mode === 'message' ? this.endpoint.maxRecord : Number.POSITIVE_INFINITY;
  }

  stats(): RingStats {
    if (this.destroyed) throw new RingPipeError(ErrorCode.Closed, `pipe ${this.name} is closed`);
    return this.endpoint.stats();
  }

  override _read(): void {
    if (!this.readingStarted) {
      this.readingStarted = true;
      this.endpoint.startReading();
    }
    this.pump();
  }

  private pump(): void {
    if (this.pendingRead) return;
    // A 'data' listener may destroy the stream from inside push(): look again on every turn.
    while (!this.destroyed) {
      let got: Buffer | null | typeof EOF;
      try {
        got = this.endpoint.read();
      } catch (err) {
        this.destroy(err as Error);
        return;
      }
      if (got === EOF) {
        this.push(null);
        return;
      }
      if (got === null) {
        const wait = this.endpoint.waitReadable();
        this.pendingRead = wait;
        wait.promise.then(() => {
          this.pendingRead = undefined;
          this.pump();
        });
        return;
      }
      if (!this.push(got)) return;
    }
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: Callback): void {
    this.send([chunk], callback);
  }

  override _writev(chunks: Array<{ chunk: Buffer }>, callback: Callback): void {
    this.send(
      chunks.map((entry) => entry.chunk),
      callback,
    );
  }

  private send(chunks: Buffer[], callback: Callback): void {
    if (this.endpoint.mode === 'message') {
      const tooBig = chunks.find((chunk) => chunk.length > this.endpoint.maxRecord);
      if (tooBig) {
        callback(
          new RingPipeError(
            ErrorCode.MessageTooBig,
            `message of ${tooBig.length} bytes is larger than pipe ${this.name} can hold (${this.endpoint.maxRecord} bytes)`,
          ),
        );
        return;
      }
    }
    this.startWriting();
    this.flush(chunks, { index: 0, offset: 0 }, callback);
  }

  /** Writes from the cursor on until every chunk is in, waiting for room as needed; errors go to the callback. */
  private flush(chunks: Buffer[], cursor: WriteCursor, callback: Callback): void {
    while (cursor.index < chunks.length) {
      let result: number;
      try {
        result = this.endpoint.write(chunks, cursor);
      } catch (err) {
        callback(err as Error);
        return;
      }
      if (result === NO_ROOM) {
        const next = chunks[cursor.index]!;
        const wait = this.endpoint.waitWritable(Math.min(next.length - cursor.offset, this.endpoint.maxRecord));
        this.pendingWrite = wait;
        wait.promise.then(() => {
          this.pendingWrite = undefined;
          if (this.destroyed) callback(new RingPipeError(ErrorCode.Closed, `pipe ${this.name} closed while a write waited for space`));
          else this.flush(chunks, cursor, callback);
        });
        return;
      }
    }
    callback();
  }

  private startWriting(): void {
    if (this.writingStarted) return;
    this.writingStarted = true;
    this.endpoint.startWriting();
  }

  override _final(callback: Callback): void {
    this.endpoint.endWriting();
    callback();
  }

  override _destroy(err: Error | null, callback: Callback): void {
    this.pendingRead?.cancel();
    this.pendingWrite?.cancel();
    this.endpoint.close().then(
      () => callback(err),
      (closeErr: Error) => callback(err ?? closeErr),
    );
  }
}
