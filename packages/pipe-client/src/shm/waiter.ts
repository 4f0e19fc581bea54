import { FUTEX2_SIZE_U32, futexWaitvAsync, futexWake, mapShared, type Mapping } from './libc.js';

const WAITV_ENTRY = 24;
const WAITV_MAX = 128;

interface Interest {
  readonly words: Int32Array;
  readonly index: number;
  readonly address: bigint;
  readonly expected: number;
  readonly deadline: bigint;
  readonly resolve: () => void;
}

export interface PendingWait {
  readonly promise: Promise<void>;
  cancel(): void;
}

/**
 * One futex_waitv call at a time for the whole process, covering every pipe
 * that waits: idle pipes hold at most one libuv pool thread together, never one
 * each. A private control word lets a new or cancelled wait interrupt the call.
 */
class FutexWaiter {
  private readonly interests = new Set<Interest>();
  private inFlight = false;
  private control?: { mapping: Mapping; words: Int32Array };
  private readonly entries = Buffer.alloc(WAITV_ENTRY * WAITV_MAX);
  private readonly deadline = Buffer.alloc(16);
  private afterFlight: Array<() => void> = [];

  /**
   * Resolves once the word at `words[index]` (mapped at `address`) may differ
   * from `expected`, or after `timeoutMs`. Spurious resolutions are allowed:
   * callers re-check their condition.
   */
  wait(words: Int32Array, index: number, address: bigint, expected: number, timeoutMs: number): PendingWait {
    let interest!: Interest;
    const promise = new Promise<void>((resolve) => {
      const deadline = process.hrtime.bigint() + BigInt(Math.round(timeoutMs * 1e6));
      interest = { words, index, address, expected, deadline, resolve };
    });
    this.interests.add(interest);
    this.reschedule();
    return {
      promise,
      cancel: () => {
        if (this.interests.delete(interest)) {
          interest.resolve();
          this.reschedule();
        }
      },
    };
  }

  /** Resolves when no futex_waitv call still holds addresses of waits cancelled before this call. */
  quiesce(): Promise<void> {
    if (!this.inFlight) return Promise.resolve();
    return new Promise((resolve) => this.afterFlight.push(resolve));
  }

  private reschedule(): void {
    if (this.inFlight) {
      const control = this.controlWord();
      Atomics.add(control.words, 0, 1);
      futexWake(control.mapping.address);
    } else {
      this.issue();
    }
  }

  private issue(): void {
    this.settleReady();
    if (this.interests.size === 0) return;
    const control = this.controlWord();
    let count = 0;
    let deadline = -1n;
    count = this.putEntry(count, control.mapping.address, Atomics.load(control.words, 0));
    for (const interest of this.interests) {
      if (count === WAITV_MAX) break;
      count = this.putEntry(count, interest.address, interest.expected);
      if (deadline < 0n || interest.deadline < deadline) deadline = interest.deadline;
    }
    if (this.interests.size >= WAITV_MAX) {
      // The waits left out of this call are looked at again when it returns.
      const soon = process.hrtime.bigint() + 5_000_000n;
      if (soon < deadline) deadline = soon;
    }
    this.deadline.writeBigInt64LE(deadline / 1_000_000_000n, 0);
    this.deadline.writeBigInt64LE(deadline % 1_000_000_000n, 8);
    this.inFlight = true;
    futexWaitvAsync(this.entries, count, this.deadline, () => {
      this.inFlight = false;
      const waiting = this.afterFlight;
      this.afterFlight = [];
      for (const resolve of waiting) resolve();
      this.issue();
    });
  }

  private putEntry(at: number, address: bigint, value: number): number {
    const base = at * WAITV_ENTRY;
    this.entries.writeBigUInt64LE(BigInt(value >>> 0), base);
    this.entries.writeBigUInt64LE(address, base + 8);
    this.entries.writeUInt32LE(FUTEX2_SIZE_U32, base + 16);
    this.entries.writeUInt32LE(0, base + 20);
    return at + 1;
  }

  /** Resolves the waits whose word changed or whose time ran out. */
  private settleReady(): void {
    const now = process.hrtime.bigint();
    for (const interest of this.interests) {
      if (Atomics.load(interest.words, interest.index) !== interest.expected || interest.deadline <= now) {
        this.interests.delete(interest);
        interest.resolve();
      }
    }
  }

  private controlWord(): { mapping: Mapping; words: Int32Array } {
    if (!this.control) {
      const mapping = mapShared(-1, 4096);
      this.control = { mapping, words: new Int32Array(mapping.buffer, 0, 1) };
    }
    return this.control;
  }
}

export const futexWaiter = new FutexWaiter();
