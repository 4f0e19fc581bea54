import { describe, expect, it } from 'vitest';
import { decodeRun, encodeRun, EPOCHS, MAX_RUN, MAX_SEQUENCE } from '../src/run-cursor.js';

describe('the --from cursor: a run of stream sequences in the pipe\'s 64-bit cursor', () => {
  it('round-trips runs of 1 to MAX_RUN messages, up to sequences far beyond 2^32, in every epoch', () => {
    for (const run of [
      { first: 1, last: 1 },
      { first: 7, last: 262 },
      { first: 2 ** 40 - MAX_RUN + 1, last: 2 ** 40 },
      { first: 5_000_000_000, last: 5_000_000_000 + MAX_RUN - 1 },
      { first: MAX_SEQUENCE - MAX_RUN + 1, last: MAX_SEQUENCE },
    ]) {
      for (const epoch of [0, 1, EPOCHS - 1]) {
        const cursor = encodeRun(run, epoch);
        expect(cursor).toBeLessThan(2n ** 64n);
        expect(decodeRun(cursor)).toEqual({ run, epoch });
      }
    }
  });

  it('a new pipe (cursor 0) names no run; later runs have larger cursors; epoch 0 keeps the cursors of earlier bridges', () => {
    expect(decodeRun(0n)).toBeUndefined();
    expect(encodeRun({ first: 10, last: 20 }, 0)).toBeGreaterThan(encodeRun({ first: 1, last: 9 }, 0));
    expect(encodeRun({ first: 7, last: 262 }, 0)).toBe(262n * 4096n + 255n);
  });

  it('the same run in the next numbering of the stream has another cursor (the ring would not write it again)', () => {
    const run = { first: 1, last: 100 };
    expect(encodeRun(run, 1)).not.toBe(encodeRun(run, 0));
    expect(encodeRun(run, EPOCHS)).toBe(encodeRun(run, 0));
  });

  it('refuses a sequence beyond what the cursor holds', () => {
    expect(() => encodeRun({ first: MAX_SEQUENCE + 1, last: MAX_SEQUENCE + 1 }, 0)).toThrow(RangeError);
  });
});
