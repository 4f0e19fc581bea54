import { EOF, NO_ROOM, WROTE, settledWait, type Endpoint, type Wait } from '../../backend.js';
import { ErrorCode, RingPipeError, closedError } from '../../errors.js';
import { closeAtExit, forgetAtExit } from '../../exit-hook.js';
import { PEER_CHECK_MS, POLL_BEFORE_SLEEP_US } from '../../wait/timing.js';
import { MODE_MESSAGE, Off, W, recordSize } from '../../ring/layout.js';
import { EMPTY, LOCKED, OK, TOO_BIG, type Ring, type RingStats, type WriteCursor } from '../../ring/ring.js';
import { LockBackoff } from '../../wait/lock-backoff.js';
import { Segment, type SegmentRequest } from './segment.js';
import { pollBriefly } from '../../wait/poll-briefly.js';
import { futexWaiter } from './futex-waiter.js';

/** The embedded backend: the ring in /dev/shm, futex wake-ups through one process-wide waiter. */
export class ShmEndpoint implements Endpoint {
  readonly backend = 'shm';
  readonly capacity: number;
  readonly mode: 'message' | 'byte';
  readonly maxRecord: number;
  private readonly segment: Segment;
  private readonly ring: Ring;
  private readonly words: Int32Array;
  private readonly waits = new Set<Wait>();
  private readonly readBackoff = new LockBackoff();
  private readonly writeBackoff = new LockBackoff();
  /** Set after a wait timed out: the next read also looks for dead peers. */
  private checkPeers = false;
  /** Set when close() starts: no new operation or wait may begin. */
  private closed = false;
  /** Set in the same tick as the unmap: from then on nothing may touch the ring. */
  private unmapped = false;

  constructor(
    readonly name: string,
    request: SegmentRequest,
    private readonly follow: boolean,
  ) {
    this.segment = Segment.open(name, request);
    this.ring = this.segment.ring;
    this.words = new Int32Array(this.segment.mapping.buffer, 0, 1024);
    this.capacity = this.ring.capacity;
    this.mode = this.ring.mode === MODE_MESSAGE ? 'message' : 'byte';
    this.maxRecord = this.ring.maxRecord;
    closeAtExit(this);
  }

  write(chunks: readonly Uint8Array[], cursor: WriteCursor): typeof WROTE | typeof NO_ROOM {
    if (this.closed) throw closedError(this.name);
    const result = this.ring.write(this.segment.slot, chunks, cursor);
    if (result === TOO_BIG) throw new RingPipeError(ErrorCode.MessageTooBig, `a message is larger than pipe ${this.name} can hold (${this.maxRecord} bytes)`);
    if (result === LOCKED) {
      this.writeBackoff.locked();
      return NO_ROOM;
    }
    this.writeBackoff.reset();
    return result === OK ? WROTE : NO_ROOM;
  }

  read(): Buffer | null | typeof EOF {
    if (this.closed) throw closedError(this.name);
    const checkPeers = this.checkPeers;
    this.checkPeers = false;
    const got = this.ring.read(this.segment.slot, Infinity, checkPeers);
    if (got === LOCKED) {
      this.readBackoff.locked();
      return null;
    }
    this.readBackoff.reset();
    if (typeof got !== 'number') return got;
    if (got === EMPTY && !this.follow && this.ring.isEof(this.segment.slot, checkPeers)) return EOF;
    return null;
  }

  waitReadable(): Wait {
    if (this.closed) return settledWait();
    const backoff = this.readBackoff.wait();
    if (backoff) return this.track(backoff);
    const ready = () => this.ring.readyToRead() || (!this.follow && this.ring.isEof(this.segment.slot, false));
    return this.track(
      this.pollThenSleep(ready, () => {
        const seq = this.ring.beginReadWait();
        // Announced as waiting: from here on every commit and every writer's exit bumps data_seq.
        if (ready()) {
          this.ring.endReadWait();
          return undefined;
        }
        return this.sleep(W(Off.dataSeq), seq, () => this.ring.endReadWait());
      }),
    );
  }

  waitWritable(size: number): Wait {
    if (this.closed) return settledWait();
    const backoff = this.writeBackoff.wait();
    if (backoff) return this.track(backoff);
    const ready = () => this.ring.freeBytes() >= recordSize(size);
    return this.track(
      this.pollThenSleep(ready, () => {
        const seq = this.ring.beginWriteWait();
        if (ready()) {
          this.ring.endWriteWait();
          return undefined;
        }
        return this.sleep(W(Off.spaceSeq), seq, () => this.ring.endWriteWait());
      }),
    );
  }

  /** Polls from the event loop for a moment, then sleeps on the futex (`sleep` returns undefined when it need not). */
  private pollThenSleep(ready: () => boolean, sleep: () => Wait | undefined): Wait {
    const poll = pollBriefly(ready, POLL_BEFORE_SLEEP_US);
    let sleeping: Wait | undefined;
    let cancelled = false;
    return {
      promise: poll.promise.then((isReady) => {
        if (isReady || cancelled || this.unmapped) return;
        sleeping = sleep();
        return sleeping?.promise;
      }),
      cancel: () => {
        cancelled = true;
        poll.cancel();
        sleeping?.cancel();
      },
    };
  }

  private track(wait: Wait): Wait {
    this.waits.add(wait);
    wait.promise.then(() => this.waits.delete(wait));
    return wait;
  }

  private sleep(word: number, seq: number, done: () => void): Wait {
    const pending = futexWaiter.wait(this.words, word, this.segment.mapping.address + BigInt(word * 4), seq, PEER_CHECK_MS);
    return {
      promise: pending.promise.then(() => {
        if (this.unmapped) return;
        done();
        if (Atomics.load(this.words, word) === seq) this.checkPeers = true;
      }),
      cancel: () => pending.cancel(),
    };
  }

  startWriting(): void {
    if (this.closed) return;
    this.ring.setWriter(this.segment.slot);
  }

  endWriting(): void {
    if (this.closed) return;
    this.ring.endWriting(this.segment.slot);
  }

  startReading(): void {
    if (this.closed) return;
    this.ring.setReader(this.segment.slot);
  }

  stopReading(): void {
    if (this.closed) return;
    this.ring.clearReader(this.segment.slot);
  }

  stats(): RingStats {
    if (this.closed) throw closedError(this.name);
    return this.ring.stats();
  }

  private closing?: Promise<void>;

  close(): Promise<void> {
    return (this.closing ??= this.release());
  }

  private async release(): Promise<void> {
    this.closed = true;
    for (const wait of this.waits) wait.cancel();
    await Promise.all([...this.waits].map((wait) => wait.promise));
    // The waiter may still be inside futex_waitv on our words: unmap only after it left.
    await futexWaiter.quiesce();
    forgetAtExit(this);
    this.unmapped = true;
    this.segment.close();
  }

  /** At process exit: detach synchronously so that peers see this handle gone at once. */
  closeAtExit(): void {
    this.closed = true;
    this.unmapped = true;
    this.segment.close();
  }
}
