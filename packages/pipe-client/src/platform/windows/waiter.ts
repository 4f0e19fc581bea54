import type { Wait } from '../../wait/wait.js';
import { ProcessWaiter } from '../../wait/process-waiter.js';
import { winError } from './errors.js';
import { INVALID_HANDLE, MAXIMUM_WAIT_OBJECTS, WAIT_FAILED, k32 } from './kernel32.js';

const FAILED_RETRY_MS = 10;

interface HandleWait {
  readonly handle: bigint;
  /** True once the wait may end (its word moved, its request completed). */
  readonly ready: () => boolean;
  readonly deadline: bigint;
  readonly resolve: () => void;
}

/**
 * The Windows waiter: WaitForMultipleObjects over the events of every waiting
 * pipe. Slot 0 is a private auto-reset event that interrupts the call. More than
 * 63 distinct handles are served in turns of at most 5 ms.
 */
class HandleWaiter extends ProcessWaiter<HandleWait> {
  private interrupter = 0n;
  private readonly handles = Buffer.alloc(8 * MAXIMUM_WAIT_OBJECTS);

  wait(handle: bigint, ready: () => boolean, timeoutMs: number): Wait {
    const deadline = process.hrtime.bigint() + BigInt(Math.round(timeoutMs * 1e6));
    return this.add((resolve) => ({ handle, ready, deadline, resolve }));
  }

  protected override settleBeforeCall(): void {
    const now = process.hrtime.bigint();
    this.settle((w) => w.deadline <= now || w.ready());
  }

  protected override interrupt(): void {
    k32().SetEvent(this.interruptEvent());
  }

  private interruptEvent(): bigint {
    if (this.interrupter === 0n) {
      const h = k32().CreateEventW(null, 0, 0, null) as bigint;
      if (h === 0n || h === INVALID_HANDLE) throw winError('CreateEventW for the wait interrupt');
      this.interrupter = h;
    }
    return this.interrupter;
  }

  protected override call(done: (retryAfterMs?: number) => void): void {
    const distinct = new Set<bigint>();
    let deadline = -1n;
    for (const w of this.interests) {
      if (distinct.size < MAXIMUM_WAIT_OBJECTS - 1) distinct.add(w.handle);
      if (deadline < 0n || w.deadline < deadline) deadline = w.deadline;
    }
    const now = process.hrtime.bigint();
    if (distinct.size === MAXIMUM_WAIT_OBJECTS - 1 && this.interests.size > distinct.size) {
      const soon = now + 5_000_000n;
      if (soon < deadline) deadline = soon;
    }
    this.handles.writeBigUInt64LE(this.interruptEvent(), 0);
    let count = 1;
    for (const handle of distinct) this.handles.writeBigUInt64LE(handle, 8 * count++);
    const ms = deadline <= now ? 0 : Number((deadline - now + 999_999n) / 1_000_000n);
    k32().WaitForMultipleObjects.async(count, this.handles, 0, ms, (err: unknown, res: number) => {
      if (err || res === WAIT_FAILED) {
        // A handle closed under us: every wait resolves and re-checks (spurious wakes are
        // allowed); the next call waits a little, so a failure that stays is no busy loop.
        this.settle(() => true);
        done(FAILED_RETRY_MS);
        return;
      }
      if (res >= 1 && res < count) this.dropStaleSignal(this.handles.readBigUInt64LE(8 * res));
      done();
    });
  }

  /**
   * A manual-reset event left signalled for nobody here (a wake another process
   * already consumed) would make every call return at once: reset it. A peer that
   * misses a wake this way finds it at its next timeout.
   */
  private dropStaleSignal(handle: bigint): void {
    for (const w of this.interests) if (w.handle === handle && w.ready()) return;
    k32().ResetEvent(handle);
  }
}

export const handleWaiter = new HandleWaiter();
