// CPU for sparse traffic: a writer sends 64 B at about 1,000 messages/s; the reader process's
// CPU time (process.cpuUsage, user + system) from its first message to EOF. Then idle readers:
// a writer is attached but sends nothing.
import { address, fmt, peer, quick, sleep, table, unavailable } from './lib.mjs';

const SECONDS = quick ? 1 : 3;
const IDLE_SECONDS = 2;
const RATE = 1000;
const TRANSPORTS = [
  { label: "ringpipe, default options: 'data' listener", transport: 'ringpipe' },
  { label: 'net UNIX socket', transport: 'uds' },
];

/** The sparse row's peers' arguments (bench/ab.mjs runs the same row). */
export const SPARSE_ARGS = ['size=64', 'send=write', 'recv=data', `seconds=${SECONDS}`, `rate=${RATE}`];

async function sparse(transport) {
  const addr = address(transport);
  const receiver = peer(['recv', transport, addr, ...SPARSE_ARGS]);
  await receiver.ready;
  const [got] = await Promise.all([receiver.exited, peer(['send', transport, addr, ...SPARSE_ARGS]).exited]);
  return [fmt(got.received / (got.wallUs / 1e6)), fmt((got.cpuUs / got.wallUs) * 100, 2), fmt(got.cpuUs / got.received, 1)];
}

async function idle(transport) {
  const addr = address(transport);
  const reader = peer(['idle', transport, addr, 'size=64', 'recv=data', `seconds=${IDLE_SECONDS}`]);
  await reader.ready;
  const holder = peer(['hold', transport, addr]);
  await holder.ready;
  const got = await reader.exited;
  holder.child.kill();
  await holder.exited.catch(() => {});
  await sleep(50);
  return ['0', fmt((got.cpuUs / got.wallUs) * 100, 2), '-'];
}

export async function cpu() {
  console.log(`## CPU of a reader, sparse traffic\n\n64 B messages at about ${fmt(RATE)}/s for ${SECONDS} s, or none for ${IDLE_SECONDS} s with a writer attached; the reader process's user + system CPU.\n`);
  const row = table(['traffic', 'reader', 'messages/s', 'CPU (% of one core)', 'CPU per message (us)'], ['l', 'l', 'r', 'r', 'r']);
  for (const t of TRANSPORTS) {
    try {
      row([`64 B at ~${fmt(RATE)}/s`, t.label, ...(await sparse(t.transport))]);
    } catch (err) {
      row([`64 B at ~${fmt(RATE)}/s`, t.label, ...unavailable(err.message, 3)]);
    }
  }
  for (const t of TRANSPORTS) {
    try {
      row(['idle, writer attached', t.label, ...(await idle(t.transport))]);
    } catch (err) {
      row(['idle, writer attached', t.label, ...unavailable(err.message, 3)]);
    }
  }
  console.log();
}
