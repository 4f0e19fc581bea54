// The seeded fuzzer (driver/linux/rpfuzz.c): two unprivileged uids attack the driver while a
// third moves checked messages over two 0600 pipes. Splats are found in dmesg by test-qemu.sh,
// and zz-rmmod.test.mjs (run after this file) checks that the module still unloads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { ROOT } from './helpers.mjs';

const secs = Number(process.env.RP_FUZZ_SECS || 20);

test(`rpfuzz: ${secs} s of hostile system calls from two uids; a third's messages arrive intact`, () => {
  const run = spawnSync(`${ROOT}/bin/rpfuzz`, [], { encoding: 'utf8', timeout: (secs + 90) * 1000 });
  process.stdout.write(run.stdout);
  process.stderr.write(run.stderr);
  assert.equal(run.status, 0, `rpfuzz failed (status ${run.status}, signal ${run.signal})`);
  assert.match(run.stdout, /rpfuzz: PASS/);
  // Nothing left behind: every pipe of the fuzz run is gone with its processes (rpfuzz kills
  // what its attackers left, e.g. a child's orphaned child, and waits for it).
  const left = readFileSync('/proc/vmallocinfo', 'latin1').split('\n').filter((l) => l.includes('[ringpipe]'));
  assert.deepEqual(left, [], 'rings left in vmalloc space after the fuzzer');
  assert.ok(run.signal === null, 'rpfuzz left a process holding its output');
});
