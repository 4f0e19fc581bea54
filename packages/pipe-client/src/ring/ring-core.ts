// What every part of the ring shares: the mapped words, the positions, and the sections of the C
// core that the write and read paths call: slots and liveness (rp_ring_slot.c), the side locks
// (rp_ring_lock.c), waiting and waking (rp_ring_wait.c).
import { HEADER_SIZE, OS_WAITER, Off, ROLE_READER, ROLE_WRITER, SLOT_COUNT, SlotOff, W, maxRecord, type WakeWord } from './layout.js';
import { checkHeader } from './header.js';
import { DATA_WORD, H, corrupt, slotWord } from './words.js';

/** What the ring needs from its surroundings: slot liveness as the kernel vouches for it, a CPU yield, and futex wakes. */
export interface RingPlatform {
  /** Whether the handle attached to `slot` still exists (`pid` is the slot's, for platforms that go by process). */
  alive(slot: number, pid: number): boolean;
  yieldCpu(): void;
  /**
   * Wake every sleeper on the 32-bit word at this byte offset of the segment;
   * `waiting` is the word's waiting count, which says who sleeps how (OS_WAITER, BELL_WAITER).
   */
  wake(byteOffset: WakeWord, waiting: number): void;
  /** Lock attempts before LOCKED (default 100). */
  lockAttempts?: number;
  /** Maps these bytes of the segment (page multiples) into the process's page tables ahead of use; a hint. */
  populate?(byteOffset: number, length: number): void;
}

const DEFAULT_LOCK_ATTEMPTS = 100;
/** The waiting count that goes with a wake word. */
const waitingWord = (which: WakeWord): number => (which === Off.dataSeq ? H.readersWaiting : H.writersWaiting);

/** The ring's shared state and its slot, lock and wait sections; Ring (ring.ts) is what callers use. */
export class RingCore {
  readonly capacity: number;
  readonly mode: number;
  readonly maxRecord: number;
  protected readonly i32: Int32Array;
  protected readonly i64: BigInt64Array;
  protected readonly data: Uint8Array;
  protected readonly mask: number;
  private readonly lockAttempts: number;
  /** The tokens this object's attach() gave (0: none): see tokenOf. */
  private readonly attachedTokens = new Int32Array(SLOT_COUNT);
  /** The chunks of the data area (MAP_AHEAD bytes each) mapAhead() has mapped into this process; made at its first call. */
  private mappedChunks: Uint8Array | undefined;
  /**
   * The tail this handle's writes loaded last, and the head its reads loaded last (docs/ring-format.md, Positions
   * seen): the other side's line is loaded only when they fall short. -1, never a position, until the first load.
   */
  protected tailSeen = -1;
  protected headSeen = -1;

  constructor(
    segment: ArrayBuffer,
    private readonly platform: RingPlatform,
  ) {
    const { capacity, mode } = checkHeader(segment);
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

  /** The word index of word0 of the record at `position`; its owner word is the next one (rp_dw). */
  protected recordWord(position: number): number {
    return DATA_WORD + ((position & this.mask) >> 2);
  }

  /** head and tail as the format allows them, or CORRUPT (rp_ring_positions). */
  protected positions(): { head: number; tail: number; used: number } {
    const head = Atomics.load(this.i32, H.head);
    const tail = Atomics.load(this.i32, H.tail);
    return { head, tail, used: this.usedBetween(head, tail) };
  }

  /** The bytes in use from `tail` to `head`, or CORRUPT when the pair does not fit the ring. */
  protected usedBetween(head: number, tail: number): number {
    const used = (head - tail) >>> 0;
    if ((head & 7) !== 0 || (tail & 7) !== 0 || used > this.capacity) {
      throw corrupt(`head ${head >>> 0} and tail ${tail >>> 0} do not fit a ring of ${this.capacity} bytes`);
    }
    return used;
  }

  /** positions() for a reader: head as last seen while records lie between it and tail, else loaded. */
  protected readerPositions(): { head: number; tail: number; used: number } {
    const tail = Atomics.load(this.i32, H.tail);
    const head = this.headSeen;
    const used = (head - tail) >>> 0;
    if (used !== 0 && used <= this.capacity && ((head | tail) & 7) === 0) return { head, tail, used };
    const fresh = this.positions();
    this.headSeen = fresh.head;
    return fresh;
  }

  /** positions() for a writer that needs `size` bytes: tail as last seen while that leaves room, else loaded. */
  protected writerPositions(size: number): { head: number; tail: number; used: number } {
    const head = Atomics.load(this.i32, H.head);
    const tail = this.tailSeen;
    const used = (head - tail) >>> 0;
    if (used + size <= this.capacity && ((head | tail) & 7) === 0) return { head, tail, used };
    const fresh = this.positions();
    this.tailSeen = fresh.tail;
    return fresh;
  }

  // ---- slots and liveness: rp_ring_slot.c ------------------------------------

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
    this.attachedTokens[slot] = token;
    return token;
  }

  /**
   * The slot's token: the one this object's attach() gave it, else as the slot holds it. Every Read
   * and Write takes its own token here, and the slots of a handle's peers share its slot's line and
   * write it (`writing`) at each of their Writes.
   */
  tokenOf(slot: number): number {
    return this.attachedTokens[slot] || Atomics.load(this.i32, slotWord(slot, SlotOff.token));
  }

  setWriter(slot: number): void {
    const word = slotWord(slot, SlotOff.role);
    // Every Write takes the role: a load first, so that a writer that has it writes no shared line for it.
    if ((Atomics.load(this.i32, word) & ROLE_WRITER) !== 0) return;
    const before = Atomics.or(this.i32, word, ROLE_WRITER);
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
    if ((before & ROLE_WRITER) !== 0) this.bump(Off.dataSeq);
  }

  /** Ends writing and clears the slot; the platform then releases it. */
  detach(slot: number): void {
    this.endWriting(slot);
    Atomics.store(this.i32, slotWord(slot, SlotOff.role), 0);
    Atomics.store(this.i32, slotWord(slot, SlotOff.token), 0);
    Atomics.store(this.i32, slotWord(slot, SlotOff.pid), 0);
    this.attachedTokens[slot] = 0;
  }

  protected slotLive(slot: number): boolean {
    return this.platform.alive(slot, Atomics.load(this.i32, slotWord(slot, SlotOff.pid)));
  }

  /** The slots holding `token` (one, unless a peer forged some; none for 0). */
  protected slotsOf(token: number): number[] {
    const slots: number[] = [];
    if (token === 0) return slots;
    for (let slot = 0; slot < SLOT_COUNT; slot++) if (Atomics.load(this.i32, slotWord(slot, SlotOff.token)) === token) slots.push(slot);
    return slots;
  }

  protected tokenLive(token: number): boolean {
    return this.slotsOf(token).some((slot) => this.slotLive(slot));
  }

  // ---- locks: rp_ring_lock.c -------------------------------------------------

  /** Takes a side's lock; false (LOCKED) when a live holder keeps it. A dead holder's lock is stolen. */
  protected lock(word: number, token: number): boolean {
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

  protected unlock(word: number, token: number): void {
    Atomics.compareExchange(this.i32, word, token, 0);
  }

  // ---- waiting and waking: rp_ring_wait.c ------------------------------------

  /** Counts a sleeper of this kind (OS_WAITER, BELL_WAITER) on a wake word; returns the seq value to sleep on (rp_ring_wait_begin_as). */
  beginWait(which: WakeWord, kind = OS_WAITER): number {
    Atomics.add(this.i32, waitingWord(which), kind);
    return Atomics.load(this.i32, W(which));
  }

  endWait(which: WakeWord, kind = OS_WAITER): void {
    Atomics.sub(this.i32, waitingWord(which), kind);
  }

  /** Moves the wake word and wakes whoever sleeps on it (rp_ring_bump, and the wake the OS layer does after). */
  protected bump(which: WakeWord): void {
    Atomics.add(this.i32, W(which), 1);
    this.platform.wake(which, Atomics.load(this.i32, waitingWord(which)));
  }

  /** bump, when anyone counts itself waiting on the word (rp_ring_wake_waiters). */
  protected wakeWaiters(which: WakeWord): void {
    if (Atomics.load(this.i32, waitingWord(which)) !== 0) this.bump(which);
  }

  /**
   * Maps the chunk of the data area that holds the side's position (the writers' head, the
   * readers' tail) and the one after it into the process, each once: one system call per
   * MAP_AHEAD bytes, in place of a page fault per 4 KiB taken by whichever record first lands on
   * a page (about 1% of the rounds of a 64 B ping-pong, until the ring has wrapped). A chunk stays
   * mapped, so once the ring has gone round this costs a lookup: a call on pages already mapped
   * still takes microseconds, as much as a 64 KiB message's copy. Called after a write woke its
   * readers and before a reader waits.
   */
  mapAhead(side: typeof Off.head | typeof Off.tail): void {
    if (!this.platform.populate) return;
    const size = Math.min(MAP_AHEAD, this.capacity);
    const chunks = (this.mappedChunks ??= new Uint8Array(this.capacity / size));
    const chunk = Math.floor((Atomics.load(this.i32, W(side)) & this.mask) / size);
    this.mapChunk(chunks, chunk, size);
    this.mapChunk(chunks, (chunk + 1) % chunks.length, size);
  }

  private mapChunk(chunks: Uint8Array, c: number, size: number): void {
    if (chunks[c] === 1) return;
    chunks[c] = 1;
    this.platform.populate?.(HEADER_SIZE + c * size, size);
  }
}

/** How far ahead a handle maps the ring (mapAhead): 16 pages, a few microseconds a call. */
const MAP_AHEAD = 64 * 1024;
