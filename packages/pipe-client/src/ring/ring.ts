import { ErrorCode, RingPipeError } from '../errors.js';
import {
  HEADER_SIZE,
  LEN_MASK,
  MAGIC,
  MODE_BYTE,
  MODE_MESSAGE,
  Off,
  RECORD_HEADER,
  ROLE_READER,
  ROLE_WRITER,
  SLOT_COUNT,
  SLOT_OFFSET,
  SLOT_SIZE,
  STATE_COMMITTED,
  STATE_RESERVED,
  SlotOff,
  VERSION,
  W,
  recordSize,
} from './layout.js';

/** What the ring needs from its surroundings: process liveness, a CPU yield, and futex wakes. */
export interface RingPlatform {
  alive(pid: number): boolean;
  yieldCpu(): void;
  /** Wake every sleeper on the 32-bit word at this byte offset of the segment. */
  wake(byteOffset: number): void;
}

export const EMPTY = -1;
export const BUSY = -2;
export const TOO_SMALL = -3;
export const FULL = -4;

export interface RingStats {
  capacity: number;
  mode: 'message' | 'byte';
  usedBytes: number;
  messagesIn: number;
  bytesIn: number;
  messagesOut: number;
  bytesOut: number;
  abandoned: number;
  handles: number;
  writers: number;
  readers: number;
  writersEver: number;
}

const H = {
  head: W(Off.head),
  tail: W(Off.tail),
  wlock: W(Off.wlock),
  rlock: W(Off.rlock),
  spaceSeq: W(Off.spaceSeq),
  dataSeq: W(Off.dataSeq),
  writersWaiting: W(Off.writersWaiting),
  readersWaiting: W(Off.readersWaiting),
  tailSkip: W(Off.tailSkip),
  msgsIn: W(Off.msgsIn),
  bytesIn: W(Off.bytesIn),
  msgsOut: W(Off.msgsOut),
  bytesOut: W(Off.bytesOut),
  abandoned: W(Off.abandoned),
  attachSeq: W(Off.attachSeq),
  writersEver: W(Off.writersEver),
} as const;
const DATA_WORD = W(HEADER_SIZE);
/** Locks are held for a few instructions; a live holder past this is stopped or broken. */
const LOCK_GIVE_UP_MS = 2000;
const slotWord = (slot: number, field: number): number => W(SLOT_OFFSET + slot * SLOT_SIZE + field);

/**
 * The ring of docs/ring-format.md over one mapped segment. Every method is
 * synchronous and never waits for a peer: a caller that gets EMPTY, BUSY or
 * FULL waits on `dataSeq` / `spaceSeq` with the futex protocol of the doc.
 */
export class Ring {
  readonly capacity: number;
  readonly mode: number;
  private readonly i32: Int32Array;
  private readonly data: Uint8Array;
  private readonly mask: number;
  /** Position of the first record of the last `reserve`. */
  private reservedAt = 0;

  constructor(
    segment: ArrayBuffer,
    private readonly platform: RingPlatform,
  ) {
    const { capacity, mode } = Ring.validate(segment);
    this.capacity = capacity;
    this.mode = mode;
    this.mask = capacity - 1;
    this.i32 = new Int32Array(segment, 0, (HEADER_SIZE + capacity) / 4);
    this.data = new Uint8Array(segment, HEADER_SIZE, capacity);
  }

  /** Writes a fresh header into a zeroed or abandoned segment; `magic` goes last. */
  static init(segment: ArrayBuffer, capacity: number, mode: number): void {
    const i32 = new Int32Array(segment, 0, HEADER_SIZE / 4);
    i32.fill(0);
    const view = new DataView(segment);
    view.setUint16(Off.version, VERSION, true);
    view.setUint16(Off.headerSize, HEADER_SIZE, true);
    view.setUint32(Off.capacity, capacity, true);
    view.setUint32(Off.mode, mode, true);
    view.setUint32(Off.slotCount, SLOT_COUNT, true);
    view.setUint32(Off.slotOffset, SLOT_OFFSET, true);
    view.setUint32(Off.dataOffset, HEADER_SIZE, true);
    Atomics.store(i32, W(Off.magic), MAGIC);
  }

  /** Checks the fixed header fields of a segment that another process wrote. */
  static validate(segment: ArrayBuffer): { capacity: number; mode: number } {
    const bad = (why: string): never => {
      throw new RingPipeError(ErrorCode.Corrupt, `not a ringpipe v${VERSION} segment: ${why}`);
    };
    if (segment.byteLength < HEADER_SIZE) bad('shorter than its header');
    const view = new DataView(segment);
    if (view.getUint32(Off.magic, true) !== MAGIC) bad('bad magic');
    if (view.getUint16(Off.version, true) !== VERSION) bad(`version ${view.getUint16(Off.version, true)}`);
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
    if (segment.byteLength < HEADER_SIZE + capacity) bad('shorter than its capacity');
    return { capacity, mode };
  }

  // ---- slots ---------------------------------------------------------------

  /** Takes the lowest free slot for `pid`; returns the slot index, or -1 when all are taken. */
  attach(pid: number): number {
    const i32 = this.i32;
    for (let slot = 0; slot < SLOT_COUNT; slot++) {
      if (Atomics.compareExchange(i32, slotWord(slot, SlotOff.pid), 0, pid) !== 0) continue;
      let token: number;
      do token = (Atomics.add(i32, H.attachSeq, 1) + 1) | 0;
      while (token === 0);
      Atomics.store(i32, slotWord(slot, SlotOff.token), token);
      Atomics.store(i32, slotWord(slot, SlotOff.role), 0);
      return slot;
    }
    return -1;
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
    if ((before & ROLE_WRITER) !== 0) this.bumpAndWake(H.dataSeq, Off.dataSeq);
  }

  detach(slot: number): void {
    this.endWriting(slot);
    this.freeSlot(slot, Atomics.load(this.i32, slotWord(slot, SlotOff.pid)));
  }

  /** Frees the slots of processes that no longer exist; returns how many slots stay in use. */
  reclaimDead(): number {
    let inUse = 0;
    for (let slot = 0; slot < SLOT_COUNT; slot++) {
      const pid = Atomics.load(this.i32, slotWord(slot, SlotOff.pid));
      if (pid === 0) continue;
      if (this.platform.alive(pid)) {
        inUse++;
        continue;
      }
      this.endWriting(slot);
      this.freeSlot(slot, pid);
    }
    return inUse;
  }

  private freeSlot(slot: number, pid: number): void {
    Atomics.store(this.i32, slotWord(slot, SlotOff.role), 0);
    Atomics.store(this.i32, slotWord(slot, SlotOff.token), 0);
    Atomics.compareExchange(this.i32, slotWord(slot, SlotOff.pid), pid, 0);
  }

  private tokenLive(token: number): boolean {
    if (token === 0) return false;
    for (let slot = 0; slot < SLOT_COUNT; slot++) {
      if (Atomics.load(this.i32, slotWord(slot, SlotOff.token)) !== token) continue;
      const pid = Atomics.load(this.i32, slotWord(slot, SlotOff.pid));
      return pid !== 0 && this.platform.alive(pid);
    }
    return false;
  }

  // ---- locks ---------------------------------------------------------------

  private lock(word: number, token: number): void {
    if (Atomics.compareExchange(this.i32, word, 0, token) === 0) return;
    const started = performance.now();
    for (let spin = 1; ; spin++) {
      const holder = Atomics.load(this.i32, word);
      if (holder === 0) {
        if (Atomics.compareExchange(this.i32, word, 0, token) === 0) return;
      } else if ((spin & 63) === 0) {
        if (!this.tokenLive(holder)) {
          if (Atomics.compareExchange(this.i32, word, holder, token) === holder) return;
        } else {
          this.platform.yieldCpu();
          if ((spin & 4095) === 0 && performance.now() - started > LOCK_GIVE_UP_MS) {
            throw new RingPipeError(ErrorCode.Corrupt, `a live process has held the ring's lock for over ${LOCK_GIVE_UP_MS} ms`);
          }
        }
      }
    }
  }

  private unlock(word: number, token: number): void {
    Atomics.compareExchange(this.i32, word, token, 0);
  }

  // ---- write ---------------------------------------------------------------

  /**
   * Writes chunks[from..] as one record each while they fit; returns how many
   * were written (0 when the ring is full). The caller checks sizes first.
   */
  writeMany(token: number, chunks: readonly Uint8Array[], from: number): number {
    const count = this.reserve(token, chunks, from);
    let at = this.reservedAt;
    for (let i = from; i < from + count; i++) {
      const chunk = chunks[i]!;
      const off = at & this.mask;
      this.copyIn(chunk, off + RECORD_HEADER);
      // Only if still ours: a reader that wrongly judged us dead may have skipped the record.
      Atomics.compareExchange(this.i32, DATA_WORD + (off >> 2), (STATE_RESERVED << 30) | chunk.length, (STATE_COMMITTED << 30) | chunk.length);
      at = (at + recordSize(chunk.length)) | 0;
    }
    if (count > 0 && Atomics.load(this.i32, H.readersWaiting) !== 0) this.bumpAndWake(H.dataSeq, Off.dataSeq);
    return count;
  }

  /**
   * Steps 1-2 of Write for chunks[from..]: reserves their records under the
   * writer lock and returns how many; they start at `reservedAt`.
   */
  reserve(token: number, chunks: readonly Uint8Array[], from: number): number {
    const i32 = this.i32;
    this.lock(H.wlock, token);
    let head = i32[H.head]!;
    this.reservedAt = head;
    let used = (head - Atomics.load(i32, H.tail)) >>> 0;
    let end = from;
    let bytes = 0;
    while (end < chunks.length) {
      const len = chunks[end]!.length;
      const size = recordSize(len);
      if (used + size > this.capacity) break;
      const word = DATA_WORD + ((head & this.mask) >> 2);
      // Plain stores: the Atomics.store of head below publishes them.
      i32[word + 1] = token;
      i32[word] = (STATE_RESERVED << 30) | len;
      head = (head + size) | 0;
      used += size;
      bytes += len;
      end++;
    }
    if (end > from) {
      addCounter(i32, H.msgsIn, end - from);
      addCounter(i32, H.bytesIn, bytes);
      Atomics.store(i32, H.head, head);
    }
    this.unlock(H.wlock, token);
    return end - from;
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
   * mode). Returns the bytes, or EMPTY, BUSY (a writer is still copying) or
   * TOO_SMALL. With `checkOwners` a reservation whose writer died is skipped
   * instead of reported BUSY (the liveness check costs system calls).
   */
  read(token: number, max: number, checkOwners: boolean): Buffer | number {
    const i32 = this.i32;
    this.lock(H.rlock, token);
    let result: Buffer | number;
    for (;;) {
      const tail = i32[H.tail]!;
      const head = Atomics.load(i32, H.head);
      if (tail === head) {
        result = EMPTY;
        break;
      }
      const off = tail & this.mask;
      const word = DATA_WORD + (off >> 2);
      const word0 = Atomics.load(i32, word);
      const state = word0 >>> 30;
      const len = word0 & LEN_MASK;
      const size = recordSize(len);
      const invalid = state !== STATE_RESERVED && state !== STATE_COMMITTED;
      if (size > ((head - tail) >>> 0) || invalid || (len === 0 && this.mode === MODE_BYTE)) {
        this.unlock(H.rlock, token);
        throw new RingPipeError(ErrorCode.Corrupt, `corrupt record at position ${tail >>> 0}`);
      }
      if (state === STATE_RESERVED) {
        if (!checkOwners || this.tokenLive(Atomics.load(i32, word + 1))) {
          result = BUSY;
          break;
        }
        Atomics.store(i32, H.tailSkip, 0);
        Atomics.store(i32, H.tail, (tail + size) | 0);
        Atomics.add(i32, H.abandoned, 1);
        continue;
      }
      result = this.mode === MODE_MESSAGE ? this.takeMessage(tail, len, size, max) : this.takeBytes(tail, len, size, max);
      break;
    }
    this.unlock(H.rlock, token);
    if (typeof result !== 'number' && Atomics.load(i32, H.writersWaiting) !== 0) {
      this.bumpAndWake(H.spaceSeq, Off.spaceSeq);
    }
    return result;
  }

  private takeMessage(tail: number, len: number, size: number, max: number): Buffer | number {
    if (len > max) return TOO_SMALL;
    const out = Buffer.allocUnsafe(len);
    this.copyOut(tail + RECORD_HEADER, out, 0, len);
    addCounter(this.i32, H.msgsOut, 1);
    addCounter(this.i32, H.bytesOut, len);
    Atomics.store(this.i32, H.tail, (tail + size) | 0);
    return out;
  }

  private takeBytes(tail: number, len: number, size: number, max: number): Buffer | number {
    const skip = this.i32[H.tailSkip]!;
    const n = Math.min(len - skip, max);
    if (n <= 0 && len > 0) return TOO_SMALL;
    const out = Buffer.allocUnsafe(n);
    this.copyOut(tail + RECORD_HEADER + skip, out, 0, n);
    addCounter(this.i32, H.bytesOut, n);
    if (skip + n === len) {
      Atomics.store(this.i32, H.tailSkip, 0);
      addCounter(this.i32, H.msgsOut, 1);
      Atomics.store(this.i32, H.tail, (tail + size) | 0);
    } else {
      Atomics.store(this.i32, H.tailSkip, skip + n);
    }
    return out;
  }

  // TypedArray set() of a subarray: cheaper than Buffer.copy for the small messages that dominate.
  private copyOut(position: number, dst: Buffer, dstOff: number, len: number): void {
    const off = position & this.mask;
    const first = Math.min(len, this.capacity - off);
    dst.set(this.data.subarray(off, off + first), dstOff);
    if (first < len) dst.set(this.data.subarray(0, len - first), dstOff + first);
  }

  // ---- waiting and EOF -----------------------------------------------------

  /** Whether the oldest record is committed (a read would return data), as far as one look can tell. */
  readyToRead(): boolean {
    const tail = Atomics.load(this.i32, H.tail);
    if (tail === Atomics.load(this.i32, H.head)) return false;
    return Atomics.load(this.i32, DATA_WORD + ((tail & this.mask) >> 2)) >>> 30 === STATE_COMMITTED;
  }

  freeBytes(): number {
    return this.capacity - ((Atomics.load(this.i32, H.head) - Atomics.load(this.i32, H.tail)) >>> 0);
  }

  isEmpty(): boolean {
    return Atomics.load(this.i32, H.tail) === Atomics.load(this.i32, H.head);
  }

  /**
   * EOF: some writer attached once, no slot holds the writer role (of a live
   * process, with `checkLiveness`), and the ring is empty, loaded in that order:
   * a writer ends its role after its last write, so emptiness is looked at last.
   */
  isEof(checkLiveness: boolean): boolean {
    if (Atomics.load(this.i32, H.writersEver) === 0) return false;
    for (let slot = 0; slot < SLOT_COUNT; slot++) {
      if ((Atomics.load(this.i32, slotWord(slot, SlotOff.role)) & ROLE_WRITER) === 0) continue;
      const pid = Atomics.load(this.i32, slotWord(slot, SlotOff.pid));
      if (pid !== 0 && (!checkLiveness || this.platform.alive(pid))) return false;
    }
    return this.isEmpty();
  }

  /** Starts a wait for data (or EOF); returns the `data_seq` value to sleep on. */
  beginReadWait(): number {
    Atomics.add(this.i32, H.readersWaiting, 1);
    return Atomics.load(this.i32, H.dataSeq);
  }

  endReadWait(): void {
    Atomics.sub(this.i32, H.readersWaiting, 1);
  }

  beginWriteWait(): number {
    Atomics.add(this.i32, H.writersWaiting, 1);
    return Atomics.load(this.i32, H.spaceSeq);
  }

  endWriteWait(): void {
    Atomics.sub(this.i32, H.writersWaiting, 1);
  }

  private bumpAndWake(word: number, byteOffset: number): void {
    Atomics.add(this.i32, word, 1);
    this.platform.wake(byteOffset);
  }

  // ---- statistics ------------------------------------------------------------

  /** With `alive`, handles of processes that died are not counted. */
  stats(alive?: (pid: number) => boolean): RingStats {
    const i32 = this.i32;
    let handles = 0;
    let writers = 0;
    let readers = 0;
    for (let slot = 0; slot < SLOT_COUNT; slot++) {
      const pid = Atomics.load(i32, slotWord(slot, SlotOff.pid));
      if (pid === 0 || (alive && !alive(pid))) continue;
      handles++;
      const role = Atomics.load(i32, slotWord(slot, SlotOff.role));
      if (role & ROLE_WRITER) writers++;
      if (role & ROLE_READER) readers++;
    }
    return {
      capacity: this.capacity,
      mode: this.mode === MODE_MESSAGE ? 'message' : 'byte',
      usedBytes: (Atomics.load(i32, H.head) - Atomics.load(i32, H.tail)) >>> 0,
      messagesIn: readCounter(i32, H.msgsIn),
      bytesIn: readCounter(i32, H.bytesIn),
      messagesOut: readCounter(i32, H.msgsOut),
      bytesOut: readCounter(i32, H.bytesOut),
      abandoned: Atomics.load(i32, H.abandoned) >>> 0,
      handles,
      writers,
      readers,
      writersEver: Atomics.load(i32, H.writersEver) >>> 0,
    };
  }
}

/** Adds to a (lo, hi) u32 pair; only the holder of the side's lock changes it. */
function addCounter(i32: Int32Array, word: number, n: number): void {
  const lo = (i32[word]! >>> 0) + n;
  i32[word] = lo | 0;
  if (lo > 0xffffffff) i32[word + 1] = (i32[word + 1]! + Math.floor(lo / 0x100000000)) | 0;
}

function readCounter(i32: Int32Array, word: number): number {
  return (i32[word + 1]! >>> 0) * 0x100000000 + (i32[word]! >>> 0);
}
