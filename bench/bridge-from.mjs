// Figures, not assertions: the CPU time per message of `ringpipe bridge --from` against a plain @nats-io pull
// consumer in a process of its own, each draining a stream filled beforehand (so no publisher shares the cores
// meanwhile) on one local nats-server; the bridge into a pipe of a simulated host (a private /dev/shm, so root)
// that a reader empties. Builds of @ringpipe/bridge can be compared, rounds interleaved (the machine's load
// moves): each VARIANT is LABEL=DIR (a directory holding a build's index.js) or `plain`.
//   node bench/bridge-from.mjs [COUNT] [SIZE] [ROUNDS] [VARIANT...]     (defaults: 20000 16384 3 this=<this build> plain)
//   CAPACITY=BYTES the pipe's (default 8 MiB); BENCH_PROFILE=DIR CPU profiles (node --cpu-prof) of each process into DIR
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect } from '@nats-io/transport-node';
import { AckPolicy, jetstream, jetstreamManager, RetentionPolicy } from '@nats-io/jetstream';
import { freePort, listening, started, until, usage } from './bridge-lib.mjs';

const [countText = '20000', sizeText = '16384', roundsText = '3', ...given] = process.argv.slice(2);
const count = Number(countText);
const size = Number(sizeText);
const rounds = Number(roundsText);
const variants = given.length > 0 ? given : [`this=${fileURLToPath(new URL('../packages/pipe-bridge/dist', import.meta.url))}`, 'plain'];
const CAPACITY = process.env.CAPACITY ?? String(8 << 20);
const PEER = fileURLToPath(new URL('./bridge-from-peer.mjs', import.meta.url));
const READER = fileURLToPath(new URL('./bridge-peer.mjs', import.meta.url));
const profiled = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
const children = [];

if (process.getuid?.() !== 0) throw new Error('bench/bridge-from.mjs needs root (unshare -m, mount)');
process.on('exit', () => children.forEach((c) => c.kill('SIGKILL')));
const port = await freePort();
const server = spawn('nats-server', ['-js', '-sd', mkdtempSync(join(tmpdir(), 'rp-bench-from-')), '-p', String(port), '-a', '127.0.0.1'], { stdio: 'ignore' });
children.push(server);
await listening(port);
const url = `nats://127.0.0.1:${port}`;
const nc = await connect({ servers: url });
const jsm = await jetstreamManager(nc);
const js = jetstream(nc);
console.log(`${count} messages of ${size} B, a pipe of ${CAPACITY} B, ${rounds} rounds; load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
let serial = 0;
const results = new Map();
for (let round = 0; round < rounds; round++) {
  for (const variant of variants) {
    const [label, dist] = variant.split('=');
    const name = `BENCHFROM${++serial}`;
    const stream = `RINGPIPE_${name}`;
    // The stream and consumer as the bridge makes them (jetstream-setup.ts), filled as a --to bridge fills it (a message id each).
    await jsm.streams.add({ name: stream, subjects: [`ringpipe.${name}`], retention: RetentionPolicy.Workqueue, duplicate_window: 120e9 });
    await jsm.consumers.add(stream, { durable_name: 'ringpipe-from', ack_policy: AckPolicy.Explicit, max_ack_pending: 256, ack_wait: 5e9 });
    const inFlight = new Set();
    for (let i = 0; i < count; i++) {
      const message = Buffer.alloc(size);
      message.writeDoubleLE(Date.now(), 0);
      const p = js.publish(`ringpipe.${name}`, message, { msgID: `${name}/${i}` }).finally(() => inFlight.delete(p));
      inFlight.add(p);
      if (inFlight.size >= 256) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    const serverBefore = usage(server.pid).cpuMs;
    const startedAt = Date.now();
    let cpuMs;
    let more = '';
    if (label === 'plain') {
      const plain = started(process.execPath, [...profiled, PEER, 'plain', url, stream, String(count)], children);
      await until(() => plain.out().includes('\n'), 120_000);
      cpuMs = JSON.parse(plain.out()).cpuMs;
    } else {
      const host = started('unshare', ['-m', '--propagation', 'private', 'sh', '-c', 'mount -t tmpfs -o size=512M,mode=1777 tmpfs /dev/shm && echo ready && exec sleep infinity'], children);
      await until(() => host.out().includes('ready'));
      const inHost = (args) => started('nsenter', ['-t', String(host.child.pid), '-m', '--', process.execPath, ...args], children);
      const reader = inHost([READER, 'read', name, String(count), CAPACITY]);
      const from = inHost([...profiled, PEER, 'bridge', dist, name, url, CAPACITY]);
      await until(() => from.err().includes(': running'));
      const before = usage(from.child.pid).cpuMs;
      await until(() => reader.out().includes('\n'), 120_000);
      cpuMs = usage(from.child.pid).cpuMs - before;
      const got = JSON.parse(reader.out());
      more = `; the reader ${((got.cpuMs * 1000) / count).toFixed(0)} us/message, ${(count / got.batches).toFixed(1)} messages a batch`;
      from.child.kill('SIGTERM');
      await new Promise((r) => from.child.once('exit', r));
      host.child.kill('SIGKILL');
    }
    const us = (cpuMs * 1000) / count;
    if (!results.has(label)) results.set(label, []);
    results.get(label).push(us);
    const server_ = ((usage(server.pid).cpuMs - serverBefore) * 1000) / count;
    const rate = (count / (Date.now() - startedAt)) * 1000;
    console.log(`round ${round + 1} ${label}: ${us.toFixed(0)} us/message (nats-server ${server_.toFixed(0)}), ${rate.toFixed(0)} messages/s${more}`);
    await jsm.streams.delete(stream).catch(() => {});
  }
}
for (const [label, all] of results) {
  const sorted = [...all].sort((a, b) => a - b);
  console.log(`${label}: median ${sorted[Math.floor(sorted.length / 2)].toFixed(0)} us/message (${all.map((x) => x.toFixed(0)).join(', ')})`);
}
process.exit(0);
