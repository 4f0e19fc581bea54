// write() of a message that fits while nothing is queued goes straight into the ring; the stream's
// semantics stay: callbacks later and with null, order across the switch to queued writes and back,
// write() false and 'drain' once the queued bytes reach the high-water mark, errors as the stream reports them.
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { uniqueName } from '../../../tests/support/index.js';
import { ErrorCode } from '../src/index.js';
import { closeOpened, collect, open } from './helpers/pipes.js';

afterEach(closeOpened);

const numbered = (i: number, size = 100): Buffer => {
  const m = Buffer.alloc(size, i & 0xff);
  m.writeUInt32LE(i, 0);
  return m;
};

describe('a write straight into the ring', () => {
  it('is in the ring when write() returns, and its callback runs later, with null', async () => {
    const name = uniqueName('DIRECT');
    const reader = open(name, { access: 'read' });
    const writer = open(name, { access: 'write' });
    const calls: unknown[] = [];
    let returned = false;
    expect(writer.write(numbered(0), (err) => calls.push(err, returned))).toBe(true);
    expect(writer.write(numbered(1), 'utf8', (err) => calls.push(err, returned))).toBe(true);
    returned = true;
    expect(writer.writableLength).toBe(0);
    expect(writer.stats().messagesIn).toBe(2);
    expect(calls).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toEqual([null, true, null, true]);
    writer.end();
    expect((await collect(reader)).map((m) => m.readUInt32LE(0))).toEqual([0, 1]);
  });

  it('keeps the order of messages while writes switch between the ring and the stream (full ring, cork)', async () => {
    const name = uniqueName('DIRECT');
    const reader = open(name, { access: 'read', capacity: 4096 });
    const writer = open(name, { access: 'write' });
    const got = collect(reader);
    let callbacks = 0;
    let refused = 0;
    for (let i = 0; i < 2000; i++) {
      if (i % 97 === 0) writer.cork();
      const ok = writer.write(numbered(i), (err) => {
        expect(err).toBeNull();
        callbacks++;
      });
      if (i % 97 === 5 || !ok) while (writer.writableCorked > 0) writer.uncork();
      if (!ok) {
        refused++;
        await once(writer, 'drain');
      }
    }
    writer.end();
    await once(writer, 'finish');
    const seqs = (await got).map((m) => m.readUInt32LE(0));
    expect(seqs).toEqual(Array.from({ length: 2000 }, (_, i) => i));
    expect(callbacks).toBe(2000);
    expect(refused).toBeGreaterThan(0);
  });

  it('goes behind a write that waits for room, even once the ring has room again', async () => {
    const name = uniqueName('DIRECT');
    const reader = open(name, { access: 'read', capacity: 4096 });
    const writer = open(name, { access: 'write' });
    let i = 0;
    while (writer.writableLength === 0) writer.write(numbered(i++));
    const waiting = i - 1;
    // Room for one record, taken synchronously: the waiting write has not looked again yet.
    const first = reader.readBatch(1);
    writer.write(numbered(i++));
    writer.end();
    const seqs = [...(await first), ...(await collect(reader))].map((m) => m.readUInt32LE(0));
    expect(seqs).toEqual(Array.from({ length: i }, (_, k) => k));
    expect(seqs.indexOf(waiting)).toBe(waiting);
  });

  it('writeBatch: what waits for room is what the array held at the call, whatever the caller does to it after', async () => {
    const name = uniqueName('DIRECT');
    const reader = open(name, { access: 'read', capacity: 4096 });
    const writer = open(name, { access: 'write' });
    const batch = Array.from({ length: 100 }, (_, i) => numbered(i));
    const written = writer.writeBatch(batch);
    batch.fill(numbered(999));
    batch.length = 0;
    const got = collect(reader);
    await written;
    await writer.writeBatch(['text', numbered(100)]);
    writer.end();
    const messages = await got;
    expect(messages.slice(0, 100).map((m) => m.readUInt32LE(0))).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(messages[100]!.toString()).toBe('text');
    expect(messages[101]!.readUInt32LE(0)).toBe(100);
  });

  it('reports a message too big for the ring, and a write after end, as the stream does', async () => {
    const name = uniqueName('DIRECT');
    open(name, { access: 'read', capacity: 4096 });
    const writer = open(name, { access: 'write' });
    const tooBig = new Promise<Error>((resolve) => writer.write(Buffer.alloc(5000), (err) => resolve(err as Error)));
    writer.on('error', () => {});
    expect(await tooBig).toMatchObject({ code: ErrorCode.MessageTooBig });

    const other = open(uniqueName('DIRECT'), { access: 'write' });
    other.on('error', () => {});
    other.end();
    const afterEnd = await new Promise<Error>((resolve) => other.write(Buffer.alloc(8), (err) => resolve(err as Error)));
    expect(afterEnd).toMatchObject({ code: 'ERR_STREAM_WRITE_AFTER_END' });
  });
});
