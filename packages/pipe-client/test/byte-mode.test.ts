// Byte mode: a byte stream (large writes split and joined back); a pipe keeps the mode and capacity it was made with.
import { afterEach, describe, expect, it } from 'vitest';
import { uniqueName } from '../../../tests/support/index.js';
import { createPipe, ErrorCode } from '../src/index.js';
import { closeOpened, collect, open } from './helpers/pipes.js';

afterEach(closeOpened);

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
