// A note on stderr when --capacity or --permissions cannot apply to a pipe that exists.
import { afterEach, describe, expect, it } from 'vitest';
import { killChildren, uniqueName } from '../../../tests/support/index.js';
import { readerAttached, ringpipe } from './helpers/run.js';

afterEach(killChildren);

describe('a note when a flag has no effect on an existing pipe', () => {
  it('--capacity and --permissions of a pipe that exists: noted on stderr; the creator gets no note', async () => {
    const name = uniqueName('NOTE');
    const reader = ringpipe(['read', name, '--capacity', '8k', '--permissions', '600']);
    await readerAttached(name);
    const writer = await ringpipe(['write', name, '--capacity', '1M', '--permissions', '644', 'hello']).done;
    expect(writer.code).toBe(0);
    expect(writer.stderr).toBe(`ringpipe: note: pipe ${name.toUpperCase()} exists already: --capacity (its capacity is 8192 bytes) and --permissions had no effect\n`);
    const read = await reader.done;
    expect(read.stdout.toString()).toBe('hello\n');
    expect(read.stderr).toBe('');
  });

  it('a writer without those flags gets no note', async () => {
    const name = uniqueName('NONOTE');
    const reader = ringpipe(['read', name]);
    await readerAttached(name);
    const writer = await ringpipe(['write', name, 'hello']).done;
    expect(writer.stderr).toBe('');
    await reader.done;
  });
});
