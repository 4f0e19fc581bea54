// Last: the module refuses to unload while a handle is open, and unloads cleanly after.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { RPTEST, run, waitFor } from './helpers.mjs';

test('rmmod refuses while a handle is open; closing frees the ring; rmmod succeeds after, with a kept pipe too (freed), insmod brings it back', async () => {
  const holder = spawn(RPTEST, ['hold', 'rmmod-test'], { stdio: ['pipe', 'pipe', 'inherit'] });
  await waitFor(holder, 'bound');
  const rings = () => readFileSync('/proc/vmallocinfo', 'latin1').split('\n').filter((l) => l.includes('[ringpipe]'));
  assert.equal(rings().length, 1, 'the open pipe has its ring in vmalloc space');
  const busy = await run('rmmod', ['ringpipe']);
  assert.notEqual(busy.code, 0, 'rmmod succeeded with a handle open');
  assert.ok(existsSync('/dev/ringpipe'));
  holder.stdin.end();
  await new Promise((resolve) => holder.on('close', resolve));
  assert.deepEqual(rings(), [], 'no ring left once every handle closed');
  // A pipe kept for its unread messages holds no file, so no module reference: rmmod frees it.
  const sent = await run(RPTEST, ['send', 'kept-at-rmmod', '5']);
  assert.equal(sent.code, 0, sent.stderr);
  assert.equal(rings().length, 1, 'the kept pipe has its ring');
  const keptRange = rings()[0].split(/\s+/)[0];
  const ok = await run('rmmod', ['ringpipe']);
  assert.equal(ok.code, 0, `rmmod failed: ${ok.stderr}`);
  assert.ok(!existsSync('/dev/ringpipe'), '/dev/ringpipe is gone');
  // Once the module is gone its areas would no longer say [ringpipe]: look for the range itself.
  assert.ok(!readFileSync('/proc/vmallocinfo', 'latin1').includes(keptRange), `rmmod freed the kept ring (${keptRange})`);
  const modules = await run('cat', ['/proc/modules']);
  assert.doesNotMatch(modules.stdout, /ringpipe/);
  const again = await run('insmod', ['/lib/modules/ringpipe.ko']);
  assert.equal(again.code, 0, again.stderr);
  const list = await run(RPTEST, ['selftest']);
  const failed = list.stdout.split('\n').filter((l) => l.startsWith('not ok') || l.startsWith('#'));
  assert.equal(list.code, 0, `the reloaded module works:\n${failed.join('\n')}\n${list.stderr}`);
});
