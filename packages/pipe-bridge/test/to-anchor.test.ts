import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { hostsPerTest, until, type Host, type Proc } from './helpers/hosts.js';
import { freePort } from './helpers/nats-server.js';

/** Where a script run inside a host (its working directory is /) imports a package from. */
const moduleUrl = (name: string): string => pathToFileURL(createRequire(import.meta.url).resolve(name)).href;

const root = process.platform === 'linux' && process.getuid?.() === 0;
if (!root) console.warn('SKIPPED the --to anchor file: needs Linux and root (a private /dev/shm per test)');

/** Runs `script` with sh inside `host`; resolves to its stdout. */
async function sh(host: Host, script: string): Promise<string> {
  const p = host.run('sh', ['-c', script]);
  expect(await p.exited, p.stderr()).toBe(0);
  return p.stdout();
}

/** Writes an anchor file for the pipe `name` naming the pipe that exists now (as a `--to` bridge does past its first GiB). */
async function writeAnchor(host: Host, name: string): Promise<void> {
  const p = host.run(process.execPath, [
    '-e',
    `const { statSync, writeFileSync } = require('node:fs'); const { hostname } = require('node:os');
     const s = statSync('/dev/shm/ringpipe.${name}', { bigint: true });
     const incarnation = hostname() + '/' + s.ino + '.' + (s.birthtimeNs !== 0n ? s.birthtimeNs : s.ctimeNs);
     writeFileSync('/dev/shm/ringpipe-to-anchor.${name}', JSON.stringify({ incarnation, position: 2 ** 31, messagesOut: 1, bytesOut: 2 ** 31 - 8 }));`,
  ]);
  expect(await p.exited, p.stderr()).toBe(0);
}

const anchored = async (host: Host, name: string): Promise<boolean> => (await sh(host, 'ls -a /dev/shm')).split('\n').includes(`ringpipe-to-anchor.${name}`);

describe.skipIf(!root)('the anchor file of a --to bridge (/dev/shm/ringpipe-to-anchor.NAME) goes with its pipe', () => {
  const host = hostsPerTest();

  it('ringpipe rm NAME removes it with the pipe', async () => {
    const a = await host();
    const write = a.ringpipe(['write', 'anchored', 'kept until rm']);
    expect(await write.exited, write.stderr()).toBe(0);
    await writeAnchor(a, 'ANCHORED');
    expect(await anchored(a, 'ANCHORED')).toBe(true);
    const rm = a.ringpipe(['rm', 'anchored']);
    expect(await rm.exited, rm.stderr()).toBe(0);
    expect(await anchored(a, 'ANCHORED')).toBe(false);
  }, 30_000);

  it('forgetPipe (@ringpipe/bridge/status) leaves the anchor of a pipe that lives and removes it once the pipe was removed', async () => {
    const a = await host();
    const write = a.ringpipe(['write', 'FORGOTTEN', 'kept']);
    expect(await write.exited, write.stderr()).toBe(0);
    await writeAnchor(a, 'FORGOTTEN');
    const node = async (code: string): Promise<void> => {
      const p = a.run(process.execPath, ['--input-type=module', '-e', code]);
      expect(await p.exited, p.stderr()).toBe(0);
    };
    await node(`import { forgetPipe } from '${moduleUrl('@ringpipe/bridge/status')}'; forgetPipe('forgotten');`);
    expect(await anchored(a, 'FORGOTTEN'), 'the anchor of a pipe that lives').toBe(true);
    await node(`import { removePipe } from '${moduleUrl('@ringpipe/client')}'; removePipe('FORGOTTEN');`);
    expect(await anchored(a, 'FORGOTTEN'), 'removePipe alone leaves it').toBe(true);
    await node(`import { forgetPipe } from '${moduleUrl('@ringpipe/bridge/status')}'; forgetPipe('forgotten');`);
    expect(await anchored(a, 'FORGOTTEN'), 'the anchor of a removed pipe').toBe(false);
  }, 30_000);

  it('a --to bridge that was the last handle of a pipe with nothing unread removes it as the pipe disappears; a kept pipe keeps it', async () => {
    const a = await host();
    const port = await freePort(); // no server there: the bridge retries, then drains on SIGTERM
    const stopped = async (to: Proc): Promise<void> => {
      await until('the bridge retrying', () => to.stderr().includes('retrying'), 20_000);
      to.child.kill('SIGTERM');
      expect(await to.exited, to.stderr()).toBe(0);
    };

    const gone = a.ringpipe(['bridge', 'EMPTIED', '--to', `nats://127.0.0.1:${port}`]);
    await until('the pipe', () => gone.stderr().includes('retrying'), 20_000);
    await writeAnchor(a, 'EMPTIED');
    await stopped(gone);
    expect(await sh(a, 'ls /dev/shm')).not.toMatch(/ringpipe\.EMPTIED/);
    expect(await anchored(a, 'EMPTIED'), 'the anchor of a pipe that disappeared').toBe(false);

    const write = a.ringpipe(['write', 'KEPT', 'unread']);
    expect(await write.exited, write.stderr()).toBe(0);
    await writeAnchor(a, 'KEPT');
    await stopped(a.ringpipe(['bridge', 'KEPT', '--to', `nats://127.0.0.1:${port}`]));
    expect(await sh(a, 'ls /dev/shm')).toMatch(/ringpipe\.KEPT/);
    expect(await anchored(a, 'KEPT'), 'the anchor of a pipe kept with an unread message').toBe(true);
  }, 60_000);
});
