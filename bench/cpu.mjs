// CPU for sparse traffic: a writer sends 64 B at about 1,000 messages/s; the reader process's
// CPU time (process.cpuUsage, user + system) after a warm-up, to EOF, and the warm-up's apart
// (V8 compiles the reading path meanwhile, on threads whose CPU counts). Then idle readers:
// a writer is attached but sends nothing.
import { address, fmt, peer, quick, sleep, table, unavailable } from './lib.mjs';

const SECONDS = quick ? 1 : 3;
const IDLE_SECONDS = 2;
const RATE = 1000;
/** Messages of warm-up: at 1,000/s, 6 s (the reader's CPU per message settles after 3,000 to 6,000). */
const WARM_UP = quick ? 500 : 6000;
const TRANSPORTS = [
  { label: "ringpipe, default options: 'data' listener", transport: 'ringpipe' },
  { label: 'net UNIX socket', transport: 'uds' },
];

const SPARSE_ARGS = ['size=64', 'send=write', 'recv=data', `seconds=${WARM_UP / RATE + SECONDS}`, `rate=${RATE}`, `warm=${WARM_UP}`];

/** The sparse row's run at `addr`: the receiving peer's report. `start` starts a peer (bench/ab.mjs starts them beside other clients). */
export async function runSparse(start, transport, addr) {
  const receiver = start(['recv', transport, addr, ...SPARSE_ARGS]);
  await receiver.ready;
  const [got] = await Promise.all([receiver.exited, start(['send', transport, addr, ...SPARSE_ARGS]).exited]);
  return got;
}

async function sparse(transport) {
  const got = await runSparse(peer, transport, address(transport));
  const fullGcs = got.majorGcs === undefined ? '-' : `${got.majorGcs} (${fmt(got.majorGcMs, 1)} ms)`;
  return [fmt(got.received / (got.wallUs / 1e6)), fmt((got.cpuUs / got.wallUs) * 100, 2), fmt(got.cpuUs / got.received, 1), fullGcs, fmt(got.warmCpuUs / WARM_UP, 1)];
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
  return ['0', fmt((got.cpuUs / got.wallUs) * 100, 2), '-', '-', '-'];
}

export async function cpu() {
  console.log(
    `## CPU of a reader, sparse traffic\n\n64 B messages at about ${fmt(RATE)}/s for ${SECONDS} s after ${fmt(WARM_UP)} messages of warm-up (their CPU in the last column), or none for ${IDLE_SECONDS} s with a writer attached; the reader process's user + system CPU, and V8's full collections that started in those seconds (V8's memory reducer runs one or two once, about 8 s after the heap's old space first grew: when they fall in the window, their work counts in its CPU).\n`,
  );
  const row = table(['traffic', 'reader', 'messages/s', 'CPU (% of one core)', 'CPU per message (us)', "V8's full collections in those seconds (their pauses)", 'warm-up: CPU per message (us)'], ['l', 'l', 'r', 'r', 'r', 'r', 'r']);
  for (const t of TRANSPORTS) {
    try {
      row([`64 B at ~${fmt(RATE)}/s`, t.label, ...(await sparse(t.transport))]);
    } catch (err) {
      row([`64 B at ~${fmt(RATE)}/s`, t.label, ...unavailable(err.message, 5)]);
    }
  }
  for (const t of TRANSPORTS) {
    try {
      row(['idle, writer attached', t.label, ...(await idle(t.transport))]);
    } catch (err) {
      row(['idle, writer attached', t.label, ...unavailable(err.message, 5)]);
    }
  }
  console.log();
}
