// The read window (src/read-window.ts) that @ringpipe/bridge --to publishes from: messages shown in
// place without being consumed, released oldest first.
import { describe, expect, it } from 'vitest';
import { bytes, drain, ringOf } from './helpers/memory-ring.js';

describe('the read window: messages shown in place, consumed in order', () => {
  it('shows messages beyond the first without consuming them; release consumes the oldest; close leaves the rest', () => {
    const { ring, attach } = ringOf();
    const [w, r] = [attach(), attach()];
    ring.write(w, bytes('one', 'two', 'three', 'four'), { index: 0, offset: 0 });
    const first = ring.peek(r, true) as Buffer;
    expect(first.toString()).toBe('one');
    const more = ring.peekMore(2);
    expect(more.map((m) => m.data.toString())).toEqual(['two', 'three']);
    expect(more[0]!.position).toBe(16);
    expect(ring.readyAfterShown()).toBe(true);
    ring.releaseShown(2);
    expect(ring.stats().messagesOut).toBe(2);
    expect(ring.peekMore(5).map((m) => m.data.toString())).toEqual(['four']);
    ring.releasePeek(false);
    expect(drain(ring, r)).toEqual(['three', 'four']);
  });
});
