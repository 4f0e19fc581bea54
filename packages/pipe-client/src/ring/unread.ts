import { LEN_MASK, MODE_BYTE, STATE_COMMITTED, STATE_RESERVED, recordSize } from './layout.js';

export interface Unread {
  /** Committed records still to read (byte mode: the pieces of writes), and reservations of live writers. */
  messages: number;
  /** Their payload bytes, less what byte mode already read of the first. */
  bytes: number;
}

export interface UnreadScan {
  capacity: number;
  mode: number;
  maxRecord: number;
  head: number;
  tail: number;
  tailSkip: number;
  /** `word0` and `owner` of the record at a position (taken modulo capacity). */
  recordAt: (position: number) => { word0: number; owner: number };
  /** Whether a live handle holds the token (a reservation of a dead writer is not unread). */
  tokenLive: (token: number) => boolean;
}

/**
 * What a reader opening the ring now would still get (docs/ring-format.md, Lifetime): the
 * records from `tail` to `head`, without the abandoned ones and the reservations of dead
 * writers. Anything a peer broke ends the count there; at most capacity/8 records are looked at.
 */
export function countUnread(scan: UnreadScan): Unread {
  const { capacity, mode, maxRecord, head, tail, tailSkip } = scan;
  const used = (head - tail) >>> 0;
  const unread: Unread = { messages: 0, bytes: 0 };
  if (used > capacity || (head & 7) !== 0 || (tail & 7) !== 0) return unread;
  let skip = mode === MODE_BYTE ? tailSkip : 0;
  for (let at = 0; at < used; ) {
    const { word0, owner } = scan.recordAt((tail + at) >>> 0);
    const state = word0 >>> 30;
    const len = word0 & LEN_MASK;
    const size = recordSize(len);
    if (state === 0 || len > maxRecord || size > used - at || (mode === MODE_BYTE && (len === 0 || skip >= len))) break;
    if (state === STATE_COMMITTED || (state === STATE_RESERVED && scan.tokenLive(owner))) {
      unread.messages++;
      unread.bytes += len - skip;
    }
    skip = 0;
    at += size;
  }
  return unread;
}
