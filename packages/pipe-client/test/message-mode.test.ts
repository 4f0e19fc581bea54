// Message mode, the default: one chunk per message, a size limit of capacity - 8, names that ignore case,
// stream.pipeline in both directions.
import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import { Readable, Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { uniqueName, within } from '../../../tests/support/index.js';
import { ErrorCode, RingPipeError } from '../src/index.js';
import { closeOpened, collect, open } from './helpers/pipes.js';

afterEach(closeOpened);

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
