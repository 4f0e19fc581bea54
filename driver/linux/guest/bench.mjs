// Benchmark of the driver backend inside the qemu guest (emulated: TCG, figures are relative only):
// messages/s one way between two processes, and one-way latency (half a ping-pong round trip),
// for the driver through the mapped ring, the driver through read/write, and shm, in the same guest.
//   node guest/bench.mjs [--quick]
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { createPipe } from '@ringpipe/client';

const SELF = new URL(import.meta.url).pathname;
const now = () => performance.timeOrigin + performance.now();
const quick = process.argv.includes('--quick');
const [role, ...args] = process.argv.slice(2);

const configs = [
  { label: 'driver, mapped ring', backend: 'driver', io: 'mapped' },
  { label: 'driver, read/write', backend: 'driver', io: 'syscall' },
  { label: 'shm', backend: 'shm', io: 'mapped' },
];

if (role === 'sink') {
  // Reads until EOF; reports how many messages and when the first and the last came.
  const [name, backend] = args;
  const pipe = createPipe(name, { backend, access: 'read' });
  process.stdout.write('ready\n');
  let count = 0;
  let first = 0;
  for await (const _ of pipe) {
    if (count++ === 0) first = now();
  }
  process.stdout.write(`${JSON.stringify({ count, first, last: now() })}\n`);
  process.exit(0);
} else if (role === 'echo') {
  const [inName, outName, backend] = args;
  const input = createPipe(inName, { backend, access: 'read' });
  const output = createPipe(outName, { backend, access: 'write' });
  process.stdout.write('ready\n');
  for await (const message of input) if (!output.write(message)) await once(output, 'drain');
  output.end();
  await once(output, 'finish');
  process.exit(0);
} else {
  await main();
}

function child(argv, io) {
  const proc = spawn(process.execPath, [SELF, ...argv], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, RINGPIPE_DRIVER_IO: io },
  });
  const lines = createInterface({ input: proc.stdout });
  const ready = new Promise((resolve) => lines.on('line', (l) => l === 'ready' && resolve()));
  const result = new Promise((resolve) => lines.on('line', (l) => l.startsWith('{') && resolve(JSON.parse(l))));
  return { proc, ready, result };
}

async function throughput(config, size, count) {
  const name = `bench-${config.backend}-${config.io}-${size}`;
  process.env.RINGPIPE_DRIVER_IO = config.io;
  const sink = child(['sink', name, config.backend], config.io);
  await sink.ready;
  const pipe = createPipe(name, { backend: config.backend, access: 'write' });
  const message = Buffer.alloc(size, 7);
  const start = now();
  for (let i = 0; i < count; i++) if (!pipe.write(message)) await once(pipe, 'drain');
  pipe.end();
  const got = await sink.result;
  if (got.count !== count) throw new Error(`${config.label}: ${got.count} of ${count} messages arrived`);
  const seconds = (got.last - start) / 1000;
  return { rate: count / seconds, mbps: (count * size) / seconds / 1e6 };
}

async function latency(config, rounds) {
  const ping = `bench-ping-${config.backend}-${config.io}`;
  const pong = `bench-pong-${config.backend}-${config.io}`;
  process.env.RINGPIPE_DRIVER_IO = config.io;
  const back = createPipe(pong, { backend: config.backend, access: 'read' });
  const echo = child(['echo', ping, pong, config.backend], config.io);
  await echo.ready;
  const out = createPipe(ping, { backend: config.backend, access: 'write' });
  const replies = back[Symbol.asyncIterator]();
  const samples = [];
  const message = Buffer.alloc(64, 1);
  for (let i = 0; i < rounds; i++) {
    const t0 = now();
    out.write(message);
    const { done } = await replies.next();
    if (done) throw new Error('echo ended early');
    if (i >= 10) samples.push(((now() - t0) * 1000) / 2);
  }
  out.end();
  await replies.next();
  samples.sort((a, b) => a - b);
  const pick = (q) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))];
  return { p50: pick(0.5), p99: pick(0.99) };
}

async function main() {
  const n64 = quick ? 5000 : 30000;
  const n1k = quick ? 2000 : 10000;
  const rounds = quick ? 100 : 400;
  console.log(`ringpipe benchmark in the qemu guest (EMULATED: TCG, no KVM; ${n64} x 64 B, ${n1k} x 1 KiB, ${rounds} round trips)`);
  console.log('backend                | 64 B msg/s | 1 KiB msg/s | 1 KiB MB/s | one-way p50 us | p99 us');
  for (const config of configs) {
    const small = await throughput(config, 64, n64);
    const big = await throughput(config, 1024, n1k);
    const lat = await latency(config, rounds);
    console.log(
      `${config.label.padEnd(22)} | ${Math.round(small.rate).toString().padStart(10)} | ${Math.round(big.rate)
        .toString()
        .padStart(11)} | ${big.mbps.toFixed(1).padStart(10)} | ${lat.p50.toFixed(0).padStart(14)} | ${lat.p99.toFixed(0)}`,
    );
  }
  process.exit(0);
}
