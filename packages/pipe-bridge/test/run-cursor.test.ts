import { describe, expect, it } from 'vitest';
import { decodeRun, encodeRun, MAX_RUN } from '../src/run-cursor.js';

describe('the --from cursor: a run of stream sequences in the pipe\'s 64-bit cursor', () => {
  it('round-trips runs of 1 to MAX_RUN messages, up to sequences far beyond 2^32', () => {
    for (const run of [
      { first: 1, last: 1 },
      { first: 7, last: 262 },
      { first: 2 ** 40 - MAX_RUN + 1, last: 2 ** 40 },
      { first: 5_000_000_000, last: 5_000_000_000 + MAX_RUN - 1 },
    ]) {
      expect(decodeRun(encodeRun(run))).toEqual(run);
    }
  });

  it('a new pipe (cursor 0) names no run; later runs have larger cursors', () => {
    expect(decodeRun(0n)).toBeUndefined();
    expect(encodeRun({ first: 10, last: 20 })).toBeGreaterThan(encodeRun({ first: 1, last: 9 }));
  });
});
