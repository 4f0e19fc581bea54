// RingPipe.created: whether createPipe made the pipe or joined one (whose capacity, mode and permissions stand).
import { statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { uniqueName } from '../../../tests/support/index.js';
import { createPipe } from '../src/index.js';

describe('created', () => {
  it('is true for the handle that made the pipe, false for one that joined it, whose options did not apply', async () => {
    const name = uniqueName('CREATED');
    const first = createPipe(name, { capacity: 8192, permissions: 0o600 });
    const second = createPipe(name, { capacity: 65536, permissions: 0o644 });
    try {
      expect(first.created).toBe(true);
      expect(second.created).toBe(false);
      expect(second.capacity).toBe(8192);
      expect(statSync(`/dev/shm/ringpipe.${name.toUpperCase()}`).mode & 0o777).toBe(0o600);
    } finally {
      first.destroy();
      second.destroy();
    }
  });

  it('is true again once the last handle closed and the pipe went away', async () => {
    const name = uniqueName('AGAIN');
    const first = createPipe(name);
    first.destroy();
    await new Promise((resolve) => first.once('close', resolve));
    const again = createPipe(name);
    expect(again.created).toBe(true);
    again.destroy();
  });
});
