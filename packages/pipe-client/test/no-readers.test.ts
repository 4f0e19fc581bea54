// Writers without readers (option noReaders): fail at once, wait for a first reader, or wait (the
// default); drained() tells when readers took everything a handle wrote.
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { sleep, uniqueName } from '../../../tests/support/index.js';
import { ErrorCode } from '../src/index.js';
import { closeOpened, open } from './helpers/pipes.js';

afterEach(closeOpened);

const numbered = (count: number, from = 0): string[] => Array.from({ length: count }, (_, i) => String(from + i));

describe('writers and absent readers', () => {
  it("noReaders 'fail': a full ring without a reader fails the write with ERR_RINGPIPE_NO_READERS", async () => {
    const name = uniqueName('NOREADER');
    const writer = open(name, { access: 'write', capacity: 4096, noReaders: 'fail' });
    const message = Buffer.alloc(1000);
    let accepted = 0;
    writer.on('error', () => {});
    for (let i = 0; i < 10; i++) writer.write(message, (err) => err || accepted++);
    const [err] = await once(writer, 'error');
    expect(err).toMatchObject({ code: ErrorCode.NoReaders });
    expect(accepted).toBe(4); // 4 records of 1008 bytes fill 4096 bytes
  });

  it("noReaders 'fail': writeBatch and writeInPlace reject, drained() rejects", async () => {
    const name = uniqueName('NOREADER2');
    const writer = open(name, { access: 'write', capacity: 4096, noReaders: 'fail' });
    await expect(writer.writeBatch(Array.from({ length: 10 }, () => Buffer.alloc(1000)))).rejects.toMatchObject({ code: ErrorCode.NoReaders });
    await expect(writer.writeInPlace(1000, () => {})).rejects.toMatchObject({ code: ErrorCode.NoReaders });
    await expect(writer.drained()).rejects.toMatchObject({ code: ErrorCode.NoReaders });
  });

  it("noReaders 'wait-first' waits for a first reader, then fails once every reader has left", async () => {
    const name = uniqueName('WAITFIRST');
    const writer = open(name, { access: 'write', capacity: 4096, noReaders: 'wait-first' });
    const sent = writer.writeBatch(Array.from({ length: 20 }, () => Buffer.alloc(1000)));
    let settled = false;
    sent.then(
      () => (settled = true),
      () => (settled = true),
    );
    await sleep(600); // two of the writer's liveness looks
    expect(settled).toBe(false);
    // A reader comes, takes 5 messages and leaves between two of the writer's looks.
    const reader = open(name, { access: 'read' });
    for (let taken = 0; taken < 5; ) taken += (await reader.readBatch(5 - taken)).length;
    reader.destroy();
    await expect(sent).rejects.toMatchObject({ code: ErrorCode.NoReaders });
  });

  it('the default waits for a reader, and drained() resolves once readers took everything this handle wrote', async () => {
    const name = uniqueName('DRAINED');
    const writer = open(name, { access: 'write', capacity: 4096 });
    const sent = numbered(30);
    for (const m of sent) writer.write(m);
    let drained = false;
    const done = writer.drained().then(() => (drained = true));
    await sleep(300);
    expect(drained).toBe(false);
    const reader = open(name, { access: 'read' });
    const got: string[] = [];
    for (; got.length < 29; ) got.push(...(await reader.readBatch(29 - got.length)).map(String));
    await sleep(300);
    expect(drained).toBe(false);
    got.push(...(await reader.readBatch(1)).map(String));
    await done;
    expect(got).toEqual(sent);
    // An aborted signal ends the wait, behind a write still queued for room or on the readers.
    for (let i = 0; i < 10; i++) writer.write(Buffer.alloc(1000));
    const waiting = new AbortController();
    const stopped = writer.drained({ signal: waiting.signal });
    setTimeout(() => waiting.abort(), 50);
    await expect(stopped).rejects.toMatchObject({ name: 'AbortError' });
    for (let taken = 0; taken < 10; ) taken += (await reader.readBatch(10 - taken)).length;
    // After end() too: the handle stays open until drained() settles.
    writer.write('last');
    writer.end();
    const last = writer.drained();
    expect((await reader.readBatch(1)).map(String)).toEqual(['last']);
    await last;
  });
});
