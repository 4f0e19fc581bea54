// Native reference: the C peer driver/core/build/rp_shm, a receiver and a sender on one ring,
// timed from outside (sender started -> both exited). rp_shm builds every byte of every message
// from a pattern and checks and checksums every byte it receives (FNV-1a, one byte at a time),
// so large messages measure that work as much as the ring.
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { address, fmt, quick, sleep, table, tempPath, track, unavailable } from './lib.mjs';

const CORE = fileURLToPath(new URL('../driver/core/', import.meta.url));
const CAPACITY = String(1 << 22);
const CASES = [
  { label: '64 B', size: 64, count: quick ? 200_000 : 2_000_000 },
  { label: '64 KiB', size: 65536, count: quick ? 1_000 : 5_000 },
];

function run(bin, args) {
  const child = track(spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] }));
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  child.stderr.on('data', (c) => (out += c));
  return once(child, 'exit').then(([code]) => {
    if (code !== 0) throw new Error(`rp_shm ${args[0]} exited with ${code}: ${out.trim()}`);
    return out.trim();
  });
}

async function pair(bin, { size, count }) {
  const name = address('ringpipe');
  const received = run(bin, ['recv', name, '--count', String(count), '--size', String(size), '--capacity', CAPACITY, '--timeout', '120']);
  while (!existsSync(`/dev/shm/ringpipe.${name}`)) await sleep(1);
  const start = process.hrtime.bigint();
  const [recvLine, sentLine] = await Promise.all([received, run(bin, ['send', name, String(count), String(size), '--capacity', CAPACITY, '--timeout', '120'])]);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const sum = (line) => line.match(/checksum (\w+)/)?.[1];
  if (sum(recvLine) !== sum(sentLine)) throw new Error(`checksums differ: ${sentLine} / ${recvLine}`);
  return [fmt(count / seconds), fmt((count * size) / seconds / 1e6, 1)];
}

/** The same sources built with -O2 and no sanitizers, into a temp folder (the make target has ASan and UBSan at -O1). */
function optimized() {
  const dir = tempPath('rp_shm-O2');
  execFileSync('make', ['-s', '-C', CORE, `B=${dir}`, 'SAN=', 'CFLAGS=$(WARN) -O2', `${dir}/rp_shm`], { stdio: 'pipe' });
  return `${dir}/rp_shm`;
}

export async function native() {
  console.log('## Native reference (C peer rp_shm)\n\n`rp_shm recv NAME --count N --size S` started first, then `rp_shm send NAME N S`; wall time from the sender\'s start until both exited; checksums compared.\n');
  const row = table(['size', 'build', 'messages', 'messages/s', 'MB/s'], ['l', 'l', 'r', 'r', 'r']);
  const builds = [{ label: 'make build/rp_shm (ASan + UBSan, -O1)', bin: () => `${CORE}build/rp_shm` }, { label: 'same sources, -O2, no sanitizers', bin: optimized }];
  for (const build of builds) {
    let bin;
    try {
      bin = build.bin();
      if (!existsSync(bin)) throw new Error(`${bin} is missing: make -C driver/core build/rp_shm`);
    } catch (err) {
      for (const c of CASES) row([c.label, build.label, fmt(c.count), ...unavailable(err.message.split('\n')[0], 2)]);
      continue;
    }
    for (const c of CASES) {
      try {
        row([c.label, build.label, fmt(c.count), ...(await pair(bin, c))]);
      } catch (err) {
        row([c.label, build.label, fmt(c.count), ...unavailable(err.message, 2)]);
      }
    }
  }
  console.log();
}
