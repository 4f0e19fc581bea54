// ringpipe write and read: TEXT or stdin lines as messages, --bytes, and one line per Enter at a terminal.
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { becomes, killChildren, sleep, uniqueName } from '../../../tests/support/index.js';
import { CLI, readerAttached, ringpipe } from './helpers/run.js';

afterEach(killChildren);

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
