// Latency: ping-pong between two processes, one way = half the round trip. The first tenth of
// the rounds warms up and is dropped. "with idle gaps": the pinging side pauses 2 ms every 50
// rounds, so both readers go to sleep and must be woken.
import { address, fmt, peer, quantile, quick, table, unavailable } from './lib.mjs';
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
const PACING = [
  { label: 'back-to-back', gap: 0 },
  { label: 'with idle gaps (2 ms every 50)', gap: 2 },
];

async function measure(transport, size, gap, extra = []) {
  const addr = address(transport);
  const echo = transport === 'ipc' ? null : peer(['echo', transport, addr, ...extra]);
  await echo?.ready;
  const { oneWay } = await peer(['ping', transport, addr, `size=${size}`, `rounds=${ROUNDS}`, `gap=${gap}`, ...extra]).exited;
  await echo?.exited;
  const sorted = oneWay.slice(Math.floor(oneWay.length / 10)).sort((a, b) => a - b);
  return [0.5, 0.99, 0.999].map((q) => fmt(quantile(sorted, q), 1));
}

export async function latency() {
  console.log(`## Latency\n\nPing-pong, ${fmt(ROUNDS)} rounds (first tenth dropped), one way = half the round trip, in microseconds.\n`);
  const row = table(['size', 'transport', 'pacing', 'p50 (us)', 'p99 (us)', 'p99.9 (us)'], ['l', 'l', 'l', 'r', 'r', 'r']);
  const zmq = await zmqMissing();
  for (const { label, size } of SIZES) {
    for (const t of TRANSPORTS) {
      for (const p of PACING) {
        if (t.transport === 'zmq' && zmq) {
          row([label, t.label, p.label, ...unavailable(zmq, 3)]);
          continue;
        }
        try {
          row([label, t.label, p.label, ...(await measure(t.transport, size, p.gap, t.extra))]);
        } catch (err) {
          row([label, t.label, p.label, ...unavailable(err.message, 3)]);
        }
      }
    }
  }
  console.log();
}
