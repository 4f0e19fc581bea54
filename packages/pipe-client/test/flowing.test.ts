// The reading side of the Duplex in message mode: what a reader that stops early leaves in the ring,
// and that each chunk is one message however many wait.
import { once } from 'node:events';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { sleep, uniqueName } from '../../../tests/support/index.js';
import { statPipe } from '../src/index.js';
import { closeOpened, collect, open } from './helpers/pipes.js';

afterEach(closeOpened);

const messages = (count: number): string[] => Array.from({ length: count }, (_, i) => `m${i}`);

/** A reader that keeps the pipe alive, a writer that has written `sent` and ended. */
async function filled(tag: string, sent: string[]) {
  const name = uniqueName(tag);
  const reader = open(name, { access: 'read', capacity: 1 << 20 });
  const next = open(name, { access: 'read' });
  const writer = open(name, { access: 'write' });
  for (const m of sent) writer.write(m);
  writer.end();
  await once(writer, 'finish');
  return { name, reader, next };
}

describe('flowing reader', () => {
  it("gives one message per 'data' chunk while many wait in the ring", async () => {
    const sent = messages(5000);
    const { reader } = await filled('FLOW-ONE', sent);
    const got: string[] = [];
    reader.on('data', (chunk: Buffer) => got.push(String(chunk)));
    await once(reader, 'end');
    expect(got).toEqual(sent);
  });

  it("paused from its 'data' listener, leaves the rest in the ring for a second reader", async () => {
    const sent = messages(1000);
    const { name, reader, next } = await filled('FLOW-PAUSE', sent);
    const got: string[] = [];
    reader.on('data', (chunk: Buffer) => {
      got.push(String(chunk));
      if (got.length === 10) reader.pause();
    });
    while (got.length < 10) await new Promise((resolve) => setImmediate(resolve));
    await sleep(20);
    expect(got).toEqual(sent.slice(0, 10));
    // The paused stream holds at most the one message it took for a read() to come.
    const held = reader.readableLength;
    expect(held).toBeLessThanOrEqual(1);
    expect(statPipe(name).messagesOut).toBe(10 + held);
    reader.destroy();
    expect((await collect(next)).map(String)).toEqual(sent.slice(10 + held));
  });

  it('goes on after pause() and resume(), each message once, in order', async () => {
    const sent = messages(3000);
    const { reader } = await filled('FLOW-RESUME', sent);
    const got: string[] = [];
    reader.on('data', (chunk: Buffer) => {
      got.push(String(chunk));
      if (got.length % 500 === 0) {
        reader.pause();
        setTimeout(() => reader.resume(), 1);
      }
    });
    await once(reader, 'end');
    expect(got).toEqual(sent);
  });

  it('lets the event loop in during a long run of ready messages', async () => {
    const sent = messages(20000);
    const { reader } = await filled('FLOW-YIELD', sent);
    let got = 0;
    let seenByImmediate = -1;
    reader.on('data', () => {
      if (++got === 1) setImmediate(() => (seenByImmediate = got));
    });
    await once(reader, 'end');
    expect(got).toBe(sent.length);
    expect(seenByImmediate).toBeGreaterThan(0);
    expect(seenByImmediate).toBeLessThan(sent.length);
  });

  it('into a slow Writable through pipeline: every message once, in order', async () => {
    const sent = messages(2000);
    const { reader } = await filled('FLOW-SLOW', sent);
    const got: string[] = [];
    const sink = new Writable({
      objectMode: true,
      highWaterMark: 2,
      write(chunk: Buffer, _encoding, callback) {
        got.push(String(chunk));
        if (got.length % 100 === 0) setTimeout(callback, 1);
        else setImmediate(callback);
      },
    });
    await pipeline(reader, sink);
    expect(got).toEqual(sent);
  });

  it('destroyed from its data listener, delivers nothing after', async () => {
    const sent = messages(500);
    const { reader, next } = await filled('FLOW-DESTROY', sent);
    let got = 0;
    reader.on('data', () => ++got === 10 && reader.destroy());
    await once(reader, 'close');
    expect(got).toBe(10);
    expect((await collect(next)).map(String)).toEqual(sent.slice(10));
  });
});

describe('async iteration', () => {
  it('breaking out leaves the rest in the ring, but for the one the stream held', async () => {
    const sent = messages(1000);
    const { reader, next } = await filled('ITER-BREAK', sent);
    const got: string[] = [];
    for await (const chunk of reader) {
      got.push(String(chunk));
      if (got.length === 10) break;
    }
    const rest = (await collect(next)).map(String);
    expect(got).toEqual(sent.slice(0, 10));
    expect(rest.length).toBeGreaterThanOrEqual(sent.length - 11);
    expect(rest).toEqual(sent.slice(sent.length - rest.length));
  });

  it('next() asked again before a waiting one settled: each message once, in the order asked', async () => {
    const name = uniqueName('ITER-AHEAD');
    const reader = open(name, { access: 'read' });
    const writer = open(name, { access: 'write' });
    const iterator = reader[Symbol.asyncIterator]();
    const first = iterator.next();
    await sleep(10); // the first ask sleeps
    writer.write('a');
    // Asked while 'a' is in the ring and the first ask not yet woken: the second gets what follows.
    const second = iterator.next();
    writer.write('b');
    writer.end();
    const results = await Promise.all([first, second, iterator.next()]);
    expect(results.map((r) => (r.done ? 'done' : String(r.value)))).toEqual(['a', 'b', 'done']);
  });
});
