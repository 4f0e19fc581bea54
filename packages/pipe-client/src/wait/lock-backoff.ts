import type { Wait } from './wait.js';

const FIRST_MS = 1;
const LAST_MS = 250;

/**
 * How a handle waits for a ring lock that a live peer holds (LOCKED): the
 * holder is stopped or descheduled, so it waits on a timer, 1 ms at first,
 * doubling up to 250 ms, without blocking the event loop, and tries again.
 */
export class LockBackoff {
  private delayMs = 0;

  /** Called when an operation got LOCKED; the next wait is a timer. */
  locked(): void {
    this.delayMs = this.delayMs === 0 ? FIRST_MS : Math.min(this.delayMs * 2, LAST_MS);
  }

  /** Called when an operation got through. */
  reset(): void {
    this.delayMs = 0;
  }

  /** A timer wait when the last operation got LOCKED, else undefined. */
  wait(): Wait | undefined {
    if (this.delayMs === 0) return undefined;
    let timer: NodeJS.Timeout | undefined;
    let finish!: () => void;
    const promise = new Promise<void>((resolve) => {
      finish = resolve;
      timer = setTimeout(resolve, this.delayMs);
    });
    return {
      promise,
      cancel: () => {
        clearTimeout(timer);
        finish();
      },
    };
  }
}
