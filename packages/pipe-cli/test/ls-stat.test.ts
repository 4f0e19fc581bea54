// ringpipe ls and stat: open pipes listed and shown in detail, as text and JSON.
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { killChildren, uniqueName } from '../../../tests/support/index.js';
import { readerAttached, ringpipe } from './helpers/run.js';

afterEach(killChildren);

describe('ringpipe ls / stat', () => {
  it('lists open pipes and shows one in detail, as text and JSON', async () => {
    const name = uniqueName('LS');
    const reader = ringpipe(['read', name, '--capacity', '8192']);
    await readerAttached(name);
    const listed = JSON.parse((await ringpipe(['ls', '--json']).done).stdout.toString());
    expect(listed).toContainEqual(expect.objectContaining({ name: name.toUpperCase(), capacity: 8192, readers: 1, writers: 0 }));
    const table = (await ringpipe(['ls']).done).stdout.toString();
    expect(table).toMatch(/^NAME\s+BACKEND\s+MODE\s+CAPACITY\s+USED\s+READERS\s+WRITERS/);
    expect(table).toContain(name.toUpperCase());
    const details = await ringpipe(['stat', name]).done;
    expect(details.code).toBe(0);
    expect(details.stdout.toString()).toMatch(/capacity:\s+8192/);
    reader.child.kill('SIGTERM');
    await reader.done;
    // The reader detached on its way out: the pipe is gone, not left behind in /dev/shm.
    expect(existsSync(`/dev/shm/ringpipe.${name.toUpperCase()}`)).toBe(false);
  });
});
