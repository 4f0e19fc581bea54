import { existsSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import { Readable, Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { killChildren, sleep, uniqueName, within } from '../../../test/support/index.js';
import { createPipe, ErrorCode, RingPipeError, statPipe, type RingPipe } from '../src/index.js';
import { startPeer } from './helpers/processes.js';
import { closeOpened, collect, open } from './helpers/pipes.js';


afterEach(async () => {
  killChildren();
  await closeOpened();
});


describe('message mode', () => {
  it('delivers each buffered message as its own chunk', async () => {
    const name = uniqueName('MSG');
    const reader = open(name, { access: 'read' });
    const writer = open(name, { access: 'write' });
    const sent = Array.from({ length: 500 }, (_, i) => `message ${i} ${'x'.repeat(i % 37)}`);
    for (const m of sent) writer.write(m);
    writer.write('');
    writer.end();
    await once(writer, 'close');
    const got = await collect(reader);
    expect(got.map(String)).toEqual([...sent, '']);
  });

  it('gives readers EOF when a handle ends its writable side and keeps reading', async () => {
    const name = uniqueName('HALF');
    const reader = open(name, { access: 'read' });
    const both = open(name);
    both.write('only');
    const [first] = (await once(reader, 'data')) as [Buffer];
    expect(String(first)).toBe('only');
    // It reads on: only the end of its writing role can give either handle EOF (its close would, but
    // it closes only after its own EOF).
    both.on('data', () => {});
    both.end();
    await within(10_000, 'EOF after the other handle ended writing', once(reader, 'end'));
  });

  it('names the pipe the same whatever the case', async () => {
    const name = uniqueName('case');
    const reader = open(name.toLowerCase(), { access: 'read' });
    const writer = open(name.toUpperCase(), { access: 'write' });
    writer.end('same pipe');
    expect((await collect(reader)).map(String)).toEqual(['same pipe']);
    expect(reader.name).toBe(name.toUpperCase());
  });

  it('rejects a message larger than capacity - 8 with a typed error, and accepts exactly that size', async () => {
    const name = uniqueName('BIG');
    const reader = open(name, { access: 'read', capacity: 4096 });
    const writer = open(name, { capacity: 4096 });
    expect(writer.maxMessageSize).toBe(4088);
    const fits = Buffer.alloc(4088, 7);
    writer.write(fits);
    const [message] = (await once(reader, 'data')) as [Buffer];
    expect(message.equals(fits)).toBe(true);
    writer.write(Buffer.alloc(4089));
    const [err] = await once(writer, 'error');
    expect(err).toBeInstanceOf(RingPipeError);
    expect((err as RingPipeError).code).toBe(ErrorCode.MessageTooBig);
  });

  it('works with stream.pipeline in both directions', async () => {
    const name = uniqueName('PIPELINE');
    const reader = open(name, { access: 'read' });
    const writer = open(name, { access: 'write' });
    const sent = Array.from({ length: 2000 }, (_, i) => Buffer.from(`line ${i}`));
    const received: string[] = [];
    await Promise.all([
      pipeline(Readable.from(sent), writer),
      pipeline(
        reader,
        new Writable({
          objectMode: true,
          write(chunk: Buffer, _enc, cb) {
            received.push(chunk.toString());
            cb();
          },
        }),
      ),
    ]);
    expect(received).toEqual(sent.map(String));
  });
});

describe('byte mode', () => {
  it('is a byte stream: large writes are split and joined back', async () => {
    const name = uniqueName('BYTES');
    const reader = open(name, { access: 'read', mode: 'byte', capacity: 4096 });
    const writer = open(name, { access: 'write', mode: 'byte' });
    const data = Buffer.alloc(100_000);
    for (let i = 0; i < data.length; i++) data[i] = (i * 13) & 255;
    writer.end(data);
    expect(reader.mode).toBe('byte');
    expect(Buffer.concat(await collect(reader)).equals(data)).toBe(true);
  });

  it('refuses to open a message pipe in byte mode', () => {
    const name = uniqueName('MIX');
    open(name);
    expect(() => createPipe(name, { mode: 'byte' })).toThrow(expect.objectContaining({ code: ErrorCode.ModeMismatch }));
  });

  it('adopts the mode and capacity of an existing pipe', () => {
    const name = uniqueName('ADOPT');
    open(name, { mode: 'byte', capacity: 8192 });
    const second = open(name, { capacity: 65536 });
    expect(second.mode).toBe('byte');
    expect(second.capacity).toBe(8192);
  });
});

describe('EOF and roles', () => {
  it('a handle only read from never holds EOF back, one only written never consumes', async () => {
    const name = uniqueName('ROLES');
    const reader = open(name);
    const idle = open(name); // opened read-write, never used
    const writer = open(name);
    writer.write('a');
    await new Promise((resolve) => setImmediate(resolve));
    // Three handles; the untouched one is neither a writer nor a reader.
    expect(statPipe(name)).toMatchObject({ handles: 3, writers: 1, readers: 0 });
    writer.end('b');
    // The reader gets both messages (none went to the idle handle) and ends although the idle one is still open.
    expect((await collect(reader)).map(String)).toEqual(['a', 'b']);
    await Promise.all([writer, reader].map((pipe) => pipe.destroyed || once(pipe, 'close')));
    expect(idle.destroyed).toBe(false);
    expect(statPipe(name)).toMatchObject({ handles: 1, writers: 0, readers: 0, messagesOut: 2 });
  });

  it('a reader that starts before any writer waits for one', async () => {
    const name = uniqueName('EARLY');
    const reader = open(name, { access: 'read' });
    const got = collect(reader);
    await sleep(100);
    const writer = open(name, { access: 'write' });
    writer.end('late');
    expect((await got).map(String)).toEqual(['late']);
  });

  it('ends a reader only when every writer has ended', async () => {
    const name = uniqueName('TWO');
    const reader = open(name, { access: 'read' });
    const first = open(name, { access: 'write' });
    const second = open(name, { access: 'write' });
    let ended = false;
    const got = collect(reader).then((messages) => ((ended = true), messages));
    first.end('from first');
    await once(first, 'close');
    await sleep(50);
    expect(ended).toBe(false);
    second.end('from second');
    expect((await got).map(String)).toEqual(['from first', 'from second']);
  });

  it('with follow, keeps waiting after the writers leave', async () => {
    const name = uniqueName('FOLLOW');
    const reader = open(name, { access: 'read', follow: true });
    const got: string[] = [];
    reader.on('data', (m: Buffer) => got.push(String(m)));
    const a = open(name, { access: 'write' });
    a.end('one');
    await once(a, 'close');
    const b = open(name, { access: 'write' });
    b.end('two');
    await once(b, 'close');
    while (got.length < 2) await sleep(10);
    expect(got).toEqual(['one', 'two']);
    expect(reader.readableEnded).toBe(false);
  });
});

describe('backpressure', () => {
  it('write() returns false when the ring is full and nothing is dropped', async () => {
    const name = uniqueName('FULL');
    const reader = open(name, { access: 'read', capacity: 4096 });
    const writer = open(name, { access: 'write' });
    const message = Buffer.alloc(1000, 1);
    let refused = 0;
    for (let i = 0; i < 40; i++) if (!writer.write(message)) refused++;
    expect(refused).toBeGreaterThan(0);
    expect(writer.writableLength).toBeGreaterThan(0);
    expect(statPipe(name).usedBytes).toBeLessThanOrEqual(4096);
    writer.end();
    const got = await collect(reader);
    expect(got).toHaveLength(40);
    expect(got.every((m) => m.equals(message))).toBe(true);
  });
});

describe('lifetime', () => {
  it('creates the segment owner-only, and removes it when the last handle closes', async () => {
    const name = uniqueName('LIFE');
    const path = `/dev/shm/ringpipe.${name.toUpperCase()}`;
    const a = open(name);
    const b = open(name);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statPipe(name).handles).toBe(2);
    a.destroy();
    await once(a, 'close');
    expect(existsSync(path)).toBe(true);
    b.destroy();
    await once(b, 'close');
    expect(existsSync(path)).toBe(false);
    expect(() => statPipe(name)).toThrow(expect.objectContaining({ code: ErrorCode.NotFound }));
  });

  it('applies the permissions option to a pipe it creates', () => {
    const name = uniqueName('PERM');
    open(name, { permissions: 0o660 });
    expect(statSync(`/dev/shm/ringpipe.${name.toUpperCase()}`).mode & 0o777).toBe(0o660);
  });

  it('wakes a waiting reader when it is destroyed', async () => {
    const name = uniqueName('WAKE');
    const reader = open(name, { access: 'read' });
    const events: string[] = [];
    for (const event of ['data', 'end', 'error']) reader.on(event, () => events.push(event));
    reader.resume();
    await sleep(300); // past the poll: asleep in the waiter
    expect(statPipe(name).readers).toBe(1);
    reader.destroy();
    await within(2000, 'close of a destroyed waiting reader', once(reader, 'close'));
    expect(events).toEqual([]);
    expect(() => statPipe(name)).toThrow(expect.objectContaining({ code: ErrorCode.NotFound }));
  });

  it('survives being destroyed between EOF and its end event', async () => {
    const name = uniqueName('LASTEND');
    const reader = open(name, { access: 'read' });
    const push = reader.push.bind(reader);
    // Destroy right after EOF is pushed: 'end' is then emitted on a later tick, after the unmap.
    reader.push = (chunk: unknown) => {
      const more = push(chunk);
      if (chunk === null) reader.destroy();
      return more;
    };
    const got: string[] = [];
    const errors: Error[] = [];
    reader.on('data', (message) => got.push(String(message)));
    reader.on('error', (err) => errors.push(err));
    await sleep(20); // the reader now waits on the futex
    const writer = open(name, { access: 'write' });
    writer.end('last');
    await once(reader, 'close');
    await sleep(20); // an 'end' that touched the unmapped ring would crash the process here
    expect(got).toEqual(['last']);
    expect(errors).toEqual([]);
  });

  it('loses nothing when destroyed from a data listener: the rest stays for the next reader', async () => {
    const name = uniqueName('DESTROYDATA');
    const reader = open(name, { access: 'read' });
    const next = open(name, { access: 'read' }); // keeps the pipe alive; reads only later
    const writer = open(name, { access: 'write' });
    for (let i = 0; i < 100; i++) writer.write(`m${i}`);
    writer.end();
    let got = 0;
    reader.on('data', () => ++got === 10 && reader.destroy());
    await once(reader, 'close');
    await sleep(20); // a poll left running would touch the unmapped ring here
    // Node may still emit the one message the stream had taken before destroy().
    expect(got).toBeGreaterThanOrEqual(10);
    expect(got).toBeLessThanOrEqual(11);
    const rest = await collect(next);
    expect(rest.map(String)).toEqual(Array.from({ length: 100 - got }, (_, i) => `m${i + got}`));
  });

  it('fails a write that waits for space when the pipe is destroyed', async () => {
    const writer = open(uniqueName('WAITW'), { access: 'write', capacity: 4096 });
    writer.write(Buffer.alloc(4000));
    const second = new Promise<Error | null | undefined>((resolve) => writer.write(Buffer.alloc(4000), resolve));
    await sleep(30);
    expect(writer.writableLength).toBe(4000);
    writer.destroy();
    await once(writer, 'close');
    expect(await second).toMatchObject({ code: ErrorCode.Closed });
  });

  it('notices a writer that died without ending, and ends', async () => {
    const name = uniqueName('DEADWRITER');
    const reader = open(name, { access: 'read' });
    const writer = startPeer(['hold', name, '8192']);
    await writer.ready;
    const got = collect(reader);
    await sleep(50);
    const killed = performance.now();
    writer.child.kill('SIGKILL');
    expect((await within(5000, 'EOF after the writer died', got)).map(String)).toEqual(['left behind']);
    // The promise is 250 ms; this is a hang check, the figure is printed.
    console.log(`dead writer noticed after ${Math.round(performance.now() - killed)} ms`);
  });

  it('the last close keeps what nobody read: the next reader gets it, then EOF', async () => {
    const name = uniqueName('KEPT');
    const writer = open(name, { access: 'write' });
    writer.write('not read yet');
    writer.end();
    await once(writer, 'close');
    expect(existsSync(`/dev/shm/ringpipe.${name.toUpperCase()}`)).toBe(true);
    const reader = open(name, { access: 'read' });
    expect((await collect(reader)).map(String)).toEqual(['not read yet']);
    if (!reader.closed) await once(reader, 'close');
    expect(existsSync(`/dev/shm/ringpipe.${name.toUpperCase()}`)).toBe(false);
  });

  it('a reader closes itself after its end', async () => {
    const name = uniqueName('SELFCLOSE');
    const reader = open(name, { access: 'read' });
    reader.resume();
    open(name, { access: 'write' }).end('x');
    await once(reader, 'end');
    await within(2000, 'close after end', once(reader, 'close'));
    expect(reader.destroyed).toBe(true);
  });

  it('refuses the 129th handle of a pipe with TOO_MANY_HANDLES', async () => {
    const name = uniqueName('FULLSLOTS');
    const handles = Array.from({ length: 128 }, () => open(name, { capacity: 4096 }));
    expect(statPipe(name).handles).toBe(128);
    expect(() => open(name)).toThrow(expect.objectContaining({ code: ErrorCode.TooManyHandles }));
    handles.pop()!.destroy();
    await sleep(20);
    expect(() => open(name).destroy()).not.toThrow();
  });

  it('reports statistics', async () => {
    const name = uniqueName('STATS');
    const writer = open(name, { capacity: 8192 });
    writer.write('12345');
    writer.write('678');
    await new Promise((resolve) => setImmediate(resolve));
    const stats = statPipe(name);
    expect(stats).toMatchObject({ name: name.toUpperCase(), capacity: 8192, mode: 'message', messagesIn: 2, bytesIn: 8, messagesOut: 0, writers: 1, handles: 1 });
    expect(stats.usedBytes).toBe(32);
  });
});
