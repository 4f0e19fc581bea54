// Figures, not assertions: ringpipe bridge --to/--from across two simulated hosts (a private /dev/shm
// each, so root) through one local nats-server, next to a plain @nats-io JetStream publisher keeping the
// same window of publishes in flight and a pull consumer with the same batch size (max ack pending),
// on the same server and the same kind of stream (work queue, file store, message ids), in the same run.
// Two mixed rows say where the difference goes: the bridge's --to with the plain consumer, and the
// plain publisher with the bridge's --from.
// A second table says where the CPU goes: each process's CPU time and page faults per message.
//   node bench/bridge.mjs [COUNT_64B] [COUNT_16KIB]
//   BENCH_PATHS=0,1  only those rows (0 bridge, 1 plain, 2 and 3 mixed); BENCH_PROFILE=DIR  the bridges and the
//   reader write CPU profiles (node --cpu-prof) into DIR
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect } from '@nats-io/transport-node';
import { AckPolicy, jetstream, jetstreamManager, RetentionPolicy } from '@nats-io/jetstream';
import { freePort, listening, started, until, usage } from './bridge-lib.mjs';

const WINDOW = 256; // the bridge's defaults (--window, --batch)
const BATCH = 256;
/**
 * Pipes large enough for a whole window of 16 KiB messages (the default, 1 MiB, holds 64), on both hosts: the reader
 * makes its pipe before --from starts (it used to make it with the default size, which held --from's runs of 16 KiB
 * messages to 16, a quarter of the pipe then).
 */
const CAPACITY = String(8 << 20);
const SIZES = [
  // 80,000: a steady state. The bridge path's four processes each compile their code and take fresh memory (the
  // copies --to keeps for 2 s) in their first seconds, the plain client's one process once: with 20,000 messages
  // of 16 KiB (about 4 s) that warm-up was a third of the bridge's CPU per message (--from 85 against 55 us).
  [64, Number(process.argv[2] ?? 80000)],
  [16384, Number(process.argv[3] ?? 80000)],
];
const PACED = 500; // latency phase: one message every 2 ms
const PROFILE = process.env.BENCH_PROFILE;
const PEER = fileURLToPath(new URL('./bridge-peer.mjs', import.meta.url));
const CLI = fileURLToPath(new URL('../packages/pipe-cli/bin/ringpipe.js', import.meta.url));
const now = () => performance.timeOrigin + performance.now();
const children = [];
let serial = 0;

if (process.getuid?.() !== 0) throw new Error('bench/bridge.mjs needs root (unshare -m, mount)');
const port = await freePort();
const server = spawn('nats-server', ['-js', '-sd', mkdtempSync(join(tmpdir(), 'rp-bench-')), '-p', String(port), '-a', '127.0.0.1'], { stdio: 'ignore' });
children.push(server);
process.on('exit', () => children.forEach((c) => c.kill('SIGKILL')));
await listening(port);
const url = `nats://127.0.0.1:${port}`;
console.log(
  `${spawnSync('nats-server', ['--version'], { encoding: 'utf8' }).stdout.trim()}; window ${WINDOW}, batch ${BATCH}; ` +
    `rate: ${SIZES.map(([s, n]) => `${n} messages of ${s} B`).join(', ')} as fast as they go; latency: ${PACED} at one per 2 ms`,
);

const PATHS = [
  ['ringpipe bridge --to/--from (two hosts)', 'bridge', 'bridge'],
  ['plain @nats-io publisher / pull consumer', 'plain', 'plain'],
  ['bridge --to, plain consumer', 'bridge', 'plain'],
  ['plain publisher, bridge --from', 'plain', 'bridge'],
];
const table = [];
for (const [size, count] of SIZES) {
  for (const [label, sender, receiver] of PATHS.filter((_, i) => !process.env.BENCH_PATHS || process.env.BENCH_PATHS.split(',').includes(String(i)))) {
    console.error(`${label}, ${size} B: rate`);
    const [rate, , , cpu] = await run(sender, receiver, count, size, 0);
    const [, p50, p99] = await run(sender, receiver, PACED, size, 2);
    table.push([`${label}`, size, rate, p50, p99, cpu]);
  }
}
console.log(
  '\n| path | size | messages/s | vs plain | one-way p50 (us) | one-way p99 (us) | CPU us/message: sending side, receiving side, nats-server |\n|---|---:|---:|---:|---:|---:|---|',
);
const sum = (parts, roles) => roles.reduce((t, r) => t + (parts[r]?.cpu ?? 0), 0);
for (const [label, size, rate, p50, p99, parts] of table) {
  const plain = table.find((r) => r[1] === size && r[0].startsWith('plain @nats-io'))?.[2] ?? NaN;
  const send = parts.plain && !parts['--to'] ? parts.plain.cpu : sum(parts, ['writer', '--to']);
  const receive = parts.plain && !parts['--from'] ? parts.plain.cpu : sum(parts, ['--from', 'reader']);
  const shown = `${send.toFixed(0)}, ${receive.toFixed(0)}, ${parts.server.cpu.toFixed(0)}`;
  console.log(`| ${label} | ${sizeText(size)} | ${Math.round(rate).toLocaleString('en')} | ${(rate / plain).toFixed(2)}x | ${p50.toFixed(0)} | ${p99.toFixed(0)} | ${shown} |`);
}
console.log(
  '\nWhere it goes: CPU time (us) and minor page faults per message of the rate run, each process (the bridges from when they run, the peers whole; plain: this process, publisher and consumer when both are plain).\n' +
    '\n| path | size | writer | --to | plain client | --from | reader | nats-server | messages per reader batch |\n|---|---|---:|---:|---:|---:|---:|---:|---:|',
);
for (const [label, size, , , , parts] of table) {
  const cell = (role) => (parts[role] ? `${parts[role].cpu.toFixed(0)} (${parts[role].faults.toFixed(1)})` : '-');
  const perBatch = parts.reader ? (SIZES.find(([s]) => s === size)[1] / parts.reader.batches).toFixed(1) : '-';
  console.log(`| ${label} | ${sizeText(size)} | ${['writer', '--to', 'plain', '--from', 'reader', 'server'].map(cell).join(' | ')} | ${perBatch} |`);
}
process.exit(0);

/** One transfer of `count` messages of `size` bytes from `sender` to `receiver` ('bridge' or 'plain'): [rate, p50, p99]. */
async function run(sender, receiver, count, size, gap) {
  const name = `BENCH${++serial}`;
  const subject = `ringpipe.${name}`;
  const stream = `RINGPIPE_${name}`;
  const nc = await connect({ servers: url });
  const jsm = await jetstreamManager(nc);
  // The stream and consumer as the bridge makes them (jetstream-setup.ts).
  await jsm.streams.add({ name: stream, subjects: [subject], retention: RetentionPolicy.Workqueue, duplicate_window: 120e9 });
  await jsm.consumers.add(stream, { durable_name: 'ringpipe-from', ack_policy: AckPolicy.Explicit, max_ack_pending: BATCH, ack_wait: 5e9 });
  const hosts = [];
  const bridges = [];
  const atStart = { self: process.cpuUsage(), selfFaults: process.resourceUsage().minorPageFault, server: usage(server.pid) };
  // Each process of the transfer: its role and its CPU time and page faults so far (a bridge counts from when it runs).
  const procs = [];
  let received;
  if (receiver === 'bridge') {
    const b = await host();
    hosts.push(b);
    const reader = run_(b, [...profiled(), PEER, 'read', name, String(count), CAPACITY]);
    const from = run_(b, [...profiled(), CLI, 'bridge', name, '--from', url, '--batch', String(BATCH), '--capacity', CAPACITY]);
    bridges.push(from.child);
    await until(() => from.err().includes(': running'));
    procs.push({ role: '--from', pid: from.child.pid, before: usage(from.child.pid) });
    received = until(() => reader.out().includes('\n'), 120_000).then(
      () => JSON.parse(reader.out()),
      (err) => {
        throw new Error(`${err.message}: the reader (exit ${reader.child.exitCode}) said ${reader.err()}; --from said ${from.err()}`);
      },
    );
  } else {
    received = consumePlain(nc, stream, count);
  }
  if (sender === 'bridge') {
    const a = await host();
    hosts.push(a);
    const to = run_(a, [...profiled(), CLI, 'bridge', name, '--to', url, '--window', String(WINDOW), '--capacity', CAPACITY]);
    bridges.push(to.child);
    await until(() => to.err().includes(': running'));
    procs.push({ role: '--to', pid: to.child.pid, before: usage(to.child.pid) });
    procs.push({ role: 'writer', pid: run_(a, [PEER, 'write', name, String(count), String(size), String(gap)]).child.pid, before: { cpuMs: 0, faults: 0 } });
  } else {
    void publishPlain(nc, subject, count, size, gap);
  }
  const got = await received;
  const result = summary(got, count);
  const perMessage = (u) => ({ cpu: (u.cpuMs * 1000) / count, faults: u.faults / count });
  const parts = {};
  for (const p of procs) {
    const now = usage(p.pid);
    parts[p.role] = perMessage({ cpuMs: now.cpuMs - p.before.cpuMs, faults: now.faults - p.before.faults });
  }
  if (receiver === 'bridge') parts.reader = { ...perMessage({ cpuMs: got.cpuMs, faults: got.faults }), batches: got.batches };
  const self = process.cpuUsage(atStart.self);
  if (sender === 'plain' || receiver === 'plain') {
    parts.plain = perMessage({ cpuMs: (self.user + self.system) / 1000, faults: process.resourceUsage().minorPageFault - atStart.selfFaults });
  }
  const serverNow = usage(server.pid);
  parts.server = perMessage({ cpuMs: serverNow.cpuMs - atStart.server.cpuMs, faults: serverNow.faults - atStart.server.faults });
  result.push(parts);
  // SIGTERM: a bridge drains and exits (and writes its profile), then the hosts go.
  await Promise.all(bridges.map((c) => new Promise((r) => (c.exitCode !== null ? r() : (c.once('exit', r), c.kill('SIGTERM'))))));
  for (const h of hosts) h.kill('SIGKILL');
  await jsm.streams.delete(stream).catch(() => {});
  await nc.close();
  return result;
}

function sizeText(size) {
  return size === 16384 ? '16 KiB' : `${size} B`;
}

function profiled() {
  return PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE}`] : [];
}

/** Keeps up to WINDOW publishes in flight, each with a message id (as the bridge does). */
async function publishPlain(nc, subject, count, size, gap) {
  const js = jetstream(nc);
  const inFlight = new Set();
  for (let i = 0; i < count; i++) {
    const message = Buffer.alloc(size);
    message.writeDoubleLE(now(), 0);
    const p = js.publish(subject, message, { msgID: `plain/${i}` }).finally(() => inFlight.delete(p));
    inFlight.add(p);
    if (inFlight.size >= WINDOW) await Promise.race(inFlight);
    if (gap > 0) await new Promise((r) => setTimeout(r, gap));
  }
  await Promise.all(inFlight);
}

/** A pull consumer acking each message, BATCH messages per pull, pulls of 5 s (as the bridge's --from). */
async function consumePlain(nc, stream, count) {
  const messages = await jetstream(nc).consumers.get(stream, 'ringpipe-from').then((c) => c.consume({ max_messages: BATCH, expires: 5_000 }));
  const latencies = [];
  let first = 0;
  for await (const m of messages) {
    const t = now();
    if (first === 0) first = t;
    latencies.push((t - Buffer.from(m.data.buffer, m.data.byteOffset, 8).readDoubleLE(0)) * 1000);
    m.ack();
    if (latencies.length >= count) break;
  }
  await messages.close();
  return { ms: now() - first, latencies };
}

function summary({ ms, latencies }, count) {
  const sorted = [...latencies].sort((x, y) => x - y);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return [(count / ms) * 1000, at(0.5), at(0.99)];
}

async function host() {
  const child = spawn('unshare', ['-m', '--propagation', 'private', 'sh', '-c', 'mount -t tmpfs -o size=512M,mode=1777 tmpfs /dev/shm && echo ready && exec sleep infinity'], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (t) => (out += t));
  await until(() => out.includes('ready'));
  return child;
}

function run_(hostProcess, args) {
  return started('nsenter', ['-t', String(hostProcess.pid), '-m', '--', process.execPath, ...args], children);
}
