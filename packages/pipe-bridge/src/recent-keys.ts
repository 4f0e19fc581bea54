/** The last `limit` keys added, for membership tests; add() and has() take constant time. */
export class RecentKeys<K> {
  /** How many times each key occurs among the last `limit` added. */
  private readonly counts = new Map<K, number>();
  /** The last `limit` keys added, oldest at `next` once full. */
  private readonly window: K[] = [];
  private next = 0;

  constructor(private readonly limit: number) {
    if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`RecentKeys: limit must be a positive integer, not ${limit}`);
  }

  has(n: K): boolean {
    return this.counts.has(n);
  }

  add(n: K): void {
    if (this.window.length < this.limit) {
      this.window.push(n);
    } else {
      this.forget(this.window[this.next]!);
      this.window[this.next] = n;
      this.next = (this.next + 1) % this.limit;
    }
    this.counts.set(n, (this.counts.get(n) ?? 0) + 1);
  }

  private forget(n: K): void {
    const count = this.counts.get(n)!;
    if (count === 1) this.counts.delete(n);
    else this.counts.set(n, count - 1);
  }
}
