import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { becomes, killChildren, settlesWithin, sleep, uniqueName } from '../../../test/support/index.js';
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

describe('ringpipe write / read', () => {
  it('sends TEXT as one message and stdin lines as one message each', async () => {
    const name = uniqueName('CLI');
    const reader = ringpipe(['read', name]);
    await readerAttached(name);
    expect((await ringpipe(['write', name, 'hello', 'world']).done).code).toBe(0);
    const reader2Done = reader.done;
    const { code, stdout, stderr } = await reader2Done;
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout.toString()).toBe('hello world\n');

    const lines = ringpipe(['read', name.toLowerCase(), '--count', '3']);
    await readerAttached(name);
    const writer = ringpipe(['write', name], 'one\ntwo\nthree\nfour\n');
    expect((await lines.done).stdout.toString()).toBe('one\ntwo\nthree\n');
    expect((await writer.done).code).toBe(0);
  });

  it('--bytes carries raw binary data', async () => {
    const name = uniqueName('RAW');
    const data = randomBytes(300_000);
    const reader = ringpipe(['read', name, '--bytes', '--capacity', '65536']);
    await readerAttached(name);
    const writer = ringpipe(['write', name, '--bytes'], data);
    expect((await writer.done).code).toBe(0);
    const got = await reader.done;
    expect(got.code).toBe(0);
    expect(got.stdout.equals(data)).toBe(true);
  });

  it('bridge refuses a byte-mode pipe as bad input: exit 2, before any server is asked', async () => {
    const name = uniqueName('BRIDGEBYTES');
    const reader = ringpipe(['read', name, '--bytes']);
    await readerAttached(name);
    const bridged = await ringpipe(['bridge', name, '--to', 'nats://127.0.0.1:9']).done;
    expect(bridged.stderr).toContain('byte-mode pipe');
    expect(bridged.code).toBe(2);
    reader.child.kill();
  });

  it('prompts for lines at a terminal, like usedriver2', async () => {
    const name = uniqueName('TTY');
    const reader = ringpipe(['read', name, '--count', '2']);
    await readerAttached(name);
    // script(1) gives the writer a terminal; the typed lines end with Ctrl-D.
    const writer = ringpipe(['-qfec', `${process.execPath} ${CLI} write ${name}`, '/dev/null'], undefined, ['script']);
    writer.child.stdin!.write('typed one\r');
    writer.child.stdin!.write('typed two\r');
    const got = await reader.done;
    writer.child.stdin!.end('\x04');
    expect(got.stdout.toString()).toBe('typed one\ntyped two\n');
    const typed = await writer.done;
    expect(typed.stdout.toString()).toContain(`${name.toUpperCase()}> `);
    expect(typed.code).toBe(0);
  });

  it('reads one message per Enter at a terminal, like usedriver3', async () => {
    const name = uniqueName('ENTER');
    const reader = ringpipe(['-qfec', `${process.execPath} ${CLI} read ${name}`, '/dev/null'], undefined, ['script']);
    await readerAttached(name);
    await ringpipe(['write', name], 'first\nsecond\n').done;
    const shown = (text: string): Promise<boolean> => becomes(() => reader.stdoutSoFar().includes(text), { timeoutMs: 5_000, everyMs: 25 });
    expect(await shown('Enter reads a message')).toBe(true);
    expect(reader.stdoutSoFar()).not.toContain('first');
    reader.child.stdin!.write('\r');
    expect(await shown('first')).toBe(true);
    // One Enter, one message: the second stays in the pipe until the next Enter.
    await sleep(300);
    expect(reader.stdoutSoFar()).not.toContain('second');
    reader.child.stdin!.write('\r');
    expect(await shown('second')).toBe(true);
    reader.child.stdin!.end('\x04');
    const got = await reader.done;
    expect(got.stdout.toString().match(/first|second/g)).toEqual(['first', 'second']);
  });
});

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

describe('exit codes', () => {
  it.each([
    ['a bad name', ['write', 'no/slash', 'x'], 2, /may only use/],
    ['a missing argument', ['read'], 2, /missing required argument/],
    ['an unknown command', ['frobnicate'], 2, /unknown command/],
    ['a bad option value', ['read', 'X', '--count', 'many'], 2, /positive integer/],
    ['an unknown backend', ['read', 'X', '--backend', 'tcp'], 2, /--backend: expected auto, shm or driver/],
    ['a message too big', ['write', 'TOOBIG', '--capacity', '4096', 'x'.repeat(5000)], 2, /larger than pipe TOOBIG can hold/],
    ['stat of a pipe nobody has open', ['stat', 'NOBODY-HAS-THIS'], 1, /no pipe named NOBODY-HAS-THIS/],
    ['the missing driver', ['read', 'X', '--backend', 'driver'], 1, /driver/],
  ])('%s', async (_what, args, code, message) => {
    const run = await ringpipe(args).done;
    expect(run.code).toBe(code);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toMatch(/^ringpipe: /);
    expect(run.stdout.length).toBe(0);
  });
});
