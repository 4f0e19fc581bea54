// Latency: ping-pong between two processes, one way = half the round trip. The first
// WARM_UP_ROUNDS warm up (V8 compiles meanwhile) and have a table of their own. "with idle gaps":
// the pinging side pauses 2 ms every 50 rounds, so both readers go to sleep and must be woken.
// The kernel floor rows: two C processes (bench/native/wake-floor.c) waking each other as libuv
// does, with no JavaScript (nothing to warm up: their first tenth is dropped).
import { execFile, execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { WARM_UP_ROUNDS, address, fmt, oneWayQuantiles, peer, quick, table, tempPath, unavailable } from './lib.mjs';
import { zmqMissing } from './newapi.mjs';

const ROUNDS = quick ? 2000 : 20000;
const SIZES = [
  { label: '64 B', size: 64 },
  { label: '1 KiB', size: 1024 },
];
const TRANSPORTS = [
  { label: "ringpipe, default options: write -> 'data'", transport: 'ringpipe' },
  { label: 'ringpipe, low-latency mode (spin: 50)', transport: 'ringpipe', extra: ['spin=50'] },
  { label: 'net UNIX socket', transport: 'uds' },
  { label: 'child_process IPC (advanced)', transport: 'ipc' },
  { label: 'zeromq ipc:// REQ/REP', transport: 'zmq' },
];
const FLOORS = [
  { label: 'kernel floor: C processes, FIFO + epoll (a bell)', kind: 'fifo' },
  { label: 'kernel floor: C processes, UNIX socket + epoll', kind: 'uds' },
];
const PACING = [
  { label: 'back-to-back', gap: 0 },
  { label: 'with idle gaps (2 ms every 50)', gap: 2 },
];

/** A ping-pong at `addr` with its warm-up: each round's one-way latency (us). `start` starts a peer (bench/ab.mjs starts them beside other clients). */
export async function runPingPong(start, transport, addr, size, gap, extra = []) {
  const echo = transport === 'ipc' ? null : start(['echo', transport, addr, ...extra]);
  await echo?.ready;
  const { oneWay } = await start(['ping', transport, addr, `size=${size}`, `rounds=${WARM_UP_ROUNDS + ROUNDS}`, `gap=${gap}`, ...extra]).exited;
  await echo?.exited;
  return oneWay;
}

async function measure(transport, size, gap, extra = []) {
  const oneWay = await runPingPong(peer, transport, address(transport), size, gap, extra);
  const { measured, warmUp } = oneWayQuantiles(oneWay);
  const cells = (quantiles) => quantiles.map((us) => fmt(us, 1));
  return { measured: cells(measured), warmUp: cells(warmUp) };
}

/** Builds bench/native/wake-floor.c with the machine's gcc; its path, or the reason it could not. */
function buildFloor() {
  const bin = tempPath('wake-floor');
  try {
    execFileSync('gcc', ['-std=c11', '-O2', '-Wall', '-Wextra', '-Werror', '-o', bin, fileURLToPath(new URL('./native/wake-floor.c', import.meta.url))], { stdio: ['ignore', 'ignore', 'pipe'] });
    return { bin };
  } catch (err) {
    return { error: `cannot build bench/native/wake-floor.c: ${err.stderr?.toString().trim() || err.message}` };
  }
}

async function floor(bin, kind, gap) {
  const { stdout } = await promisify(execFile)(bin, [kind, String(ROUNDS), String(gap)], { timeout: 60_000 });
  return stdout.trim().split(' ').map((us) => fmt(Number(us), 1));
}

export async function latency() {
  console.log(
    `## Latency\n\nPing-pong, ${fmt(ROUNDS)} rounds after ${fmt(WARM_UP_ROUNDS)} rounds of warm-up (the table after this one), one way = half the round trip, in microseconds.\n`,
  );
  const header = ['size', 'transport', 'pacing', 'p50 (us)', 'p99 (us)', 'p99.9 (us)'];
  const align = ['l', 'l', 'l', 'r', 'r', 'r'];
  const row = table(header, align);
  const warmUpRows = [];
  const zmq = await zmqMissing();
  for (const { label, size } of SIZES) {
    for (const t of TRANSPORTS) {
      for (const p of PACING) {
        const labels = [label, t.label, p.label];
        if (t.transport === 'zmq' && zmq) {
          row([...labels, ...unavailable(zmq, 3)]);
          continue;
        }
        try {
          const { measured, warmUp } = await measure(t.transport, size, p.gap, t.extra);
          row([...labels, ...measured]);
          warmUpRows.push([...labels, ...warmUp]);
        } catch (err) {
          row([...labels, ...unavailable(err.message, 3)]);
        }
      }
    }
  }
  const built = buildFloor();
  for (const f of FLOORS) {
    for (const p of PACING) {
      if (built.error) {
        row(['1 B', f.label, p.label, ...unavailable(built.error, 3)]);
        continue;
      }
      try {
        row(['1 B', f.label, p.label, ...(await floor(built.bin, f.kind, p.gap))]);
      } catch (err) {
        row(['1 B', f.label, p.label, ...unavailable(err.message, 3)]);
      }
    }
  }
  console.log(`\nThe same ping-pongs' first ${fmt(WARM_UP_ROUNDS)} rounds (warm-up: V8 compiles on both sides meanwhile).\n`);
  const warmUpRow = table(header, align);
  for (const cells of warmUpRows) warmUpRow(cells);
  console.log();
}
