// Stopping a reader early (break, destroy, pipe(), an aborted signal) takes nothing it did not hand
// over: the next reader gets the rest.
import { once } from 'node:events';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { sleep, uniqueName } from '../../../tests/support/index.js';
import { createPipe, ErrorCode, type RingPipe } from '../src/index.js';
import { closeOpened, open } from './helpers/pipes.js';

afterEach(closeOpened);

const numbered = (count: number, from = 0): string[] => Array.from({ length: count }, (_, i) => String(from + i));

/** Everything a fresh reader gets until the writer (still open) has nothing more: the writer ends first. */
async function rest(name: string, writer: RingPipe): Promise<string[]> {
  const reader = open(name, { access: 'read' });
  writer.end();
  const got: string[] = [];
  for await (const message of reader) got.push(message.toString());
  return got;
}

describe('stopping a reader early loses nothing', () => {
  it('break out of for await: the next reader gets every message after the last one handed out', async () => {
    const name = uniqueName('BREAK');
    const writer = open(name, { access: 'write' });
    const reader = open(name, { access: 'read' });
    await writer.writeBatch(numbered(1000));
    const got: string[] = [];
    for await (const message of reader) {
      got.push(message.toString());
      if (got.length === 10) break;
      await new Promise((resolve) => setImmediate(resolve)); // a loop body that waits for something
    }
    expect(reader.destroyed).toBe(true);
    expect([...got, ...(await rest(name, writer))]).toEqual(numbered(1000));
  });

  it("destroy() from a 'data' listener: nothing after the message it got is taken", async () => {
    const name = uniqueName('DATASTOP');
    const writer = open(name, { access: 'write' });
    const reader = open(name, { access: 'read' });
    await writer.writeBatch(numbered(1000));
    const got: string[] = [];
    reader.on('data', (message: Buffer) => {
      got.push(message.toString());
      if (got.length === 10) reader.destroy();
    });
    await once(reader, 'close');
    expect([...got, ...(await rest(name, writer))]).toEqual(numbered(1000));
  });

  it('destroy() while pipe() waits for a slow destination: nothing beyond what it wrote is taken', async () => {
    const name = uniqueName('PIPESTOP');
    const writer = open(name, { access: 'write' });
    const reader = open(name, { access: 'read' });
    await writer.writeBatch(numbered(1000));
    const got: string[] = [];
    const slow = new Writable({
      objectMode: true,
      highWaterMark: 1,
      write(message: Buffer, _encoding, callback) {
        got.push(message.toString());
        setTimeout(callback, 2); // the destination is busy: pipe() pauses the source meanwhile
      },
    });
    reader.pipe(slow);
    while (got.length < 10) await sleep(1);
    reader.destroy(); // while pipe() has paused the reader
    await once(reader, 'close');
    await sleep(10); // the write in progress finishes
    expect([...got, ...(await rest(name, writer))]).toEqual(numbered(1000));
  });

  it('destroy() during readBatch rejects with ERR_RINGPIPE_CLOSED and takes nothing', async () => {
    const name = uniqueName('BATCHSTOP');
    const writer = open(name, { access: 'write' });
    const reader = open(name, { access: 'read' });
    const pending = reader.readBatch(100);
    setTimeout(() => reader.destroy(), 20);
    await expect(pending).rejects.toMatchObject({ code: ErrorCode.Closed });
    await writer.writeBatch(numbered(50));
    expect(await rest(name, writer)).toEqual(numbered(50));
  });

  it('an aborted signal rejects readBatch, readView and readInto with an AbortError and takes nothing', async () => {
    const name = uniqueName('CALLABORT');
    const writer = open(name, { access: 'write' });
    const reader = open(name, { access: 'read' });
    const waiting = new AbortController();
    const pending = [reader.readBatch(10, { signal: waiting.signal }), reader.readView({ signal: waiting.signal }), reader.readInto(Buffer.alloc(64), { signal: waiting.signal })];
    setTimeout(() => waiting.abort(), 20);
    for (const call of pending) await expect(call).rejects.toMatchObject({ name: 'AbortError', code: 'ABORT_ERR' });
    await writer.writeBatch(numbered(5));
    const already = AbortSignal.abort();
    await expect(reader.readBatch(10, { signal: already })).rejects.toMatchObject({ name: 'AbortError' });
    await expect(reader.readInto(Buffer.alloc(64), { signal: already })).rejects.toMatchObject({ name: 'AbortError' });
    expect((await reader.readBatch(10)).map(String)).toEqual(numbered(5));
  });

  it('signal on createPipe: aborting destroys the pipe with an AbortError, and a for await stops without taking more', async () => {
    const name = uniqueName('PIPEABORT');
    const writer = open(name, { access: 'write' });
    const controller = new AbortController();
    const reader = open(name, { access: 'read', signal: controller.signal });
    await writer.writeBatch(numbered(1000));
    const got: string[] = [];
    const loop = (async () => {
      for await (const message of reader) {
        got.push(message.toString());
        if (got.length === 10) controller.abort();
      }
    })();
    await expect(loop).rejects.toMatchObject({ name: 'AbortError' });
    expect(reader.destroyed).toBe(true);
    expect([...got, ...(await rest(name, writer))]).toEqual(numbered(1000));
  });

  it('a bad signal is a typed bad option', () => {
    expect(() => createPipe(uniqueName('BADSIG'), { signal: 'stop' as unknown as AbortSignal })).toThrow(expect.objectContaining({ code: ErrorCode.BadOption }));
  });
});

describe('consumers stopped at random moments while another takes the rest', () => {
  it('100 stops (break, destroy in a listener, an aborted signal, destroy during readBatch): 0 lost, 0 duplicated', async () => {
    const name = uniqueName('RANDOMSTOP');
    const total = 20_000;
    const writer = open(name, { access: 'write', capacity: 16384 });
    const seen = new Uint8Array(total);
    const note = (message: Buffer): void => {
      seen[Number(message.toString())]!++;
    };
    const writing = (async () => {
      for (let i = 0; i < total; i += 100) {
        await writer.writeBatch(numbered(100, i));
        if (Math.random() < 0.3) await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    const randomCount = (): number => 1 + Math.floor(Math.random() * 150);
    const stops: Array<() => Promise<void>> = [
      async () => {
        const reader = createPipe(name, { access: 'read' });
        const backstop = setTimeout(() => reader.destroy(), 20); // once the writer is done, nothing more comes
        let n = randomCount();
        for await (const message of reader) {
          note(message);
          if (--n === 0) break;
        }
        clearTimeout(backstop);
      },
      async () => {
        const reader = createPipe(name, { access: 'read' });
        setTimeout(() => reader.destroy(), 20);
        let n = randomCount();
        reader.on('data', (message: Buffer) => {
          note(message);
          if (--n === 0) reader.destroy();
        });
        await once(reader, 'close');
      },
      async () => {
        const controller = new AbortController();
        const reader = createPipe(name, { access: 'read', signal: controller.signal });
        setTimeout(() => controller.abort(), Math.random() * 5);
        try {
          for await (const message of reader) note(message);
        } catch (err) {
          expect(err).toMatchObject({ name: 'AbortError' });
        }
      },
      async () => {
        const reader = createPipe(name, { access: 'read' });
        setTimeout(() => reader.destroy(), Math.random() * 5);
        try {
          for (;;) for (const message of await reader.readBatch(1 + Math.floor(Math.random() * 50))) note(message);
        } catch (err) {
          expect(err).toMatchObject({ code: ErrorCode.Closed });
        }
      },
    ];
    for (let i = 0; i < 100; i++) await stops[i % stops.length]!();
    await writing;
    const byStopped = seen.filter((n) => n > 0).length;
    expect(byStopped).toBeGreaterThan(total / 4); // the stopped consumers did read
    const reader = createPipe(name, { access: 'read' });
    writer.end();
    for await (const message of reader) note(message);
    const lost = seen.filter((n) => n === 0).length;
    const duplicated = seen.filter((n) => n > 1).length;
    expect({ lost, duplicated }).toEqual({ lost: 0, duplicated: 0 });
  });
});
