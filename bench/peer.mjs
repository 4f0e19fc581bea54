// One side of a benchmark run, in its own process.
//   recv TRANSPORT ADDR SIZE COUNT        prints "ready", then {"end": ns} once SIZE*COUNT bytes arrived
//   send TRANSPORT ADDR SIZE COUNT BATCH  prints {"start": ns}; BATCH > 1 corks that many writes
//   echo TRANSPORT ADDR                   sends back what arrives
//   ping TRANSPORT ADDR SIZE ROUNDS       one message out, wait for it back; prints one-way latencies
// TRANSPORT: ringpipe | uds | ipc. For ipc the receiving side forks the sending side.
// UNIX sockets carry no message boundaries: fixed-size messages are counted by bytes there.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { createPipe } from '@ringpipe/client';

const [role, transport, address, ...rest] = process.argv.slice(2);
const [size, count, batch] = rest.map(Number);
const now = () => process.hrtime.bigint();
const print = (value) => process.stdout.write(JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? String(v) : v)) + '\n');
const CAPACITY = 1 << 22;

function countUntil(source, event, total) {
  return new Promise((resolve) => {
    let got = 0;
    source.on(event, (chunk) => {
      got += chunk.length;
      if (got >= total) resolve(now());
    });
  });
}

async function writeAll(stream, message, n, perBatch) {
  for (let i = 0; i < n; i += perBatch) {
    if (perBatch > 1) stream.cork();
    let ok = true;
    for (let j = i; j < Math.min(i + perBatch, n); j++) ok = stream.write(message);
    if (perBatch > 1) stream.uncork();
    if (!ok) await once(stream, 'drain');
  }
}

async function listenOnce(path) {
  const server = net.createServer();
  server.listen(path);
  await once(server, 'listening');
  print('ready');
  const [socket] = await once(server, 'connection');
  server.close();
  return socket;
}

async function connect(path) {
  const socket = net.connect(path);
  await once(socket, 'connect');
  return socket;
}

const message = Buffer.alloc(size || 1, 0x61);
const self = fileURLToPath(import.meta.url);

if (role === 'recv') {
  const total = size * count;
  if (transport === 'ringpipe') {
    const pipe = createPipe(address, { access: 'read', capacity: CAPACITY });
    process.stdout.write('ready\n');
    print({ end: await countUntil(pipe, 'data', total) });
    pipe.destroy();
  } else if (transport === 'uds') {
    const socket = await listenOnce(address);
    print({ end: await countUntil(socket, 'data', total) });
    socket.destroy();
  } else {
    const child = fork(self, ['send', 'ipc', '-', String(size), String(count), '1'], { serialization: 'advanced', stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
    child.stdout.pipe(process.stdout);
    process.stdout.write('ready\n');
    print({ end: await countUntil(child, 'message', total) });
    child.disconnect();
  }
} else if (role === 'send') {
  if (transport === 'ringpipe') {
    const pipe = createPipe(address, { access: 'write', capacity: CAPACITY });
    const start = now();
    await writeAll(pipe, message, count, batch);
    print({ start });
    pipe.end();
  } else if (transport === 'uds') {
    const socket = await connect(address);
    const start = now();
    await writeAll(socket, message, count, batch);
    print({ start });
    socket.end();
  } else {
    const start = now();
    for (let i = 0; i < count; i++) {
      // process.send has no drain signal: let the channel flush every 256 messages.
      if (!process.send(message) || i % 256 === 255) await new Promise((resolve) => setImmediate(resolve));
    }
    print({ start });
  }
} else if (role === 'echo') {
  if (transport === 'ringpipe') {
    const pings = createPipe(`${address}-PING`, { access: 'read' });
    const pongs = createPipe(`${address}-PONG`, { access: 'write' });
    pings.on('data', (m) => pongs.write(m));
    pings.on('end', () => pongs.end());
    process.stdout.write('ready\n');
  } else if (transport === 'uds') {
    const socket = await listenOnce(address);
    socket.on('data', (chunk) => socket.write(chunk));
    socket.on('end', () => socket.end());
  } else {
    process.on('message', (m) => process.send(m));
  }
} else if (role === 'ping') {
  const rounds = count;
  let out;
  let replies;
  let close;
  let event = 'data';
  if (transport === 'ringpipe') {
    replies = createPipe(`${address}-PONG`, { access: 'read' });
    out = createPipe(`${address}-PING`, { access: 'write' });
    close = () => out.end();
  } else if (transport === 'uds') {
    out = replies = await connect(address);
    close = () => out.end();
  } else {
    const child = fork(self, ['echo', 'ipc', '-'], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    out = { write: (m) => child.send(m) };
    replies = child;
    event = 'message';
    close = () => child.disconnect();
  }
  const oneWay = new Float64Array(rounds);
  let expected = 0;
  let started = 0n;
  let round = 0;
  let resolveDone;
  const done = new Promise((resolve) => (resolveDone = resolve));
  replies.on(event, (chunk) => {
    expected -= chunk.length;
    if (expected > 0) return;
    oneWay[round++] = Number(now() - started) / 2 / 1000;
    if (round === rounds) return resolveDone();
    expected = message.length;
    started = now();
    out.write(message);
  });
  await new Promise((resolve) => setTimeout(resolve, 200));
  expected = message.length;
  started = now();
  out.write(message);
  await done;
  const sorted = [...oneWay.subarray(Math.floor(rounds / 10))].sort((a, b) => a - b); // the first tenth warms up
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  print({ p50: at(0.5), p99: at(0.99) });
  close();
  setTimeout(() => process.exit(0), 50);
}
