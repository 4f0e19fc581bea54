// Figures, not assertions: ringpipe bridge --to/--from across two simulated hosts (a private /dev/shm
// each, so root) through one local nats-server, next to a plain @nats-io JetStream publisher (awaiting
// each ack) and pull consumer (acking each) moving the same 64 B messages, in the same run.
//   node bench/bridge.mjs [COUNT]
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, connect as tcp } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect } from '@nats-io/transport-node';
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';

const COUNT = Number(process.argv[2] ?? 5000);
const PACED = 500; // latency phase: one message every 2 ms
const PEER = fileURLToPath(new URL('./bridge-peer.mjs', import.meta.url));
const CLI = fileURLToPath(new URL('../packages/pipe-cli/bin/ringpipe.js', import.meta.url));
const now = () => performance.timeOrigin + performance.now();
const children = [];

if (process.getuid?.() !== 0) throw new Error('bench/bridge.mjs needs root (unshare -m, mount)');
const port = await freePort();
const server = spawn('nats-server', ['-js', '-sd', mkdtempSync(join(tmpdir(), 'rp-bench-')), '-p', String(port), '-a', '127.0.0.1'], { stdio: 'ignore' });
children.push(server);
process.on('exit', () => children.forEach((c) => c.kill('SIGKILL')));
await listening(port);
const url = `nats://127.0.0.1:${port}`;
console.log(`${spawnSync('nats-server', ['--version'], { encoding: 'utf8' }).stdout.trim()}, ${COUNT} messages of 64 B, then ${PACED} at one per 2 ms for latency`);

const rows = [];
rows.push(['ringpipe bridge --to/--from (two hosts)', ...(await bridged('BENCHA', COUNT, 0)).slice(0, 1), ...(await bridged('BENCHB', PACED, 2)).slice(1)]);
rows.push(['plain @nats-io JetStream publish/consume', ...(await plain('PLAINA', COUNT, 0)).slice(0, 1), ...(await plain('PLAINB', PACED, 2)).slice(1)]);
console.log('\n| path | messages/s | one-way p50 (us) | one-way p99 (us) |\n|---|---:|---:|---:|');
for (const [label, rate, p50, p99] of rows) console.log(`| ${label} | ${Math.round(rate).toLocaleString('en')} | ${p50.toFixed(0)} | ${p99.toFixed(0)} |`);
process.exit(0);

async function bridged(name, count, gap) {
  const [a, b] = [await host(), await host()];
  const inA = (args) => run(a, args);
  const inB = (args) => run(b, args);
  const reader = inB([PEER, 'read', name, String(count)]);
  const to = inA([CLI, 'bridge', name, '--to', url]);
  const from = inB([CLI, 'bridge', name, '--from', url]);
  await until(() => to.err().includes(': running') && from.err().includes(': running'));
  inA([PEER, 'write', name, String(count), String(gap)]);
  await until(() => reader.out().includes('\n'), 300_000);
  const result = summary(JSON.parse(reader.out()), count);
  for (const c of [to, from]) c.child.kill('SIGTERM');
  a.kill('SIGKILL');
  b.kill('SIGKILL');
  return result;
}

async function plain(name, count, gap) {
  const pub = await connect({ servers: url });
  const sub = await connect({ servers: url });
  const jsm = await jetstreamManager(pub);
  await jsm.streams.add({ name, subjects: [name.toLowerCase()] });
  await jsm.consumers.add(name, { durable_name: 'c', ack_policy: AckPolicy.Explicit, max_ack_pending: 1 });
  const messages = await jetstream(sub).consumers.get(name, 'c').then((c) => c.consume({ max_messages: 1 }));
  const received = (async () => {
    const latencies = [];
    let first = 0;
    for await (const m of messages) {
      const t = now();
      if (first === 0) first = t;
      latencies.push((t - Buffer.from(m.data).readDoubleLE(0)) * 1000);
      m.ack();
      if (latencies.length >= count) break;
    }
    return { ms: now() - first, latencies };
  })();
  const js = jetstream(pub);
  const message = Buffer.alloc(64);
  for (let i = 0; i < count; i++) {
    message.writeDoubleLE(now(), 0);
    await js.publish(name.toLowerCase(), message);
    if (gap > 0) await new Promise((r) => setTimeout(r, gap));
  }
  const result = summary(await received, count);
  await pub.close();
  await sub.close();
  return result;
}

function summary({ ms, latencies }, count) {
  const sorted = [...latencies].sort((x, y) => x - y);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return [(count / ms) * 1000, at(0.5), at(0.99)];
}

async function host() {
  const child = spawn('unshare', ['-m', '--propagation', 'private', 'sh', '-c', 'mount -t tmpfs -o size=64M,mode=1777 tmpfs /dev/shm && echo ready && exec sleep infinity'], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (t) => (out += t));
  await until(() => out.includes('ready'));
  return child;
}

function run(hostProcess, args) {
  const child = spawn('nsenter', ['-t', String(hostProcess.pid), '-m', '--', process.execPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (t) => (out += t));
  child.stderr.setEncoding('utf8').on('data', (t) => (err += t));
  return { child, out: () => out, err: () => err };
}

async function until(test, timeoutMs = 20_000) {
  const end = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > end) throw new Error('bench: timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function freePort() {
  const s = createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const p = s.address().port;
  await new Promise((r) => s.close(r));
  return p;
}

async function listening(p) {
  for (let i = 0; i < 200; i++) {
    const ok = await new Promise((r) => {
      const s = tcp(p, '127.0.0.1');
      s.once('connect', () => (s.destroy(), r(true)));
      s.once('error', () => r(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('nats-server did not start');
}
