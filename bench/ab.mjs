// A/B: the bench's default rows (Duplex, write per message -> 'data' / pipeline / for await, at
// 64 B and 64 KiB, writeBatch(256) -> batches(256) at 64 B, and UDS one write per message) with this tree's client and with the client
// at an earlier commit, in the same run, the two taking turns row by row; then the quiet paths
// the same way: a sparse reader's CPU per message (64 B at 1,000/s, 'data') and the one-way
// latency of a 64 B ping-pong back to back, each beside a UNIX socket's. Figures, not assertions.
//   node bench/ab.mjs REV [rounds=3] [seconds=1.5] [sections=throughput,quiet]
// REV's tree is checked out as a git worktree in a temp folder, installed from pnpm's store
// (--offline) and built; this tree's bench/peer.mjs and transports run against each client.
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { runSparse } from './cpu.mjs';
import { runPingPong } from './latency.mjs';
import { oneWayQuantiles } from './lib.mjs';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const [rev, ...rest] = process.argv.slice(2);
if (!rev) throw new Error('usage: node bench/ab.mjs REV [rounds=3] [seconds=1.5]');
const kv = Object.fromEntries(rest.map((a) => a.split('=')));
const ROUNDS = Number(kv.rounds ?? 3);
const SECONDS = Number(kv.seconds ?? 1.5);
const SECTIONS = (kv.sections ?? 'throughput,quiet').split(',');

const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, stdio: ['ignore', 'ignore', 'inherit'] });
const temp = mkdtempSync(`${os.tmpdir()}/ringpipe-ab-`);
const old = `${temp}/tree`;
process.on('exit', () => {
  try {
    execFileSync('git', ['worktree', 'remove', '--force', old], { cwd: ROOT, stdio: 'ignore' });
  } catch {
    // never made
  }
  rmSync(temp, { recursive: true, force: true });
});
console.error(`building ${rev} in ${old} ...`);
run('git', ['worktree', 'add', '--detach', old, rev], ROOT);
run('pnpm', ['install', '--offline', '--frozen-lockfile'], old);
run('pnpm', ['--filter', '@ringpipe/client', 'build'], old);
// This tree's peers, beside each client: '@ringpipe/client' resolves to the tree they sit in.
// The rows below name no option, so both clients run with their defaults.
for (const tree of [ROOT, old]) {
  cpSync(`${HERE}/peer.mjs`, `${tree}/bench-ab/peer.mjs`);
  cpSync(`${HERE}/transports`, `${tree}/bench-ab/transports`, { recursive: true });
}
process.on('exit', () => rmSync(`${ROOT}/bench-ab`, { recursive: true, force: true }));

function peer(tree, args) {
  const child = spawn(process.execPath, [`${tree}/bench-ab/peer.mjs`, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const values = [];
  let ready;
  const readyP = new Promise((resolve) => (ready = resolve));
  createInterface({ input: child.stdout }).on('line', (line) => (line === 'ready' ? ready() : values.push(JSON.parse(line))));
  const exited = once(child, 'exit').then(([code]) => {
    ready();
    if (code !== 0) throw new Error(`peer ${args.join(' ')} exited with ${code}`);
    return Object.assign({}, ...values);
  });
  return { ready: readyP, exited };
}

let serial = 0;
const addressFor = (transport) => (transport === 'uds' ? `${temp}/${++serial}.sock` : `BENCH-AB-${process.pid}-${++serial}`);
async function measure(tree, { transport, send = 'write', recv }, size) {
  const addr = addressFor(transport);
  const args = [`size=${size}`, `send=${send}`, `recv=${recv}`, `seconds=${SECONDS}`];
  const receiver = peer(tree, ['recv', transport, addr, ...args]);
  await receiver.ready;
  const [got, sent] = await Promise.all([receiver.exited, peer(tree, ['send', transport, addr, ...args]).exited]);
  return got.received / (Number(BigInt(got.end) - BigInt(sent.start)) / 1e9);
}

/** CPU per message of a reader fed 64 B at 1,000 messages/s for 3 s after its warm-up: bench/cpu.mjs's sparse row. */
async function sparse(tree, transport) {
  const got = await runSparse((args) => peer(tree, args), transport, addressFor(transport));
  return got.cpuUs / got.received;
}

/** One-way latency p50, p99, p99.9 of a 64 B ping-pong back to back after its warm-up (bench/latency.mjs's row). */
async function pingPong(tree, transport) {
  const oneWay = await runPingPong((args) => peer(tree, args), transport, addressFor(transport), 64, 0);
  return oneWayQuantiles(oneWay).measured;
}

const ROWS = [
  { label: "Duplex write -> 'data'", transport: 'ringpipe', recv: 'data' },
  { label: 'Duplex write -> pipeline', transport: 'ringpipe', recv: 'pipeline' },
  { label: 'Duplex write -> for await', transport: 'ringpipe', recv: 'forawait' },
  { label: 'writeBatch(256) -> batches(256)', transport: 'ringpipe', send: 'batch', recv: 'batches', size: 64 },
  { label: 'UDS write per message', transport: 'uds', recv: 'data' },
];
const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const fmt = (n) => (Number.isNaN(n) ? 'failed' : Math.round(n).toLocaleString('en-US'));
const fmt1 = (n) => (Number.isNaN(n) ? 'failed' : n.toFixed(1));
const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT }).toString().trim();
const order = (round) => (round % 2 === 0 ? [['this', ROOT], [rev, old]] : [[rev, old], ['this', ROOT]]);

if (SECTIONS.includes('throughput')) await throughput();
if (SECTIONS.includes('quiet')) await quiet();

async function throughput() {
  const SIZES = [64, 65536];
  const results = new Map();
  for (let round = 0; round < ROUNDS; round++) {
    for (const size of SIZES) {
      for (const row of ROWS) {
        if (row.size !== undefined && row.size !== size) continue;
        // Alternate which client goes first, so that neither always meets the same moment.
        for (const [name, tree] of order(round)) {
          const key = `${size}|${row.label}|${name}`;
          const value = await measure(tree, row, size).catch(() => NaN);
          results.set(key, [...(results.get(key) ?? []), value]);
        }
      }
    }
  }
  console.log(`## A/B: this tree (${head}) against ${rev}\n\nDefault options, messages/s, median of ${ROUNDS} runs (each run: ${SECONDS} s), the two clients taking turns row by row.\n`);
  console.log(`| size | path | this tree | ${rev} | this / ${rev} | all runs (this; ${rev}) |`);
  console.log('|---|---|---:|---:|---:|---|');
  for (const size of SIZES) {
    for (const row of ROWS) {
      if (row.size !== undefined && row.size !== size) continue;
      const a = results.get(`${size}|${row.label}|this`);
      const b = results.get(`${size}|${row.label}|${rev}`);
      // A client without the row's calls (the batch path is newer than some revisions) fails its runs: no ratio then.
      const ratio = median(a) / median(b);
      console.log(`| ${size === 64 ? '64 B' : '64 KiB'} | ${row.label} | ${fmt(median(a))} | ${fmt(median(b))} | ${Number.isNaN(ratio) ? '-' : `${ratio.toFixed(2)}x`} | ${a.map(fmt).join(', ')}; ${b.map(fmt).join(', ')} |`);
    }
  }
}

async function quiet() {
  const runs = { sparse: new Map(), latency: new Map() };
  const add = (map, name, value) => map.set(name, [...(map.get(name) ?? []), value]);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, tree] of [...order(round), ['UDS', ROOT]]) {
      const transport = name === 'UDS' ? 'uds' : 'ringpipe';
      add(runs.sparse, name, await sparse(tree, transport).catch(() => NaN));
      add(runs.latency, name, await pingPong(tree, transport).catch(() => [NaN, NaN, NaN]));
    }
  }
  console.log(`\n## A/B, quiet paths: this tree (${head}) against ${rev}\n\nDefault options, median of ${ROUNDS} runs each, the two clients and a UNIX socket taking turns.\n`);
  console.log(`| what | this tree | ${rev} | this / ${rev} | UDS | all runs (this; ${rev}; UDS) |`);
  console.log('|---|---:|---:|---:|---:|---|');
  const row = (label, pick) => {
    const [a, b, u] = ['this', rev, 'UDS'].map((name) => pick(name));
    console.log(`| ${label} | ${fmt1(median(a))} | ${fmt1(median(b))} | ${(median(a) / median(b)).toFixed(2)}x | ${fmt1(median(u))} | ${a.map(fmt1).join(', ')}; ${b.map(fmt1).join(', ')}; ${u.map(fmt1).join(', ')} |`);
  };
  row('sparse reader, 64 B at 1,000/s, CPU per message (us)', (name) => runs.sparse.get(name));
  ['p50', 'p99', 'p99.9'].forEach((q, i) => row(`64 B ping-pong back to back, one way ${q} (us)`, (name) => runs.latency.get(name).map((r) => r[i])));
}
