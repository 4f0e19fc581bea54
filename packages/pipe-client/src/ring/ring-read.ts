// The read path: driver/core/rp_ring_read.c (Read, its skips, the cursor batches' commit point as
// a reader judges it), with the batch read and the peeks of a ring mapped in place. Its steps are
// numbered as the doc's Read numbers them.
import { LEN_MASK, MODE_BYTE, MODE_MESSAGE, Off, RECORD_HEADER, STATE_ABANDONED, STATE_COMMITTED, SlotOff, recordSize } from './layout.js';
import { RingWrite } from './ring-write.js';
import { BUSY, EMPTY, LOCKED, TOO_SMALL } from './status.js';
import { CURSOR64, CURSOR_NEXT64, H, TAIL64, addCounter, corrupt, slotWord } from './words.js';

/** readAt's answer for a record it skipped (dead writer, abandoned): the Read looks at the next one. */
const SKIPPED = Symbol('skipped');
/** The longest message copyOut() copies with a loop. */
const COPY_LOOP_AT_MOST = 64;
/** What readInto's field holds between calls: nothing of the caller's is kept. */
const EMPTY_TARGET = new Uint8Array(0);

/** What a Read does with the committed record at `tail` (it stores the new tail itself): the bytes, a count, or a code. */
type Take = (tail: number, len: number, size: number, skip: number) => Buffer | number;

/** The ring's read path, over the write path's class only to share the fields. */
export class RingRead extends RingWrite {
  /** The message a `peek` holds, under the reader lock. */
  private peeked?: { slot: number; tail: number; len: number; size: number; skip: number };
  /** The messages `peekMore` showed after the peeked one (their lengths), and the position after the last. */
  private shown?: { lengths: number[]; end: number };

  /**
   * Reads one message (message mode) or up to `max` bytes of one record (byte
   * mode). Returns the bytes, or EMPTY, BUSY (a writer is still copying),
   * TOO_SMALL or LOCKED. With `checkLiveness` a reservation whose writer is no
   * longer live is skipped; without, it is reported BUSY (liveness costs
   * system calls, so the caller asks for it after a wait timed out).
   */
  read(slot: number, max: number, checkLiveness: boolean): Buffer | number {
    this.readMax = max;
    return this.readWith(slot, checkLiveness, this.takeOne);
  }

  /** read's `max`, for takeOne: a field, so that a read allocates no closure (readWith runs it synchronously). */
  private readMax = 0;
  private readonly takeOne: Take = (tail, len, size, skip) =>
    this.mode === MODE_MESSAGE ? this.takeMessage(tail, len, size, this.readMax) : this.takeBytes(tail, len, size, skip, this.readMax);

  /** Read into the caller's buffer: the length copied (a message longer than `target` is TOO_SMALL and stays), or a code as read's. */
  readInto(slot: number, target: Uint8Array, checkLiveness: boolean): number {
    this.intoTarget = target;
    try {
      return this.readWith(slot, checkLiveness, this.takeInto) as number;
    } finally {
      this.intoTarget = EMPTY_TARGET;
    }
  }

  /** readInto's target, for takeInto: a field, as readMax is for takeOne. */
  private intoTarget: Uint8Array = EMPTY_TARGET;
  private readonly takeInto: Take = (tail, len, size, skip) => {
    const target = this.intoTarget;
    const n = this.mode === MODE_MESSAGE ? len : Math.min(len - skip, target.length);
    if (n > target.length || (n === 0 && len > 0)) return TOO_SMALL;
    this.copyOut(tail + RECORD_HEADER + skip, target, n);
    this.consume(tail, len, size, skip, n);
    return n;
  };

  /**
   * Message mode: every committed message from the oldest on, up to `max`,
   * copied into one slab and returned as views of it, with one store of `tail`
   * (a reader killed meanwhile leaves them all in the ring). Byte mode: one
   * record's bytes, as read. Codes as read's when there is none.
   */
  readBatch(slot: number, max: number, checkLiveness: boolean): Buffer[] | number {
    let batch: Buffer[] = [];
    const got = this.readWith(slot, checkLiveness, (tail, len, size, skip) => {
      if (this.mode === MODE_BYTE) {
        const bytes = this.takeBytes(tail, len, size, skip, Infinity);
        if (typeof bytes !== 'number') batch = [bytes];
        return bytes;
      }
      batch = this.takeCommitted(tail, len, max);
      return batch.length;
    });
    return typeof got === 'number' && got < 0 ? got : batch;
  }

  /**
   * The oldest message as it lies in the ring (a view; a copy when its payload
   * wraps), keeping the reader lock: other readers get LOCKED until
   * `releasePeek` consumes it (or leaves it, with `consume` false).
   */
  peek(slot: number, checkLiveness: boolean): Buffer | number {
    return this.readWith(
      slot,
      checkLiveness,
      (tail, len, size, skip) => {
        this.peeked = { slot, tail, len, size, skip };
        return this.viewAt(tail + skip, len - skip);
      },
      true,
    );
  }

  /** Ends a `peek`: consumes the message (or leaves it for the next read) and lets go of the reader lock. */
  releasePeek(consume: boolean): void {
    const peeked = this.peeked;
    if (!peeked) return;
    this.peeked = undefined;
    this.shown = undefined;
    if (consume) this.consume(peeked.tail, peeked.len, peeked.size, peeked.skip, peeked.len - peeked.skip);
    this.unlock(H.rlock, this.tokenOf(peeked.slot));
    if (consume) this.wakeWaiters(Off.spaceSeq);
  }

  /**
   * While a peek holds the reader lock (message mode): up to `max` more committed
   * messages after those shown so far, in ring order, each where it lies (a copy
   * when it wraps) with its position. Stops at the first record that is not
   * committed (the Read that reaches it judges it); [] when none is ready.
   */
  peekMore(max: number): { data: Buffer; position: number }[] {
    const peeked = this.peeked;
    if (!peeked || this.mode !== MODE_MESSAGE) return [];
    const shown = (this.shown ??= { lengths: [], end: (peeked.tail + peeked.size) | 0 });
    const head = Atomics.load(this.i32, H.head);
    const out: { data: Buffer; position: number }[] = [];
    let at = shown.end;
    while (out.length < max && at !== head) {
      const len = this.committedLengthAt(at, head);
      if (len < 0) break;
      out.push({ data: this.viewAt(at, len), position: at >>> 0 });
      shown.lengths.push(len);
      at = (at + recordSize(len)) | 0;
    }
    shown.end = at;
    return out;
  }

  /** Whether peekMore would show a message now. */
  readyAfterShown(): boolean {
    const peeked = this.peeked;
    if (!peeked) return false;
    const at = this.shown?.end ?? (peeked.tail + peeked.size) | 0;
    const head = Atomics.load(this.i32, H.head);
    return at !== head && this.committedLengthAt(at, head) >= 0;
  }

  /**
   * Consumes the peeked message and the first `count - 1` that peekMore showed
   * after it, with one store of tail. The reader lock stays held while shown
   * messages remain (the first of them is then the peeked one); else it is let go.
   */
  releaseShown(count: number): void {
    const peeked = this.peeked;
    if (!peeked || count < 1) return;
    const lengths = [peeked.len, ...(this.shown?.lengths ?? [])];
    const end = this.shown?.end ?? (peeked.tail + peeked.size) | 0;
    const taken = lengths.slice(0, count);
    let at = peeked.tail;
    let bytes = 0;
    for (const len of taken) {
      at = (at + recordSize(len)) | 0;
      bytes += len;
    }
    Atomics.store(this.i32, H.tail, at);
    addCounter(this.i32, H.msgsOut, taken.length);
    addCounter(this.i32, H.bytesOut, bytes);
    const rest = lengths.slice(taken.length);
    if (rest.length === 0) {
      this.peeked = undefined;
      this.shown = undefined;
      this.unlock(H.rlock, this.tokenOf(peeked.slot));
    } else {
      this.peeked = { slot: peeked.slot, tail: at, len: rest[0]!, size: recordSize(rest[0]!), skip: 0 };
      this.shown = { lengths: rest.slice(1), end };
    }
    this.wakeWaiters(Off.spaceSeq);
  }

  /** The length of the committed record at `at` (before `head`), or -1 for anything else. */
  private committedLengthAt(at: number, head: number): number {
    const avail = (head - at) >>> 0;
    if (avail > this.capacity) return -1;
    const first = Atomics.load(this.i32, this.recordWord(at));
    const len = first & LEN_MASK;
    return first >>> 30 === STATE_COMMITTED && len <= this.maxRecord && recordSize(len) <= avail ? len : -1;
  }

  /** `len` payload bytes from `skip` into the record at `at` (`at + skip`), where they lie, or a copy when they wrap. */
  private viewAt(at: number, len: number): Buffer {
    const off = (at + RECORD_HEADER) & this.mask;
    if (off + len <= this.capacity) return Buffer.from(this.data.buffer, this.data.byteOffset + off, len);
    const copy = Buffer.allocUnsafe(len);
    this.copyOut(at + RECORD_HEADER, copy, len);
    return copy;
  }

  /**
   * The frame of every Read: the lock, the checks of steps 1-2, dead writers'
   * reservations skipped, and `take` on the committed record at `tail` (which
   * stores the new tail itself). With `keepLock` a record taken leaves the
   * reader lock held (peek).
   */
  private readWith(slot: number, checkLiveness: boolean, take: Take, keepLock = false): Buffer | number {
    const token = this.tokenOf(slot);
    if (!this.lock(H.rlock, token)) return LOCKED;
    let result: Buffer | number = EMPTY;
    let moved = false;
    let tailMoved = false;
    const tailBefore = Atomics.load(this.i32, H.tail);
    try {
      for (let skipped = 0; ; skipped++) {
        const { tail, used } = this.readerPositions();
        const skip = Atomics.load(this.i32, H.tailSkip) >>> 0;
        if (skip !== 0 && (used === 0 || this.mode === MODE_MESSAGE)) throw corrupt(`tail_skip ${skip} with no record to skip into`);
        if (used === 0) {
          result = EMPTY;
          break;
        }
        // Only peers that keep making records to skip while this Read runs use up its capacity / 8 skips.
        const outcome = this.readAt(tail, used, skip, checkLiveness, take, skipped < this.capacity / 8);
        if (outcome === SKIPPED) {
          moved = true;
          continue;
        }
        result = outcome;
        if (typeof outcome !== 'number' || outcome >= 0) moved = true;
        break;
      }
      tailMoved = Atomics.load(this.i32, H.tail) !== tailBefore;
    } finally {
      if (!(keepLock && moved && this.peeked)) this.unlock(H.rlock, token);
    }
    // Step 4: only a Read that moved `tail` freed room (a partial byte-mode read moved tail_skip alone).
    if (tailMoved && !this.peeked) this.wakeWaiters(Off.spaceSeq);
    return result;
  }

  /** Step 3 of Read on the record at `tail`, under the reader lock (rp_read_locked). */
  private readAt(tail: number, used: number, skip: number, checkLiveness: boolean, take: Take, maySkip: boolean): Buffer | number | typeof SKIPPED {
    const word = this.recordWord(tail);
    for (let secondLook = false; ; secondLook = true) {
      const first = Atomics.load(this.i32, word);
      const state = first >>> 30;
      const len = first & LEN_MASK;
      const size = recordSize(len);
      if (state === 0 || len > this.maxRecord || size > used || (this.mode === MODE_BYTE && skip >= len)) {
        throw corrupt(`bad record at position ${tail >>> 0} (state ${state}, length ${len}, ${used} bytes in use, ${skip} read)`);
      }
      if (state === STATE_COMMITTED) return take(tail, len, size, skip);
      if (state === STATE_ABANDONED) return maySkip ? this.skipRecord(tail, size) : BUSY;
      const owners = this.slotsOf(Atomics.load(this.i32, word + 1));
      const writing = owners.filter((slot) => Atomics.load(this.i32, slotWord(slot, SlotOff.writing)) !== 0);
      // Liveness costs system calls: without checkLiveness a writing owner is taken to be alive.
      if (writing.length > 0 && (!checkLiveness || writing.some((slot) => this.slotLive(slot)))) return BUSY;
      if (!owners.some((slot) => this.slotLive(slot))) {
        // A dead writer's reservation: committed if its cursor batch reached the commit point, else skipped.
        if (this.cursorCovers(tail, Atomics.load(this.i32, word + 1))) return take(tail, len, size, skip);
        if (Atomics.load(this.i32, word) === first) return maySkip ? this.skipRecord(tail, size) : BUSY;
        if (secondLook) throw corrupt(`the record at position ${tail >>> 0} keeps changing`);
        continue;
      }
      // A live owner that is not writing: its commit must show on a second look, or the reservation is forged.
      if (secondLook || Atomics.load(this.i32, word) === first) {
        throw corrupt(`a reservation at position ${tail >>> 0} that its owner is not writing`);
      }
    }
  }

  /**
   * Whether the record at `position`, reserved by the dead writer `token`, belongs to a
   * cursor batch that reached its commit point (rp_cursor_covers). The owner word is loaded
   * before and after the other fields: a writer starting a new batch clears it first and sets it last.
   */
  private cursorCovers(position: number, token: number): boolean {
    const owner = Atomics.load(this.i32, H.cursorOwner);
    if (owner === 0 || owner !== token) return false;
    const committed = Atomics.load(this.i64, CURSOR64) === Atomics.load(this.i64, CURSOR_NEXT64);
    const from = Atomics.load(this.i32, H.cursorFrom);
    const to = Atomics.load(this.i32, H.cursorTo);
    if (Atomics.load(this.i32, H.cursorOwner) !== owner) return false;
    return committed && ((position - from) >>> 0) < ((to - from) >>> 0);
  }

  private skipRecord(tail: number, size: number): typeof SKIPPED {
    this.storeTail64((tail + size) | 0, 0);
    Atomics.add(this.i32, H.abandoned, 1);
    return SKIPPED;
  }

  private takeMessage(tail: number, len: number, size: number, max: number): Buffer | number {
    if (len > max) return TOO_SMALL;
    const out = Buffer.allocUnsafe(len);
    this.copyOut(tail + RECORD_HEADER, out, len);
    this.consume(tail, len, size, 0, len);
    return out;
  }

  private takeBytes(tail: number, len: number, size: number, skip: number, max: number): Buffer | number {
    if (max <= 0) return TOO_SMALL;
    const n = Math.min(len - skip, max);
    const out = Buffer.allocUnsafe(n);
    this.copyOut(tail + RECORD_HEADER + skip, out, n);
    this.consume(tail, len, size, skip, n);
    return out;
  }

  /** Message mode: the committed messages from `tail` on (the first is `len` long), up to `max`, in one slab copied at once. */
  private takeCommitted(tail: number, len: number, max: number): Buffer[] {
    const { head } = this.positions();
    const lengths = [len];
    let total = len;
    let at = (tail + recordSize(len)) | 0;
    while (lengths.length < max && at !== head) {
      const first = Atomics.load(this.i32, this.recordWord(at));
      const next = first & LEN_MASK;
      // Anything but a committed record that fits ends the batch; the next Read looks at it in full.
      if (first >>> 30 !== STATE_COMMITTED || next > this.maxRecord || recordSize(next) > ((head - at) >>> 0)) break;
      lengths.push(next);
      total += next;
      at = (at + recordSize(next)) | 0;
    }
    // The records as they lie, headers included, in one copy; each view is a payload, at the offsets the lengths checked above give.
    const slab = Buffer.allocUnsafe((at - tail) >>> 0);
    this.copyOut(tail, slab, slab.length);
    const views = new Array<Buffer>(lengths.length);
    let offset = RECORD_HEADER;
    for (let i = 0; i < lengths.length; i++) {
      const n = lengths[i]!;
      views[i] = slab.subarray(offset, offset + n);
      offset += recordSize(n);
    }
    Atomics.store(this.i32, H.tail, at);
    addCounter(this.i32, H.msgsOut, lengths.length);
    addCounter(this.i32, H.bytesOut, total);
    return views;
  }

  /**
   * Publishes that `n` payload bytes of the record at `tail` were read (from `skip` on): one store
   * of tail64, then the counters, so a reader killed between them leaves msgs_out one short, never
   * one ahead: (msgs_out, tail) never names two records the same.
   */
  private consume(tail: number, len: number, size: number, skip: number, n: number): void {
    if (skip + n === len) {
      // In message mode tail_skip is 0 (checked), so a 32-bit store of tail is the tail64 store of (tail + size, 0).
      if (skip === 0 && Atomics.load(this.i32, H.tailSkip) === 0) Atomics.store(this.i32, H.tail, (tail + size) | 0);
      else this.storeTail64((tail + size) | 0, 0);
      addCounter(this.i32, H.msgsOut, 1);
    } else {
      this.storeTail64(tail, skip + n);
    }
    addCounter(this.i32, H.bytesOut, n);
  }

  /** tail and tail_skip in one store, so a reader killed at any instruction leaves one pair or the other (rp_set_tail). */
  private storeTail64(tail: number, skip: number): void {
    Atomics.store(this.i64, TAIL64, BigInt(tail >>> 0) | (BigInt(skip >>> 0) << 32n));
  }

  /**
   * Up to 64 bytes, a loop: as fast as set() there, and it allocates no view (a view was 85 of
   * the 2,600 bytes a 64 B ping-pong's reader allocated per message). Longer: TypedArray set()
   * of a subarray, cheaper than Buffer.copy.
   */
  private copyOut(position: number, dst: Uint8Array, len: number): void {
    const off = position & this.mask;
    const first = Math.min(len, this.capacity - off);
    if (len <= COPY_LOOP_AT_MOST && first === len) {
      const { data } = this;
      for (let i = 0; i < len; i++) dst[i] = data[off + i]!;
      return;
    }
    dst.set(this.data.subarray(off, off + first), 0);
    if (first < len) dst.set(this.data.subarray(0, len - first), first);
  }
}
