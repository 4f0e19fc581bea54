// pnpm bench: ringpipe (shm backend) against Node's net over a UNIX socket and child_process IPC,
// two processes each, in one run. Prints a Markdown table. Figures, not assertions.
//   node bench/bench.mjs [--quick]
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import os from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const PEER = fileURLToPath(new URL('./peer.mjs', import.meta.url));
const quick = process.argv.includes('--quick');
const scale = quick ? 0.1 : 1;

const SIZES = [
  { label: '64 B', size: 64, count: 2_000_000 },
  { label: '1 KiB', size: 1024, count: 500_000 },
  { label: '64 KiB', size: 65536, count: 20_000 },
];
const TRANSPORTS = [
  { label: 'ringpipe shm, write per message', transport: 'ringpipe', batch: 1 },
  { label: 'ringpipe shm, corked batches of 256', transport: 'ringpipe', batch: 256 },
  { label: 'net UNIX socket, write per message', transport: 'uds', batch: 1 },
  { label: 'net UNIX socket, corked batches of 256', transport: 'uds', batch: 256 },
  { label: 'child_process IPC (advanced)', transport: 'ipc', batch: 1 },
];
const ROUNDS = quick ? 2000 : 20000;

function start(args) {
  const child = spawn(process.execPath, [PEER, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const values = [];
  let ready;
  const readyP = new Promise((resolve) => (ready = resolve));
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (line === 'ready' || line === '"ready"') ready();
    else values.push(JSON.parse(line));
  });
  const exited = once(child, 'exit').then(([code]) => {
    ready();
    if (code !== 0) throw new Error(`peer ${args.join(' ')} exited with ${code}`);
    return Object.assign({}, ...values);
  });
  return { child, ready: readyP, exited };
}

let serial = 0;
const address = (transport) => (transport === 'uds' ? `${os.tmpdir()}/ringpipe-bench-${process.pid}-${++serial}.sock` : `BENCH-${process.pid}-${++serial}`);

async function throughput({ transport, batch }, { size, count }) {
  const n = Math.max(1000, Math.round(count * scale));
  const addr = address(transport);
  const receiver = start(['recv', transport, addr, String(size), String(n)]);
  await receiver.ready;
  const sender = transport === 'ipc' ? null : start(['send', transport, addr, String(size), String(n), String(batch)]);
  const [{ end, start: ipcStart }, sent] = await Promise.all([receiver.exited, sender?.exited]);
  if (transport === 'uds') rmSync(addr, { force: true });
  const seconds = Number(BigInt(end) - BigInt(sent?.start ?? ipcStart)) / 1e9;
  return { msgs: n / seconds, mbs: (n * size) / seconds / 1e6 };
}

async function latency({ transport }, { size }) {
  const addr = address(transport);
  let echo;
  if (transport !== 'ipc') {
    echo = start(['echo', transport, addr]);
    await echo.ready;
  }
  const result = await start(['ping', transport, addr, String(size), String(ROUNDS)]).exited;
  echo?.child.kill();
  if (transport === 'uds') rmSync(addr, { force: true });
  return result;
}

const fmt = (n, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

console.log(`ringpipe benchmark: ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, ${fmt(os.totalmem() / 2 ** 30)} GiB, Linux ${os.release()}, Node ${process.version}${quick ? ' (quick run)' : ''}`);
console.log('Throughput: one sender process, one receiver process. Latency: ping-pong, half the round trip.\n');
console.log('| size | transport | messages/s | MB/s | one-way p50 (us) | one-way p99 (us) |');
console.log('|---|---|---:|---:|---:|---:|');
for (const sizeCase of SIZES) {
  for (const t of TRANSPORTS) {
    const { msgs, mbs } = await throughput(t, sizeCase);
    const lat = t.batch === 1 ? await latency(t, sizeCase) : null;
    console.log(`| ${sizeCase.label} | ${t.label} | ${fmt(msgs)} | ${fmt(mbs, 1)} | ${lat ? fmt(lat.p50, 1) : '-'} | ${lat ? fmt(lat.p99, 1) : '-'} |`);
  }
}
