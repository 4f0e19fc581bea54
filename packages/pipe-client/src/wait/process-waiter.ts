import type { Wait } from './wait.js';

export interface Interest {
  readonly resolve: () => void;
}

/**
 * What the waiters of every backend share: one blocking call at a time for the
 * whole process, on libuv's threadpool, covering every wait of every pipe, so
 * idle pipes hold at most one pool thread together. A new or cancelled wait
 * interrupts the call, which is then made again over the waits left.
 * Subclasses supply the call: futex_waitv, poll or WaitForMultipleObjects.
 */
export abstract class ProcessWaiter<I extends Interest> {
  protected readonly interests = new Set<I>();
  private inFlight = false;
  private afterFlight: Array<() => void> = [];

  /** Resolves when no call still holds what waits cancelled before this call were waiting on. */
  quiesce(): Promise<void> {
    if (!this.inFlight) return Promise.resolve();
    return new Promise((resolve) => this.afterFlight.push(resolve));
  }

  /** Registers a wait built around its promise's resolve. Spurious resolutions are allowed: callers re-check. */
  protected add(make: (resolve: () => void) => I): Wait {
    let interest!: I;
    const promise = new Promise<void>((resolve) => {
      interest = make(resolve);
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

  /** Resolves and drops the waits for which `over` holds. */
  protected settle(over: (interest: I) => boolean): void {
    for (const interest of this.interests) {
      if (over(interest)) {
        this.interests.delete(interest);
        interest.resolve();
      }
    }
  }

  /** Settles the waits that need no call (their condition already holds, their time ran out). */
  protected settleBeforeCall(): void {}

  /** Makes the call to return early. */
  protected abstract interrupt(): void;

  /**
   * Starts the blocking call over `interests` on the threadpool; when it returns,
   * settles what it can tell and calls `done`, with a delay before the next call
   * if the call failed.
   */
  protected abstract call(done: (retryAfterMs?: number) => void): void;

  private reschedule(): void {
    if (this.inFlight) this.interrupt();
    else this.issue();
  }

  private issue(): void {
    this.settleBeforeCall();
    if (this.interests.size === 0) return;
    this.inFlight = true;
    this.call((retryAfterMs) => {
      this.inFlight = false;
      const waiting = this.afterFlight;
      this.afterFlight = [];
      for (const resolve of waiting) resolve();
      if (retryAfterMs) setTimeout(() => this.issue(), retryAfterMs);
      else this.issue();
    });
  }
}
