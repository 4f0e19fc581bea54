import { EOF, NO_ROOM, WROTE, settledWait, type Endpoint, type Wait } from './backend.js';
import { ErrorCode, RingPipeError, closedError } from './errors.js';
import { closeAtExit, forgetAtExit } from './exit-hook.js';
import { HEADER_SIZE, MODE_MESSAGE, Off, W, recordSize } from './ring/layout.js';
import { EMPTY, LOCKED, OK, Ring, TOO_BIG, type RingPlatform, type RingStats, type WriteCursor } from './ring/ring.js';
import { LockBackoff } from './wait/lock-backoff.js';
import { WAKE_DATA, WAKE_SPACE } from './backends/windows-driver/abi.js';
import { k32 } from './platform/windows/kernel32.js';
import { handleWaiter } from './platform/windows/waiter.js';

/** What differs between the driver and the named-mapping backends: how to sleep, wake and let go. */
export interface Transport {
  sleep(which: number, words: Int32Array, word: number, seq: number): Wait;
  wake(which: number): void;
  /** A failure that ends the handle (e.g. the driver stopped answering), once there is one. */
  failure(): RingPipeError | undefined;
  release(): void;
}

export function ringPlatform(alive: RingPlatform['alive'], wake: (which: number) => void): RingPlatform {
  return {
    alive,
    yieldCpu: () => void k32().SwitchToThread(),
    wake: (byteOffset) => wake(byteOffset === Off.spaceSeq ? WAKE_SPACE : WAKE_DATA),
  };
}

/**
 * The ring of docs/ring-format.md mapped into this process, on Windows: either
 * the driver's segment (IOCTL_RINGPIPE_MAP) or a named file mapping in the
 * `Local\` namespace. Reads and writes go straight to the mapping through the
 * TypeScript Ring; only sleeping and waking take a system call.
 */
export class WinRingEndpoint implements Endpoint {
  readonly capacity: number;
  readonly mode: 'message' | 'byte';
  readonly maxRecord: number;
  private readonly words: Int32Array;
  private readonly waits = new Set<Wait>();
  private checkPeers = false;
  private closed = false;
  private readonly readBackoff = new LockBackoff();
  private readonly writeBackoff = new LockBackoff();
  private closing?: Promise<void>;

  constructor(
    readonly name: string,
    readonly backend: 'shm' | 'driver',
    private readonly ring: Ring,
    buffer: ArrayBuffer,
    private readonly slot: number,
    private readonly follow: boolean,
    private readonly transport: Transport,
  ) {
    this.words = new Int32Array(buffer, 0, HEADER_SIZE / 4);
    this.capacity = ring.capacity;
    this.mode = ring.mode === MODE_MESSAGE ? 'message' : 'byte';
    this.maxRecord = ring.maxRecord;
    closeAtExit(this);
  }

  private usable(): void {
    if (this.closed) throw closedError(this.name);
    const failure = this.transport.failure();
    if (failure) throw failure;
  }

  write(chunks: readonly Uint8Array[], cursor: WriteCursor): typeof WROTE | typeof NO_ROOM {
    this.usable();
    const result = this.ring.write(this.slot, chunks, cursor);
    if (result === TOO_BIG) throw new RingPipeError(ErrorCode.MessageTooBig, `a message is larger than pipe ${this.name} can hold (${this.maxRecord} bytes)`);
    if (result === LOCKED) this.writeBackoff.locked();
    else this.writeBackoff.reset();
    return result === OK ? WROTE : NO_ROOM;
  }

  read(): Buffer | null | typeof EOF {
    this.usable();
    const checkPeers = this.checkPeers;
    this.checkPeers = false;
    const got = this.ring.read(this.slot, Infinity, checkPeers);
    if (got === LOCKED) {
      this.readBackoff.locked();
      return null;
    }
    this.readBackoff.reset();
    if (typeof got !== 'number') return got;
    if (got === EMPTY && !this.follow && this.ring.isEof(this.slot, checkPeers)) return EOF;
    return null;
  }

  waitReadable(): Wait {
    const backoff = this.readBackoff.wait();
    if (backoff) return backoff;
    const seq = this.ring.beginReadWait();
    if (this.ring.readyToRead() || (!this.follow && this.ring.isEof(this.slot, false))) {
      this.ring.endReadWait();
      return settledWait();
    }
    return this.sleep(WAKE_DATA, W(Off.dataSeq), seq, () => this.ring.endReadWait());
  }

  waitWritable(size: number): Wait {
    const backoff = this.writeBackoff.wait();
    if (backoff) return backoff;
    const seq = this.ring.beginWriteWait();
    if (this.ring.freeBytes() >= recordSize(size)) {
      this.ring.endWriteWait();
      return settledWait();
    }
    return this.sleep(WAKE_SPACE, W(Off.spaceSeq), seq, () => this.ring.endWriteWait());
  }

  private sleep(which: number, word: number, seq: number, done: () => void): Wait {
    const pending = this.transport.sleep(which, this.words, word, seq);
    const wait: Wait = {
      promise: pending.promise.then(() => {
        this.waits.delete(wait);
        if (this.closed) return;
        done();
        if (Atomics.load(this.words, word) === seq) this.checkPeers = true;
      }),
      cancel: () => pending.cancel(),
    };
    this.waits.add(wait);
    return wait;
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

  stats(): RingStats {
    if (this.closed) throw closedError(this.name);
    return this.ring.stats();
  }

  close(): Promise<void> {
    return (this.closing ??= this.release());
  }

  private async release(): Promise<void> {
    for (const wait of this.waits) wait.cancel();
    await Promise.all([...this.waits].map((wait) => wait.promise));
    // The process-wide wait may still hold our handles: close them only once it let go.
    await handleWaiter.quiesce();
    this.closeAtExit();
  }

  /** Synchronous, so that it also runs at process exit: peers see this handle gone at once. */
  closeAtExit(): void {
    if (this.closed) return;
    this.closed = true;
    forgetAtExit(this);
    this.transport.release();
  }
}
