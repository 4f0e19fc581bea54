// ringpipe write while readers come and go: 141 once its reader left (like seq | head), a wait for the
// first reader, --wait until readers took everything.
import { afterEach, describe, expect, it } from 'vitest';
import { killChildren, settlesWithin, uniqueName } from '../../../tests/support/index.js';
import { CLI, readerAttached, ringpipe } from './helpers/run.js';

afterEach(killChildren);

describe('write when readers come and go', () => {
  it('seq | ringpipe write ends with status 141 once its reader (read --count 10) has left, like seq | head', async () => {
    const name = uniqueName('QUIT');
    const reader = ringpipe(['read', name, '--count', '10']);
    await readerAttached(name);
    const writer = ringpipe([], undefined, ['sh', '-c', `seq 1 1000000 | '${process.execPath}' '${CLI}' write ${name}`]);
    const read = await reader.done;
    expect(read.code).toBe(0);
    expect(read.stdout.toString()).toBe(`${Array.from({ length: 10 }, (_, i) => i + 1).join('\n')}\n`);
    expect(await settlesWithin(writer.done, 5000)).toBe(true);
    expect(await writer.done).toMatchObject({ code: 141, stderr: '' });
  });

  it('a writer that fills the ring before any reader waits for its first reader', async () => {
    const name = uniqueName('FIRST');
    const writer = ringpipe(['write', name, '--capacity', '4096'], Array.from({ length: 2000 }, (_, i) => `line ${i}`).join('\n') + '\n');
    expect(await settlesWithin(writer.done, 800)).toBe(false);
    const reader = ringpipe(['read', name]);
    expect((await writer.done).code).toBe(0);
    expect((await reader.done).stdout.toString().split('\n').length).toBe(2001);
  });

  it('write --wait exits once readers have taken everything it wrote', async () => {
    const name = uniqueName('WAIT');
    const writer = ringpipe(['write', name, 'delivered', '--wait']);
    expect(await settlesWithin(writer.done, 800)).toBe(false);
    const reader = ringpipe(['read', name, '--count', '1']);
    expect((await reader.done).stdout.toString()).toBe('delivered\n');
    expect((await writer.done).code).toBe(0);
  });
});
