/** What a bridge has moved so far; `lag` is how far behind it is (see BridgeHandle.lag). */
export interface Counters {
  /** Messages published (to) or committed to the local pipe (from). */
  messages: number;
  /** to: publishes JetStream dropped as duplicates of an earlier one; from: redeliveries skipped. */
  duplicates: number;
  /** from: messages in the stream not yet delivered to the consumer, as of the last delivery. */
  pending: number;
}

/** The last `limit` numbers added, for membership tests. */
export class RecentNumbers {
  private readonly set = new Set<number>();
  private readonly order: number[] = [];

  constructor(private readonly limit: number) {}

  has(n: number): boolean {
    return this.set.has(n);
  }

  add(n: number): void {
    this.set.add(n);
    this.order.push(n);
    if (this.order.length > this.limit) this.set.delete(this.order.shift()!);
  }
}
