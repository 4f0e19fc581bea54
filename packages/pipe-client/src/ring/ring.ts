// The ring of docs/ring-format.md over one mapped segment, the TypeScript twin of driver/core:
//   header.ts      rp_ring.c        initHeader, checkHeader (for callers with no ring yet)
//   words.ts       rp_ring_internal.h  word indices, word0, counters
//   ring-core.ts   rp_ring.c, rp_ring_slot.c, rp_ring_lock.c, rp_ring_wait.c
//   ring-write.ts  rp_ring_write.c  Write, reserve, commit, abandon, cursor batches
//   ring-read.ts   rp_ring_read.c   Read, skips, batch read, peeks
//   ring.ts        rp_ring_state.c  readable, EOF, statistics, unread (this file)
import { ROLE_WRITER, SLOT_COUNT, STATE_RESERVED, SlotOff } from './layout.js';
import { headerStats, readCounter, writeCounter, type RingStats } from './header-stats.js';
import { RingRead } from './ring-read.js';
import { countUnread, type Unread } from './unread.js';
import { H, slotWord } from './words.js';

export type { RingPlatform } from './ring-core.js';
export type { CursorStop, WriteCursor } from './ring-write.js';
export type { RingStats } from './header-stats.js';
export { ALREADY, BUSY, EMPTY, FULL, INVAL, LOCKED, OK, TOO_BIG, TOO_SMALL } from './status.js';

/**
 * The ring over one mapped segment. Every method is synchronous and never
 * waits for a peer: a caller that gets EMPTY, BUSY or FULL waits on
 * `data_seq` / `space_seq` with the futex protocol of the doc, and one that
 * gets LOCKED waits on a timer. Every value a peer can write is checked where
 * it is read; a bad one throws ERR_RINGPIPE_CORRUPT.
 */
export class Ring extends RingRead {
  /** Readers (by slot) that have seen `writers_ever` above 0: the EOF latch. */
  private readonly sawWriter = new Set<number>();

  // ---- state: rp_ring_state.c ------------------------------------------------

  /** Whether a read may return something now: the oldest record is not a live writer's reservation, or a broken value waits to be reported (rp_ring_readable). */
  readable(): boolean {
    const tail = Atomics.load(this.i32, H.tail);
    if (tail === Atomics.load(this.i32, H.head)) return false;
    return Atomics.load(this.i32, this.recordWord(tail)) >>> 30 !== STATE_RESERVED;
  }

  freeBytes(): number {
    return this.capacity - ((Atomics.load(this.i32, H.head) - Atomics.load(this.i32, H.tail)) >>> 0);
  }

  isEmpty(): boolean {
    return Atomics.load(this.i32, H.tail) === Atomics.load(this.i32, H.head);
  }

  /**
   * EOF as reader `slot` sees it (rp_ring_eof): some writer attached once, no
   * slot holds the writer role (of a live handle, with `checkLiveness`), and the
   * ring is empty, loaded in that order: a writer ends its role after its last write.
   */
  eof(slot: number, checkLiveness: boolean): boolean {
    if (!this.sawWriter.has(slot)) {
      if (Atomics.load(this.i32, H.writersEver) === 0) return false;
      this.sawWriter.add(slot);
    }
    for (let s = 0; s < SLOT_COUNT; s++) {
      if ((Atomics.load(this.i32, slotWord(s, SlotOff.role)) & ROLE_WRITER) === 0) continue;
      if (Atomics.load(this.i32, slotWord(s, SlotOff.token)) === 0) continue;
      if (!checkLiveness || this.slotLive(s)) return false;
    }
    return this.isEmpty();
  }

  /** Records taken from the ring so far: read whole (`msgs_out`) or skipped (`abandoned`). */
  readThrough(): number {
    return readCounter(this.i32, H.msgsOut) + (Atomics.load(this.i32, H.abandoned) >>> 0);
  }

  /** Statistics; only live handles are counted (rp_ring_stats). */
  stats(): RingStats {
    return headerStats(this.i32, this.capacity, this.mode, (slot) => this.slotLive(slot));
  }

  /** What a reader opening the ring now would still get (abandoned records and dead writers' reservations left out; rp_ring_unread). */
  unread(): Unread {
    const i32 = this.i32;
    return countUnread({
      capacity: this.capacity,
      mode: this.mode,
      maxRecord: this.maxRecord,
      head: Atomics.load(i32, H.head),
      tail: Atomics.load(i32, H.tail),
      tailSkip: Atomics.load(i32, H.tailSkip),
      recordAt: (position) => {
        const word = this.recordWord(position);
        return { word0: Atomics.load(i32, word), owner: Atomics.load(i32, word + 1) };
      },
      tokenLive: (token) => this.tokenLive(token),
    });
  }

  /** The creator's time to live of the pipe once kept, in ms; 0 for none. */
  get ttlMs(): number {
    return readCounter(this.i32, H.ttlMs);
  }

  /** When the last handle left the pipe and kept it (ms since the epoch); 0 while some handle has it. */
  get keptSinceMs(): number {
    return readCounter(this.i32, H.keptSinceMs);
  }

  set keptSinceMs(ms: number) {
    writeCounter(this.i32, H.keptSinceMs, ms);
  }
}
