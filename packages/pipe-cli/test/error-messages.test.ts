// Errors in our words, naming the flag (exit 2, nothing on stdout); as JSON on stderr with --json.
import { afterEach, describe, expect, it } from 'vitest';
import { killChildren } from '../../../tests/support/index.js';
import { ringpipe } from './helpers/run.js';

afterEach(killChildren);

describe('errors in our words, naming the flag (exit 2, nothing on stdout)', () => {
  it.each([
    ['a size below 4 KiB', ['read', 'X', '--capacity', '100'], '--capacity: 100 is 100 bytes; expected 4 KiB to 1 GiB'],
    ['a size above 1 GiB', ['read', 'X', '--capacity', '2G'], '--capacity: 2G is 2147483648 bytes; expected 4 KiB to 1 GiB'],
    ['a size that is no size', ['read', 'X', '--capacity', 'lots'], '--capacity: expected a size such as 4096, 64k, 1M or 1MiB (got "lots")'],
    ['a count of 0', ['read', 'X', '--count', '0'], '--count: expected a positive integer (got "0")'],
    ['permission bits that are no octal', ['read', 'X', '--permissions', '999'], '--permissions: expected octal permission bits such as 600 or 0660 (got "999")'],
    ['an unknown backend', ['read', 'X', '--backend', 'tcp'], '--backend: expected auto, shm or driver (got "tcp")'],
    ['an owner that is no user name', ['read', 'X', '--owner', 'a b'], '--owner: expected a user name or a uid (got "a b")'],
    ['replicas above 5', ['bridge', 'X', '--to', 'nats://127.0.0.1:1', '--replicas', '7'], '--replicas: expected an integer 1 to 5 (got "7")'],
    ['a duplicate window below 100 ms', ['bridge', 'X', '--to', 'nats://127.0.0.1:1', '--duplicate-window', '5'], '--duplicate-window: expected an integer at least 100 (got "5")'],
  ])('%s', async (_what, args, message) => {
    const run = await ringpipe(args).done;
    expect(run.stderr).toBe(`ringpipe: ${message}\n`);
    expect(run.code).toBe(2);
    expect(run.stdout.length).toBe(0);
  });
});

it('the missing driver: names the module, points at no file the package lacks', async () => {
  const run = await ringpipe(['read', 'X', '--backend', 'driver']).done;
  expect(run.code).toBe(1);
  expect(run.stderr).toMatch(/^ringpipe: the driver backend needs the ringpipe kernel module: \/dev\/ringpipe does not exist/);
  expect(run.stderr).toContain('or use backend "shm"');
  expect(run.stderr).not.toMatch(/README|\.md/);
});

describe('--json errors are JSON, on stderr', () => {
  it.each([
    ['stat of a pipe nobody has open', ['stat', 'NOBODY-HAS-THIS', '--json'], 1, 'ERR_RINGPIPE_NOT_FOUND', /no pipe named NOBODY-HAS-THIS/],
    ['stat with a bad name', ['stat', 'no/slash', '--json'], 2, 'ERR_RINGPIPE_BAD_NAME', /may only use/],
    ['stat without a name', ['stat', '--json'], 2, undefined, /missing required argument 'name'/],
    ['ls with an unknown option', ['ls', '--json', '--all'], 2, undefined, /unknown option '--all'/],
  ])('%s', async (_what, args, exitCode, code, message) => {
    const run = await ringpipe(args).done;
    expect(run.code).toBe(exitCode);
    expect(run.stdout.length).toBe(0);
    const { error } = JSON.parse(run.stderr);
    expect(error).toEqual({ message: expect.stringMatching(message), exitCode, ...(code ? { code } : {}) });
  });

  it('without --json, the same error is a line of text', async () => {
    const run = await ringpipe(['stat', 'NOBODY-HAS-THIS']).done;
    expect(run.stderr).toBe('ringpipe: no pipe named NOBODY-HAS-THIS is open or kept\n');
  });
});
