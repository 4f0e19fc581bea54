import { EOF, NO_ROOM, WROTE, nextTooBig, recordTooBig, type Endpoint } from './endpoint.js';
import { Waiting, settledWait, whenOver, type Wait } from './wait/wait.js';
import { ErrorCode, RingPipeError, closedError } from './errors.js';
import { closeAtExit, forgetAtExit } from './exit-hook.js';
import { HEADER_SIZE, Off, W, modeName, recordSize, type WakeWord } from './ring/layout.js';
import { ALREADY, EMPTY, LOCKED, OK, TOO_BIG, TOO_SMALL, type Ring, type RingStats, type WriteCursor } from './ring/ring.js';
import { LockBackoff } from './wait/lock-backoff.js';
import { peerWatch } from './wait/peer-watch.js';
import { pollBriefly } from './wait/poll-briefly.js';
import { PollWindow } from './wait/poll-window.js';
import { IDLE_READER_CHECK_MS, PEER_CHECK_MS } from './wait/timing.js';
import { WaitSet } from './wait/wait-set.js';

/** What differs between the backends that map the ring: how a handle sleeps and how it lets go. */
export interface RingTransport {
  /**
   * Resolves once the wake word `which` (at `words[W(which)]`) may differ from
   * `seq`, or after a while (the caller then looks at its peers' liveness).
   */
  sleep(which: WakeWord, words: Int32Array, seq: number): Wait;
  /**
   * Set when `sleep` waits until it is woken, with no time limit: the handle then asks the
   * process-wide peer watch to cancel it when its peers need a look (wait/peer-watch.ts).
   */
  readonly untilWoken?: boolean;
  /**
   * What a sleeper of this handle adds to the ring's waiting counts (OS_WAITER or
   * BELL_WAITER, which tells wakers how to wake it); 0: the driver's poll() counts it in the kernel.
   */
  readonly waiterKind: number;
  /** How long a waiter looks at the ring from the event loop before it sleeps (0: it sleeps at once). */
  readonly pollFirstUs: number;
  /** Called before a writer sleeps for room for a record of `size` payload bytes. */
  beforeWriteSleep?(size: number): void;
  /** A failure that ends the handle (e.g. the driver stopped answering), once there is one. */
  failure?(): RingPipeError | undefined;
  /** Resolves when no OS call still uses what this handle's waits used. */
  quiesce(): Promise<void>;
  /** Detaches, unmaps and closes; synchronous, so that it also runs at process exit. */
  release(): void;
}

/**
 * One handle on a ring mapped into this process, whatever holds it (a
 * shared-memory file or section, or a driver's mapping): reads and writes go
 * straight to the mapping through the TypeScript Ring, and only sleeping and
 * waking take a system call, through the transport.
 */
export class MappedEndpoint implements Endpoint {
  readonly capacity: number;
  readonly mode: 'message' | 'byte';
  readonly maxRecord: number;
  private readonly words: Int32Array;
  private readonly waits = new WaitSet();
  private readonly readBackoff = new LockBackoff();
  private readonly writeBackoff = new LockBackoff();
  /**
   * The low-latency mode: how long (microseconds) a wait first spins on the ring,
   * synchronously, before it polls from the event loop and sleeps. 0: never.
   */
  spinUs = 0;
  /** Set by the open function that made the pipe. */
  created = false;
  /** How long waits for data and for room poll before they sleep. */
  private readonly pollWindows: Record<WakeWord, PollWindow>;
  /** Set after a sleep timed out: the next read also looks at its peers' liveness. */
  private checkLiveness = false;
  /** Set when close() starts: no new operation or wait may begin. */
  private closed = false;
  /** Set in the same tick as the release: from then on nothing may touch the ring. */
  private released = false;
  private closing?: Promise<void>;

  constructor(
    readonly name: string,
    readonly backend: 'shm' | 'driver',
    private readonly ring: Ring,
    buffer: ArrayBuffer,
    private readonly slot: number,
    private readonly follow: boolean,
    private readonly transport: RingTransport,
  ) {
    this.words = new Int32Array(buffer, 0, HEADER_SIZE / 4);
    this.pollWindows = { [Off.dataSeq]: new PollWindow(transport.pollFirstUs), [Off.spaceSeq]: new PollWindow(transport.pollFirstUs) };
    this.capacity = ring.capacity;
    this.mode = modeName(ring.mode);
    this.maxRecord = ring.maxRecord;
    closeAtExit(this);
  }

  private usable(): void {
    if (this.closed) throw closedError(this.name);
    const failure = this.transport.failure?.();
    if (failure) throw failure;
  }

  write(chunks: readonly Uint8Array[], cursor: WriteCursor): typeof WROTE | typeof NO_ROOM {
    this.usable();
    return this.wrote(this.ring.write(this.slot, chunks, cursor));
  }

  private wrote(result: number): typeof WROTE | typeof NO_ROOM {
    if (result === TOO_BIG) {
      throw recordTooBig(this.name, this.maxRecord);
    }
    if (result === LOCKED) this.writeBackoff.locked();
    else this.writeBackoff.reset();
    return result === OK ? WROTE : NO_ROOM;
  }

  read(): Buffer | null | typeof EOF {
    return this.reading((checkLiveness) => this.ring.read(this.slot, Infinity, checkLiveness));
  }

  readBatch(max: number): Buffer[] | null | typeof EOF {
    return this.reading((checkLiveness) => this.ring.readBatch(this.slot, max, checkLiveness));
  }

  readInto(target: Uint8Array): number | null | typeof EOF {
    const got = this.reading((checkLiveness) => {
      const n = this.ring.readInto(this.slot, target, checkLiveness);
      // A length is a result too: tell it from the codes, which are negative.
      return n >= 0 ? [n] : n;
    });
    return got === null || got === EOF ? got : got[0]!;
  }

  peek(): Buffer | null | typeof EOF {
    return this.reading((checkLiveness) => this.ring.peek(this.slot, checkLiveness));
  }

  releasePeek(consume: boolean): void {
    if (!this.released) this.ring.releasePeek(consume);
  }

  writeWithCursor(chunks: readonly Uint8Array[], cursor: bigint): typeof WROTE | typeof NO_ROOM | 'already' {
    this.usable();
    const result = this.ring.writeWithCursor(this.slot, chunks, cursor);
    if (result === ALREADY) return 'already';
    if (result === TOO_BIG) {
      throw new RingPipeError(ErrorCode.MessageTooBig, `a batch with a cursor must fit pipe ${this.name} whole (${this.capacity} bytes with the records' headers)`);
    }
    return this.wrote(result);
  }

  cursor(): bigint {
    this.usable();
    return this.ring.cursor();
  }

  peekMore(max: number): { data: Buffer; position: number }[] {
    this.usable();
    return this.ring.peekMore(max);
  }

  releaseShown(count: number): void {
    if (!this.released) this.ring.releaseShown(count);
  }

  waitShowable(): Wait {
    if (this.closed) return settledWait();
    return this.waitFor(Off.dataSeq, () => this.ring.readyAfterShown());
  }

  writeInPlace(length: number, fill: (view: Buffer) => void): typeof WROTE | typeof NO_ROOM {
    this.usable();
    return this.wrote(this.ring.writeInPlace(this.slot, length, fill));
  }

  /** Runs one Read of the ring and maps its codes: null when the caller must wait (LOCKED: on a timer), EOF at the end. */
  private reading<T extends object>(readOnce: (checkLiveness: boolean) => T | number): T | null | typeof EOF {
    this.usable();
    const checkLiveness = this.checkLiveness;
    this.checkLiveness = false;
    const got = readOnce(checkLiveness);
    if (got === LOCKED) {
      this.readBackoff.locked();
      return null;
    }
    this.readBackoff.reset();
    if (typeof got !== 'number') return got;
    if (got === TOO_SMALL) throw nextTooBig(this.name);
    if (got === EMPTY && !this.follow && this.ring.eof(this.slot, checkLiveness)) return EOF;
    return null;
  }

  waitReadable(): Wait {
    if (this.closed) return settledWait();
    const backoff = this.readBackoff.wait();
    if (backoff) return this.waits.track(backoff);
    return this.waitFor(Off.dataSeq, () => this.ring.readable() || (!this.follow && this.ring.eof(this.slot, false)));
  }

  waitWritable(size: number): Wait {
    if (this.closed) return settledWait();
    const backoff = this.writeBackoff.wait();
    if (backoff) return this.waits.track(backoff);
    return this.waitFor(Off.spaceSeq, () => this.ring.freeBytes() >= recordSize(size), size);
  }

  /** Looks at the ring from the event loop for a moment (a quick peer costs no system call), then sleeps. */
  private waitFor(which: WakeWord, ready: () => boolean, size?: number): Wait {
    if (this.spinUs === 0) return this.waits.track(this.pollThenSleep(which, ready, size));
    // The spin blocks the event loop: it starts after the microtasks queued so far, one of
    // which may be the caller's answer to the peer that the spin waits for.
    let rest: Waiting | undefined;
    const waiting = new Waiting(() => rest?.cancel());
    queueMicrotask(() => {
      if (waiting.done) return;
      if (this.closed || spin(ready, this.spinUs)) return waiting.finish();
      rest = this.pollThenSleep(which, ready, size);
      rest.onDone(() => waiting.finish());
    });
    return this.waits.track(waiting);
  }

  /**
   * Polls (wait/poll-briefly.ts), then sleeps, with no promise on the way: a sleep that
   * starts at once (sparse traffic) starts in this call, and the transport's wake runs the caller's next step.
   */
  private pollThenSleep(which: WakeWord, ready: () => boolean, size?: number): Waiting {
    const started = performance.now();
    const window = this.pollWindows[which];
    let stopPoll: (() => void) | undefined;
    let sleeping: Wait | undefined;
    const waiting = new Waiting(() => {
      stopPoll?.();
      sleeping?.cancel();
    });
    waiting.onDone(() => window.ended((performance.now() - started) * 1000));
    const polled = (isReady: boolean): void => {
      stopPoll = undefined;
      if (isReady || waiting.done || this.released) return waiting.finish();
      if (size !== undefined) this.transport.beforeWriteSleep?.(size);
      sleeping = this.sleep(which, ready);
      if (sleeping) whenOver(sleeping, () => waiting.finish());
      else waiting.finish();
    };
    const windowUs = window.nextUs();
    // No window (a sparse reader after a long wait): one look, and nothing allocated for it.
    if (windowUs <= 0) polled(ready());
    else stopPoll = pollBriefly(ready, windowUs, polled);
    return waiting;
  }

  /** Announces the waiter (every later change of the word wakes it), looks once more, then sleeps; undefined when it need not. */
  private sleep(which: WakeWord, ready: () => boolean): Wait | undefined {
    const kind = this.transport.waiterKind;
    const seq = kind ? this.ring.beginWait(which, kind) : Atomics.load(this.words, W(which));
    if (ready()) {
      if (kind) this.ring.endWait(which, kind);
      return undefined;
    }
    const pending = this.transport.sleep(which, this.words, seq);
    const unwatch = this.transport.untilWoken ? this.watchPeers(which, seq, pending) : undefined;
    const waiting = new Waiting(() => pending.cancel());
    whenOver(pending, () => {
      unwatch?.();
      if (!this.released) {
        if (kind) this.ring.endWait(which, kind);
        if (Atomics.load(this.words, W(which)) === seq) this.checkLiveness = true;
      }
      waiting.finish();
    });
    return waiting;
  }

  /**
   * Has the process-wide watch cancel `sleeping` when the word moved without a wake (another
   * sleeper or a peer took the bell's byte), or when a look at the peers may change what a read returns: no
   * live writer is left, or the oldest record is a reservation whose writer may be gone.
   * A writer waiting for room wakes at each look, to look at its readers (noReaders).
   */
  private watchPeers(which: WakeWord, seq: number, sleeping: Wait): () => void {
    const reading = which === Off.dataSeq;
    return peerWatch.watch({
      everyMs: reading ? IDLE_READER_CHECK_MS : PEER_CHECK_MS,
      words: this.words,
      index: W(which),
      seq,
      due: () =>
        !reading ||
        (!this.ring.isEmpty() && !this.ring.readable()) ||
        (!this.follow && this.ring.eof(this.slot, true)),
      wake: () => sleeping.cancel(),
    });
  }

  startWriting(): void {
    if (!this.closed) this.ring.setWriter(this.slot);
  }

  endWriting(): void {
    if (!this.closed) this.ring.endWriting(this.slot);
  }

  startReading(): void {
    if (!this.closed) this.ring.setReader(this.slot);
  }

  stopReading(): void {
    if (!this.closed) this.ring.clearReader(this.slot);
  }

  writtenThrough(): number {
    return this.ring.writtenThrough;
  }

  readThrough(): number {
    if (this.closed) throw closedError(this.name);
    return this.ring.readThrough();
  }

  stats(): RingStats {
    if (this.closed) throw closedError(this.name);
    return this.ring.stats();
  }

  close(): Promise<void> {
    return (this.closing ??= this.letGo());
  }

  private async letGo(): Promise<void> {
    this.closed = true;
    // A message still held by a peek stays in the ring for the next reader.
    this.ring.releasePeek(false);
    await this.waits.cancelAll();
    // The process-wide wait may still be inside its system call on our words or handles.
    await this.transport.quiesce();
    this.closeAtExit();
  }

  /** At process exit (and at the end of close()): detach synchronously, so that peers see this handle gone at once. */
  closeAtExit(): void {
    if (this.released) return;
    this.closed = true;
    this.released = true;
    forgetAtExit(this);
    this.transport.release();
  }
}

/** Spins on `ready()` for up to `microseconds`, blocking the event loop meanwhile; whether it held. */
function spin(ready: () => boolean, microseconds: number): boolean {
  const deadline = performance.now() + microseconds / 1000;
  do if (ready()) return true;
  while (performance.now() < deadline);
  return false;
}
