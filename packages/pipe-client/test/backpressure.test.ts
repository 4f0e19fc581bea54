// Backpressure: write() returns false when the ring is full, and nothing is dropped.
import { afterEach, describe, expect, it } from 'vitest';
import { uniqueName } from '../../../tests/support/index.js';
import { statPipe } from '../src/index.js';
import { closeOpened, collect, open } from './helpers/pipes.js';

afterEach(closeOpened);

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
