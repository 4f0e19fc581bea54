// The order of a Read's stores (docs/ring-format.md, Read and Batch read): tail64 before
// msgs_out, so that msgs_out loaded before tail never counts a record that tail does not show
// consumed (the bridge's message ids rely on it). A worker thread samples (msgs_out, tail) while
// this thread moves messages through a ring in shared memory, by read and by readBatch, until the
// worker has seen msgs_out move by exactly one between two of its samples often enough to show
// that it sampled inside single Reads.
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { within } from '../../../tests/support/index.js';
import { HEADER_SIZE, MODE_MESSAGE, Off } from '../src/ring/layout.js';
import { OK, Ring } from '../src/ring/ring.js';
import { initHeader } from '../src/ring/header.js';

const CAPACITY = 4096;
const LEN = 8; // records of 16 bytes
// Enough samples inside single Reads that a wrong order shows (hundreds of times at 50,000 when
// mutated); a starved observer on a loaded machine gets there later, so the cap is generous.
const SEEN = 20_000;
const MAX_MESSAGES = 80_000_000;

// control: [0] stop, [1] samples where msgs_out moved by one, [2] samples with msgs_out ahead of tail.
const OBSERVER = `
const { workerData: { segment, control } } = require('node:worker_threads');
const words = new Int32Array(segment, 0, ${HEADER_SIZE / 4});
let last = 0;
while (Atomics.load(control, 0) === 0) {
  const msgs = Atomics.load(words, ${Off.msgsOut / 4}) >>> 0;
  const tail = Atomics.load(words, ${Off.tail / 4}) >>> 0;
  if (msgs * ${LEN + 8} > tail) Atomics.add(control, 2, 1);
  if (msgs - last === 1) Atomics.add(control, 1, 1);
  last = msgs;
}
`;

describe('a Read stores tail before it counts msgs_out', () => {
  it('never shows msgs_out ahead of tail to an observer, by read or readBatch', async () => {
    const segment = new SharedArrayBuffer(HEADER_SIZE + CAPACITY);
    const control = new Int32Array(new SharedArrayBuffer(12));
    initHeader(segment as unknown as ArrayBuffer, CAPACITY, MODE_MESSAGE);
    const ring = new Ring(segment as unknown as ArrayBuffer, { alive: () => true, yieldCpu: () => {}, wake: () => {} });
    ring.attach(0, 100);
    ring.attach(1, 200);
    const worker = new Worker(OBSERVER, { eval: true, workerData: { segment, control } });
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    await new Promise((resolve) => worker.once('online', resolve));
    const message = Buffer.alloc(LEN, 7);
    let moved = 0;
    let failed = 0;
    for (let n = 0; n < MAX_MESSAGES && Atomics.load(control, 1) < SEEN; n += 2) {
      const cursor = { index: 0, offset: 0 };
      if (ring.write(0, [message, message], cursor) !== OK || cursor.index !== 2) failed++;
      // Alternately two single Reads and one batch Read of both.
      const got = (n / 2) % 2 === 0 ? [ring.read(1, LEN, false), ring.read(1, LEN, false)] : ring.readBatch(1, 2, false);
      if (!Array.isArray(got) || got.length !== 2 || !got.every((one) => Buffer.isBuffer(one) && one.length === LEN)) failed++;
      moved += 2;
    }
    Atomics.store(control, 0, 1);
    await within(10_000, 'the observer worker to stop', exited);
    expect(failed).toBe(0);
    expect(Atomics.load(control, 1), `the observer saw msgs_out move by one ${Atomics.load(control, 1)} times in ${moved} messages`).toBeGreaterThanOrEqual(SEEN);
    expect(Atomics.load(control, 2), 'samples with msgs_out ahead of tail').toBe(0);
  }, 400_000);
});
