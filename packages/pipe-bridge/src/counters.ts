/** What a bridge has moved so far; `lag` is how far behind it is (see BridgeHandle.lag). */
export interface Counters {
  /** Messages published (to) or committed to the local pipe (from). */
  messages: number;
  /** to: publishes JetStream dropped as duplicates of an earlier one; from: redeliveries skipped. */
  duplicates: number;
  /** from: messages of the shared consumer that no `from` bridge has acknowledged yet (JetStream's consumer info). */
  pending: number;
}

/** The last `limit` numbers added, for membership tests; add() and has() take constant time. */
export class RecentNumbers {
  /** How many times each number occurs among the last `limit` added. */
  private readonly counts = new Map<number, number>();
  /** The last `limit` numbers added, oldest at `next` once full. */
  private readonly window: number[] = [];
  private next = 0;

  constructor(private readonly limit: number) {
    if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`RecentNumbers: limit must be a positive integer, not ${limit}`);
  }

  has(n: number): boolean {
    return this.counts.has(n);
  }

  add(n: number): void {
    if (this.window.length < this.limit) {
      this.window.push(n);
    } else {
      this.forget(this.window[this.next]!);
      this.window[this.next] = n;
      this.next = (this.next + 1) % this.limit;
    }
    this.counts.set(n, (this.counts.get(n) ?? 0) + 1);
  }

  private forget(n: number): void {
    const count = this.counts.get(n)!;
    if (count === 1) this.counts.delete(n);
    else this.counts.set(n, count - 1);
  }
}
