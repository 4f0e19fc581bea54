// The CLI speaks like the tools people know: sizes with units, errors in our words naming the flag,
// a note when a flag cannot apply, help per command, secrets kept off the command line, JSON errors.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { killChildren, sleep, tempDir, uniqueName } from '../../../test/support/index.js';
import { freePort, NatsServer } from '../../pipe-bridge/test/helpers/nats-server.js';
import { readerAttached, ringpipe } from './helpers/run.js';

afterEach(killChildren);

const PACKAGE = fileURLToPath(new URL('..', import.meta.url));

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

describe('help that matches each command', () => {
  it('bridge --help lists only what bridge takes', async () => {
    const help = (await ringpipe(['bridge', '--help']).done).stdout.toString();
    expect(help).toContain('--to <url>');
    expect(help).toContain('--password-file <file>');
    expect(help).toContain('RINGPIPE_NATS_PASSWORD');
    for (const other of ['--bytes', '--count', '--follow', '--no-prompt', '--json', '--password <']) expect(help).not.toContain(other);
  });

  it('read --help mentions --bytes where read takes it', async () => {
    const help = (await ringpipe(['read', '--help']).done).stdout.toString();
    expect(help).toContain('--bytes');
    expect(help).toContain('4M with --bytes');
  });

  it('--version is the version of package.json', async () => {
    const { version } = JSON.parse(readFileSync(join(PACKAGE, 'package.json'), 'utf8'));
    const run = await ringpipe(['--version']).done;
    expect(run.stdout.toString()).toBe(`${version}\n`);
    expect(run.code).toBe(0);
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

describe('bridge: secrets from a file or the environment, never the command line', () => {
  it.each([
    ['--password', 'RINGPIPE_NATS_PASSWORD', '--password-file'],
    ['--token', 'RINGPIPE_NATS_TOKEN', '--token-file'],
  ])('%s on the command line is refused (exit 2), saying where it goes', async (flag, variable, fileFlag) => {
    const run = await ringpipe(['bridge', 'X', '--to', 'nats://127.0.0.1:1', flag, 'hunter2']).done;
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      `ringpipe: ${flag} is not taken on the command line, where other users see it (ps): set ${variable}, or give a file with ${fileFlag}\n`,
    );
  });

  it('a password in the server URL is refused too (exit 2)', async () => {
    const run = await ringpipe(['bridge', 'X', '--from', 'nats://me:hunter2@127.0.0.1:1']).done;
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'ringpipe: a password in the --from URL is not taken on the command line, where other users see it (ps): set RINGPIPE_NATS_PASSWORD, or give a file with --password-file\n',
    );
  });

  describe.skipIf(spawnSync('nats-server', ['--version']).status !== 0)('against a nats-server that wants a user and password', () => {
    let server: NatsServer;
    const dir = mkdtempSync(join(tmpdir(), 'ringpipe-secret-'));
    afterAll(async () => {
      await server?.kill9();
      rmSync(dir, { recursive: true, force: true });
    });

    /** Runs `ringpipe bridge --to` until it reports `running` or exits; then stops it. */
    async function bridgeWith(args: string[], env: Record<string, string> = {}): Promise<{ running: boolean; code: number; stderr: string }> {
      server ??= await (async () => {
        const s = new NatsServer(await freePort(), ['--user', 'ringpipe', '--pass', 's3cret']);
        await s.start();
        return s;
      })();
      const name = uniqueName('SECRET');
      const run = ringpipe(['bridge', name, '--to', server.url, '--user', 'ringpipe', '--storage', 'memory', ...args], undefined, undefined, env);
      let running = false;
      for (let i = 0; i < 400 && !running && run.child.exitCode === null; i++) {
        await sleep(25);
        running = /: running/.test(run.stderrSoFar());
      }
      run.child.kill('SIGTERM');
      const { code, stderr } = await run.done;
      return { running, code, stderr };
    }

    it('RINGPIPE_NATS_PASSWORD: connects; SIGTERM stops the bridge (exit 0)', async () => {
      const got = await bridgeWith([], { RINGPIPE_NATS_PASSWORD: 's3cret' });
      expect(got.running).toBe(true);
      expect(got.code).toBe(0);
    });

    it('--password-file: connects with the first line of the file', async () => {
      const file = join(dir, 'password');
      writeFileSync(file, 's3cret\n', { mode: 0o600 });
      const got = await bridgeWith(['--password-file', file]);
      expect(got.running).toBe(true);
      expect(got.code).toBe(0);
    });

    it('a wrong password: refused by the server (exit 1)', async () => {
      const got = await bridgeWith([], { RINGPIPE_NATS_PASSWORD: 'wrong' });
      expect(got.running).toBe(false);
      expect(got.code).toBe(1);
      expect(got.stderr).toMatch(/refused the credentials/);
    });
  });
});

describe('@ringpipe/bridge is optional', () => {
  it('without it installed, ls works and bridge says how to install it (exit 1)', async () => {
    // An install of @ringpipe/cli as npm lays it out, with its dependencies and without the bridge.
    const root = tempDir('cli-alone');
    const cli = join(root, 'node_modules/@ringpipe/cli');
    mkdirSync(cli, { recursive: true });
    for (const part of ['bin', 'dist', 'package.json']) cpSync(join(PACKAGE, part), join(cli, part), { recursive: true });
    symlinkSync(realpathSync(join(PACKAGE, '../pipe-client')), join(root, 'node_modules/@ringpipe/client'));
    symlinkSync(dirname(realpathSync(join(PACKAGE, 'node_modules/commander/package.json'))), join(root, 'node_modules/commander'));
    const bin = join(cli, 'bin/ringpipe.js');
    const ls = await ringpipe(['ls'], undefined, [process.execPath, bin]).done;
    expect(ls.stderr).toBe('');
    expect(ls.code).toBe(0);
    expect(ls.stdout.toString()).toMatch(/^NAME/);
    const bridge = await ringpipe(['bridge', 'X', '--to', 'nats://127.0.0.1:1'], undefined, [process.execPath, bin]).done;
    expect(bridge.code).toBe(1);
    expect(bridge.stderr).toMatch(/^ringpipe: ringpipe bridge needs the @ringpipe\/bridge package, which is not installed: npm install @ringpipe\/bridge/);
  });
});

describe('the CLI module runs nothing when imported', () => {
  it('no parsing, no signal handlers; createCli builds the commands and run() runs them', async () => {
    const before = { sigint: process.listenerCount('SIGINT'), sigterm: process.listenerCount('SIGTERM'), exitCode: process.exitCode };
    const { createCli } = await import('../src/cli.js');
    expect(process.listenerCount('SIGINT')).toBe(before.sigint);
    expect(process.listenerCount('SIGTERM')).toBe(before.sigterm);
    expect(process.exitCode).toBe(before.exitCode);
    const program = createCli({ signal: new AbortController().signal, stopOnSignal: () => {}, json: false });
    expect(program.commands.map((c) => c.name())).toEqual(expect.arrayContaining(['write', 'read', 'bridge', 'ls', 'stat']));
  });
});
