import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { RingStats } from '@ringpipe/client';

const WRAP = 2 ** 32;
/** The anchor is written again once the tail is this far past it (the guess below stays exact to 4 GiB of slack). */
const ANCHOR_EVERY = 2 ** 30;

/** A point of the ring known exactly: a record's 64-bit position and the counters when it was the tail. */
interface Anchor {
  position: number;
  messagesOut: number;
  bytesOut: number;
}

type Counts = Pick<RingStats, 'messagesOut' | 'bytesOut'>;

/**
 * 64-bit byte positions of the messages a `--to` bridge shows, for message ids that
 * a restarted bridge gives the same messages again, whatever instant the last one
 * died at. The ring's `tail` is exact after any crash but wraps every 4 GiB; its
 * counters are 64 bits wide but may be short (a reader killed between its tail store
 * and its counters). Every record consumed since an anchor took at least its payload
 * and 8 bytes, so the tail's position is the first at or past that lower bound that
 * is `tail` modulo 2^32: exact while the records' padding, abandoned records and
 * the counters' shortfall since the anchor stay under 4 GiB. The anchor (a new
 * pipe's start, or the file written every GiB) needs no ordering with the ring.
 */
export class RingPositions {
  private anchor: Anchor = { position: 0, messagesOut: 0, bytesOut: 0 };
  private last = 0;

  /** `file` keeps the anchor across bridges of the pipe `incarnation` (none: a new pipe's start). */
  constructor(
    private readonly file: string | undefined,
    private readonly incarnation: string,
  ) {
    if (file) this.anchor = readAnchor(file, incarnation) ?? this.anchor;
  }

  /** The position of the message at the ring's tail, `at` (the format's 32-bit position), with the counters now. */
  atTail(at: number, counts: Counts): number {
    const a = this.anchor;
    const least = Math.max(0, counts.bytesOut - a.bytesOut + 8 * (counts.messagesOut - a.messagesOut));
    let ahead = (at - (a.position % WRAP) + WRAP) % WRAP;
    if (ahead < least) ahead += Math.ceil((least - ahead) / WRAP) * WRAP;
    return (this.last = a.position + ahead);
  }

  /** The position of the message shown next after the last one, at `at`. */
  next(at: number): number {
    return (this.last += (at - (this.last % WRAP) + WRAP) % WRAP);
  }

  /** Before the ring consumes from the message at `position` on; `counts` are read only when the anchor moves. */
  consuming(position: number, counts: () => Counts): void {
    if (position - this.anchor.position < ANCHOR_EVERY) return;
    const { messagesOut, bytesOut } = counts();
    this.anchor = { position, messagesOut, bytesOut };
    if (!this.file) return;
    const temporary = `${this.file}.${process.pid}.tmp`;
    try {
      writeFileSync(temporary, JSON.stringify({ incarnation: this.incarnation, ...this.anchor }));
      renameSync(temporary, this.file);
    } catch {
      // The next bridge starts from an older anchor: still exact while the slack since it stays under 4 GiB.
    }
  }
}

function readAnchor(file: string, incarnation: string): Anchor | undefined {
  try {
    const a = JSON.parse(readFileSync(file, 'utf8')) as Partial<Anchor & { incarnation: string }>;
    const ok = a.incarnation === incarnation && [a.position, a.messagesOut, a.bytesOut].every((n) => Number.isSafeInteger(n) && n! >= 0);
    return ok ? { position: a.position!, messagesOut: a.messagesOut!, bytesOut: a.bytesOut! } : undefined;
  } catch {
    return undefined;
  }
}
