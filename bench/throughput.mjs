// Throughput: one sending process, one receiving process, for a fixed time; messages/s and MB/s
// from the sender's first write to the receiver's EOF.
import { address, fmt, peer, quick, rounds, table, unavailable } from './lib.mjs';
import { missing, zmqMissing } from './newapi.mjs';

const SECONDS = quick ? 0.25 : 1.5;
const SIZES = [
  { label: '64 B', size: 64 },
  { label: '1 KiB', size: 1024 },
  { label: '64 KiB', size: 65536 },
];

/** The tuned rows' one change from the defaults: a 4 MiB ring (the default is 1 MiB). */
const TUNED = { label: 'tuned, capacity 4 MiB', extra: [`capacity=${1 << 22}`] };

async function rows(size) {
  const zmq = await zmqMissing();
  // First the paths as the README's quick start writes them, default options, beside a UNIX socket.
  const list = [
    { label: 'ringpipe, default options: write per message -> for await', transport: 'ringpipe', send: 'write', recv: 'forawait' },
    { label: "ringpipe, default options: write per message -> 'data' listener", transport: 'ringpipe', send: 'write', recv: 'data' },
    { label: 'ringpipe, default options: write per message -> stream.pipeline into a Writable', transport: 'ringpipe', send: 'write', recv: 'pipeline' },
    { label: 'net UNIX socket, write per message', transport: 'uds', send: 'write', recv: 'data' },
    { label: "ringpipe, default options: corked batches of 256 -> 'data' listener", transport: 'ringpipe', send: 'cork', recv: 'data' },
  ];
  if (size === 64) list.push({ label: 'ringpipe, default options: writeBatch(256) -> batches(256)', transport: 'ringpipe', send: 'batch', recv: 'batches', missing: missing('writeBatch', 'batches') });
  if (size === 65536) {
    list.push({ label: 'ringpipe, default options: writeInPlace -> readView (zero-copy)', transport: 'ringpipe', send: 'inplace', recv: 'view', missing: missing('writeInPlace', 'readView') });
    list.push({ label: 'ringpipe, default options: writeInPlace -> readInto (one reused buffer)', transport: 'ringpipe', send: 'inplace', recv: 'into', missing: missing('writeInPlace', 'readInto') });
  }
  list.push(
    { label: 'net UNIX socket, corked batches of 256', transport: 'uds', send: 'cork', recv: 'data' },
    { label: `ringpipe, ${TUNED.label}: write per message -> for await`, transport: 'ringpipe', send: 'write', recv: 'forawait', extra: TUNED.extra },
    { label: `ringpipe, ${TUNED.label}: write per message -> 'data' listener`, transport: 'ringpipe', send: 'write', recv: 'data', extra: TUNED.extra },
  );
  if (size === 64) list.push({ label: `ringpipe, ${TUNED.label}: writeBatch(256) -> batches(256)`, transport: 'ringpipe', send: 'batch', recv: 'batches', extra: TUNED.extra, missing: missing('writeBatch', 'batches') });
  if (size === 65536) list.push({ label: `ringpipe, ${TUNED.label}: writeInPlace -> readInto (one reused buffer)`, transport: 'ringpipe', send: 'inplace', recv: 'into', extra: TUNED.extra, missing: missing('writeInPlace', 'readInto') });
  list.push(
    { label: 'child_process IPC (advanced), send per message', transport: 'ipc', send: 'write', recv: 'data' },
    { label: 'zeromq ipc:// PUSH/PULL, send per message', transport: 'zmq', send: 'write', recv: 'data', missing: zmq },
  );
  return list;
}

async function measure({ transport, send, recv, extra = [] }, size) {
  const addr = address(transport);
  const args = [`size=${size}`, `send=${send}`, `recv=${recv}`, `seconds=${SECONDS}`, ...extra];
  const receiver = peer(['recv', transport, addr, ...args]);
  await receiver.ready;
  const sender = transport === 'ipc' ? null : peer(['send', transport, addr, ...args]);
  const [got, sent] = await Promise.all([receiver.exited, sender?.exited]);
  const { start, sent: count } = { ...got, ...sent };
  const seconds = Number(BigInt(got.end) - BigInt(start)) / 1e9;
  const lost = count - got.received;
  return { msgs: got.received / seconds, mbs: got.bytes / seconds / 1e6, lost };
}

/** Rounds per row (`--rounds N`): the table gives each row's median, the rows of a size measured in turn in each round. */
const ROUNDS = quick ? 1 : rounds ?? 3;

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

export async function throughput() {
  console.log(
    `## Throughput\n\nTwo processes; the sender writes ${SECONDS} s worth, then ends. Rate = messages received / (sender's first write -> receiver's EOF). ` +
      (ROUNDS === 1 ? 'One run per row.\n' : `Each row is the median of ${ROUNDS} runs; the rows of one size take turns in each round, so that they share the machine's quiet and busy moments.\n`) +
      `Rows marked "default options" open the pipes with default options (\`createPipe(name)\` to write, \`createPipe(name, { access: 'read' })\` to read: a 1 MiB ring, no spin); rows marked "${TUNED.label}" differ from them in that one option only.\n`,
  );
  const row = table(['size', 'transport and path', 'messages/s', 'MB/s'], ['l', 'l', 'r', 'r']);
  for (const { label, size } of SIZES) {
    const list = await rows(size);
    const runs = list.map(() => ({ results: [], error: undefined }));
    for (let round = 0; round < ROUNDS; round++) {
      for (const [i, r] of list.entries()) {
        if (r.missing || runs[i].error) continue;
        try {
          runs[i].results.push(await measure(r, size));
        } catch (err) {
          runs[i].error = err.message;
        }
      }
    }
    for (const [i, r] of list.entries()) {
      const { results, error } = runs[i];
      if (r.missing || error) {
        row([label, r.label, ...unavailable(r.missing ?? error, 2)]);
        continue;
      }
      const lost = Math.max(...results.map((x) => x.lost));
      row([label, r.label + (lost ? ` (${fmt(lost)} sent but not received)` : ''), fmt(median(results.map((x) => x.msgs))), fmt(median(results.map((x) => x.mbs)), 1)]);
    }
  }
  console.log();
}
