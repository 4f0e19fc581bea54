// The CLI on kept pipes (README, Semantics: Lifetime): what a writer left is there for the next
// reader, `ls` shows it, `rm` removes it.
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { killChildren, uniqueName } from '../../../tests/support/index.js';
import { ringpipe } from './helpers/run.js';

afterEach(killChildren);

describe('writers before any reader', () => {
  it('3 MB in byte mode written before any reader: the reader gets every byte', async () => {
    const name = uniqueName('BLOB');
    const data = randomBytes(3_000_000);
    const written = await ringpipe(['write', name, '--bytes'], data).done;
    expect(written.code, written.stderr).toBe(0);
    const got = await ringpipe(['read', name, '--bytes']).done;
    expect(got.code, got.stderr).toBe(0);
    expect(got.stdout.length).toBe(data.length);
    expect(got.stdout.equals(data)).toBe(true);
  });

  it('write, then read in another process', async () => {
    const name = uniqueName('NOREADER');
    expect((await ringpipe(['write', name, 'into the void']).done).code).toBe(0);
    const got = await ringpipe(['read', name]).done;
    expect(got.code, got.stderr).toBe(0);
    expect(got.stdout.toString()).toBe('into the void\n');
  });

  it('read --count 2 after two writers that ran before it gets both', async () => {
    const name = uniqueName('TWO');
    expect((await ringpipe(['write', name, 'one']).done).code).toBe(0);
    expect((await ringpipe(['write', name, 'two']).done).code).toBe(0);
    const got = await ringpipe(['read', name, '--count', '2']).done;
    expect(got.code, got.stderr).toBe(0);
    expect(got.stdout.toString()).toBe('one\ntwo\n');
  });
});

describe('ls and rm on kept pipes', () => {
  it('ls shows the unread count, bytes and age; rm removes it; rm again says not found', async () => {
    const name = uniqueName('KEPT');
    const upper = name.toUpperCase();
    expect((await ringpipe(['write', name, 'abc', '--ttl', '600000']).done).code).toBe(0);
    const listed = JSON.parse((await ringpipe(['ls', '--json']).done).stdout.toString());
    expect(listed.find((p: { name: string }) => p.name === upper)).toMatchObject({ kept: true, unreadMessages: 1, unreadBytes: 3, ttl: 600000 });
    const table = (await ringpipe(['ls']).done).stdout.toString().split('\n');
    expect(table[0]).toMatch(/UNREAD\s+UNREAD BYTES\s+KEPT FOR$/);
    expect(table.find((line) => line.startsWith(`${upper} `))).toMatch(/\s1\s+3\s+\d+s$/);
    const details = (await ringpipe(['stat', name]).done).stdout.toString();
    expect(details).toMatch(/kept:\s+yes, for \d+s/);
    expect(details).toMatch(/unread:\s+1\n/);
    const removed = await ringpipe(['rm', name]).done;
    expect(removed.code, removed.stderr).toBe(0);
    const again = await ringpipe(['rm', name]).done;
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/no pipe named/);
    expect((await ringpipe(['stat', name]).done).code).toBe(1);
  });
});
