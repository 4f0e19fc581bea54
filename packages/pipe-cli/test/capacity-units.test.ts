// --capacity takes sizes with units (4k, 64KiB, 1M), as the help says.
import { afterEach, describe, expect, it } from 'vitest';
import { killChildren, uniqueName } from '../../../tests/support/index.js';
import { readerAttached, ringpipe } from './helpers/run.js';

afterEach(killChildren);

/** The capacity a pipe gets when `read --capacity VALUE` creates it. */
async function capacityOf(value: string): Promise<number> {
  const name = uniqueName('SIZE');
  const reader = ringpipe(['read', name, '--capacity', value]);
  await readerAttached(name);
  const stat = await ringpipe(['stat', name, '--json']).done;
  reader.child.kill('SIGTERM');
  await reader.done;
  return JSON.parse(stat.stdout.toString()).capacity;
}

describe('--capacity takes sizes with units', () => {
  it.each([
    ['4096', 4096],
    ['4k', 4096],
    ['4KiB', 4096],
    ['64k', 65536],
    ['1M', 1 << 20],
    ['1MiB', 1 << 20],
  ])('%s', async (value, bytes) => {
    expect(await capacityOf(value)).toBe(bytes);
  });

  it('says so in the help', async () => {
    const help = (await ringpipe(['read', '--help']).done).stdout.toString().replace(/\s+/g, ' ');
    expect(help).toContain('--capacity <size> ring size when this call creates the pipe: 4k to 1G, e.g. 65536, 64k, 1M, 1MiB (default 1M, 4M with --bytes)');
  });
});
