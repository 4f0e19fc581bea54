/** What a bridge has moved so far; `lag` is how far behind it is (see BridgeHandle.lag). */
export interface Counters {
  /** Messages published (to) or committed to the local pipe (from). */
  messages: number;
  /** to: publishes JetStream dropped as duplicates of an earlier one; from: redeliveries skipped (done already). */
  duplicates: number;
  /** from: messages of the shared consumer that no `from` bridge has acknowledged yet (JetStream's consumer info). */
  pending: number;
}
