// One side of a measurement, in its own process:
//   node bench/peer.mjs ROLE TRANSPORT ADDRESS [key=value ...]
// ROLE:
//   recv  prints "ready", reads until EOF with the `recv` path; prints {end, received, bytes, cpuUs, wallUs,
//         majorGcs, majorGcMs} (cpu, wall and V8's full collections from the first message to EOF; with `warm`=N,
//         from the message after the first N, whose cpu and wall are warmCpuUs and warmWallUs)
//   send  sends `size`-byte messages with the `send` path for `seconds` (paced to `rate`/s if given), then
//         ends; prints {start, sent}
//   echo  prints "ready", sends back every message
//   ping  `rounds` round trips of `size` bytes (a `gap`-ms pause every 50 rounds if given); prints {oneWay: [us...]}
//   idle  prints "ready", reads for `seconds` while no message comes; prints {cpuUs, wallUs}
//   hold  opens the sending side, sends nothing, waits to be killed
// TRANSPORT: ringpipe | uds | ipc | zmq (bench/transports/*.mjs).
import { PerformanceObserver, constants } from 'node:perf_hooks';

const [role, transport, address, ...argv] = process.argv.slice(2);
const opts = { argv, ...Object.fromEntries(argv.map((kv) => kv.split('='))) };
for (const key of ['size', 'seconds', 'rate', 'rounds', 'gap', 'warm']) if (key in opts) opts[key] = Number(opts[key]);

const t = await import(`./transports/${transport}.mjs`);
const now = () => process.hrtime.bigint();
const print = (value) => process.stdout.write(JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? String(v) : v)) + '\n');
const ready = () => process.stdout.write('ready\n');
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const cpuUs = (since) => {
  const { user, system } = process.cpuUsage(since);
  return user + system;
};

/** Counts what a receiver got, from its first message on, or from the one after the first `warm` (a warm-up, timed apart). */
class Counter {
  messages = 0;
  bytes = 0;
  first = null;
  cpu = null;
  warmLeft;
  warmFirst = null;
  warmCpu = null;
  warmCpuUs = 0;
  warmWallUs = 0;
  constructor(warm = 0) {
    this.warmLeft = warm;
  }
  add(bytes, messages) {
    if (this.warmLeft > 0) {
      if (this.warmFirst === null) {
        this.warmFirst = now();
        this.warmCpu = process.cpuUsage();
      }
      this.warmLeft -= messages;
      if (this.warmLeft > 0) return;
      this.warmCpuUs = cpuUs(this.warmCpu);
      this.warmWallUs = Number(now() - this.warmFirst) / 1000;
      return;
    }
    if (this.first === null) {
      this.first = now();
      this.cpu = process.cpuUsage();
    }
    this.bytes += bytes;
    this.messages += messages;
  }
}

const message = Buffer.alloc(opts.size || 1, 0x61);

/** V8's full collections (mark-compact) that start while `counter` counts past its warm-up: how many, and their main-thread time. */
function watchMajorGcs(counter) {
  const seen = { majorGcs: 0, majorGcMs: 0 };
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (entry.detail?.kind !== constants.NODE_PERFORMANCE_GC_MAJOR || counter.first === null) continue;
      seen.majorGcs++;
      seen.majorGcMs += entry.duration;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  return { seen, stop: () => observer.disconnect() };
}

if (role === 'recv') {
  const counter = new Counter(opts.warm);
  const gcs = watchMajorGcs(counter);
  await t.receive(address, opts, counter, ready);
  const end = now();
  const cpu = counter.cpu ? cpuUs(counter.cpu) : 0;
  // The observer's last entries arrive after the turn in which they were recorded.
  await sleep(0);
  gcs.stop();
  const { warmCpuUs, warmWallUs } = counter;
  print({ end, received: counter.messages, bytes: counter.bytes, cpuUs: cpu, wallUs: Number(end - (counter.first ?? end)) / 1000, warmCpuUs, warmWallUs, ...gcs.seen });
} else if (role === 'send') {
  const out = await t.sender(address, opts);
  const start = now();
  const deadline = start + BigInt(Math.round(opts.seconds * 1e9));
  let sent = 0;
  if (opts.rate) {
    for (let elapsed = 0n; elapsed < deadline - start; elapsed = now() - start) {
      const due = Math.floor((Number(elapsed) / 1e9) * opts.rate) + 1;
      if (due > sent) await out.sendMany(message, due - sent);
      sent = Math.max(sent, due);
      await sleep(1);
    }
  } else {
    while (now() < deadline) {
      await out.sendMany(message, 256);
      sent += 256;
    }
  }
  print({ start, sent });
  await out.end();
} else if (role === 'echo') {
  await t.echo(address, ready, opts);
} else if (role === 'ping') {
  const link = await t.pinger(address, opts);
  await sleep(200);
  const oneWay = [];
  for (let round = 0; round < opts.rounds; round++) {
    if (opts.gap && round % 50 === 49) await sleep(opts.gap);
    const started = now();
    await link.roundTrip(message);
    oneWay.push(Number(now() - started) / 2000);
  }
  print({ oneWay });
  await link.close();
} else if (role === 'idle') {
  const counter = new Counter();
  t.receive(address, opts, counter, ready);
  await sleep(200);
  const since = process.cpuUsage();
  const start = now();
  await sleep(opts.seconds * 1000);
  print({ cpuUs: cpuUs(since), wallUs: Number(now() - start) / 1000, received: counter.messages });
  process.exit(0);
} else if (role === 'hold') {
  await t.hold(address);
  // Exit through process.exit, so the client's exit hook detaches the pipe.
  process.once('SIGTERM', () => process.exit(0));
  ready();
  setInterval(() => {}, 1 << 30);
} else {
  throw new Error(`unknown role ${role}`);
}
