import { Waiting, whenOver, type Wait } from './wait.js';

/** The waits a handle has started, so that closing it can cancel them and wait until they are over. */
export class WaitSet {
  /** An array: a Set that goes from one wait to none and back reallocates its table each time. */
  private readonly waits: Wait[] = [];

  /**
   * A Waiting is dropped once it is over, at the next track() (a handle's waits are few), so that
   * tracking one allocates nothing; any other wait is dropped when it ends.
   */
  track<T extends Wait>(wait: T): T {
    this.dropOver();
    this.waits.push(wait);
    if (!(wait instanceof Waiting)) whenOver(wait, () => this.forget(wait));
    return wait;
  }

  private dropOver(): void {
    const { waits } = this;
    let kept = 0;
    for (const wait of waits) if (!(wait instanceof Waiting && wait.done)) waits[kept++] = wait;
    waits.length = kept;
  }

  private forget(wait: Wait): void {
    const at = this.waits.indexOf(wait);
    if (at >= 0) this.waits.splice(at, 1);
  }

  /** Cancels every wait still pending and resolves once all of them are over. */
  async cancelAll(): Promise<void> {
    const pending = [...this.waits];
    for (const wait of pending) wait.cancel();
    await Promise.all(pending.map((wait) => wait.promise));
    this.dropOver();
  }
}
