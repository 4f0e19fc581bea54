import type { Wait } from '../../wait/wait.js';
import { ProcessWaiter } from '../../wait/process-waiter.js';
import { FUTEX2_SIZE_U32, futexWaitvAsync, futexWake, mapShared, type Mapping } from '../../platform/linux/libc.js';

const WAITV_ENTRY = 24;
const WAITV_MAX = 128;

interface WordWait {
  readonly words: Int32Array;
  readonly index: number;
  readonly address: bigint;
  readonly expected: number;
  readonly deadline: bigint;
  readonly resolve: () => void;
}

/** The shm backend's waiter: futex_waitv over the wake words of every waiting pipe, plus a private control word. */
class FutexWaiter extends ProcessWaiter<WordWait> {
  private control?: { mapping: Mapping; words: Int32Array };
  private readonly entries = Buffer.alloc(WAITV_ENTRY * WAITV_MAX);
  private readonly deadline = Buffer.alloc(16);

  /** Resolves once the word at `words[index]` (mapped at `address`) may differ from `expected`, or after `timeoutMs`. */
  wait(words: Int32Array, index: number, address: bigint, expected: number, timeoutMs: number): Wait {
    const deadline = process.hrtime.bigint() + BigInt(Math.round(timeoutMs * 1e6));
    return this.add((resolve) => ({ words, index, address, expected, deadline, resolve }));
  }

  protected override settleBeforeCall(): void {
    const now = process.hrtime.bigint();
    this.settle((w) => Atomics.load(w.words, w.index) !== w.expected || w.deadline <= now);
  }

  protected override interrupt(): void {
    const control = this.controlWord();
    Atomics.add(control.words, 0, 1);
    futexWake(control.mapping.address);
  }

  protected override call(done: () => void): void {
    const control = this.controlWord();
    let count = this.putEntry(0, control.mapping.address, Atomics.load(control.words, 0));
    let deadline = -1n;
    for (const w of this.interests) {
      if (count === WAITV_MAX) break;
      count = this.putEntry(count, w.address, w.expected);
      if (deadline < 0n || w.deadline < deadline) deadline = w.deadline;
    }
    if (this.interests.size >= WAITV_MAX) {
      // The waits left out of this call are looked at again when it returns.
      const soon = process.hrtime.bigint() + 5_000_000n;
      if (soon < deadline) deadline = soon;
    }
    this.deadline.writeBigInt64LE(deadline / 1_000_000_000n, 0);
    this.deadline.writeBigInt64LE(deadline % 1_000_000_000n, 8);
    futexWaitvAsync(this.entries, count, this.deadline, () => done());
  }

  private putEntry(at: number, address: bigint, value: number): number {
    const base = at * WAITV_ENTRY;
    this.entries.writeBigUInt64LE(BigInt(value >>> 0), base);
    this.entries.writeBigUInt64LE(address, base + 8);
    this.entries.writeUInt32LE(FUTEX2_SIZE_U32, base + 16);
    this.entries.writeUInt32LE(0, base + 20);
    return at + 1;
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
