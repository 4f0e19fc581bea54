import { whenOver, type Wait } from './wait.js';

/** The waits a handle has started, so that closing it can cancel them and wait until they are over. */
export class WaitSet {
  private readonly waits = new Set<Wait>();

  track(wait: Wait): Wait {
    this.waits.add(wait);
    whenOver(wait, () => this.waits.delete(wait));
    return wait;
  }

  /** Cancels every wait still pending and resolves once all of them are over. */
  async cancelAll(): Promise<void> {
    const pending = [...this.waits];
    for (const wait of pending) wait.cancel();
    await Promise.all(pending.map((wait) => wait.promise));
  }
}
