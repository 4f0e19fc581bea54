// Peer of bench/bridge-from.mjs:
//   bridge DIST NAME URL CAPACITY   a --from bridge of the @ringpipe/bridge build in the directory DIST (its index.js)
//   plain URL STREAM COUNT          a pull consumer (batches of 256, an ack per message) of COUNT messages; prints its CPU ms
import { pathToFileURL } from 'node:url';

const [role, ...args] = process.argv.slice(2);
if (role === 'bridge') {
  const [dist, name, url, capacity] = args;
  const { bridge } = await import(pathToFileURL(`${dist}/index.js`).href);
  const b = bridge({ name, direction: 'from', servers: url, pipe: { capacity: Number(capacity) }, statusFile: false });
  b.on('state', (s) => process.stderr.write(`: ${s}\n`));
  process.on('SIGTERM', () => void b.stop().then(() => process.exit(0)));
} else {
  const { connect } = await import('@nats-io/transport-node');
  const { jetstream } = await import('@nats-io/jetstream');
  const [url, stream, count] = args;
  const nc = await connect({ servers: url });
  const before = process.cpuUsage();
  const messages = await jetstream(nc)
    .consumers.get(stream, 'ringpipe-from')
    .then((c) => c.consume({ max_messages: 256, expires: 5_000 }));
  let n = 0;
  for await (const m of messages) {
    m.ack();
    if (++n >= Number(count)) break;
  }
  await nc.flush();
  const cpu = process.cpuUsage(before);
  process.stdout.write(`${JSON.stringify({ cpuMs: (cpu.user + cpu.system) / 1000 })}\n`);
  process.exit(0);
}
