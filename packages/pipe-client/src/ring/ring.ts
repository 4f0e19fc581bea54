import { ErrorCode, RingPipeError } from '../errors.js';
import {
  HEADER_SIZE,
  LEN_MASK,
  LINE0_ZERO_FROM,
  MAGIC,
  MODE_BYTE,
  OS_WAITER,
  MODE_MESSAGE,
  Off,
  RECORD_HEADER,
  ROLE_READER,
  ROLE_WRITER,
  SLOT_COUNT,
  SLOT_OFFSET,
  SLOT_SIZE,
  STATE_ABANDONED,
  STATE_COMMITTED,
  STATE_RESERVED,
  SlotOff,
  VERSION,
  W,
  maxRecord,
  recordSize,
} from './layout.js';
import { headerStats, readCounter, writeCounter, type RingStats } from './header-stats.js';
import { countUnread, type Unread } from './unread.js';

/** What the ring needs from its surroundings: slot liveness as the kernel vouches for it, a CPU yield, and futex wakes. */
export interface RingPlatform {
  /** Whether the handle attached to `slot` still exists (`pid` is the slot's, for platforms that go by process). */
  alive(slot: number, pid: number): boolean;
  yieldCpu(): void;
  /**
   * Wake every sleeper on the 32-bit word at this byte offset of the segment;
   * `waiting` is the word's waiting count, which says who sleeps how (OS_WAITER, BELL_WAITER).
   */
  wake(byteOffset: number, waiting: number): void;
  /** Lock attempts before LOCKED (default 100). */
  lockAttempts?: number;
}

export const EMPTY = -1;
export const BUSY = -2;
export const TOO_SMALL = -3;
export const FULL = -4;
/** A live handle holds the side's lock: it is stopped or descheduled; wait without blocking and try again. */
export const LOCKED = -5;
export const TOO_BIG = -6;
/** A request the format has no record for (a byte-mode reservation of 0 bytes). */
export const INVAL = -7;
/** writeWithCursor: the batch's cursor is the ring's already (that batch was committed); nothing written. */
export const ALREADY = -8;

/** Where a test stops writeWithCursor, as a writer killed there would: after the reservation, the copies, or the commit point. */
export type CursorStop = 'reserved' | 'copied' | 'committed';
/** Write made progress (the cursor moved). */
export const OK = 0;

export type { RingStats } from './header-stats.js';

/** Where a write stands in its chunks: the next chunk, and in byte mode how much of it went in already. */
export interface WriteCursor {
  index: number;
  offset: number;
}

const H = {
  head: W(Off.head),
  tail: W(Off.tail),
  tailSkip: W(Off.tailSkip),
  wlock: W(Off.wlock),
  rlock: W(Off.rlock),
  spaceSeq: W(Off.spaceSeq),
  dataSeq: W(Off.dataSeq),
  writersWaiting: W(Off.writersWaiting),
  readersWaiting: W(Off.readersWaiting),
  msgsIn: W(Off.msgsIn),
  bytesIn: W(Off.bytesIn),
  msgsOut: W(Off.msgsOut),
  bytesOut: W(Off.bytesOut),
  abandoned: W(Off.abandoned),
  attachSeq: W(Off.attachSeq),
  writersEver: W(Off.writersEver),
  cursorFrom: W(Off.cursorFrom),
  cursorTo: W(Off.cursorTo),
  cursorOwner: W(Off.cursorOwner),
} as const;
const TAIL64 = Off.tail / 8;
const CURSOR64 = Off.cursor / 8;
const CURSOR_NEXT64 = Off.cursorNext / 8;
const DATA_WORD = W(HEADER_SIZE);
const DEFAULT_LOCK_ATTEMPTS = 100;
const slotWord = (slot: number, field: number): number => W(SLOT_OFFSET + slot * SLOT_SIZE + field);
const corrupt = (why: string): RingPipeError => new RingPipeError(ErrorCode.Corrupt, `corrupt ring: ${why}`);

/**
 * The ring of docs/ring-format.md over one mapped segment. Every method is
 * synchronous and never waits for a peer: a caller that gets EMPTY, BUSY or
 * FULL waits on `dataSeq` / `spaceSeq` with the futex protocol of the doc, and
 * one that gets LOCKED waits on a timer. Every value a peer can write is
 * checked where it is read; a bad one throws ERR_RINGPIPE_CORRUPT.
 */
export class Ring {
  readonly capacity: number;
  readonly mode: number;
  readonly maxRecord: number;
  private readonly i32: Int32Array;
  private readonly i64: BigInt64Array;
  private readonly data: Uint8Array;
  private readonly mask: number;
  private readonly lockAttempts: number;
  /** Readers (by slot) that have seen `writers_ever` above 0: the EOF latch. */
  private readonly sawWriter = new Set<number>();
  /** The message a `peek` holds, under the reader lock. */
  private peeked?: { slot: number; tail: number; len: number; size: number; skip: number };
  /** The messages `peekMore` showed after the peeked one (their lengths), and the position after the last. */
  private shown?: { lengths: number[]; end: number };
  /** Position of the first record of the last reservation. */
  private reservedAt = 0;
  /** `msgs_in` right after this handle's last reservation: its last record is read once `msgs_out + abandoned` reaches it. */
  writtenThrough = 0;
  /** Each slot's last `reserve`: where its records start, and their lengths (for `abandon`). */
  private readonly reservations = new Map<number, { at: number; lengths: number[] }>();

  constructor(
    segment: ArrayBuffer,
    private readonly platform: RingPlatform,
  ) {
    const { capacity, mode } = Ring.validate(segment);
    if (segment.byteLength < HEADER_SIZE + capacity) throw corrupt('the segment is shorter than its capacity');
    this.capacity = capacity;
    this.mode = mode;
    this.maxRecord = maxRecord(capacity, mode);
    this.mask = capacity - 1;
    this.i32 = new Int32Array(segment, 0, (HEADER_SIZE + capacity) / 4);
    this.i64 = new BigInt64Array(segment, 0, HEADER_SIZE / 8);
    this.data = new Uint8Array(segment, HEADER_SIZE, capacity);
    this.lockAttempts = Math.max(1, platform.lockAttempts ?? DEFAULT_LOCK_ATTEMPTS);
  }

  /** Writes a fresh header into a zeroed segment that nobody else can see yet. */
  static init(segment: ArrayBuffer, capacity: number, mode: number, ttlMs = 0): void {
    new Uint8Array(segment, 0, HEADER_SIZE).fill(0);
    const view = new DataView(segment);
    view.setUint16(Off.version, VERSION, true);
    view.setUint16(Off.headerSize, HEADER_SIZE, true);
    view.setUint32(Off.capacity, capacity, true);
    view.setUint32(Off.mode, mode, true);
    view.setUint32(Off.slotCount, SLOT_COUNT, true);
    view.setUint32(Off.slotOffset, SLOT_OFFSET, true);
    view.setUint32(Off.dataOffset, HEADER_SIZE, true);
    view.setBigUint64(Off.ttlMs, BigInt(ttlMs), true);
    view.setUint32(Off.magic, MAGIC, true);
  }

  /** Checks line 0 of a header that another process wrote (the header page alone is enough). */
  static validate(header: ArrayBuffer): { capacity: number; mode: number } {
    const bad = (why: string): never => {
      throw new RingPipeError(ErrorCode.Corrupt, `not a ringpipe segment of format version ${VERSION}: ${why}`);
    };
    if (header.byteLength < HEADER_SIZE) bad('shorter than its header');
    const view = new DataView(header);
    if (view.getUint32(Off.magic, true) !== MAGIC) bad('bad magic');
    const version = view.getUint16(Off.version, true);
    if (version !== VERSION) bad(`it has version ${version}${version < VERSION ? ', made by an older ringpipe' : ''}`);
    const capacity = view.getUint32(Off.capacity, true);
    const mode = view.getUint32(Off.mode, true);
    if (capacity < 64 || capacity > 2 ** 30 || (capacity & (capacity - 1)) !== 0) bad(`capacity ${capacity}`);
    if (mode !== MODE_MESSAGE && mode !== MODE_BYTE) bad(`mode ${mode}`);
    if (
      view.getUint16(Off.headerSize, true) !== HEADER_SIZE ||
      view.getUint32(Off.slotCount, true) !== SLOT_COUNT ||
      view.getUint32(Off.slotOffset, true) !== SLOT_OFFSET ||
      view.getUint32(Off.dataOffset, true) !== HEADER_SIZE
    ) {
      bad('layout fields');
    }
    for (let at = LINE0_ZERO_FROM; at < 64; at += 4) {
      if (at !== Off.ttlMs && at !== Off.ttlMs + 4 && view.getUint32(at, true) !== 0) bad(`reserved bytes at ${at}`);
    }
    return { capacity, mode };
  }

  // ---- slots ---------------------------------------------------------------

  /** The lowest slot that is not live, or -1 (for platforms where attaching is a claim on the slot's fields). */
  firstFreeSlot(): number {
    for (let slot = 0; slot < SLOT_COUNT; slot++) if (!this.slotLive(slot)) return slot;
    return -1;
  }

  /** Fills a slot the caller has made its own by the platform's rule; returns the new token. */
  attach(slot: number, pid: number): number {
    let token: number;
    do token = (Atomics.add(this.i32, H.attachSeq, 1) + 1) | 0;
    while (token === 0);
    Atomics.store(this.i32, slotWord(slot, SlotOff.token), token);
    Atomics.store(this.i32, slotWord(slot, SlotOff.role), 0);
    Atomics.store(this.i32, slotWord(slot, SlotOff.writing), 0);
    Atomics.store(this.i32, slotWord(slot, SlotOff.pid), pid);
    return token;
  }

  tokenOf(slot: number): number {
    return Atomics.load(this.i32, slotWord(slot, SlotOff.token));
  }

  setWriter(slot: number): void {
    const before = Atomics.or(this.i32, slotWord(slot, SlotOff.role), ROLE_WRITER);
    if ((before & ROLE_WRITER) === 0) Atomics.add(this.i32, H.writersEver, 1);
  }

  setReader(slot: number): void {
    Atomics.or(this.i32, slotWord(slot, SlotOff.role), ROLE_READER);
  }

  clearReader(slot: number): void {
    Atomics.and(this.i32, slotWord(slot, SlotOff.role), ~ROLE_READER);
  }

  /** End of writing: readers re-check for EOF. */
  endWriting(slot: number): void {
    const before = Atomics.and(this.i32, slotWord(slot, SlotOff.role), ~ROLE_WRITER);
    if ((before & ROLE_WRITER) !== 0) this.bumpAndWake(H.dataSeq, Off.dataSeq, H.readersWaiting);
  }

  /** Ends writing and clears the slot; the platform then releases it. */
  detach(slot: number): void {
    this.endWriting(slot);
    Atomics.store(this.i32, slotWord(slot, SlotOff.role), 0);
    Atomics.store(this.i32, slotWord(slot, SlotOff.token), 0);
    Atomics.store(this.i32, slotWord(slot, SlotOff.pid), 0);
  }

  private slotLive(slot: number): boolean {
    return this.platform.alive(slot, Atomics.load(this.i32, slotWord(slot, SlotOff.pid)));
  }

  /** The slots holding `token` (one, unless a peer forged some; none for 0). */
  private slotsOf(token: number): number[] {
    const slots: number[] = [];
    if (token === 0) return slots;
    for (let slot = 0; slot < SLOT_COUNT; slot++) if (Atomics.load(this.i32, slotWord(slot, SlotOff.token)) === token) slots.push(slot);
    return slots;
  }

  private tokenLive(token: number): boolean {
    return this.slotsOf(token).some((slot) => this.slotLive(slot));
  }

  // ---- locks ---------------------------------------------------------------

  /** Takes a side's lock; false (LOCKED) when a live holder keeps it. A dead holder's lock is stolen. */
  private lock(word: number, token: number): boolean {
    for (let attempt = 1; ; attempt++) {
      const holder = Atomics.compareExchange(this.i32, word, 0, token);
      if (holder === 0) return true;
      if (attempt < this.lockAttempts) {
        this.platform.yieldCpu();
        continue;
      }
      if (this.tokenLive(holder)) return false;
      return Atomics.compareExchange(this.i32, word, holder, token) === holder;
    }
  }

  private unlock(word: number, token: number): void {
    Atomics.compareExchange(this.i32, word, token, 0);
  }

  /** head and tail as the format allows them, or CORRUPT. */
  private positions(): { head: number; tail: number; used: number } {
    const head = Atomics.load(this.i32, H.head);
    const tail = Atomics.load(this.i32, H.tail);
    const used = (head - tail) >>> 0;
    if ((head & 7) !== 0 || (tail & 7) !== 0 || used > this.capacity) {
      throw corrupt(`head ${head >>> 0} and tail ${tail >>> 0} do not fit a ring of ${this.capacity} bytes`);
    }
    return { head, tail, used };
  }

  // ---- write ---------------------------------------------------------------

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
      const word = DATA_WORD + ((at & this.mask) >> 2);
      this.copyIn(piece, (at & this.mask) + RECORD_HEADER);
      const reserved = (STATE_RESERVED << 30) | piece.length;
      if (Atomics.compareExchange(this.i32, word, reserved, (STATE_COMMITTED << 30) | piece.length) !== reserved) lost = true;
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
    const word = DATA_WORD + ((at & this.mask) >> 2);
    const reserved = (STATE_RESERVED << 30) | length;
    const off = (at + RECORD_HEADER) & this.mask;
    const inPlace = off + length <= this.capacity;
    const view = inPlace ? Buffer.from(this.data.buffer, this.data.byteOffset + off, length) : Buffer.allocUnsafe(length);
    try {
      fill(view);
    } catch (err) {
      Atomics.compareExchange(this.i32, word, reserved, (STATE_ABANDONED << 30) | length);
      this.endWrite(slot);
      throw err;
    }
    if (!inPlace) this.copyIn(view, off);
    const committed = Atomics.compareExchange(this.i32, word, reserved, (STATE_COMMITTED << 30) | length) === reserved;
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

  /** Steps 5 and 6 of Write: the slot's write is over, and sleeping readers are woken. */
  private endWrite(slot: number): void {
    Atomics.sub(this.i32, slotWord(slot, SlotOff.writing), 1);
    if (Atomics.load(this.i32, H.readersWaiting) !== 0) this.bumpAndWake(H.dataSeq, Off.dataSeq, H.readersWaiting);
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
      const reserved = (STATE_RESERVED << 30) | m.length;
      if (Atomics.compareExchange(this.i32, DATA_WORD + ((at & this.mask) >> 2), reserved, (STATE_COMMITTED << 30) | m.length) !== reserved) lost = true;
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
        const word = DATA_WORD + ((head & this.mask) >> 2);
        i32[word + 1] = token;
        i32[word] = (STATE_RESERVED << 30) | m.length;
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
      const word = DATA_WORD + ((at & this.mask) >> 2);
      const word0 = Atomics.load(this.i32, word);
      const len = word0 & LEN_MASK;
      if (word0 >>> 30 === 0 || len > this.maxRecord || recordSize(len) > ((to - at) >>> 0)) throw corrupt(`bad record at position ${at >>> 0} in a cursor batch`);
      if (word0 >>> 30 === STATE_RESERVED && Atomics.load(this.i32, word + 1) === owner) {
        Atomics.compareExchange(this.i32, word, word0, (STATE_COMMITTED << 30) | len);
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
      const word = DATA_WORD + ((at & this.mask) >> 2);
      const reserved = (STATE_RESERVED << 30) | len;
      if (Atomics.compareExchange(this.i32, word, reserved, (STATE_ABANDONED << 30) | len) !== reserved) lost = true;
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
    const word = DATA_WORD + ((reservation.at & this.mask) >> 2);
    const reserved = (STATE_RESERVED << 30) | payload.length;
    const committed = Atomics.compareExchange(this.i32, word, reserved, (STATE_COMMITTED << 30) | payload.length) === reserved;
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
  private piecesFrom(chunks: readonly Uint8Array[], cursor: WriteCursor): Uint8Array[] | typeof TOO_BIG {
    const pieces: Uint8Array[] = [];
    if (this.mode === MODE_MESSAGE) {
      for (let i = cursor.index; i < chunks.length; i++) {
        if (chunks[i]!.length > this.maxRecord) return TOO_BIG;
        pieces.push(chunks[i]!);
      }
      return pieces;
    }
    for (let i = cursor.index; i < chunks.length; i++) {
      const chunk = chunks[i]!;
      for (let at = i === cursor.index ? cursor.offset : 0; at < chunk.length; at += this.maxRecord) {
        pieces.push(chunk.subarray(at, Math.min(at + this.maxRecord, chunk.length)));
      }
    }
    return pieces;
  }

  /** Reserves records for pieces[0..] under the writer lock; returns how many, FULL or LOCKED. */
  private reserveRecords(token: number, pieces: readonly Uint8Array[]): number {
    if (pieces.length === 0) return 0;
    const i32 = this.i32;
    if (!this.lock(H.wlock, token)) return LOCKED;
    let count = 0;
    try {
      let { head, used } = this.positions();
      this.reservedAt = head;
      let bytes = 0;
      while (count < pieces.length) {
        const len = pieces[count]!.length;
        const size = recordSize(len);
        if (used + size > this.capacity) break;
        const word = DATA_WORD + ((head & this.mask) >> 2);
        // Plain stores: the Atomics.store of head below publishes them.
        i32[word + 1] = token;
        i32[word] = (STATE_RESERVED << 30) | len;
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

  // ---- read ----------------------------------------------------------------

  /**
   * Reads one message (message mode) or up to `max` bytes of one record (byte
   * mode). Returns the bytes, or EMPTY, BUSY (a writer is still copying),
   * TOO_SMALL or LOCKED. With `checkOwners` a reservation whose writer is no
   * longer live is skipped; without, it is reported BUSY (liveness costs
   * system calls, so the caller asks for it after a wait timed out).
   */
  read(slot: number, max: number, checkOwners: boolean): Buffer | number {
    return this.readWith(slot, checkOwners, (tail, len, size, skip) =>
      this.mode === MODE_MESSAGE ? this.takeMessage(tail, len, size, max) : this.takeBytes(tail, len, size, skip, max),
    );
  }

  /** Read into the caller's buffer: the length copied (a message longer than `target` is TOO_SMALL and stays), or a code as read's. */
  readInto(slot: number, target: Uint8Array, checkOwners: boolean): number {
    const got = this.readWith(slot, checkOwners, (tail, len, size, skip) => {
      const n = this.mode === MODE_MESSAGE ? len : Math.min(len - skip, target.length);
      if (n > target.length || (n === 0 && len > 0)) return TOO_SMALL;
      this.copyOut(tail + RECORD_HEADER + skip, target, n);
      this.consume(tail, len, size, skip, n);
      return n;
    });
    return got as number;
  }

  /**
   * Message mode: every committed message from the oldest on, up to `max`,
   * copied into one slab and returned as views of it, with one store of `tail`
   * (a reader killed meanwhile leaves them all in the ring). Byte mode: one
   * record's bytes, as read. Codes as read's when there is none.
   */
  readBatch(slot: number, max: number, checkOwners: boolean): Buffer[] | number {
    let batch: Buffer[] = [];
    const got = this.readWith(slot, checkOwners, (tail, len, size, skip) => {
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
  peek(slot: number, checkOwners: boolean): Buffer | number {
    return this.readWith(
      slot,
      checkOwners,
      (tail, len, size, skip) => {
        const off = (tail + RECORD_HEADER + skip) & this.mask;
        const n = len - skip;
        let view: Buffer;
        if (off + n <= this.capacity) {
          view = Buffer.from(this.data.buffer, this.data.byteOffset + off, n);
        } else {
          view = Buffer.allocUnsafe(n);
          this.copyOut(tail + RECORD_HEADER + skip, view, n);
        }
        this.peeked = { slot, tail, len, size, skip };
        return view;
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
    if (consume && Atomics.load(this.i32, H.writersWaiting) !== 0) this.bumpAndWake(H.spaceSeq, Off.spaceSeq, H.writersWaiting);
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
    if (Atomics.load(this.i32, H.writersWaiting) !== 0) this.bumpAndWake(H.spaceSeq, Off.spaceSeq, H.writersWaiting);
  }

  /** The length of the committed record at `at` (before `head`), or -1 for anything else. */
  private committedLengthAt(at: number, head: number): number {
    const avail = (head - at) >>> 0;
    if (avail > this.capacity) return -1;
    const word0 = Atomics.load(this.i32, DATA_WORD + ((at & this.mask) >> 2));
    const len = word0 & LEN_MASK;
    return word0 >>> 30 === STATE_COMMITTED && len <= this.maxRecord && recordSize(len) <= avail ? len : -1;
  }

  /** The payload of the record at `at` where it lies, or a copy when it wraps. */
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
  private readWith(
    slot: number,
    checkOwners: boolean,
    take: (tail: number, len: number, size: number, skip: number) => Buffer | number,
    keepLock = false,
  ): Buffer | number {
    const token = this.tokenOf(slot);
    if (!this.lock(H.rlock, token)) return LOCKED;
    let result: Buffer | number = EMPTY;
    let moved = false;
    let tailMoved = false;
    const tailBefore = Atomics.load(this.i32, H.tail);
    try {
      for (let skipped = 0; ; skipped++) {
        const { tail, used } = this.positions();
        const skip = Atomics.load(this.i32, H.tailSkip) >>> 0;
        if (skip !== 0 && (used === 0 || this.mode === MODE_MESSAGE)) throw corrupt(`tail_skip ${skip} with no record to skip into`);
        if (used === 0) {
          result = EMPTY;
          break;
        }
        // Only peers that keep making records to skip while this Read runs use up its capacity / 8 skips.
        const outcome = this.readAt(tail, used, skip, checkOwners, take, skipped < this.capacity / 8);
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
    if (tailMoved && !this.peeked && Atomics.load(this.i32, H.writersWaiting) !== 0) this.bumpAndWake(H.spaceSeq, Off.spaceSeq, H.writersWaiting);
    return result;
  }

  /** Step 3 of Read on the record at `tail`, under the reader lock. */
  private readAt(
    tail: number,
    used: number,
    skip: number,
    checkOwners: boolean,
    take: (tail: number, len: number, size: number, skip: number) => Buffer | number,
    maySkip: boolean,
  ): Buffer | number | typeof SKIPPED {
    const word = DATA_WORD + ((tail & this.mask) >> 2);
    for (let secondLook = false; ; secondLook = true) {
      const word0 = Atomics.load(this.i32, word);
      const state = word0 >>> 30;
      const len = word0 & LEN_MASK;
      const size = recordSize(len);
      if (state === 0 || len > this.maxRecord || size > used || (this.mode === MODE_BYTE && skip >= len)) {
        throw corrupt(`bad record at position ${tail >>> 0} (state ${state}, length ${len}, ${used} bytes in use, ${skip} read)`);
      }
      if (state === STATE_COMMITTED) return take(tail, len, size, skip);
      if (state === STATE_ABANDONED) return maySkip ? this.skipRecord(tail, size) : BUSY;
      const owners = this.slotsOf(Atomics.load(this.i32, word + 1));
      const writing = owners.filter((slot) => Atomics.load(this.i32, slotWord(slot, SlotOff.writing)) !== 0);
      // Liveness costs system calls: without checkOwners a writing owner is taken to be alive.
      if (writing.length > 0 && (!checkOwners || writing.some((slot) => this.slotLive(slot)))) return BUSY;
      if (!owners.some((slot) => this.slotLive(slot))) {
        // A dead writer's reservation: committed if its cursor batch reached the commit point, else skipped.
        if (this.coveredByCursor(tail, Atomics.load(this.i32, word + 1))) return take(tail, len, size, skip);
        if (Atomics.load(this.i32, word) === word0) return maySkip ? this.skipRecord(tail, size) : BUSY;
        if (secondLook) throw corrupt(`the record at position ${tail >>> 0} keeps changing`);
        continue;
      }
      // A live owner that is not writing: its commit must show on a second look, or the reservation is forged.
      if (secondLook || Atomics.load(this.i32, word) === word0) {
        throw corrupt(`a reservation at position ${tail >>> 0} that its owner is not writing`);
      }
    }
  }

  /**
   * Whether the record at `position`, reserved by the dead writer `token`, belongs to a
   * cursor batch that reached its commit point. The owner word is loaded before and
   * after the other fields: a writer starting a new batch clears it first and sets it last.
   */
  private coveredByCursor(position: number, token: number): boolean {
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
      const word0 = Atomics.load(this.i32, DATA_WORD + ((at & this.mask) >> 2));
      const next = word0 & LEN_MASK;
      // Anything but a committed record that fits ends the batch; the next Read looks at it in full.
      if (word0 >>> 30 !== STATE_COMMITTED || next > this.maxRecord || recordSize(next) > ((head - at) >>> 0)) break;
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

  /** tail and tail_skip in one store, so a reader killed at any instruction leaves one pair or the other. */
  private storeTail64(tail: number, skip: number): void {
    Atomics.store(this.i64, TAIL64, BigInt(tail >>> 0) | (BigInt(skip >>> 0) << 32n));
  }

  // TypedArray set() of a subarray: cheaper than Buffer.copy for the small messages that dominate.
  private copyOut(position: number, dst: Uint8Array, len: number): void {
    const off = position & this.mask;
    const first = Math.min(len, this.capacity - off);
    dst.set(this.data.subarray(off, off + first), 0);
    if (first < len) dst.set(this.data.subarray(0, len - first), first);
  }

  // ---- waiting and EOF -----------------------------------------------------

  /** Whether a read may return something now: the oldest record is not a live writer's reservation, or a broken value waits to be reported. */
  readyToRead(): boolean {
    const tail = Atomics.load(this.i32, H.tail);
    if (tail === Atomics.load(this.i32, H.head)) return false;
    return Atomics.load(this.i32, DATA_WORD + ((tail & this.mask) >> 2)) >>> 30 !== STATE_RESERVED;
  }

  freeBytes(): number {
    return this.capacity - ((Atomics.load(this.i32, H.head) - Atomics.load(this.i32, H.tail)) >>> 0);
  }

  isEmpty(): boolean {
    return Atomics.load(this.i32, H.tail) === Atomics.load(this.i32, H.head);
  }

  /**
   * EOF as reader `slot` sees it: some writer attached once, no slot holds
   * the writer role (of a live handle, with `checkLiveness`), and the ring is
   * empty, loaded in that order: a writer ends its role after its last write.
   */
  isEof(slot: number, checkLiveness: boolean): boolean {
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

  /** Starts a wait for data (or EOF) of a sleeper of this kind (OS_WAITER, BELL_WAITER); returns the `data_seq` value to sleep on. */
  beginReadWait(kind = OS_WAITER): number {
    Atomics.add(this.i32, H.readersWaiting, kind);
    return Atomics.load(this.i32, H.dataSeq);
  }

  endReadWait(kind = OS_WAITER): void {
    Atomics.sub(this.i32, H.readersWaiting, kind);
  }

  beginWriteWait(kind = OS_WAITER): number {
    Atomics.add(this.i32, H.writersWaiting, kind);
    return Atomics.load(this.i32, H.spaceSeq);
  }

  endWriteWait(kind = OS_WAITER): void {
    Atomics.sub(this.i32, H.writersWaiting, kind);
  }

  private bumpAndWake(seqWord: number, byteOffset: number, waitingWord: number): void {
    Atomics.add(this.i32, seqWord, 1);
    this.platform.wake(byteOffset, Atomics.load(this.i32, waitingWord));
  }

  // ---- statistics ------------------------------------------------------------

  /** Records taken from the ring so far: read whole (`msgs_out`) or skipped (`abandoned`). */
  readThrough(): number {
    return readCounter(this.i32, H.msgsOut) + (Atomics.load(this.i32, H.abandoned) >>> 0);
  }

  /** Statistics; only live handles are counted. */
  stats(): RingStats {
    return headerStats(this.i32, this.capacity, this.mode, (slot) => this.slotLive(slot));
  }

  /** What a reader opening the ring now would still get (abandoned records and dead writers' reservations left out). */
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
        const word = DATA_WORD + ((position & this.mask) >> 2);
        return { word0: Atomics.load(i32, word), owner: Atomics.load(i32, word + 1) };
      },
      tokenLive: (token) => this.tokenLive(token),
    });
  }

  /** The creator's time to live of the pipe once kept, in ms; 0 for none. */
  get ttlMs(): number {
    return readCounter(this.i32, W(Off.ttlMs));
  }

  /** When the last handle left the pipe and kept it (ms since the epoch); 0 while some handle has it. */
  get keptSinceMs(): number {
    return readCounter(this.i32, W(Off.keptSinceMs));
  }

  set keptSinceMs(ms: number) {
    writeCounter(this.i32, W(Off.keptSinceMs), ms);
  }
}

/** readAt's answer for a record it skipped (dead writer, abandoned): the Read looks at the next one. */
const SKIPPED = Symbol('skipped');


/** Adds to a (lo, hi) u32 pair; only the holder of the side's lock changes it. */
function addCounter(i32: Int32Array, word: number, n: number): void {
  const lo = (i32[word]! >>> 0) + n;
  i32[word] = lo | 0;
  if (lo > 0xffffffff) i32[word + 1] = (i32[word + 1]! + Math.floor(lo / 0x100000000)) | 0;
}

