import koffi from 'koffi';
import type { Wait } from '../../wait/wait.js';
import { SLOT_COUNT } from '../../ring/layout.js';
import { PEER_CHECK_MS } from '../../wait/timing.js';
import { WAKE_DATA } from '../windows-driver/abi.js';
import { winError } from '../../platform/windows/errors.js';
import { EVENT_USE, FILE_MAP_READ, FILE_MAP_WRITE, closeHandle, k32 } from '../../platform/windows/kernel32.js';
import { createEvent, createSection, type Trust } from '../../platform/windows/named-objects.js';
import { handleWaiter } from '../../platform/windows/waiter.js';

const WAIT_PAGE = 4096;
/** Words of the bitmap of one direction (128 slots). */
const BITMAP_WORDS = SLOT_COUNT / 32;

const eventName = (base: string, slot: number, which: number): string => `${base}#slot${slot}#${which === WAKE_DATA ? 'data' : 'space'}`;

/**
 * Wake-ups of the shm backend that are never missed. Each handle sleeps on its own
 * auto-reset events (BASE#slotN#data, #space); the page BASE#wait holds, per
 * direction, a bit per slot that sleeps. A sleeper sets its bit and only then looks
 * at the seq word one last time; a waker bumps the seq word (the Ring does) and only
 * then reads the bits and sets the event of every slot whose bit is set. All of it is
 * sequentially consistent, so either the sleeper sees the new seq or the waker sees
 * the bit. An event left set by a wake nobody waited for costs one spurious wake-up.
 */
export class ShmWaker {
  private readonly bits: Int32Array;
  private readonly own: Record<number, bigint>;
  /** Other slots' events, opened when first woken and kept until close. */
  private readonly peers = new Map<string, bigint>();

  private constructor(
    private readonly base: string,
    private readonly slot: number,
    private readonly section: bigint,
    private readonly address: bigint,
    own: Record<number, bigint>,
  ) {
    this.bits = new Int32Array(koffi.view(address, WAIT_PAGE) as ArrayBuffer);
    this.own = own;
    // A slot's bits may be left set by a holder that died while it slept.
    for (const which of [0, 1]) Atomics.and(this.bits, which * BITMAP_WORDS + (slot >> 5), ~(1 << (slot & 31)));
  }

  static open(base: string, slot: number, trust: Trust): ShmWaker {
    const made: bigint[] = [];
    let address = 0n;
    try {
      const section = createSection(`${base}#wait`, WAIT_PAGE, trust).h;
      made.push(section);
      address = k32().MapViewOfFile(section, FILE_MAP_READ | FILE_MAP_WRITE, 0, 0, WAIT_PAGE) as bigint;
      if (address === 0n) throw winError(`MapViewOfFile of ${base}#wait`);
      const own: Record<number, bigint> = {};
      for (const which of [1, 2]) {
        own[which] = createEvent(eventName(base, slot, which), false, trust);
        made.push(own[which]!);
      }
      return new ShmWaker(base, slot, section, address, own);
    } catch (err) {
      if (address !== 0n) k32().UnmapViewOfFile(address);
      for (const h of made.reverse()) closeHandle(h);
      throw err;
    }
  }

  private bit(which: number, slot: number): [number, number] {
    return [(which === WAKE_DATA ? 0 : BITMAP_WORDS) + (slot >> 5), 1 << (slot & 31)];
  }

  /** Sleeps until the seq word moves from `seq` (or 250 ms pass, to re-check peers). */
  sleep(which: number, words: Int32Array, word: number, seq: number): Wait {
    const [at, mask] = this.bit(which, this.slot);
    Atomics.or(this.bits, at, mask);
    const moved = (): boolean => Atomics.load(words, word) !== seq;
    if (moved()) {
      Atomics.and(this.bits, at, ~mask);
      return { promise: Promise.resolve(), cancel: () => {} };
    }
    const pending = handleWaiter.wait(this.own[which]!, moved, PEER_CHECK_MS);
    return {
      promise: pending.promise.then(() => void Atomics.and(this.bits, at, ~mask)),
      cancel: () => pending.cancel(),
    };
  }

  /** After the seq word of `which` moved: sets the event of every slot that sleeps on it. */
  wake(which: number): void {
    const first = which === WAKE_DATA ? 0 : BITMAP_WORDS;
    for (let w = 0; w < BITMAP_WORDS; w++) {
      let bits = Atomics.load(this.bits, first + w);
      while (bits !== 0) {
        const low = bits & -bits;
        bits ^= low;
        const slot = w * 32 + 31 - Math.clz32(low);
        const event = slot === this.slot ? this.own[which]! : this.peerEvent(slot, which);
        if (event !== 0n) k32().SetEvent(event);
      }
    }
  }

  private peerEvent(slot: number, which: number): bigint {
    const name = eventName(this.base, slot, which);
    let h = this.peers.get(name);
    if (h !== undefined) return h;
    // Gone (its sleeper died; the bit is stale until the slot's next holder clears it): nothing to wake.
    // Whoever owns a peer's event, setting it is all we do with it: no owner check.
    h = k32().OpenEventW(EVENT_USE, 0, name) as bigint;
    if (h === 0n) return 0n;
    this.peers.set(name, h);
    return h;
  }

  close(): void {
    for (const which of [0, 1]) Atomics.and(this.bits, which * BITMAP_WORDS + (this.slot >> 5), ~(1 << (this.slot & 31)));
    k32().UnmapViewOfFile(this.address);
    closeHandle(this.section);
    for (const h of this.peers.values()) closeHandle(h);
    this.peers.clear();
    closeHandle(this.own[1]!);
    closeHandle(this.own[2]!);
  }
}
