import { Waiting, whenOver, type Wait } from './wait.js';

/** The waits a handle has started, so that closing it can cancel them and wait until they are over. */
export class WaitSet {
  /** An array: a Set that goes from one wait to none and back reallocates its table each time. */
  private readonly waits: Wait[] = [];

  /**
   * A Waiting takes the place of one that is over (a handle's waits are few), so that tracking
   * one allocates nothing: the array keeps its length (shortened, V8 gives up its storage, and
   * the next push allocates it again); any other wait is dropped when it ends.
   */
  track<T extends Wait>(wait: T): T {
    const { waits } = this;
    if (!(wait instanceof Waiting)) whenOver(wait, () => this.forget(wait));
    for (let i = 0; i < waits.length; i++) {
      const tracked = waits[i];
      if (tracked instanceof Waiting && tracked.done) {
        waits[i] = wait;
        return wait;
      }
    }
    waits.push(wait);
    return wait;
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

  private dropOver(): void {
    const { waits } = this;
    let kept = 0;
    for (const wait of waits) if (!(wait instanceof Waiting && wait.done)) waits[kept++] = wait;
    waits.length = kept;
  }
}
