// The usedriver2 / usedriver3 scenario through the ringpipe CLI on the driver backend.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { listPipes } from '@ringpipe/client';
import { CLI, run } from './helpers.mjs';

const cli = (args, options) => run(process.execPath, [CLI, ...args], options);

async function waitListed(name) {
  for (let i = 0; i < 1000; i++) {
    if (listPipes().some((p) => p.name === name && p.backend === 'driver')) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`${name} never listed`);
}

test('ringpipe read HELLO / ringpipe write HELLO, --backend driver (usedriver3 / usedriver2)', async () => {
  const reader = spawn(process.execPath, [CLI, 'read', 'HELLO', '--backend', 'driver'], { stdio: ['ignore', 'pipe', 'pipe'] });
  // Listened for at once: the reader may be gone before the writer's process is.
  const closed = once(reader, 'close');
  let out = '';
  reader.stdout.on('data', (d) => (out += d));
  await waitListed('HELLO');
  const ls = await cli(['ls']);
  assert.match(ls.stdout, /^HELLO\s+driver\s+message\s+1048576\s/m);
  const w = await cli(['write', 'hello', '--backend', 'driver'], { input: 'hi there\nsecond line\n\nlast\n' });
  assert.equal(w.code, 0, w.stderr);
  const [code] = await closed;
  assert.equal(code, 0);
  assert.equal(out, 'hi there\nsecond line\n\nlast\n');
});

test('ringpipe write NAME TEXT, stat while a reader waits, --count', async () => {
  const reader = spawn(process.execPath, [CLI, 'read', 'greet', '--backend', 'driver', '--count', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const closed = once(reader, 'close');
  let out = '';
  reader.stdout.on('data', (d) => (out += d));
  await waitListed('GREET');
  const stat = JSON.parse((await cli(['stat', 'Greet', '--json'])).stdout);
  assert.deepEqual([stat.name, stat.backend, stat.handles], ['GREET', 'driver', 1]);
  const w = await cli(['write', 'greet', 'hi', 'there', '--backend', 'driver']);
  assert.equal(w.code, 0, w.stderr);
  await closed;
  assert.equal(out, 'hi there\n');
});

test('bad names are rejected by the CLI on the driver backend (exit 2)', async () => {
  for (const name of ['a/b', '..', 'x'.repeat(65)]) {
    const r = await cli(['write', name, 'x', '--backend', 'driver']);
    assert.equal(r.code, 2, `${name}: ${r.stderr}`);
  }
});

// Issue 15 on the driver: what a writer wrote before any reader came waits in the kept pipe.
test('ringpipe write before any reader: the driver keeps the pipe and its messages; a later reader gets them, then EOF', async () => {
  const { statPipe } = await import('@ringpipe/client');
  const before = Date.now();
  const w = await cli(['write', 'kept-cli', '--backend', 'driver'], { input: 'into\nthe pipe\n' });
  assert.equal(w.code, 0, w.stderr);
  const info = statPipe('kept-cli');
  assert.equal(info.backend, 'driver');
  assert.equal(info.kept, true, 'kept past its last handle');
  assert.equal(info.handles, 0);
  assert.equal(info.unreadMessages, 2);
  assert.equal(info.unreadBytes, 'into'.length + 'the pipe'.length);
  assert.ok(info.keptSince >= before - 5000 && info.keptSince <= Date.now() + 1000, `keptSince ${info.keptSince}`);
  assert.equal(info.ttl, undefined);
  const ls = await cli(['ls', '--json']);
  assert.ok(JSON.parse(ls.stdout).some((p) => p.name === 'KEPT-CLI' && p.kept === true), ls.stdout);
  const r = await cli(['read', 'kept-cli', '--backend', 'driver']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'into\nthe pipe\n');
  assert.throws(() => statPipe('kept-cli'), { code: 'ERR_RINGPIPE_NOT_FOUND' }, 'read empty and closed: gone');
});
