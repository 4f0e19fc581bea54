// Quiet pipes: one process holds PIPES reading pipes with default options (a 'data' listener
// each); another process is attached to all of them as their writer and sends nothing. Then:
// the reading process's CPU (user + system, process.cpuUsage) while everything is idle, in two
// windows: `settle` s after the last one opened, and `steady` s after (V8's memory reducer runs
// its collections some seconds after the opening's allocations, then no more); and the wake
// latency of a 64 B message written to one pipe at a time (a random one, 20 ms apart, the
// writer's timestamp in the message, CLOCK_MONOTONIC in both processes), after `warm` such
// wakes 5 ms apart, whose figures have a table of their own. The same with as many
// UNIX socket connections, in the same run.
//   node bench/idle.mjs [pipes=1000] [seconds=5] [warm=1000] [wakes=300] [settle=10] [steady=30] [transports=ringpipe,uds]
// IDLE_PROFILE=DIR: a CPU profile of the reading process; IDLE_PERF="stat -e task-clock": perf on it over the idle window.
// Figures, not assertions.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { rmSync } from 'node:fs';
import os from 'node:os';
import { PerformanceObserver, constants as perfConstants } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const SELF = fileURLToPath(import.meta.url);
/** How far apart the warm-up's wakes are: far enough that every reader sleeps, as with 20 ms. */
const WARM_UP_GAP_MS = 5;
const [role, transport, prefix, countArg] = process.argv.slice(2);
const kv = Object.fromEntries(process.argv.slice(2).filter((a) => a.includes('=')).map((a) => a.split('=')));
const now = () => process.hrtime.bigint();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const line = (value) => process.stdout.write(JSON.stringify(value) + '\n');
const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const socketPath = (prefix, i) => `${os.tmpdir()}/${prefix}-${i}.sock`;

async function createPipe(name, access) {
  const { createPipe } = await import('@ringpipe/client');
  return createPipe(name, { access, backend: 'shm' });
}

if (role === 'reader') {
  // Opens `count` readers, says "ready"; on "measure SECONDS" reports its CPU over that time;
  // reports each message's latency as it comes; exits on stdin's end.
  const count = Number(countArg);
  const latencies = [];
  const onMessage = (m) => latencies.push(Number(now() - m.readBigUInt64LE(0)) / 1000);
  const handles = [];
  if (transport === 'ringpipe') {
    for (let i = 0; i < count; i++) {
      const pipe = await createPipe(`${prefix}-${i}`, 'read');
      pipe.on('data', onMessage);
      handles.push(pipe);
    }
  } else {
    const server = net.createServer((socket) => {
      handles.push(socket);
      socket.on('data', (chunk) => {
        for (let at = 0; at + 64 <= chunk.length; at += 64) onMessage(chunk.subarray(at, at + 64));
      });
    });
    await new Promise((resolve) => server.listen(socketPath(prefix, 0), resolve));
    handles.push(server);
  }
  // V8's major collections (its memory reducer runs some seconds after the opening's allocations): counted, as their CPU is in the window's.
  const majors = { count: 0, ms: 0 };
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (entry.detail?.kind !== perfConstants.NODE_PERFORMANCE_GC_MAJOR) continue;
      majors.count++;
      majors.ms += entry.duration;
    }
  }).observe({ entryTypes: ['gc'] });
  line({ ready: true });
  for await (const command of createInterface({ input: process.stdin })) {
    const [verb, arg] = command.split(' ');
    if (verb === 'measure') {
      const since = process.cpuUsage();
      const start = now();
      const majorsBefore = { ...majors };
      await sleep(Number(arg) * 1000);
      const { user, system } = process.cpuUsage(since);
      const majorGcs = { count: majors.count - majorsBefore.count, ms: majors.ms - majorsBefore.ms };
      line({ cpuUs: user + system, systemUs: system, wallUs: Number(now() - start) / 1000, majorGcs });
    } else if (verb === 'latencies') {
      line({ latencies: latencies.splice(0) });
    }
  }
  process.exit(0);
} else if (role === 'writer') {
  // Attaches to `count` pipes (or connects `count` sockets), says "ready"; "send I" writes one 64 B message to I.
  const count = Number(countArg);
  const outs = [];
  for (let i = 0; i < count; i++) {
    if (transport === 'ringpipe') outs.push(await createPipe(`${prefix}-${i}`, 'write'));
    else {
      const socket = net.connect(socketPath(prefix, 0));
      await once(socket, 'connect');
      outs.push(socket);
    }
  }
  line({ ready: true });
  const message = Buffer.alloc(64);
  for await (const command of createInterface({ input: process.stdin })) {
    const [verb, arg] = command.split(' ');
    if (verb === 'send') {
      message.writeBigUInt64LE(now(), 0);
      outs[Number(arg)].write(Buffer.from(message));
    }
  }
  process.exit(0);
} else if (process.argv[1] === SELF) {
  await main();
}

/** The bench's section (`pnpm bench --only idle`): 1,000 pipes, with its defaults. */
export const idle = () => main();

function child(args) {
  // IDLE_PROFILE=DIR: the reading process writes a CPU profile (node --cpu-prof) into DIR.
  const profile = args[0] === 'reader' && process.env.IDLE_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', process.env.IDLE_PROFILE] : [];
  const proc = spawn(process.execPath, [...profile, SELF, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: proc.stdout })[Symbol.asyncIterator]();
  return {
    proc,
    send: (text) => proc.stdin.write(text + '\n'),
    next: async () => JSON.parse((await lines.next()).value),
    end: async () => {
      proc.stdin.end();
      await once(proc, 'exit');
    },
  };
}

async function measure(transport, pipes, seconds, warm, wakes, settleMs, steadyMs) {
  const prefix = `BENCH-IDLE-${process.pid}-${transport}`;
  const reader = child(['reader', transport, prefix, String(pipes)]);
  await reader.next();
  const writer = child(['writer', transport, prefix, String(pipes)]);
  await writer.next();
  const opened = Date.now();
  const window = async (fromMs) => {
    await sleep(fromMs - (Date.now() - opened)); // let the readers fall asleep, and the work of opening them end
    reader.send(`measure ${seconds}`);
    const { cpuUs, systemUs, wallUs, majorGcs } = await reader.next();
    return { cpuPercent: (cpuUs / wallUs) * 100, systemPercent: (systemUs / wallUs) * 100, majorGcs };
  };
  const settled = await window(settleMs);
  // IDLE_PERF="stat -e task-clock" (or "record -g -o FILE" ...): perf looks at the reading process over the steady window.
  const perfAt = steadyMs - (Date.now() - opened);
  const perf = process.env.IDLE_PERF && transport === 'ringpipe' ? spawn('sh', ['-c', `sleep ${Math.max(0, perfAt) / 1000}; exec perf ${process.env.IDLE_PERF} -p ${reader.proc.pid} -- sleep ${seconds}`], { stdio: 'inherit' }) : undefined;
  const steady = await window(steadyMs);
  if (perf) await once(perf, 'exit');
  const wakeSome = async (count, gapMs) => {
    for (let i = 0; i < count; i++) {
      writer.send(`send ${Math.floor(Math.random() * pipes)}`);
      await sleep(gapMs);
    }
    await sleep(200);
    reader.send('latencies');
    return (await reader.next()).latencies.sort((a, b) => a - b);
  };
  // The first wakes run code V8 has not compiled yet, on both sides: counted apart.
  const warmUp = await wakeSome(warm, WARM_UP_GAP_MS);
  const latencies = await wakeSome(wakes, 20);
  await writer.end();
  await reader.end();
  if (transport === 'uds') rmSync(socketPath(prefix, 0), { force: true });
  return {
    transport,
    pipes,
    settled,
    steady,
    wakes: wakeFigures(latencies),
    warmUp: wakeFigures(warmUp),
  };
}

function wakeFigures(sorted) {
  const ms = (us) => (us === undefined ? '-' : (us / 1000).toFixed(3));
  return `${sorted.length} | ${ms(quantile(sorted, 0.5))} | ${ms(quantile(sorted, 0.99))} | ${ms(sorted.at(-1))}`;
}

async function main() {
  const pipes = Number(kv.pipes ?? 1000);
  const seconds = Number(kv.seconds ?? 5);
  const wakes = Number(kv.wakes ?? 300);
  const warm = Number(kv.warm ?? 1000);
  const settleMs = Number(kv.settle ?? 10) * 1000;
  const steadyMs = Number(kv.steady ?? 30) * 1000;
  const transports = (kv.transports ?? 'ringpipe,uds').split(',');
  console.log(
    `## Quiet pipes\n\n${pipes} idle readers in one process (default options, a 'data' listener each), their writer attached in another and silent: the reading process's CPU over ${seconds} s, from ${settleMs / 1000} s and from ${steadyMs / 1000} s after the last one opened, with V8's major collections in each window counted (their CPU, on V8's threads too, is in the figure: its memory reducer collects some seconds after the opening, then no more); then ${wakes} messages of 64 B, each to a random one, 20 ms apart, after ${warm} such messages ${WARM_UP_GAP_MS} ms apart to warm up (the table after this one): latency from the write to 'data'.\n`,
  );
  const cpu = (w) => `${w.cpuPercent.toFixed(2)} (${w.systemPercent.toFixed(2)}) | ${w.majorGcs.count} (${w.majorGcs.ms.toFixed(1)})`;
  console.log(`| transport | idle readers | CPU from ${settleMs / 1000} s, % of a core (system) | major GCs (ms) | CPU from ${steadyMs / 1000} s, % of a core (system) | major GCs (ms) | wakes | wake p50 (ms) | wake p99 (ms) | max (ms) |`);
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  const warmUps = [];
  for (const transport of transports) {
    const r = await measure(transport, pipes, seconds, warm, wakes, settleMs, steadyMs);
    const name = transport === 'uds' ? 'net UNIX socket' : 'ringpipe';
    console.log(`| ${name} | ${r.pipes} | ${cpu(r.settled)} | ${cpu(r.steady)} | ${r.wakes} |`);
    warmUps.push(`| ${name} | ${r.warmUp} |`);
  }
  console.log(`\nThe same readers' first ${warm} wakes (warm-up: V8 compiles on both sides meanwhile).\n`);
  console.log('| transport | wakes | wake p50 (ms) | wake p99 (ms) | max (ms) |');
  console.log('|---|---:|---:|---:|---:|');
  for (const row of warmUps) console.log(row);
  console.log();
}
