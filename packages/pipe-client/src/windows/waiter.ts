import { INVALID_HANDLE, MAXIMUM_WAIT_OBJECTS, WAIT_FAILED, k32 } from './kernel32.js';

interface Interest {
  readonly handle: bigint;
  /** True once the wait may end (its word moved, its request completed). */
  readonly ready: () => boolean;
  readonly deadline: bigint;
  readonly resolve: () => void;
}

export interface PendingWait {
  readonly promise: Promise<void>;
  cancel(): void;
}

/**
 * One WaitForMultipleObjects call at a time for the whole process, on libuv's
 * threadpool, covering every pipe that waits (the Windows twin of
 * src/shm/waiter.ts): idle pipes hold at most one pool thread together. Slot 0 is
 * a private auto-reset event that a new or cancelled wait sets to interrupt the
 * call. More than 63 distinct handles are served in turns of at most 5 ms.
 */
class HandleWaiter {
  private readonly interests = new Set<Interest>();
  private inFlight = false;
  private interrupt = 0n;
  private readonly handles = Buffer.alloc(8 * MAXIMUM_WAIT_OBJECTS);

  wait(handle: bigint, ready: () => boolean, timeoutMs: number): PendingWait {
    let interest!: Interest;
    const promise = new Promise<void>((resolve) => {
      const deadline = process.hrtime.bigint() + BigInt(Math.round(timeoutMs * 1e6));
      interest = { handle, ready, deadline, resolve };
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

  private reschedule(): void {
    if (this.inFlight) k32().SetEvent(this.interruptEvent());
    else this.issue();
  }

  private interruptEvent(): bigint {
    if (this.interrupt === 0n) {
      const h = k32().CreateEventW(null, 0, 0, null) as bigint;
      if (h === 0n || h === INVALID_HANDLE) throw new Error('CreateEventW failed for the wait interrupt');
      this.interrupt = h;
    }
    return this.interrupt;
  }

  private issue(): void {
    this.settleReady();
    if (this.interests.size === 0) return;
    const distinct = new Set<bigint>();
    let deadline = -1n;
    for (const interest of this.interests) {
      if (distinct.size < MAXIMUM_WAIT_OBJECTS - 1) distinct.add(interest.handle);
      if (deadline < 0n || interest.deadline < deadline) deadline = interest.deadline;
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
    this.inFlight = true;
    k32().WaitForMultipleObjects.async(count, this.handles, 0, ms, (err: unknown, res: number) => {
      this.inFlight = false;
      if (err || res === WAIT_FAILED) {
        // A handle closed under us: every wait resolves and re-checks (spurious wakes are allowed).
        for (const interest of this.interests) interest.resolve();
        this.interests.clear();
        return;
      }
      if (res >= 1 && res < count) this.dropStaleSignal(this.handles.readBigUInt64LE(8 * res));
      this.issue();
    });
  }

  /**
   * A manual-reset event left signalled for nobody here (a wake another process
   * already consumed) would make every call return at once: reset it. A peer that
   * misses a wake this way finds it at its next timeout.
   */
  private dropStaleSignal(handle: bigint): void {
    for (const interest of this.interests) if (interest.handle === handle && interest.ready()) return;
    k32().ResetEvent(handle);
  }

  private settleReady(): void {
    const now = process.hrtime.bigint();
    for (const interest of this.interests) {
      if (interest.deadline <= now || interest.ready()) {
        this.interests.delete(interest);
        interest.resolve();
      }
    }
  }
}

export const handleWaiter = new HandleWaiter();
