// The low-latency mode: a reader that spins (option spin) instead of sleeping.
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { uniqueName, within } from '../../../tests/support/index.js';
import { ErrorCode } from '../src/index.js';
import { closeOpened, open } from './helpers/pipes.js';

afterEach(closeOpened);

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
