// A handle maps the ring into the process 64 KiB ahead of its position (shm backend,
// Ring.mapAhead): otherwise its first touch of each page is a page fault (5 to over 100 us on a VM),
// once per 4 KiB until the ring has wrapped: 1% of the rounds of a 64 B ping-pong took two on
// each side. Judged by the process's page-fault count.
import { once } from 'node:events';
import { release } from 'node:os';
import { describe, expect, it } from 'vitest';
import { skipLoudly, uniqueName } from '../../../tests/support/index.js';
import { createPipe } from '../src/index.js';

const faults = (): number => process.resourceUsage().minorPageFault;
// MADV_POPULATE_WRITE came with Linux 5.14; before it the handles take their faults as they go.
const [major = 0, minor = 0] = release().split('.').map(Number);
const populates = major > 5 || (major === 5 && minor >= 14);

describe('pages mapped ahead', () => {
  it('a record that starts a page costs neither side a page fault', async (ctx) => {
    if (!populates) return skipLoudly(ctx, `Linux ${release()} has no MADV_POPULATE_WRITE (5.14)`);
    const name = uniqueName('PAGES');
    const writer = createPipe(name, { backend: 'shm' });
    const reader = createPipe(name, { access: 'read', backend: 'shm' });
    // Records of 512 bytes with their header: eight to a page.
    const message = Buffer.alloc(504, 7);
    const pages = 40;
    const target = Buffer.alloc(512);
    // Pages whose first record took two faults or more on its way (a burst of the heap's counts once).
    let faulted = 0;
    let read = 0;
    for (let page = 0; page < pages; page++) {
      // The reader waits (the ring is empty); the first record of the page goes in and out, then the rest.
      const first = reader.readInto(target);
      await new Promise((resolve) => setImmediate(resolve));
      const before = faults();
      writer.write(message);
      read += (await first) === message.length ? 1 : 0;
      // The first pages also fault for the code and heap the first reads and writes warm up.
      if (page >= 8 && faults() - before >= 2) faulted++;
      for (let i = 1; i < 8; i++) writer.write(message);
      for (let i = 1; i < 8; i++) read += (await reader.readInto(target)) === message.length ? 1 : 0;
    }
    expect(read).toBe(pages * 8);
    // Without mapAhead: every page (the writer's first write and the reader's first read fault), 32 here.
    expect(faulted, 'pages of 32 whose first record took page faults').toBeLessThan(8);
    writer.destroy();
    reader.destroy();
    await Promise.all([once(writer, 'close'), once(reader, 'close')]);
  });
});
