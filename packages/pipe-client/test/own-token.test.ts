// A handle reads and writes under the token its attach gave it: a peer that writes another value
// into the handle's slot does not change whose lock the handle takes, nor whose records it makes.
import { describe, expect, it } from 'vitest';
import { SlotOff } from '../src/ring/layout.js';
import { H, slotWord } from '../src/ring/words.js';
import { bytes, ringOf } from './helpers/memory-ring.js';

describe('a handle\'s own token', () => {
  it('is the one attach gave it, whatever a peer writes into its slot afterwards', () => {
    const { ring, attach } = ringOf(256);
    const slot = attach();
    const given = ring.tokenOf(slot);
    const i32 = new Int32Array((ring as unknown as { i32: Int32Array }).i32.buffer);
    Atomics.store(i32, slotWord(slot, SlotOff.token), given + 1000);
    expect(ring.tokenOf(slot)).toBe(given);
    expect(ring.write(slot, bytes('one'), { index: 0, offset: 0 })).toBe(0);
    // The record's owner word, right after its word0 at the start of the data area.
    const record = (ring as unknown as { recordWord(position: number): number }).recordWord(0);
    expect(Atomics.load(i32, record + 1)).toBe(given);
    // A peek keeps the reader lock: the handle holds it with its own token.
    expect(ring.peek(slot, false)).toBeInstanceOf(Buffer);
    expect(Atomics.load(i32, H.rlock)).toBe(given);
    ring.releasePeek(true);
    expect(Atomics.load(i32, H.rlock)).toBe(0);
    ring.detach(slot);
    expect(ring.tokenOf(slot)).toBe(0);
  });
});
