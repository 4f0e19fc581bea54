import { Duplex } from 'node:stream';
import { EOF, NO_ROOM, type Endpoint, type Wait } from './backend.js';
import { ErrorCode, RingPipeError } from './errors.js';
import { EndpointWindow, type ReadWindow } from './read-window.js';
import type { RingStats, WriteCursor } from './ring/ring.js';

export type Access = 'read' | 'write' | 'readwrite';

type Callback = (err?: Error | null) => void;

/** Messages one synchronous run of pump() delivers before it yields to the event loop. */
const PUMP_TURN = 4096;

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
  /** A writeBatch that went straight to the ring and is not all in yet: stream writes and end() wait behind it. */
  private batchInFlight?: Promise<void>;
  /** Node called _read and no push has answered it yet. */
  private readRequested = false;
  private pumpScheduled = false;

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
    this.startReading();
    this.readRequested = true;
    if (this.pendingRead || this.pumpScheduled) return;
    // A push from inside _read lands in the stream's buffer; one from outside it, while the stream flows, goes straight to the 'data' listeners.
    if (this.flowingToListeners()) this.schedulePump(process.nextTick);
    else this.pump();
  }

  private flowingToListeners(): boolean {
    return this.readableFlowing === true && this.listenerCount('data') > 0;
  }

  private schedulePump(later: (run: () => void) => unknown): void {
    this.pumpScheduled = true;
    later(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private startReading(): void {
    if (this.readingStarted) return;
    this.readingStarted = true;
    this.endpoint.startReading();
  }

  // ---- beside the stream: batches and zero-copy -------------------------------
  // Use these or the stream's reading side ('data', for await, pipe), not both on one handle.

  /**
   * Message mode: the messages ready now, at least one and at most `max`, each
   * its own Buffer (views of one slab copied out of the ring with one lock); []
   * once every writer has left and the ring is drained. Byte mode: one chunk.
   */
  async readBatch(max = 1024): Promise<Buffer[]> {
    const buffered = this.takeBuffered(max);
    if (buffered.length > 0) return buffered;
    const got = await this.untilReadable(() => (this.endpoint.readBatch ? this.endpoint.readBatch(max) : wrap(this.endpoint.read())));
    return got === EOF ? [] : got;
  }

  /** Batches of messages (see readBatch) until every writer has left: `for await (const batch of pipe.batches())`. */
  async *batches(max = 1024): AsyncGenerator<Buffer[], void, undefined> {
    for (;;) {
      const batch = await this.readBatch(max);
      if (batch.length === 0) return;
      yield batch;
    }
  }

  /**
   * The next message straight from the ring, without a copy (a copy only when
   * it wraps round the end of the ring), or null once every writer has left.
   * `data` is valid until `release()`, which consumes the message; until then
   * other readers of the pipe wait, so release it soon. `release(false)` leaves
   * the message in the ring for the next read. Destroying the pipe releases it.
   */
  async readView(): Promise<{ data: Buffer; release(consume?: boolean): void } | null> {
    const [buffered] = this.takeBuffered(1);
    if (buffered) return { data: buffered, release: () => {} };
    const endpoint = this.endpoint;
    const got = await this.untilReadable(() => (endpoint.peek ? endpoint.peek() : endpoint.read()));
    if (got === EOF) return null;
    let held = endpoint.peek !== undefined;
    return {
      data: got,
      release: (consume = true) => {
        if (held) endpoint.releasePeek!(consume);
        held = false;
      },
    };
  }

  /**
   * The messages in the ring from the oldest on, shown without being consumed and
   * consumed in order by `release` (`@ringpipe/bridge --to` keeps a window of them in
   * flight). On a mapped ring the window holds the reader lock while it shows messages,
   * as readView does. Read through it or through the stream, not both.
   */
  readWindow(): ReadWindow {
    this.startReading();
    return new EndpointWindow(this.endpoint);
  }

  /**
   * Copies the next message into `target` and returns its length, or null once
   * every writer has left. A message longer than `target` stays in the ring and
   * the promise rejects with ERR_RINGPIPE_MESSAGE_TOO_BIG.
   */
  async readInto(target: Uint8Array): Promise<number | null> {
    const got = await this.untilReadable(() => {
      if (this.endpoint.readInto) return wrap(this.endpoint.readInto(target));
      const [message] = this.takeBuffered(1);
      const next = message ?? this.endpoint.read();
      if (next === null || next === EOF) return next;
      if (next.length > target.length) {
        this.unshift(next);
        throw new RingPipeError(ErrorCode.MessageTooBig, `the next message of pipe ${this.name} (${next.length} bytes) does not fit ${target.length} bytes`);
      }
      target.set(next);
      return [next.length];
    });
    return got === EOF ? null : got[0]!;
  }

  /**
   * Writes each of `messages` as one message (byte mode: bytes), reserved and committed
   * together where they fit; resolves once all are in the ring. When no stream write is
   * queued, the batch goes straight to the ring (no stream work per message), and later
   * writes and end() wait behind it.
   */
  writeBatch(messages: ReadonlyArray<string | Uint8Array>, options?: { cursor?: bigint }): Promise<void> {
    if (options?.cursor !== undefined) return this.writeCursorBatch(messages.map(asBuffer), options.cursor);
    if (messages.length === 0) return Promise.resolve();
    const chunks = messages.map(asBuffer);
    const tooBig = this.endpoint.mode === 'message' ? chunks.find((chunk) => chunk.length > this.endpoint.maxRecord) : undefined;
    if (tooBig) return Promise.reject(this.tooBigError(tooBig.length));
    if (this.writableLength > 0 || this.writableCorked > 0 || this.batchInFlight || !this.writable) return this.writeBatchThroughStream(chunks);
    this.startWriting();
    let settled = false;
    const batch = new Promise<void>((resolve, reject) =>
      this.flush(chunks, { index: 0, offset: 0 }, (err) => {
        settled = true;
        if (err) reject(err);
        else resolve();
      }),
    );
    if (!settled) {
      const gate = batch.then(
        () => {},
        () => {},
      );
      this.batchInFlight = gate;
      void gate.then(() => {
        if (this.batchInFlight === gate) this.batchInFlight = undefined;
      });
    }
    return batch;
  }

  /** The cursor of the last batch written with one (writeBatch's `cursor`); undefined where the pipe has none (no mapped ring). */
  cursor(): bigint | undefined {
    return this.endpoint.cursor?.();
  }

  /** writeBatch with a cursor: all or nothing, committed with the cursor, after the direct batches before it. */
  private writeCursorBatch(chunks: Buffer[], cursor: bigint): Promise<void> {
    const endpoint = this.endpoint;
    if (typeof cursor !== 'bigint' || cursor < 0n || cursor >= 1n << 64n) {
      return Promise.reject(new RingPipeError(ErrorCode.BadOption, `invalid option "cursor": expected a bigint from 0 to 2^64 - 1`));
    }
    if (!endpoint.writeWithCursor || this.endpoint.mode !== 'message') {
      return Promise.reject(new RingPipeError(ErrorCode.BadOption, `pipe ${this.name}: a cursor needs a message-mode pipe whose ring this process maps`));
    }
    const tooBig = chunks.find((chunk) => chunk.length > endpoint.maxRecord);
    if (tooBig) return Promise.reject(this.tooBigError(tooBig.length));
    const bytes = chunks.reduce((sum, chunk) => sum + 8 + ((chunk.length + 7) & ~7), 0);
    const before = this.batchInFlight;
    const batch = (async () => {
      await before;
      this.startWriting();
      for (;;) {
        if (this.destroyed) throw new RingPipeError(ErrorCode.Closed, `pipe ${this.name} is closed`);
        if (endpoint.writeWithCursor!(chunks, cursor) !== NO_ROOM) return;
        const wait = endpoint.waitWritable(Math.max(0, bytes - 8));
        this.pendingWrite = wait;
        await wait.promise;
        this.pendingWrite = undefined;
      }
    })();
    const gate = batch.then(
      () => {},
      () => {},
    );
    this.batchInFlight = gate;
    void gate.then(() => {
      if (this.batchInFlight === gate) this.batchInFlight = undefined;
    });
    return batch;
  }

  private writeBatchThroughStream(messages: Buffer[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.cork();
      messages.forEach((message, i) => this.write(message, i === messages.length - 1 ? (err) => (err ? reject(err) : resolve()) : undefined));
      this.uncork();
    });
  }

  /**
   * Writes one message of `length` bytes in place: `fill` gets a Buffer that is
   * the message's room in the ring and writes the payload into it (synchronously);
   * then the message is committed. Resolves once it is in the ring. Await it
   * before the next write, so that messages keep their order.
   */
  async writeInPlace(length: number, fill: (view: Buffer) => void): Promise<void> {
    if (this.endpoint.mode === 'message' && length > this.endpoint.maxRecord) {
      throw this.tooBigError(length);
    }
    if (!this.endpoint.writeInPlace) {
      const message = Buffer.alloc(length);
      fill(message);
      return new Promise((resolve, reject) => this.write(message, (err) => (err ? reject(err) : resolve())));
    }
    this.startWriting();
    for (;;) {
      if (this.destroyed) throw new RingPipeError(ErrorCode.Closed, `pipe ${this.name} is closed`);
      if (this.endpoint.writeInPlace(length, fill) !== NO_ROOM) return;
      const wait = this.endpoint.waitWritable(length);
      this.pendingWrite = wait;
      await wait.promise;
      this.pendingWrite = undefined;
    }
  }

  /** Messages the stream already took from the ring (at most a few), so that none is skipped. */
  private takeBuffered(max: number): Buffer[] {
    const taken: Buffer[] = [];
    while (taken.length < max && this.readableLength > 0) taken.push(this.read() as Buffer);
    return taken;
  }

  /** Tries `attempt` until it gives something, waiting for the ring in between; EOF ends the readable side. */
  private async untilReadable<T>(attempt: () => T | null | typeof EOF): Promise<T | typeof EOF> {
    this.startReading();
    for (;;) {
      if (this.destroyed) throw new RingPipeError(ErrorCode.Closed, `pipe ${this.name} is closed`);
      let got: T | null | typeof EOF;
      try {
        got = attempt();
      } catch (err) {
        if ((err as RingPipeError).code !== ErrorCode.MessageTooBig) this.destroy(err as Error);
        throw err;
      }
      if (got === EOF) {
        // The readable side ends as a stream reader's would, so that a reader-only handle closes itself.
        if (!this.readableEnded) {
          this.push(null);
          this.resume();
        }
        return EOF;
      }
      if (got !== null) return got;
      const wait = this.endpoint.waitReadable();
      this.pendingRead = wait;
      await wait.promise;
      this.pendingRead = undefined;
    }
  }

  /**
   * Takes messages from the ring one at a time and pushes each: while the
   * stream flows, straight to the 'data' listeners, stopping as soon as it is
   * paused or destroyed, so that the rest stay in the ring; otherwise one into
   * the stream's buffer for the read() that asked for it.
   */
  private pump(): void {
    if (this.pendingRead || this.pumpScheduled) return;
    for (let pushed = 0; !this.destroyed; pushed++) {
      if (!this.readRequested && !this.flowingToListeners()) return;
      if (pushed === PUMP_TURN) {
        // Let timers and I/O in now and then while a writer keeps the ring full.
        this.schedulePump(setImmediate);
        return;
      }
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
      this.readRequested = false;
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
    const batch = this.batchInFlight;
    if (batch) {
      void batch.then(() => this.send(chunks, callback));
      return;
    }
    if (this.endpoint.mode === 'message') {
      const tooBig = chunks.find((chunk) => chunk.length > this.endpoint.maxRecord);
      if (tooBig) {
        callback(this.tooBigError(tooBig.length));
        return;
      }
    }
    this.startWriting();
    this.flush(chunks, { index: 0, offset: 0 }, callback);
  }

  private tooBigError(length: number): RingPipeError {
    return new RingPipeError(ErrorCode.MessageTooBig, `message of ${length} bytes is larger than pipe ${this.name} can hold (${this.endpoint.maxRecord} bytes)`);
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
    const batch = this.batchInFlight;
    if (batch) {
      void batch.then(() => this._final(callback));
      return;
    }
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

function asBuffer(message: string | Uint8Array): Buffer {
  if (typeof message === 'string') return Buffer.from(message);
  return Buffer.isBuffer(message) ? message : Buffer.from(message.buffer, message.byteOffset, message.byteLength);
}

/** A single result as a batch of one (null and EOF pass through). */
function wrap<T>(got: T | null | typeof EOF): T[] | null | typeof EOF {
  if (got === null || got === EOF) return got as null | typeof EOF;
  return [got as T];
}
