// Batches beside the Duplex: readBatch, batches(), writeBatch (one reservation for all, all or nothing).
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { uniqueName, within } from '../../../tests/support/index.js';
import { ErrorCode, statPipe } from '../src/index.js';
import { killPeersAndClose, open, openPair } from './helpers/pipes.js';
import { startPeer } from './helpers/processes.js';

afterEach(killPeersAndClose);

describe('batches', () => {
  it('readBatch gives the messages ready, each its own Buffer, in order, at most max; [] at the end, and the reader closes', async () => {
    const { reader, writer } = openPair(uniqueName('BATCH'));
    await writer.writeBatch(['a', '', 'ccc', Buffer.from([0, 1, 2])]);
    const first = await reader.readBatch(2);
    expect(first.map((b) => b.toString('hex'))).toEqual(['61', '']);
    const rest = await reader.readBatch();
    expect(rest.map((b) => b.toString('hex'))).toEqual(['636363', '000102']);
    // Views of one slab, yet each message its own Buffer of its own length.
    expect(rest[0]!.buffer).toBe(rest[1]!.buffer);
    writer.end();
    expect(await reader.readBatch()).toEqual([]);
    await within(2000, 'the reader closing itself', once(reader, 'close'));
  });

  it('batches() carries 200,000 messages from another process, each once, in order', async () => {
    const name = uniqueName('BATCHES');
    const reader = open(name, { access: 'read', capacity: 65536 });
    const writer = startPeer(['send', name, '7', '200000', '24']);
    let next = 0;
    let largest = 0;
    for await (const batch of reader.batches(512)) {
      largest = Math.max(largest, batch.length);
      for (const message of batch) {
        expect(message.readUInt32LE(4)).toBe(next);
        next++;
      }
    }
    expect(next).toBe(200000);
    expect(largest).toBeGreaterThan(1);
    expect(largest).toBeLessThanOrEqual(512);
    expect((await writer.done).code).toBe(0);
  });

  it('a batch written together lands together: one reservation for all', async () => {
    const name = uniqueName('WBATCH');
    const { reader, writer } = openPair(name, { capacity: 8192 });
    await writer.writeBatch(Array.from({ length: 100 }, (_, i) => `w${i}`));
    expect(statPipe(name).messagesIn).toBe(100);
    expect((await reader.readBatch(1000)).map(String)).toEqual(Array.from({ length: 100 }, (_, i) => `w${i}`));
  });

  it('writes and end() right after a batch that waits for room come after all of it; a batch before queued writes waits for them', async () => {
    const { reader, writer } = openPair(uniqueName('BORDER'), { capacity: 4096 });
    const big = (tag: string) => `${tag}${'.'.repeat(200)}`;
    writer.write(big('first'));
    const batch = writer.writeBatch(Array.from({ length: 60 }, (_, i) => big(`b${i}`))); // three rings' worth
    writer.write(big('after'));
    const second = writer.writeBatch(['x', 'y']);
    writer.end(big('last'));
    const got: string[] = [];
    for await (const message of reader) got.push(String(message).replace(/\.+$/, ''));
    await Promise.all([batch, second]);
    expect(got).toEqual(['first', ...Array.from({ length: 60 }, (_, i) => `b${i}`), 'after', 'x', 'y', 'last']);
  });

  it('a batch with a message over the limit writes none of it and leaves the pipe usable', async () => {
    const { reader, writer } = openPair(uniqueName('BTOOBIG'), { capacity: 4096 });
    await expect(writer.writeBatch(['ok', 'x'.repeat(5000)])).rejects.toMatchObject({ code: ErrorCode.MessageTooBig });
    await writer.writeBatch(['fine']);
    writer.end();
    const got: string[] = [];
    for await (const message of reader) got.push(String(message));
    expect(got).toEqual(['fine']);
  });
});
