// The raw system-call cases of driver/linux/rptest.c, run against the real module.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { RPTEST } from './helpers.mjs';

function rptest(mode, timeout) {
  const run = spawnSync(RPTEST, [mode], { encoding: 'utf8', timeout });
  process.stdout.write(run.stdout);
  process.stderr.write(run.stderr);
  assert.equal(run.signal, null, `rptest ${mode} ran past ${timeout / 1000} s`);
  assert.equal(run.status, 0, `rptest ${mode} failed`);
  assert.match(run.stdout, / 0 failed/);
}

test('rptest selftest: bad ioctls, bad names, sizes, O_NONBLOCK, poll, EOF, mmap, hostile mappings, limits', () => rptest('selftest', 200_000));

test('rptest lifetime: kept pipes, REMOVE, ttl_ms, who is charged, what STAT shows', () => rptest('lifetime', 120_000));

test('rptest hostile: a forged ring under poll/read, a growing record under read and SIGKILL, write errno, racing creators', () =>
  rptest('hostile', 200_000));
