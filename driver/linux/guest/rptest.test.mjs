// The raw system-call cases of driver/linux/rptest.c, run against the real module.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { RPTEST } from './helpers.mjs';

test('rptest selftest: bad ioctls, bad names, sizes, O_NONBLOCK, poll, EOF, mmap, hostile mappings', () => {
  const run = spawnSync(RPTEST, ['selftest'], { encoding: 'utf8', timeout: 60_000 });
  process.stdout.write(run.stdout);
  process.stderr.write(run.stderr);
  assert.equal(run.status, 0, 'rptest selftest failed');
  assert.match(run.stdout, / 0 failed/);
});
