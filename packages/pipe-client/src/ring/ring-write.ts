// The write path: driver/core/rp_ring_write.c (Write, reserve, commit, abandon) and the cursor
// batches of docs/ring-format.md. Its steps are numbered as the doc's Write numbers them.
import { LEN_MASK, MODE_BYTE, MODE_MESSAGE, Off, RECORD_HEADER, STATE_ABANDONED, STATE_COMMITTED, STATE_RESERVED, SlotOff, recordSize } from './layout.js';
import { RingCore } from './ring-core.js';
import { readCounter } from './header-stats.js';
import { ALREADY, FULL, INVAL, LOCKED, OK, TOO_BIG } from './status.js';
import { CURSOR64, CURSOR_NEXT64, H, addCounter, corrupt, slotWord, word0 } from './words.js';

/** Where a write stands in its chunks: the next chunk, and in byte mode how much of it went in already. */
export interface WriteCursor {
  index: number;
  offset: number;
}

/** Where a test stops writeWithCursor, as a writer killed there would: after the reservation, the copies, or the commit point. */
export type CursorStop = 'reserved' | 'copied' | 'committed';

/** The ring's write path; the read path (ring-read.ts) builds on it only to share the fields. */
export class RingWrite extends RingCore {
  /** `msgs_in` right after this handle's last reservation: its last record is read once `msgs_out + abandoned` reaches it. */
  writtenThrough = 0;
  /**
   * Where the records of the reservation just made start: the second result of reserveRecords and
   * reserveCursorBatch (C's rp_resv.pos), a field so that a Write allocates no result. Read right after.
   */
  private reservedAt = 0;
  /** Each slot's last `reserve`: where its records start, and their lengths (for `abandon` and `commit`). */
  private readonly reservations = new Map<number, { at: number; lengths: number[] }>();

  /**
   * Writes chunks from the cursor on as records while they fit (byte mode:
   * split into pieces of at most maxRecord) and moves the cursor. Returns OK
   * when something went in, FULL when nothing fitted, LOCKED, or TOO_BIG
   * (message mode: a chunk over maxRecord; nothing is written).
   */
  write(slot: number, chunks: readonly Uint8Array[], cursor: WriteCursor): number {
    if (this.mode === MODE_BYTE) this.advance(cursor, chunks, 0);
    const pieces = this.piecesFrom(chunks, cursor);
    if (pieces === TOO_BIG) return TOO_BIG;
    this.setWriter(slot);
    if (pieces.length === 0) return OK;
    const count = this.startWrite(slot, pieces);
    if (count < 0) return count;
    let at = this.reservedAt;
    let lost = false;
    for (let i = 0; i < count; i++) {
      const piece = pieces[i]!;
      this.copyIn(piece, (at & this.mask) + RECORD_HEADER);
      if (!this.finishRecord(at, piece.length, STATE_COMMITTED)) lost = true;
      at = (at + recordSize(piece.length)) | 0;
      this.advance(cursor, chunks, piece.length);
    }
    this.endWrite(slot);
    if (lost) throw corrupt('a peer changed a record between its reservation and its commit');
    return OK;
  }

  /**
   * One record of `length` bytes written in place: reserved, then `fill` writes
   * the payload straight into the ring (into a scratch buffer copied in after,
   * when the payload would wrap), then committed. If `fill` throws, the record
   * is abandoned and the error goes on. OK, FULL, LOCKED or TOO_BIG.
   */
  writeInPlace(slot: number, length: number, fill: (view: Buffer) => void): number {
    if (length > this.maxRecord || (this.mode === MODE_BYTE && length === 0)) return TOO_BIG;
    this.setWriter(slot);
    const count = this.startWrite(slot, [{ length } as Uint8Array]);
    if (count < 0) return count;
    const at = this.reservedAt;
    const off = (at + RECORD_HEADER) & this.mask;
    const inPlace = off + length <= this.capacity;
    const view = inPlace ? Buffer.from(this.data.buffer, this.data.byteOffset + off, length) : Buffer.allocUnsafe(length);
    try {
      fill(view);
    } catch (err) {
      this.finishRecord(at, length, STATE_ABANDONED);
      this.endWrite(slot);
      throw err;
    }
    if (!inPlace) this.copyIn(view, off);
    const committed = this.finishRecord(at, length, STATE_COMMITTED);
    this.endWrite(slot);
    if (!committed) throw corrupt('a peer changed a record between its reservation and its commit');
    return OK;
  }

  /** Steps 1-3 of Write: the slot's `writing` counted up, then the records reserved; on FULL, LOCKED or an error it is counted down again. */
  private startWrite(slot: number, pieces: readonly Uint8Array[]): number {
    const writing = slotWord(slot, SlotOff.writing);
    Atomics.add(this.i32, writing, 1);
    let count = FULL;
    try {
      count = this.reserveRecords(this.tokenOf(slot), pieces);
    } finally {
      if (count < 0) Atomics.sub(this.i32, writing, 1);
    }
    return count;
  }

  /** Steps 5 and 6 of Write: the slot's write is over, and sleeping readers are woken (rp_write_done). */
  private endWrite(slot: number): void {
    Atomics.sub(this.i32, slotWord(slot, SlotOff.writing), 1);
    this.wakeWaiters(Off.dataSeq);
    this.mapAhead(Off.head);
  }

  /**
   * Step 4's commit (or an abandon): word0 of the record at `at` from RESERVED to `state`, by
   * compare-and-swap, so a record skipped and reused meanwhile is left alone; false then (rp_finish_record).
   */
  private finishRecord(at: number, len: number, state: number): boolean {
    const reserved = word0(STATE_RESERVED, len);
    return Atomics.compareExchange(this.i32, this.recordWord(at), reserved, word0(state, len)) === reserved;
  }

  /** The cursor of the last batch committed with one (0n before any): see writeWithCursor. */
  cursor(): bigint {
    return BigInt.asUintN(64, Atomics.load(this.i64, CURSOR64));
  }

  /**
   * Message mode: all `messages` or none, committed together with `cursor` (an
   * unsigned 64-bit value), docs/ring-format.md "Cursor batches": the records are
   * reserved with the batch's span, copied, then one store of `cursor` commits them
   * all; a reader treats a dead writer's reservations under a committed span as
   * committed. OK; FULL when they do not all fit now; LOCKED while another live
   * writer's cursor batch is in flight; ALREADY when `cursor` is the ring's cursor
   * (that batch was committed); TOO_BIG when they could never fit together.
   */
  writeWithCursor(slot: number, messages: readonly Uint8Array[], cursor: bigint, stop?: CursorStop): number {
    let total = 0;
    for (const m of messages) {
      if (m.length > this.maxRecord) return TOO_BIG;
      total += recordSize(m.length);
    }
    if (this.mode !== MODE_MESSAGE || total > this.capacity) return TOO_BIG;
    this.setWriter(slot);
    if (messages.length === 0) return OK;
    const value = BigInt.asIntN(64, cursor);
    const writing = slotWord(slot, SlotOff.writing);
    const token = this.tokenOf(slot);
    Atomics.add(this.i32, writing, 1);
    let reserved = FULL;
    try {
      reserved = this.reserveCursorBatch(token, messages, value, total);
    } finally {
      if (reserved < 0) Atomics.sub(this.i32, writing, 1);
    }
    if (reserved < 0) return reserved;
    let at = this.reservedAt;
    if (stop === 'reserved') return OK;
    for (let p = at, i = 0; i < messages.length; p = (p + recordSize(messages[i]!.length)) | 0, i++) this.copyIn(messages[i]!, (p & this.mask) + RECORD_HEADER);
    if (stop === 'copied') return OK;
    Atomics.store(this.i64, CURSOR64, value); // the commit point of the whole batch
    if (stop === 'committed') return OK;
    let lost = false;
    for (const m of messages) {
      if (!this.finishRecord(at, m.length, STATE_COMMITTED)) lost = true;
      at = (at + recordSize(m.length)) | 0;
    }
    Atomics.compareExchange(this.i32, H.cursorOwner, token, 0);
    this.endWrite(slot);
    if (lost) throw corrupt('a peer changed a record between its reservation and its commit');
    return OK;
  }

  /** Steps 1-3 of a cursor batch under the writer lock: 0 with `reservedAt` set, or FULL, LOCKED, ALREADY. */
  private reserveCursorBatch(token: number, messages: readonly Uint8Array[], value: bigint, total: number): number {
    const i32 = this.i32;
    if (!this.lock(H.wlock, token)) return LOCKED;
    try {
      let { head, tail, used } = this.positions();
      if (Atomics.load(this.i64, CURSOR64) === value) return ALREADY;
      if (used + total > this.capacity) return FULL;
      const owner = Atomics.load(i32, H.cursorOwner);
      if (owner !== 0) {
        if (this.tokenLive(owner)) return LOCKED;
        if (Atomics.load(this.i64, CURSOR64) === Atomics.load(this.i64, CURSOR_NEXT64)) this.settleDeadBatch(owner, head, tail, used);
      }
      Atomics.store(i32, H.cursorOwner, 0);
      Atomics.store(this.i64, CURSOR_NEXT64, value);
      Atomics.store(i32, H.cursorFrom, head);
      Atomics.store(i32, H.cursorTo, (head + total) | 0);
      Atomics.store(i32, H.cursorOwner, token);
      this.reservedAt = head;
      let bytes = 0;
      for (const m of messages) {
        const word = this.recordWord(head);
        i32[word + 1] = token;
        i32[word] = word0(STATE_RESERVED, m.length);
        head = (head + recordSize(m.length)) | 0;
        bytes += m.length;
      }
      used += total;
      addCounter(i32, H.msgsIn, messages.length);
      addCounter(i32, H.bytesIn, bytes);
      Atomics.store(i32, H.head, head);
      return 0;
    } finally {
      this.unlock(H.wlock, token);
    }
  }

  /**
   * A dead writer's batch that reached its commit point: its records still in the
   * ring are committed (compare-and-swap from RESERVED), so that the new batch may
   * take over the cursor fields. Under the writer lock: nothing overwrites them meanwhile.
   */
  private settleDeadBatch(owner: number, head: number, tail: number, used: number): void {
    const from = Atomics.load(this.i32, H.cursorFrom);
    const to = Atomics.load(this.i32, H.cursorTo);
    const behindFrom = (head - from) >>> 0;
    const behindTo = (head - to) >>> 0;
    if (behindTo > behindFrom || behindTo >= used) return; // consumed already, or no span of this ring
    let at = behindFrom <= used ? from : tail;
    while (at !== to) {
      const word = this.recordWord(at);
      const first = Atomics.load(this.i32, word);
      const len = first & LEN_MASK;
      if (first >>> 30 === 0 || len > this.maxRecord || recordSize(len) > ((to - at) >>> 0)) throw corrupt(`bad record at position ${at >>> 0} in a cursor batch`);
      if (first >>> 30 === STATE_RESERVED && Atomics.load(this.i32, word + 1) === owner) {
        Atomics.compareExchange(this.i32, word, first, word0(STATE_COMMITTED, len));
      }
      at = (at + recordSize(len)) | 0;
    }
  }

  /**
   * Steps 1-3 of Write only: the records stay RESERVED and the slot's
   * `writing` flag stays set (a writer stopped before its commit). For the
   * vectors and tests; returns OK, FULL, LOCKED, TOO_BIG or INVAL (byte mode:
   * one record of 1..maxRecord bytes), its checks before the writer role.
   */
  reserve(slot: number, chunks: readonly Uint8Array[], cursor: WriteCursor): number {
    const pieces = this.piecesFrom(chunks, cursor);
    if (pieces === TOO_BIG) return TOO_BIG;
    if (this.mode === MODE_BYTE && pieces.length !== 1) return pieces.length === 0 ? INVAL : TOO_BIG;
    this.setWriter(slot);
    const count = this.startWrite(slot, pieces);
    if (count < 0) return count;
    this.reservations.set(slot, { at: this.reservedAt, lengths: pieces.slice(0, count).map((piece) => piece.length) });
    for (let i = 0; i < count; i++) this.advance(cursor, chunks, pieces[i]!.length);
    return OK;
  }

  /**
   * Marks the records of the last `reserve` ABANDONED (a writer whose source
   * failed), then ends that write. OK, or CORRUPT when a record is no longer
   * RESERVED (a peer changed it).
   */
  abandon(slot: number): number {
    const reservation = this.reservations.get(slot) ?? { at: 0, lengths: [] };
    this.reservations.delete(slot);
    let at = reservation.at;
    let lost = false;
    for (const len of reservation.lengths) {
      if (!this.finishRecord(at, len, STATE_ABANDONED)) lost = true;
      at = (at + recordSize(len)) | 0;
    }
    this.endWrite(slot);
    if (lost) throw corrupt('a peer changed a reservation before it was abandoned');
    return OK;
  }

  /**
   * Copies `payload` into the record of the slot's last `reserve` (of that
   * length) and commits it, then ends that write: step 4 of Write on its own.
   * OK, or CORRUPT when the record is no longer RESERVED. For the vectors.
   */
  commit(slot: number, payload: Uint8Array): number {
    const reservation = this.reservations.get(slot);
    if (reservation?.lengths.length !== 1 || reservation.lengths[0] !== payload.length) throw new RangeError('commit: no reservation of this length');
    this.reservations.delete(slot);
    this.copyIn(payload, reservation.at + RECORD_HEADER);
    const committed = this.finishRecord(reservation.at, payload.length, STATE_COMMITTED);
    this.endWrite(slot);
    if (!committed) throw corrupt('a peer changed a reservation before it was committed');
    return OK;
  }

  /** Moves the cursor past a record of `written` bytes: the next message, or further into a byte-mode chunk (empty chunks make no record). */
  private advance(cursor: WriteCursor, chunks: readonly Uint8Array[], written: number): void {
    if (this.mode === MODE_MESSAGE) {
      cursor.index++;
      return;
    }
    cursor.offset += written;
    while (cursor.index < chunks.length && cursor.offset >= chunks[cursor.index]!.length) {
      cursor.index++;
      cursor.offset = 0;
    }
  }

  /** The records a write from the cursor would make, or TOO_BIG. */
  private piecesFrom(chunks: readonly Uint8Array[], cursor: WriteCursor): readonly Uint8Array[] | typeof TOO_BIG {
    if (this.mode === MODE_MESSAGE) {
      for (let i = cursor.index; i < chunks.length; i++) if (chunks[i]!.length > this.maxRecord) return TOO_BIG;
      // The chunks themselves from the first on (a write per message allocates no array).
      return cursor.index === 0 ? chunks : chunks.slice(cursor.index);
    }
    const pieces: Uint8Array[] = [];
    for (let i = cursor.index; i < chunks.length; i++) {
      const chunk = chunks[i]!;
      for (let at = i === cursor.index ? cursor.offset : 0; at < chunk.length; at += this.maxRecord) {
        pieces.push(chunk.subarray(at, Math.min(at + this.maxRecord, chunk.length)));
      }
    }
    return pieces;
  }

  /** Reserves records for pieces[0..] under the writer lock (rp_reserve_locked); returns how many, with `reservedAt` set, or FULL or LOCKED. */
  private reserveRecords(token: number, pieces: readonly Uint8Array[]): number {
    if (pieces.length === 0) return 0;
    const i32 = this.i32;
    if (!this.lock(H.wlock, token)) return LOCKED;
    let count = 0;
    try {
      let { head, tail, used } = this.writerPositions(recordSize(pieces[0]!.length));
      this.reservedAt = head;
      let bytes = 0;
      while (count < pieces.length) {
        const len = pieces[count]!.length;
        const size = recordSize(len);
        if (used + size > this.capacity) {
          // No room by the tail seen last: the one in the ring now says whether there is.
          const now = Atomics.load(i32, H.tail);
          if (now === tail) break;
          this.tailSeen = tail = now;
          used = this.usedBetween(head, tail);
          continue;
        }
        const word = this.recordWord(head);
        // Plain stores: the Atomics.store of head below publishes them.
        i32[word + 1] = token;
        i32[word] = word0(STATE_RESERVED, len);
        head = (head + size) | 0;
        used += size;
        bytes += len;
        count++;
      }
      if (count > 0) {
        addCounter(i32, H.msgsIn, count);
        addCounter(i32, H.bytesIn, bytes);
        this.writtenThrough = readCounter(i32, H.msgsIn);
        Atomics.store(i32, H.head, head);
      }
    } finally {
      this.unlock(H.wlock, token);
    }
    return count === 0 ? FULL : count;
  }

  private copyIn(src: Uint8Array, offset: number): void {
    const off = offset & this.mask;
    const first = Math.min(src.length, this.capacity - off);
    if (first === src.length) {
      this.data.set(src, off);
    } else {
      this.data.set(src.subarray(0, first), off);
      this.data.set(src.subarray(first), 0);
    }
  }
}
