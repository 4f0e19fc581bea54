// In place: readView shows a message in the ring until release, readInto copies into the caller's
// buffer, writeInPlace fills a message in the ring.
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { sleep, uniqueName, within } from '../../../tests/support/index.js';
import { ErrorCode } from '../src/index.js';
import { killPeersAndClose, open, openPair } from './helpers/pipes.js';
import { startPeer } from './helpers/processes.js';

afterEach(killPeersAndClose);

describe('views into the ring', () => {
  it('readView gives the message in place; other readers wait until release; release(false) leaves it', async () => {
    const name = uniqueName('VIEW');
    const { reader, writer } = openPair(name);
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
    const { reader, writer } = openPair(name);
    await writer.writeBatch(['stays']);
    expect(String((await reader.readView())!.data)).toBe('stays');
    reader.destroy();
    await once(reader, 'close');
    const next = open(name, { access: 'read' });
    expect((await next.readBatch()).map(String)).toEqual(['stays']);
  });

  it('readInto copies into the caller buffer; a message too long for it stays in the ring', async () => {
    const { reader, writer } = openPair(uniqueName('INTO'));
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
    const { reader, writer } = openPair(name, { capacity: 4096 });
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
