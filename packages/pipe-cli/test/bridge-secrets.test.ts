// ringpipe bridge takes secrets from a file or the environment, never from the command line.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { killChildren, sleep, uniqueName } from '../../../tests/support/index.js';
import { freePort, NatsServer } from '../../pipe-bridge/test/helpers/nats-server.js';
import { ringpipe } from './helpers/run.js';

afterEach(killChildren);

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
