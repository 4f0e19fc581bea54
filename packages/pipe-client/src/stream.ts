import { Duplex } from 'node:stream';
import { EOF, NO_ROOM, WROTE, cursorNeedsMapping, nextTooBig, type Endpoint } from './endpoint.js';
import { Waiting, whenOver, type Wait } from './wait/wait.js';
import { ErrorCode, RingPipeError, abortedBy, closedError } from './errors.js';
import { resolveCallOptions, type CallOptions } from './options.js';
import { EndpointWindow, type ReadWindow } from './read-window.js';
import { ReaderPresence, type NoReaders } from './reader-presence.js';
import type { RingStats, WriteCursor } from './ring/ring.js';

export type Access = 'read' | 'write' | 'readwrite';

type Callback = (error?: Error | null) => void;

/** What `readView()` gives: the next message as it lies in the ring, held until `release`. */
export interface MessageView {
  /** The message's bytes, valid until `release()`. */
  readonly data: Buffer;
  /** Consumes the message (`consume` true, the default) or leaves it for the next read. */
  release(consume?: boolean): void;
}

/** What a handle is opened with (createPipe builds it; not public). */
interface Opened {
  endpoint: Endpoint;
  access: Access;
  noReaders?: NoReaders;
}

let construct: (opened: Opened) => RingPipe;

/** A RingPipe over an open endpoint: createPipe's way to the private constructor. */
export function ringPipeOn(opened: Opened): RingPipe {
  return construct(opened);
}

/** Messages one synchronous run of pump() (or of an iteration's ready messages) delivers before it yields to the event loop. */
const PUMP_TURN = 4096;

/** What the direct write's one-message array holds between writes, so that it keeps no caller's buffer. */
const NO_BYTES = new Uint8Array(0);

const DONE_RESULT: IteratorResult<Buffer, undefined> = { value: undefined, done: true };
const DONE: Promise<IteratorResult<Buffer, undefined>> = Promise.resolve(DONE_RESULT);

/** One `for await` loop over a pipe: whether it stopped, and the next() still waiting, if any. */
interface Loop {
  stopped: boolean;
  waiting?: Promise<unknown>;
}

const isWait = (got: IteratorResult<Buffer, undefined> | Wait): got is Wait => 'cancel' in got;

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
  private readonly presence: ReaderPresence;
  /** Messages an async iterator handed out since it last waited or yielded. */
  private iterationTurn = 0;
  /** Called whenever a write to the ring finished (for drained()). */
  private sendWaiters: Array<() => void> = [];
  /** drained() calls under way: the handle stays open for them after end(). */
  private draining = 0;
  private destroyAfterDraining = false;

  static {
    construct = (opened) => new RingPipe(opened);
  }

  /** Pipes are opened with createPipe(). */
  private constructor({ endpoint, access, noReaders }: Opened) {
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
    this.presence = new ReaderPresence(endpoint, noReaders ?? 'wait');
    if (access === 'write') this.startWriting();
    // A side that was never used closes with the other one, so a pure writer or pure reader releases its handle.
    this.once('finish', () => {
      if (this.readingStarted) return;
      if (this.draining > 0) this.destroyAfterDraining = true;
      else this.destroy();
    });
    // Node does not call _read again after a resume while the read it deferred is unanswered.
    this.on('resume', () => {
      if (this.readRequested && !this.pendingRead && !this.pumpScheduled) this.schedulePump(process.nextTick);
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

  /** Whether this call created the pipe; false: it joined an existing one, whose capacity, mode and permissions stand. */
  get created(): boolean {
    return this.endpoint.created;
  }

  /** Largest message a write may carry (capacity - 8 in message mode). Byte-mode writes of any size are split. */
  get maxMessageSize(): number {
    return this.endpoint.mode === 'message' ? this.endpoint.maxRecord : Number.POSITIVE_INFINITY;
  }

  stats(): RingStats {
    if (this.destroyed) throw closedError(this.name);
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

  /**
   * Paused by pipe() (or pause()) with nobody calling read(): Node would only fill its buffer
   * ahead, where destroy() drops the message, so pump() leaves it in the ring until 'resume'.
   */
  private pausedWithoutReaders(): boolean {
    return this.readableFlowing === false && this.listenerCount('readable') === 0;
  }

  private flowingToListeners(): boolean {
    return this.readableFlowing === true && this.listenerCount('data') > 0;
  }

  private schedulePump(later: (run: () => void) => unknown): void {
    this.pumpScheduled = true;
    later(this.scheduledPump);
  }

  /** Made once: a flowing stream schedules a pump per message. */
  private readonly scheduledPump = (): void => {
    this.pumpScheduled = false;
    this.pump();
  };

  private startReading(): void {
    if (this.readingStarted) return;
    this.readingStarted = true;
    this.endpoint.startReading();
  }

  /**
   * `for await (const message of pipe)`: takes each message from the ring only when the
   * loop asks for it (several in one event-loop turn while they are ready), so that a
   * `break`, a `destroy()` or an abort leaves every message not handed out in the pipe.
   * Leaving the loop early destroys the pipe, as it does any Node stream; `destroy()`
   * without an error ends the loop, with one (an abort's AbortError) the loop throws it.
   * While the loop runs, an error reaches it, not an unhandled 'error' (as Node's own iterator).
   */
  override [Symbol.asyncIterator](): NodeJS.AsyncIterator<Buffer, undefined> {
    const loop: Loop = { stopped: false };
    const errorGoesToLoop = (): void => {};
    this.on('error', errorGoesToLoop);
    this.once('close', () => this.off('error', errorGoesToLoop));
    const iterator = {
      next: (): Promise<IteratorResult<Buffer, undefined>> => {
        // One next() at a time: a caller that asks again before a waiting next() settled gets the messages in order.
        const waiting = loop.waiting;
        if (waiting) return waiting.then(iterator.next, iterator.next);
        return this.nextMessage(loop);
      },
      return: (): Promise<IteratorResult<Buffer, undefined>> => {
        loop.stopped = true;
        this.destroy();
        return DONE;
      },
      [Symbol.asyncIterator]: () => iterator,
      [Symbol.asyncDispose]: () => iterator.return().then(() => {}),
    };
    return iterator as NodeJS.AsyncIterator<Buffer, undefined>;
  }

  /** The loop's next message: at once when the ring has one, else one promise that the wake settles (no promise per step of the wait). */
  private nextMessage(loop: Loop): Promise<IteratorResult<Buffer, undefined>> {
    let got: IteratorResult<Buffer, undefined> | Wait;
    try {
      got = this.takeNext(loop);
    } catch (err) {
      return Promise.reject(err);
    }
    if (!isWait(got)) return got.done ? DONE : Promise.resolve(got);
    const waiting = new Promise<IteratorResult<Buffer, undefined>>((resolve, reject) => {
      let wait = got;
      const again = (): void => {
        if (this.pendingRead === wait) this.pendingRead = undefined;
        let next: IteratorResult<Buffer, undefined> | Wait;
        try {
          next = this.takeNext(loop);
        } catch (err) {
          loop.waiting = undefined;
          reject(err);
          return;
        }
        if (isWait(next)) {
          wait = next;
          whenOver(next, again);
          return;
        }
        loop.waiting = undefined;
        resolve(next);
      };
      whenOver(wait, again);
    });
    loop.waiting = waiting;
    return waiting;
  }

  /** Takes the loop's next message from the ring: the result, or the wait to end before a look again. */
  private takeNext(loop: Loop): IteratorResult<Buffer, undefined> | Wait {
    if (this.errored) throw this.errored;
    if (loop.stopped || this.destroyed || this.readableEnded) return DONE_RESULT;
    if (++this.iterationTurn > PUMP_TURN) {
      // Let timers, I/O and signals in now and then while a writer keeps the ring full.
      this.iterationTurn = 0;
      const turn = new Waiting();
      setImmediate(() => turn.finish());
      return turn;
    }
    this.startReading();
    let got: Buffer | null | typeof EOF;
    try {
      got = this.readableLength > 0 ? (this.read() as Buffer) : this.endpoint.read();
    } catch (err) {
      this.destroy(err as Error);
      throw err;
    }
    if (got === EOF) {
      this.endReadable();
      return DONE_RESULT;
    }
    if (got !== null) return { value: got, done: false };
    this.iterationTurn = 0;
    const wait = this.endpoint.waitReadable();
    this.pendingRead = wait;
    return wait;
  }

  /** The readable side ends as a stream reader's would, so that a reader-only handle closes itself. */
  private endReadable(): void {
    if (this.readableEnded) return;
    this.push(null);
    this.resume();
  }

  // ---- beside the stream: batches and zero-copy -------------------------------
  // Use these or the stream's reading side ('data', for await, pipe), not both on one handle.

  /**
   * Message mode: the messages ready now, at least one and at most `max`, each
   * its own Buffer (views of one slab copied out of the ring with one lock); []
   * once every writer has left and the ring is drained. Byte mode: one chunk.
   * Destroyed or aborted (option `signal`) while it waits, it rejects (ERR_RINGPIPE_CLOSED,
   * AbortError) and has taken nothing from the ring.
   */
  async readBatch(max = 1024, options?: CallOptions): Promise<Buffer[]> {
    const { signal } = resolveCallOptions(options);
    if (signal?.aborted) throw abortedBy(signal);
    const buffered = this.takeBuffered(max);
    if (buffered.length > 0) return buffered;
    const got = await this.untilReadable(() => this.endpoint.readBatch(max), signal);
    return got === EOF ? [] : got;
  }

  /** Batches of messages (see readBatch) until every writer has left: `for await (const batch of pipe.batches())`. */
  async *batches(max = 1024, options?: CallOptions): AsyncGenerator<Buffer[], void, undefined> {
    for (;;) {
      const batch = await this.readBatch(max, options);
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
  async readView(options?: CallOptions): Promise<MessageView | null> {
    const { signal } = resolveCallOptions(options);
    if (signal?.aborted) throw abortedBy(signal);
    // A message the stream took already comes first; letting it go unconsumed puts it back.
    const [buffered] = this.takeBuffered(1);
    let data: Buffer;
    let letGo: (consume: boolean) => void;
    if (buffered) {
      data = buffered;
      letGo = (consume) => {
        if (!consume) this.unshift(buffered);
      };
    } else {
      const got = await this.untilReadable(() => this.endpoint.peek(), signal);
      if (got === EOF) return null;
      data = got;
      letGo = (consume) => this.endpoint.releasePeek(consume);
    }
    let held = true;
    return {
      data,
      release: (consume = true) => {
        if (held) letGo(consume);
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
  async readInto(target: Uint8Array, options?: CallOptions): Promise<number | null> {
    const { signal } = resolveCallOptions(options);
    if (signal?.aborted) throw abortedBy(signal);
    const [buffered] = this.takeBuffered(1);
    if (buffered) {
      if (buffered.length > target.length) {
        this.unshift(buffered);
        throw nextTooBig(this.name);
      }
      target.set(buffered);
      return buffered.length;
    }
    const got = await this.untilReadable(() => this.endpoint.readInto(target), signal);
    return got === EOF ? null : got;
  }

  /**
   * Writes each of `messages` as one message (byte mode: bytes), reserved and committed
   * together where they fit; resolves once all are in the ring. When no stream write is
   * queued, the batch goes straight to the ring (no stream work per message), and later
   * writes and end() wait behind it. Aborted (option `signal`) while it waits for room, it
   * rejects with an AbortError: the messages before the one that waited are in the ring, the
   * rest are not written. A batch queued behind stream writes is written whole.
   */
  writeBatch(messages: ReadonlyArray<string | Uint8Array>, options?: CallOptions & { cursor?: bigint }): Promise<void> {
    const { cursor, ...callOptions } = options ?? {};
    let signal: AbortSignal | undefined;
    try {
      ({ signal } = resolveCallOptions(callOptions));
    } catch (err) {
      return Promise.reject(err);
    }
    if (signal?.aborted) return Promise.reject(abortedBy(signal));
    if (cursor !== undefined) return this.writeCursorBatch(messages.map(asBuffer), cursor);
    if (messages.length === 0) return Promise.resolve();
    const bytes = messages.every(isBytes);
    let chunks = bytes ? (messages as readonly Uint8Array[]) : messages.map(asBuffer);
    const tooBig = this.endpoint.mode === 'message' ? chunks.find((chunk) => chunk.length > this.endpoint.maxRecord) : undefined;
    if (tooBig) return Promise.reject(this.tooBigError(tooBig.length));
    if (this.writableLength > 0 || this.writableCorked > 0 || this.batchInFlight || !this.writable) return this.writeBatchThroughStream(chunks.map(asBuffer));
    this.startWriting();
    const at: WriteCursor = { index: 0, offset: 0 };
    if (bytes) {
      // The caller's array as it is now: what does not fit at once is copied out of it before the batch waits for room.
      try {
        if (this.writeWhileRoom(chunks, at)) return Promise.resolve();
      } catch (err) {
        return Promise.reject(err);
      }
      chunks = chunks.slice(at.index);
      at.index = 0;
    }
    let settled = false;
    const batch = new Promise<void>((resolve, reject) =>
      this.flush(
        chunks,
        at,
        (err) => {
          settled = true;
          if (err) reject(err);
          else resolve();
        },
        signal,
      ),
    );
    if (!settled) this.holdWritesBehind(batch);
    return batch;
  }

  /** Writes from the cursor on while the ring has room; whether all went in. */
  private writeWhileRoom(chunks: readonly Uint8Array[], at: WriteCursor): boolean {
    while (at.index < chunks.length) if (this.endpoint.write(chunks, at) !== WROTE) return false;
    return true;
  }

  /** The cursor of the last batch written with one (writeBatch's `cursor`); undefined where the pipe has none (no mapped ring). */
  cursor(): bigint | undefined {
    return this.endpoint.cursor();
  }

  /** writeBatch with a cursor: all or nothing, committed with the cursor, after the direct batches before it. */
  private writeCursorBatch(chunks: Buffer[], cursor: bigint): Promise<void> {
    const endpoint = this.endpoint;
    if (typeof cursor !== 'bigint' || cursor < 0n || cursor >= 1n << 64n) {
      return Promise.reject(new RingPipeError(ErrorCode.BadOption, `invalid option "cursor": expected a bigint from 0 to 2^64 - 1`));
    }
    if (endpoint.mode !== 'message') return Promise.reject(cursorNeedsMapping(this.name));
    const tooBig = chunks.find((chunk) => chunk.length > endpoint.maxRecord);
    if (tooBig) return Promise.reject(this.tooBigError(tooBig.length));
    const bytes = chunks.reduce((sum, chunk) => sum + 8 + ((chunk.length + 7) & ~7), 0);
    const before = this.batchInFlight;
    const batch = (async () => {
      await before;
      this.startWriting();
      for (;;) {
        if (this.destroyed) throw closedError(this.name);
        if (endpoint.writeWithCursor(chunks, cursor) !== NO_ROOM) return;
        const wait = endpoint.waitWritable(Math.max(0, bytes - 8));
        this.pendingWrite = wait;
        await wait.promise;
        this.pendingWrite = undefined;
      }
    })();
    this.holdWritesBehind(batch);
    return batch;
  }

  /** Stream writes, end() and later direct batches wait behind `batch` (a direct batch not all in yet). */
  private holdWritesBehind(batch: Promise<void>): void {
    const gate = batch.then(
      () => {},
      () => {},
    );
    this.batchInFlight = gate;
    void gate.then(() => {
      if (this.batchInFlight === gate) this.batchInFlight = undefined;
    });
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
   * before the next write, so that messages keep their order. Aborted (option
   * `signal`) while it waits for room, it rejects with an AbortError and writes nothing.
   */
  async writeInPlace(length: number, fill: (view: Buffer) => void, options?: CallOptions): Promise<void> {
    const { signal } = resolveCallOptions(options);
    if (signal?.aborted) throw abortedBy(signal);
    if (this.endpoint.mode === 'message' && length > this.endpoint.maxRecord) {
      throw this.tooBigError(length);
    }
    // A fill of this call's own: an endpoint that fills before it finds room keeps what it wrote for the retries of this call alone.
    const fillThis = (view: Buffer): void => fill(view);
    this.startWriting();
    for (;;) {
      if (this.destroyed) throw closedError(this.name);
      if (signal?.aborted) throw abortedBy(signal);
      if (this.endpoint.writeInPlace(length, fillThis) !== NO_ROOM) return this.sent();
      const gone = this.presence.gone();
      if (gone && this.endpoint.writeInPlace(length, fillThis) === NO_ROOM) throw gone;
      if (gone) return this.sent();
      const wait = this.endpoint.waitWritable(length);
      this.pendingWrite = wait;
      await untilDoneOrAborted(wait, signal);
      this.pendingWrite = undefined;
    }
  }

  /**
   * Resolves once readers have taken every message this handle wrote, the writes still
   * queued in the stream included (the ring's read position passed this handle's last
   * record). Call it before or after end(): the handle stays open until it settles.
   * Rejects with ERR_RINGPIPE_NO_READERS when `noReaders` says not to wait for a reader,
   * with ERR_RINGPIPE_CLOSED when the pipe is destroyed meanwhile, with an AbortError on
   * abort (option `signal`).
   */
  async drained(options?: CallOptions): Promise<void> {
    const { signal } = resolveCallOptions(options);
    if (signal?.aborted) throw abortedBy(signal);
    this.draining++;
    try {
      await this.queuedWritesDone(signal);
      if (!this.writingStarted) return;
      const through = this.endpoint.writtenThrough();
      for (;;) {
        if (this.destroyed) throw this.errored ?? closedError(this.name);
        if (this.endpoint.readThrough() >= through) return;
        const gone = this.presence.gone();
        if (gone) throw gone;
        // Every record a reader takes wakes writers that wait for room: the largest record waits until the ring is empty, or the next take.
        const wait = this.endpoint.waitWritable(this.endpoint.maxRecord);
        this.pendingWrite = wait;
        await untilDoneOrAborted(wait, signal);
        if (this.pendingWrite === wait) this.pendingWrite = undefined;
        if (signal?.aborted) throw abortedBy(signal);
      }
    } finally {
      if (--this.draining === 0 && this.destroyAfterDraining) this.destroy();
    }
  }

  private async queuedWritesDone(signal: AbortSignal | undefined): Promise<void> {
    while (this.writableLength > 0 || this.batchInFlight) {
      if (this.destroyed) throw this.errored ?? closedError(this.name);
      if (signal?.aborted) throw abortedBy(signal);
      let stopWaiting = (): void => {};
      const sent = new Promise<void>((resolve) => {
        stopWaiting = resolve;
        this.sendWaiters.push(resolve);
        void this.batchInFlight?.then(resolve);
      });
      await untilDoneOrAborted({ promise: sent, cancel: () => stopWaiting() }, signal);
    }
  }

  /** A write to the ring finished: drained() looks again. */
  private sent(): void {
    if (this.sendWaiters.length === 0) return;
    const waiters = this.sendWaiters;
    this.sendWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /** Messages the stream already took from the ring (at most a few), so that none is skipped. */
  private takeBuffered(max: number): Buffer[] {
    const taken: Buffer[] = [];
    while (taken.length < max && this.readableLength > 0) taken.push(this.read() as Buffer);
    return taken;
  }

  /** Tries `attempt` until it gives something, waiting for the ring in between; EOF ends the readable side. */
  private async untilReadable<T>(attempt: () => T | null | typeof EOF, signal?: AbortSignal): Promise<T | typeof EOF> {
    this.startReading();
    for (;;) {
      if (this.destroyed) throw closedError(this.name);
      if (signal?.aborted) throw abortedBy(signal);
      let got: T | null | typeof EOF;
      try {
        got = attempt();
      } catch (err) {
        if ((err as RingPipeError).code !== ErrorCode.MessageTooBig) this.destroy(err as Error);
        throw err;
      }
      if (got === EOF) {
        this.endReadable();
        return EOF;
      }
      if (got !== null) return got;
      const wait = this.endpoint.waitReadable();
      this.pendingRead = wait;
      await untilDoneOrAborted(wait, signal);
      if (this.pendingRead === wait) this.pendingRead = undefined;
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
      if (this.pausedWithoutReaders()) return;
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
        whenOver(wait, this.pumpAfterWait);
        return;
      }
      this.readRequested = false;
      if (!this.push(got)) return;
    }
  }

  /** pump()'s next step after a wait: made once, as a reader waits once per message when they come one at a time. */
  private readonly pumpAfterWait = (): void => {
    this.pendingRead = undefined;
    this.pump();
  };

  /**
   * A message-mode write of a Buffer that fits the ring now, while the stream holds nothing
   * queued (not corked, no write or batch under way, not ending): straight into the ring, with
   * none of the stream's work per chunk. It returns true, as the stream does for a write that
   * completed at once, and calls `callback` in a later tick, as the stream does; every
   * other write, and one that finds no room, goes through the stream, which waits and buffers.
   */
  override write(chunk: unknown, encoding: BufferEncoding, callback?: (error: Error | null | undefined) => void): boolean;
  override write(chunk: unknown, callback?: (error: Error | null | undefined) => void): boolean;
  override write(chunk: unknown, encoding?: BufferEncoding | Callback, callback?: Callback): boolean {
    if (!this.writesDirect(chunk)) return super.write(chunk, encoding as BufferEncoding, callback);
    const done = typeof encoding === 'function' ? encoding : callback;
    let wrote: boolean;
    try {
      wrote = this.writeNow(chunk);
    } catch (err) {
      // As the stream reports a write that failed: to its callback, and the pipe is destroyed with the error.
      if (done) process.nextTick(done, err);
      this.destroy(err as Error);
      return false;
    }
    if (!wrote) return super.write(chunk, encoding as BufferEncoding, callback);
    if (done) process.nextTick(done, null);
    return true;
  }

  private writesDirect(chunk: unknown): chunk is Uint8Array {
    return (
      chunk instanceof Uint8Array &&
      this.endpoint.mode === 'message' &&
      chunk.length <= this.endpoint.maxRecord &&
      this.writableLength === 0 &&
      this.writableCorked === 0 &&
      this.batchInFlight === undefined &&
      this.writable
    );
  }

  /** One message into the ring if it fits now; false (nothing written) when the stream must take it (it waits for room). */
  private writeNow(chunk: Uint8Array): boolean {
    this.startWriting();
    const one = this.oneMessage;
    one.chunks[0] = chunk;
    one.cursor.index = 0;
    try {
      if (this.endpoint.write(one.chunks, one.cursor) !== WROTE) return false;
    } finally {
      one.chunks[0] = NO_BYTES;
    }
    this.sent();
    return true;
  }

  /** What writeNow hands the endpoint, made once: a write per message allocates nothing for it. */
  private readonly oneMessage: { chunks: Uint8Array[]; cursor: WriteCursor } = { chunks: [NO_BYTES], cursor: { index: 0, offset: 0 } };

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.send([chunk], callback);
  }

  override _writev(chunks: Array<{ chunk: Buffer }>, callback: (error?: Error | null) => void): void {
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
      const max = this.endpoint.maxRecord;
      for (const chunk of chunks) {
        if (chunk.length > max) {
          callback(this.tooBigError(chunk.length));
          return;
        }
      }
    }
    this.startWriting();
    this.flush(chunks, { index: 0, offset: 0 }, callback, undefined, true);
  }

  private tooBigError(length: number): RingPipeError {
    return new RingPipeError(ErrorCode.MessageTooBig, `message of ${length} bytes is larger than pipe ${this.name} can hold (${this.endpoint.maxRecord} bytes)`);
  }

  /**
   * Writes from the cursor on until every chunk is in, waiting for room as needed; errors go
   * to the callback: the pipe's end, an abort, or readers gone (option `noReaders`).
   */
  private flush(chunks: readonly Uint8Array[], cursor: WriteCursor, callback: Callback, signal?: AbortSignal, tellSent = false): void {
    let gone: RingPipeError | undefined;
    while (cursor.index < chunks.length) {
      let result: number;
      try {
        result = this.endpoint.write(chunks, cursor);
        // Readers gone: one more try, in case the last of them made room as it left.
        if (result === NO_ROOM && !gone && (gone = this.presence.gone())) continue;
      } catch (err) {
        return this.flushed(callback, tellSent, err as Error);
      }
      if (result === NO_ROOM) {
        if (gone) return this.flushed(callback, tellSent, gone);
        const next = chunks[cursor.index]!;
        const wait = this.endpoint.waitWritable(Math.min(next.length - cursor.offset, this.endpoint.maxRecord));
        this.pendingWrite = wait;
        const resume = (): void => {
          if (this.pendingWrite === wait) this.pendingWrite = undefined;
          if (this.destroyed) this.flushed(callback, tellSent, closedError(this.name));
          else if (signal?.aborted) this.flushed(callback, tellSent, abortedBy(signal));
          else this.flush(chunks, cursor, callback, signal, tellSent);
        };
        if (signal) void untilDoneOrAborted(wait, signal).then(resume);
        else whenOver(wait, resume);
        return;
      }
      gone = undefined;
    }
    this.flushed(callback, tellSent);
  }

  /** The end of a flush: its callback, then (`tellSent`, a write of the stream) drained() looks again. */
  private flushed(callback: Callback, tellSent: boolean, err?: Error): void {
    callback(err);
    if (tellSent) this.sent();
  }

  private startWriting(): void {
    if (this.writingStarted) return;
    this.writingStarted = true;
    this.endpoint.startWriting();
  }

  override _final(callback: (error?: Error | null) => void): void {
    const batch = this.batchInFlight;
    if (batch) {
      void batch.then(() => this._final(callback));
      return;
    }
    this.endpoint.endWriting();
    callback();
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    this.pendingRead?.cancel();
    this.pendingWrite?.cancel();
    this.sent();
    this.endpoint.close().then(
      () => callback(err),
      (closeErr: Error) => callback(err ?? closeErr),
    );
  }
}

/**
 * What a RingPipe's 'data' listeners and iterators get: a Buffer per message (message mode) or
 * per chunk (byte mode).
 */
export interface RingPipe {
  on(event: 'data', listener: (chunk: Buffer) => void): this;
  on(event: 'error', listener: (err: Error) => void): this;
  on(event: 'close' | 'drain' | 'end' | 'finish' | 'pause' | 'readable' | 'resume', listener: () => void): this;
  on(event: string | symbol, listener: (...args: any[]) => void): this;
  once(event: 'data', listener: (chunk: Buffer) => void): this;
  once(event: 'error', listener: (err: Error) => void): this;
  once(event: 'close' | 'drain' | 'end' | 'finish' | 'pause' | 'readable' | 'resume', listener: () => void): this;
  once(event: string | symbol, listener: (...args: any[]) => void): this;
  addListener(event: 'data', listener: (chunk: Buffer) => void): this;
  addListener(event: string | symbol, listener: (...args: any[]) => void): this;
  prependListener(event: 'data', listener: (chunk: Buffer) => void): this;
  prependListener(event: string | symbol, listener: (...args: any[]) => void): this;
  read(size?: number): Buffer | null;
}

/** Resolves when `wait` is over, or at once when `signal` aborts (the wait is cancelled then). */
function untilDoneOrAborted(wait: Wait, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return wait.promise;
  const cancel = (): void => wait.cancel();
  signal.addEventListener('abort', cancel, { once: true });
  return wait.promise.finally(() => signal.removeEventListener('abort', cancel));
}

const isBytes = (message: string | Uint8Array): message is Uint8Array => message instanceof Uint8Array;

function asBuffer(message: string | Uint8Array): Buffer {
  if (typeof message === 'string') return Buffer.from(message);
  return Buffer.isBuffer(message) ? message : Buffer.from(message.buffer, message.byteOffset, message.byteLength);
}
