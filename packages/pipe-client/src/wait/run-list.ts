import { runAll } from './wait.js';

/**
 * Items that run all at once, in order (a bell's sleepers, the tasks due at the end of a turn);
 * an item added while they run waits for the next run. Its two arrays take turns and only grow:
 * an array given a shorter length gives its storage back to V8, and the next add allocates it
 * again, so a run allocates nothing.
 */
export class RunList<T> {
  private items: Array<T | undefined> = [];
  private spare: Array<T | undefined> = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  add(item: T): void {
    this.items[this.count++] = item;
  }

  /** Takes `item` off; whether it was there. */
  remove(item: T): boolean {
    const { items } = this;
    const at = items.indexOf(item);
    if (at < 0 || at >= this.count) return false;
    items.copyWithin(at, at + 1, this.count);
    items[--this.count] = undefined;
    return true;
  }

  toArray(): T[] {
    return this.items.slice(0, this.count) as T[];
  }

  /** Empties the list and runs `run` on what it held, in order; the first exception is thrown after all of them ran. */
  runAll(run: (item: T) => void): void {
    const taken = this.items as T[];
    const count = this.count;
    this.items = this.spare;
    this.count = 0;
    try {
      runAll(taken, run, count);
    } finally {
      taken.fill(undefined as T, 0, count);
      this.spare = taken;
    }
  }
}
