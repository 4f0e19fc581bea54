import { EOF, NO_ROOM, WROTE, nextTooBig, recordTooBig, type Endpoint } from './endpoint.js';
import { Waiting, settledWait, whenOver, type Wait } from './wait/wait.js';
import { ErrorCode, RingPipeError, closedError } from './errors.js';
import { closeAtExit, forgetAtExit } from './exit-hook.js';
import { HEADER_SIZE, Off, W, modeName, recordSize, type WakeWord } from './ring/layout.js';
import { ALREADY, EMPTY, LOCKED, OK, TOO_BIG, TOO_SMALL, type Ring, type RingStats, type WriteCursor } from './ring/ring.js';
import { LockBackoff } from './wait/lock-backoff.js';
import { peerWatch, type Watched } from './wait/peer-watch.js';
import { turnEnd, type AtTurnEnd } from './wait/turn-end.js';
import { yieldAfterWake } from './wait/cpu-handoff.js';
import { PollWindow } from './wait/poll-window.js';
import { IDLE_READER_CHECK_MS, PEER_CHECK_MS, POLL_TURN_US } from './wait/timing.js';
import { WaitSet } from './wait/wait-set.js';

/** A bell that the event loop watches (linux-shm): a sleeper on it is finished at the next ring, and takes itself off with forget(). */
export interface SleepBell {
  sleep(sleeper: Waiting): void;
  forget(sleeper: Waiting): void;
}

/** What differs between the backends that map the ring: how a handle sleeps and how it lets go. */
export type RingTransport = TransportCommon &
  (
    | {
        /**
         * Resolves once the wake word `which` (at `words[W(which)]`) may differ from
         * `seq`, or after a while (the caller then looks at its peers' liveness).
         */
        sleep(which: WakeWord, words: Int32Array, seq: number): Wait;
        bells?: undefined;
      }
    | {
        /**
         * The bell of each wake word: a sleep on it has no time limit and no Wait of its own (the
         * RingWait itself sleeps), and the handle asks the process-wide peer watch to cancel it
         * when its peers need a look (wait/peer-watch.ts).
         */
        bells: { of(which: WakeWord): SleepBell };
        sleep?: undefined;
      }
  );

interface TransportCommon {
  /**
   * What a sleeper of this handle adds to the ring's waiting counts (OS_WAITER or
   * BELL_WAITER, which tells wakers how to wake it); 0: the driver's poll() counts it in the kernel.
   */
  readonly waiterKind: number;
  /** How long a waiter looks at the ring from the event loop before it sleeps (0: it sleeps at once). */
  readonly pollFirstUs: number;
  /** Lets the CPU go to another runnable process (sched_yield): a poll's turn after this process woke a peer (wait/cpu-handoff.ts). */
  yieldCpu?(): void;
  /** Whether a look at this handle's peers taken at `since` still holds: the kernel would have told of a peer that left since (linux-shm, its lock files watched). */
  peersHeldSince?(since: number): boolean;
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
  readonly words: Int32Array;
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
  /** How long waits for data and for room poll before they sleep (two fields: an object keyed by the words' offsets would hold a sparse array). */
  private readonly dataPoll: PollWindow;
  private readonly spacePoll: PollWindow;
  /** Set after a sleep timed out: the next read also looks at its peers' liveness. */
  private checkLiveness = false;
  /** Set when close() starts: no new operation or wait may begin. */
  private closed = false;
  /** Set in the same tick as the release: from then on nothing may touch the ring. */
  released = false;
  private closing?: Promise<void>;

  constructor(
    readonly name: string,
    readonly backend: 'shm' | 'driver',
    readonly ring: Ring,
    buffer: ArrayBuffer,
    private readonly slot: number,
    private readonly follow: boolean,
    readonly transport: RingTransport,
  ) {
    this.words = new Int32Array(buffer, 0, HEADER_SIZE / 4);
    this.dataPoll = new PollWindow(transport.pollFirstUs);
    this.spacePoll = new PollWindow(transport.pollFirstUs);
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
    return this.reading(this.readOne);
  }

  /** One message (or a byte-mode chunk), as read() asks for it on every call: made once. */
  private readonly readOne = (checkLiveness: boolean): Buffer | number => this.ring.read(this.slot, Infinity, checkLiveness);
  /** What a reader waits for: made once, as waitReadable() is called once per wait. */
  private readonly dataReady = (): boolean => this.ring.readable() || (!this.follow && this.ring.eof(this.slot, false));

  readBatch(max: number): Buffer[] | null | typeof EOF {
    return this.reading((checkLiveness) => this.ring.readBatch(this.slot, max, checkLiveness));
  }

  readInto(target: Uint8Array): number | null | typeof EOF {
    this.usable();
    const checkLiveness = this.takeLivenessCheck();
    const n = this.ring.readInto(this.slot, target, checkLiveness);
    // A length is a result too: the codes are negative.
    if (n < 0) return this.afterCode(n, checkLiveness);
    this.readBackoff.reset();
    return n;
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
    const checkLiveness = this.takeLivenessCheck();
    const got = readOnce(checkLiveness);
    if (typeof got === 'number') return this.afterCode(got, checkLiveness);
    this.readBackoff.reset();
    return got;
  }

  /** Whether this read also looks at the peers' liveness (a sleep timed out before it); once. */
  private takeLivenessCheck(): boolean {
    const checkLiveness = this.checkLiveness;
    this.checkLiveness = false;
    return checkLiveness;
  }

  /** What a Read's code means to the caller. */
  private afterCode(code: number, checkLiveness: boolean): null | typeof EOF {
    if (code === LOCKED) {
      this.readBackoff.locked();
      return null;
    }
    this.readBackoff.reset();
    if (code === TOO_SMALL) throw nextTooBig(this.name);
    if (code === EMPTY && !this.follow && this.ring.eof(this.slot, checkLiveness)) return EOF;
    return null;
  }

  waitReadable(): Wait {
    if (this.closed) return settledWait();
    const backoff = this.readBackoff.wait();
    if (backoff) return this.waits.track(backoff);
    return this.waitFor(Off.dataSeq, this.dataReady);
  }

  waitWritable(size: number): Wait {
    if (this.closed) return settledWait();
    const backoff = this.writeBackoff.wait();
    if (backoff) return this.waits.track(backoff);
    return this.waitFor(Off.spaceSeq, () => this.ring.freeBytes() >= recordSize(size), size);
  }

  /** Looks at the ring from the event loop for a moment (a quick peer costs no system call), then sleeps. */
  private waitFor(which: WakeWord, ready: () => boolean, size?: number): Wait {
    if (this.spinUs === 0) return this.waits.track(new RingWait(this, which, ready, size).start());
    // The spin blocks the event loop: it starts after the microtasks queued so far, one of
    // which may be the caller's answer to the peer that the spin waits for.
    let rest: Waiting | undefined;
    const waiting = new Waiting(() => rest?.cancel());
    queueMicrotask(() => {
      if (waiting.done) return;
      if (this.closed || spinUntil(ready, performance.now() + this.spinUs / 1000)) return waiting.finish();
      rest = new RingWait(this, which, ready, size).start();
      rest.onDone(() => waiting.finish());
    });
    return this.waits.track(waiting);
  }

  pollWindow(which: WakeWord): PollWindow {
    return which === Off.dataSeq ? this.dataPoll : this.spacePoll;
  }

  /** For a RingWait that slept: it counted itself out, and a wake word that did not move asks the next read to look at the peers. */
  sleepEnded(which: WakeWord, seq: number): void {
    if (this.released) return;
    const kind = this.transport.waiterKind;
    if (kind) this.ring.endWait(which, kind);
    if (Atomics.load(this.words, W(which)) === seq) this.checkLiveness = true;
  }

  /**
   * Whether a reader sleeping on a bell must wake to look at its peers, which may change what a
   * read returns: no live writer is left, or the oldest record is a reservation whose writer may be gone.
   */
  peersDue(): boolean {
    return (!this.ring.isEmpty() && !this.ring.readable()) || (!this.follow && this.ring.eof(this.slot, true));
  }

  startWriting(): void {
    if (this.closed) return;
    this.ring.setWriter(this.slot);
    this.ring.mapAhead(Off.head);
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

/**
 * One wait of a handle on a wake word: polls, then sleeps on the transport, with no promise on
 * the way. The poll looks at the ring at the end of each turn of the event loop (so I/O goes on
 * in between) until its window (PollWindow) has passed. A sleep that starts at once (sparse
 * traffic) starts in the call, and the transport's wake (a bell's read callback) runs the
 * caller's next step. One object per wait, and nothing else allocated for it: it is also what
 * the process-wide peer watch looks at while it sleeps.
 */
class RingWait extends Waiting implements Watched, AtTurnEnd {
  readonly everyMs: number;
  readonly words: Int32Array;
  readonly index: number;
  seq = 0;
  nextLook = 0;
  watchAt: number | undefined = undefined;
  private readonly started = performance.now();
  /** While it polls: when the poll gives up (performance.now()'s clock). */
  private pollUntil = 0;
  /** While it sleeps: the transport's wait, or the bell it sleeps on (in person: a wake makes nothing). */
  private sleeping: Wait | undefined;
  private bell: SleepBell | undefined;

  constructor(
    private readonly endpoint: MappedEndpoint,
    private readonly which: WakeWord,
    private readonly ready: () => boolean,
    private readonly size: number | undefined,
  ) {
    super();
    this.words = endpoint.words;
    this.index = W(which);
    this.everyMs = which === Off.dataSeq ? IDLE_READER_CHECK_MS : PEER_CHECK_MS;
  }

  start(): this {
    // The record it waits for lands on a page mapped in this process (Ring.mapAhead).
    if (this.which === Off.dataSeq) this.endpoint.ring.mapAhead(Off.tail);
    const windowUs = this.endpoint.pollWindow(this.which).nextUs();
    // No window (a sparse reader after a long wait): one look.
    if (windowUs <= 0) this.polled(this.ready());
    else if (this.ready()) this.finish();
    else {
      this.pollUntil = this.started + windowUs / 1000;
      turnEnd.add(this);
    }
    return this;
  }

  /** The poll's next looks, for a few microseconds of this turn; a cancelled wait is over already and looks no more. */
  turnEnded(): void {
    if (this.done) return;
    yieldAfterWake(this.endpoint.transport.yieldCpu);
    const turnUntil = Math.min(this.pollUntil, performance.now() + POLL_TURN_US / 1000);
    if (spinUntil(this.ready, turnUntil)) this.polled(true);
    else if (turnUntil === this.pollUntil) this.polled(false);
    else turnEnd.add(this);
  }

  protected override stop(): void {
    this.bell?.forget(this);
    this.sleeping?.cancel();
  }

  /** However the wait ends: a sleep counts itself out, and a bell's sleeper leaves the peer watch. */
  protected override ended(): void {
    this.endpoint.pollWindow(this.which).ended((performance.now() - this.started) * 1000);
    if (this.bell) peerWatch.remove(this);
    if (this.bell || this.sleeping) this.endpoint.sleepEnded(this.which, this.seq);
  }

  private polled(isReady: boolean): void {
    if (isReady || this.done || this.endpoint.released) return this.finish();
    const { transport, ring } = this.endpoint;
    if (this.size !== undefined) transport.beforeWriteSleep?.(this.size);
    // Counts itself a sleeper (every later change of the word wakes it), looks once more, then sleeps.
    const kind = transport.waiterKind;
    this.seq = kind ? ring.beginWait(this.which, kind) : Atomics.load(this.endpoint.words, this.index);
    if (this.ready()) {
      if (kind) ring.endWait(this.which, kind);
      return this.finish();
    }
    if (transport.bells) {
      // Sleeping until woken: the process-wide watch cancels the sleep when the word moved without a wake
      // (another sleeper or a peer took the bell's byte) or the peers need a look (wait/peer-watch.ts).
      (this.bell = transport.bells.of(this.which)).sleep(this);
      peerWatch.add(this);
      return;
    }
    this.sleeping = transport.sleep(this.which, this.endpoint.words, this.seq);
    whenOver(this.sleeping, () => this.finish());
  }

  /** A writer waiting for room wakes at each look, to look at its readers (noReaders). */
  due(): boolean {
    return this.which !== Off.dataSeq || this.endpoint.peersDue();
  }

  /** A reader's look holds while its writers' liveness does: the ring changes only with a wake. */
  lookHolds(since: number): boolean {
    return this.which === Off.dataSeq && this.endpoint.transport.peersHeldSince?.(since) === true;
  }

  wake(): void {
    this.cancel();
  }
}

/**
 * Spins on `ready()` until `deadline` (performance.now()'s clock), blocking the event loop
 * meanwhile; whether it held. It reads the clock every LOOKS_PER_CLOCK looks: a look costs tens
 * of nanoseconds, and performance.now() allocates its result.
 */
function spinUntil(ready: () => boolean, deadline: number): boolean {
  do for (let look = 0; look < LOOKS_PER_CLOCK; look++) if (ready()) return true;
  while (performance.now() < deadline);
  return false;
}

const LOOKS_PER_CLOCK = 16;
