// The copy a reader makes of each message, whatever its length (multiples of 4 or 8 or not) and
// wherever it lies (wrapping round the ring's end): every byte arrives, none of the records'
// padding, and messages kept stay as they were while later ones are copied.
import { afterEach, describe, expect, it } from 'vitest';
import { uniqueName } from '../../../tests/support/index.js';
import { closeOpened, collect, open } from './helpers/pipes.js';

afterEach(closeOpened);

/** Message i: a length that walks through 0..300 (byte counts not multiple of 4 or 8 included), bytes from i. */
const messageFor = (i: number): Buffer => {
  const m = Buffer.alloc((i * 7) % 301);
  for (let k = 0; k < m.length; k++) m[k] = (i * 31 + k * 7) & 0xff;
  return m;
};

describe('message copies', () => {
  it('carries every byte of 3,000 messages of 0 to 300 bytes through a small ring, kept messages unchanged', async () => {
    const name = uniqueName('COPIES');
    const reader = open(name, { access: 'read', capacity: 4096 });
    const writer = open(name, { access: 'write' });
    const got = collect(reader);
    for (let i = 0; i < 3000; i++) if (!writer.write(messageFor(i))) await new Promise((resolve) => writer.once('drain', resolve));
    writer.end();
    const messages = await got;
    expect(messages).toHaveLength(3000);
    const wrong = messages.map((m, i) => (m.equals(messageFor(i)) ? -1 : i)).filter((i) => i >= 0);
    expect(wrong).toEqual([]);
  });
});
