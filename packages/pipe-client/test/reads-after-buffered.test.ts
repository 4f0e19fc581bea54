// A message the stream already took from the ring (into its buffer) comes first, whatever reads next:
// readInto, readBatch and readView hand it over before they look at the ring.
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import type { RingPipe } from '../src/index.js';
import { uniqueName, within } from '../../../tests/support/index.js';
import { closeOpened, open } from './helpers/pipes.js';

afterEach(closeOpened);

/** A reader whose stream holds 'first' in its buffer while 'second' and 'third' wait in the ring. */
async function readerHoldingFirst(): Promise<RingPipe> {
  const name = uniqueName('BUFFERED');
  const reader = open(name, { access: 'read' });
  const writer = open(name, { access: 'write' });
  await writer.writeBatch(['first', 'second', 'third']);
  const readable = once(reader, 'readable');
  reader.on('readable', () => {});
  await within(10_000, 'the stream buffered a message', readable);
  reader.removeAllListeners('readable');
  expect(reader.readableLength).toBe(1);
  return reader;
}

/** Three messages by readView, each consumed. */
async function threeViews(reader: RingPipe): Promise<string[]> {
  const got: string[] = [];
  for (let i = 0; i < 3; i++) {
    const view = await within(10_000, 'readView', reader.readView());
    got.push(String(view!.data));
    view!.release();
  }
  return got;
}

describe('reads after the stream buffered a message', () => {
  it('readInto returns the buffered message, then the ring in order', async () => {
    const reader = await readerHoldingFirst();
    const target = Buffer.alloc(64);
    const got: string[] = [];
    for (let i = 0; i < 3; i++) {
      const n = await within(10_000, 'readInto', reader.readInto(target));
      got.push(target.subarray(0, n!).toString());
    }
    expect(got).toEqual(['first', 'second', 'third']);
  });

  it('readInto with a target too small for the buffered message rejects and keeps it first', async () => {
    const reader = await readerHoldingFirst();
    await expect(reader.readInto(Buffer.alloc(2))).rejects.toMatchObject({ code: 'ERR_RINGPIPE_MESSAGE_TOO_BIG' });
    const target = Buffer.alloc(64);
    const n = await within(10_000, 'readInto', reader.readInto(target));
    expect(target.subarray(0, n!).toString()).toBe('first');
  });

  it('readBatch returns the buffered message first', async () => {
    const reader = await readerHoldingFirst();
    const got: string[] = [];
    while (got.length < 3) got.push(...(await within(10_000, 'readBatch', reader.readBatch(8))).map(String));
    expect(got).toEqual(['first', 'second', 'third']);
  });

  it('readView returns the buffered message first', async () => {
    const reader = await readerHoldingFirst();
    expect(await threeViews(reader)).toEqual(['first', 'second', 'third']);
  });

  it('readView of the buffered message released unconsumed gives it again, then the ring in order', async () => {
    const reader = await readerHoldingFirst();
    const kept = await within(10_000, 'readView', reader.readView());
    expect(String(kept!.data)).toBe('first');
    kept!.release(false);
    expect(await threeViews(reader)).toEqual(['first', 'second', 'third']);
  });
});
