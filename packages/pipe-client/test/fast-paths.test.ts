// The paths beside the Duplex: batches, views into the ring, reads into a caller's buffer, writes in place.
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { killChildren, sleep, uniqueName, within } from '../../../test/support/index.js';
import { createPipe, ErrorCode, statPipe, type RingPipe } from '../src/index.js';
import { closeOpened, open } from './helpers/pipes.js';
import { startPeer } from './helpers/processes.js';


afterEach(async () => {
  killChildren();
  await closeOpened();
});

const pair = (name: string, options: Parameters<typeof createPipe>[1] = {}) => ({
  reader: open(name, { ...options, access: 'read' }),
  writer: open(name, { access: 'write' }),
});

describe('batches', () => {
  it('readBatch gives the messages ready, each its own Buffer, in order, at most max; [] at the end, and the reader closes', async () => {
    const { reader, writer } = pair(uniqueName('BATCH'));
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
    const { reader, writer } = pair(name, { capacity: 8192 });
    await writer.writeBatch(Array.from({ length: 100 }, (_, i) => `w${i}`));
    expect(statPipe(name).messagesIn).toBe(100);
    expect((await reader.readBatch(1000)).map(String)).toEqual(Array.from({ length: 100 }, (_, i) => `w${i}`));
  });

  it('writes and end() right after a batch that waits for room come after all of it; a batch before queued writes waits for them', async () => {
    const { reader, writer } = pair(uniqueName('BORDER'), { capacity: 4096 });
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
    const { reader, writer } = pair(uniqueName('BTOOBIG'), { capacity: 4096 });
    await expect(writer.writeBatch(['ok', 'x'.repeat(5000)])).rejects.toMatchObject({ code: ErrorCode.MessageTooBig });
    await writer.writeBatch(['fine']);
    writer.end();
    const got: string[] = [];
    for await (const message of reader) got.push(String(message));
    expect(got).toEqual(['fine']);
  });
});

describe('views into the ring', () => {
  it('readView gives the message in place; other readers wait until release; release(false) leaves it', async () => {
    const name = uniqueName('VIEW');
    const { reader, writer } = pair(name);
    const other = open(name, { access: 'read' });
    await writer.writeBatch(['first', 'second']);
    const view = (await reader.readView())!;
    expect(String(view.data)).toBe('first');
    let otherGot: string[] | undefined;
    const otherRead = other.readBatch().then((b) => (otherGot = b.map(String)));
    await sleep(50);
    expect(otherGot).toBeUndefined();
    view.release(false);
    await within(2000, 'the other reader after the release', otherRead);
    expect(otherGot).toEqual(['first', 'second']);
  });

  it('a reader killed while it holds a view loses nothing', async () => {
    const name = uniqueName('VIEWKILL');
    const keeper = open(name, { access: 'write' });
    await keeper.writeBatch(['kept']);
    const holder = startPeer(['view-hold', name]);
    await holder.ready;
    holder.child.kill('SIGKILL');
    await holder.done;
    const next = open(name, { access: 'read' });
    const view = await within(2000, 'a view after the holder died', next.readView());
    expect(String(view!.data)).toBe('kept');
    view!.release();
  });

  it('destroying a pipe that holds a view leaves the message for the next reader', async () => {
    const name = uniqueName('VIEWDESTROY');
    const { reader, writer } = pair(name);
    await writer.writeBatch(['stays']);
    expect(String((await reader.readView())!.data)).toBe('stays');
    reader.destroy();
    await once(reader, 'close');
    const next = open(name, { access: 'read' });
    expect((await next.readBatch()).map(String)).toEqual(['stays']);
  });

  it('readInto copies into the caller buffer; a message too long for it stays in the ring', async () => {
    const { reader, writer } = pair(uniqueName('INTO'));
    await writer.writeBatch(['short', 'a longer message']);
    const target = Buffer.alloc(8);
    expect(await reader.readInto(target)).toBe(5);
    expect(String(target.subarray(0, 5))).toBe('short');
    await expect(reader.readInto(target)).rejects.toMatchObject({ code: ErrorCode.MessageTooBig });
    const bigger = Buffer.alloc(64);
    expect(await reader.readInto(bigger)).toBe(16);
    expect(String(bigger.subarray(0, 16))).toBe('a longer message');
    writer.end();
    expect(await reader.readInto(bigger)).toBeNull();
  });

  it('writeInPlace fills messages in the ring, across its end too; a fill that throws is abandoned', async () => {
    const name = uniqueName('INPLACE');
    const { reader, writer } = pair(name, { capacity: 4096 });
    const sent: string[] = [];
    for (let i = 0; i < 40; i++) {
      const text = `${i}:${'x'.repeat(300 + i)}`;
      sent.push(text);
      await writer.writeInPlace(text.length, (view) => view.write(text));
      if (i % 5 === 4) for (const message of await reader.readBatch()) expect(String(message)).toBe(sent.shift());
    }
    await expect(writer.writeInPlace(10, () => {
      throw new Error('fill failed');
    })).rejects.toThrow('fill failed');
    await writer.writeInPlace(5, (view) => view.write('after'));
    sent.push('after');
    writer.end();
    const rest: string[] = [];
    for await (const batch of reader.batches()) rest.push(...batch.map(String));
    expect(rest).toEqual(sent);
    await expect(writer.writeInPlace(5000, () => {})).rejects.toMatchObject({ code: ErrorCode.MessageTooBig });
  });
});

describe('the low-latency mode', () => {
  it('spin: a spinning reader gets every message and still ends; a spin over 10 ms is a bad option', async () => {
    const name = uniqueName('SPIN');
    const reader = open(name, { access: 'read', spin: 5000 });
    const writer = open(name, { access: 'write' });
    const got: string[] = [];
    reader.on('data', (message) => got.push(String(message)));
    for (let i = 0; i < 100; i++) {
      writer.write(`s${i}`);
      await new Promise((resolve) => setImmediate(resolve));
    }
    writer.end();
    await within(5000, 'the spinning reader', once(reader, 'end'));
    expect(got).toEqual(Array.from({ length: 100 }, (_, i) => `s${i}`));
    expect(() => open(name, { spin: 20_000 })).toThrow(expect.objectContaining({ code: ErrorCode.BadOption }));
  });
});
