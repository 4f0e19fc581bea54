// Cursor batches (docs/ring-format.md, "Cursor batch"): all or nothing, committed with the cursor,
// whatever instruction the writer dies at.
import { describe, expect, it } from 'vitest';
import { ALREADY, FULL, LOCKED, OK, TOO_BIG, type CursorStop } from '../src/ring/ring.js';
import { bytes, drain, ringOf } from './helpers/memory-ring.js';

describe('cursor batches: a writer killed at each point of the batch', () => {
  const cases: [CursorStop, string[], bigint][] = [
    ['reserved', ['after'], 5n],
    ['copied', ['after'], 5n],
    ['committed', ['a', 'bb', 'ccc', 'after'], 9n],
  ];
  for (const [stop, read, cursor] of cases) {
    it(`killed after it ${stop} the batch: ${read.length > 1 ? 'the whole batch is read' : 'none of it is read'}, and the cursor says so (${cursor})`, () => {
      const { ring, live, attach } = ringOf();
      const [dying, other, reader] = [attach(), attach(), attach()];
      expect(ring.writeWithCursor(dying, bytes('x'), 5n)).toBe(OK);
      expect(drain(ring, reader)).toEqual(['x']);
      expect(ring.writeWithCursor(dying, bytes('a', 'bb', 'ccc'), 9n, stop)).toBe(OK);
      expect(ring.write(other, bytes('after'), { index: 0, offset: 0 })).toBe(OK);
      expect(drain(ring, reader)).toEqual([]); // its writer is alive and writing: BUSY
      live.delete(dying);
      expect(drain(ring, reader)).toEqual(read);
      expect(ring.cursor()).toBe(cursor);
    });
  }

  it('a new batch settles a dead writer\'s committed one still unread, so its records stay readable', () => {
    const { ring, live, attach } = ringOf();
    const [dying, next, reader] = [attach(), attach(), attach()];
    expect(ring.writeWithCursor(dying, bytes('a', 'bb'), 3n, 'committed')).toBe(OK);
    live.delete(dying);
    expect(ring.writeWithCursor(next, bytes('c'), 4n)).toBe(OK);
    expect(drain(ring, reader)).toEqual(['a', 'bb', 'c']);
    expect(ring.stats().abandoned).toBe(0);
  });

  it('all or nothing: FULL when the batch does not fit whole, LOCKED while a live writer\'s batch is in flight, ALREADY for the committed cursor', () => {
    const { ring, attach } = ringOf(64);
    const [w1, w2] = [attach(), attach()];
    expect(ring.write(w1, bytes('x'.repeat(20)), { index: 0, offset: 0 })).toBe(OK);
    expect(ring.writeWithCursor(w1, bytes('0123456789', '0123456789'), 1n)).toBe(FULL);
    expect(ring.writeWithCursor(w1, bytes('0123456789', '0123456789', '0123456789'), 1n)).toBe(TOO_BIG);
    expect(ring.stats().messagesIn).toBe(1);
    expect(ring.read(w1, Infinity, true)).toBeInstanceOf(Buffer);
    expect(ring.writeWithCursor(w1, bytes('a'), 1n, 'copied')).toBe(OK);
    expect(ring.writeWithCursor(w2, bytes('b'), 2n)).toBe(LOCKED);
    const fresh = ringOf(64);
    const w = fresh.attach();
    expect(fresh.ring.writeWithCursor(w, bytes('a'), 7n)).toBe(OK);
    expect(fresh.ring.writeWithCursor(w, bytes('a'), 7n)).toBe(ALREADY);
    expect(fresh.ring.stats().messagesIn).toBe(1);
  });
});
