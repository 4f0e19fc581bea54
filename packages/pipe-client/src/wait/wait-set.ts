import { whenOver, type Wait } from './wait.js';

/** The waits a handle has started, so that closing it can cancel them and wait until they are over. */
export class WaitSet {
  /** An array: a Set that goes from one wait to none and back reallocates its table each time. */
  private readonly waits: Wait[] = [];

  track(wait: Wait): Wait {
    this.waits.push(wait);
    whenOver(wait, () => this.forget(wait));
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
  }
}
