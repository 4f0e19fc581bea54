// Helpers shared by the benchmark sections: peer processes, addresses, percentiles, formatting.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const PEER = fileURLToPath(new URL('./peer.mjs', import.meta.url));
export const quick = process.argv.includes('--quick');
const roundsAt = process.argv.indexOf('--rounds');
/** `--rounds N`: rounds per throughput row (default 3). */
export const rounds = roundsAt < 0 ? undefined : Number(process.argv[roundsAt + 1]);

const children = new Set();
const tempPaths = new Set();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
  for (const path of tempPaths) rmSync(path, { force: true, recursive: true });
  // Rings of peers that were killed: this run's pipe names start with BENCH-<pid>-.
  for (const file of readdirSync('/dev/shm')) if (file.startsWith(`ringpipe.BENCH-${process.pid}-`)) rmSync(`/dev/shm/${file}`, { force: true });
});
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => process.exit(130));

/** A path under the temp folder, removed when the benchmark exits. */
export function tempPath(name) {
  const path = `${os.tmpdir()}/ringpipe-bench-${process.pid}-${name}`;
  tempPaths.add(path);
  return path;
}

let serial = 0;
/** A fresh pipe name, socket path or zeromq endpoint for one measurement. */
export function address(transport) {
  const id = `${process.pid}-${++serial}`;
  if (transport === 'uds') return tempPath(`${id}.sock`);
  if (transport === 'zmq') return `ipc://${tempPath(`${id}.zmq`)}`;
  return `BENCH-${id}`;
}

/** Spawns a process, killed when the benchmark exits. */
export function track(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/**
 * Runs bench/peer.mjs with these arguments. `ready` resolves when it prints "ready",
 * `exited` with the merge of the JSON objects it printed (rejects on a non-zero exit).
 */
const PEER_LIMIT_MS = 60_000;

export function peer(args) {
  const child = track(spawn(process.execPath, [PEER, ...args], { stdio: ['ignore', 'pipe', 'pipe'] }));
  const values = [];
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  let ready;
  const readyP = new Promise((resolve) => (ready = resolve));
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (line === 'ready') ready();
    else values.push(JSON.parse(line));
  });
  // A peer that hangs (zeromq's did once) costs its row, not the run.
  let timedOut = false;
  const limit = setTimeout(() => ((timedOut = true), child.kill('SIGKILL')), PEER_LIMIT_MS);
  const exited = once(child, 'exit').then(([code, signal]) => {
    clearTimeout(limit);
    ready();
    if (timedOut) throw new Error(`peer ${args.join(' ')} timed out after ${PEER_LIMIT_MS / 1000} s`);
    if (code !== 0) throw new Error(`peer ${args.join(' ')} exited with ${code ?? signal}: ${stderr.trim().split('\n').slice(-3).join(' / ')}`);
    return Object.assign({}, ...values);
  });
  exited.catch(() => {});
  return { child, ready: readyP, exited };
}

/** Value at quantile q of an ascending array. */
export const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

/**
 * The rounds of a ping-pong that warm up before the rounds measured, the same for every transport:
 * V8 compiles the JavaScript on both sides meanwhile, on threads that take the CPU the peers need
 * (on 2 cores: a p99 several times the steady one's for the first 10,000 to 20,000 rounds).
 */
export const WARM_UP_ROUNDS = quick ? 2000 : 20000;

/** A ping-pong's one-way p50, p99 and p99.9 (us): of the rounds after the warm-up, and of the warm-up's. */
export function oneWayQuantiles(oneWay, warmUp = WARM_UP_ROUNDS) {
  const quantiles = (rounds) => {
    const sorted = rounds.sort((a, b) => a - b);
    return [0.5, 0.99, 0.999].map((q) => quantile(sorted, q));
  };
  return { measured: quantiles(oneWay.slice(warmUp)), warmUp: quantiles(oneWay.slice(0, warmUp)) };
}

export const fmt = (n, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** A row's cells after its labels when it could not run: "unavailable: reason" once, dashes after. */
export function unavailable(reason, columns) {
  return [`unavailable: ${String(reason).replace(/\|/g, '/').replace(/\s+/g, ' ').slice(0, 160)}`, ...Array(columns - 1).fill('-')];
}

export function table(header, align) {
  console.log(`| ${header.join(' | ')} |`);
  console.log(`|${align.map((a) => (a === 'r' ? '---:' : '---')).join('|')}|`);
  return (cells) => console.log(`| ${cells.join(' | ')} |`);
}

export function machine() {
  const cpus = os.cpus();
  return `${cpus.length} x ${cpus[0]?.model.trim() ?? 'cpu'}, ${fmt(os.totalmem() / 2 ** 30)} GiB, Linux ${os.release()}, Node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`;
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
