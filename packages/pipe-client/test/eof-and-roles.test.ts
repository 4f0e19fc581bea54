// EOF and roles: a reader ends when every writer has ended (not before, and not with follow); a handle
// only read from never holds EOF back.
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { sleep, uniqueName } from '../../../tests/support/index.js';
import { statPipe } from '../src/index.js';
import { closeOpened, collect, open } from './helpers/pipes.js';

afterEach(closeOpened);

describe('EOF and roles', () => {
  it('a handle only read from never holds EOF back, one only written never consumes', async () => {
    const name = uniqueName('ROLES');
    const reader = open(name);
    const idle = open(name); // opened read-write, never used
    const writer = open(name);
    writer.write('a');
    await new Promise((resolve) => setImmediate(resolve));
    // Three handles; the untouched one is neither a writer nor a reader.
    expect(statPipe(name)).toMatchObject({ handles: 3, writers: 1, readers: 0 });
    writer.end('b');
    // The reader gets both messages (none went to the idle handle) and ends although the idle one is still open.
    expect((await collect(reader)).map(String)).toEqual(['a', 'b']);
    await Promise.all([writer, reader].map((pipe) => pipe.destroyed || once(pipe, 'close')));
    expect(idle.destroyed).toBe(false);
    expect(statPipe(name)).toMatchObject({ handles: 1, writers: 0, readers: 0, messagesOut: 2 });
  });

  it('a reader that starts before any writer waits for one', async () => {
    const name = uniqueName('EARLY');
    const reader = open(name, { access: 'read' });
    const got = collect(reader);
    await sleep(100);
    const writer = open(name, { access: 'write' });
    writer.end('late');
    expect((await got).map(String)).toEqual(['late']);
  });

  it('ends a reader only when every writer has ended', async () => {
    const name = uniqueName('TWO');
    const reader = open(name, { access: 'read' });
    const first = open(name, { access: 'write' });
    const second = open(name, { access: 'write' });
    let ended = false;
    const got = collect(reader).then((messages) => ((ended = true), messages));
    first.end('from first');
    await once(first, 'close');
    await sleep(50);
    expect(ended).toBe(false);
    second.end('from second');
    expect((await got).map(String)).toEqual(['from first', 'from second']);
  });

  it('with follow, keeps waiting after the writers leave', async () => {
    const name = uniqueName('FOLLOW');
    const reader = open(name, { access: 'read', follow: true });
    const got: string[] = [];
    reader.on('data', (m: Buffer) => got.push(String(m)));
    const a = open(name, { access: 'write' });
    a.end('one');
    await once(a, 'close');
    const b = open(name, { access: 'write' });
    b.end('two');
    await once(b, 'close');
    while (got.length < 2) await sleep(10);
    expect(got).toEqual(['one', 'two']);
    expect(reader.readableEnded).toBe(false);
  });
});
