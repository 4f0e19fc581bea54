// ringpipe for bench/peer.mjs: the Duplex and the batch, view and in-place paths.
// Default options unless the row asks (`capacity=N`, `spin=N`): the reader opens as the README's
// quick start does, createPipe(name, { access: 'read' }); the writer as createPipe(name) (read and write).
import { once } from 'node:events';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createPipe } from '@ringpipe/client';

/** Only the options a row names; a row measured on anything but shared memory would be mislabelled. */
const open = (name, access, { capacity, spin } = {}) => {
  const options = { ...(access === 'readwrite' ? {} : { access }), ...(capacity ? { capacity: Number(capacity) } : {}), ...(spin ? { spin: Number(spin) } : {}) };
  const pipe = Object.keys(options).length === 0 ? createPipe(name) : createPipe(name, options);
  if (pipe.backend !== undefined && pipe.backend !== 'shm') throw new Error(`the pipe opened on the ${pipe.backend} backend (a driver is loaded); the rows are for shm`);
  return pipe;
};

/** Reads every message until EOF, calling counter.add(bytes, messages) as they come. */
export async function receive(name, { recv: mode, ...options }, counter, ready) {
  const pipe = open(name, 'read', options);
  ready();
  if (mode === 'data') {
    pipe.on('data', (m) => counter.add(m.length, 1));
    await once(pipe, 'end');
  } else if (mode === 'pipeline') {
    const sink = new Writable({
      objectMode: true,
      write(m, _encoding, callback) {
        counter.add(m.length, 1);
        callback();
      },
    });
    await pipeline(pipe, sink);
  } else if (mode === 'forawait') {
    for await (const m of pipe) counter.add(m.length, 1);
  } else if (mode === 'batches') {
    for await (const batch of pipe.batches(256)) {
      let bytes = 0;
      for (const m of batch) bytes += m.length;
      counter.add(bytes, batch.length);
    }
  } else if (mode === 'view') {
    for (let view; (view = await pipe.readView()); view.release()) counter.add(view.data.length, 1);
  } else if (mode === 'into') {
    const target = Buffer.allocUnsafe(pipe.maxMessageSize);
    for (let n; (n = await pipe.readInto(target)) !== null; ) counter.add(n, 1);
  } else {
    throw new Error(`unknown receive mode ${mode}`);
  }
  pipe.destroy();
}

/** A writer whose sendMany(message, n) sends n copies of message the way `mode` says. */
export async function sender(name, { send: mode, ...options }) {
  const pipe = open(name, 'readwrite', options);
  const ended = () => new Promise((resolve) => pipe.end(resolve));
  if (mode === 'write' || mode === 'cork') {
    return {
      async sendMany(message, n) {
        if (mode === 'cork') pipe.cork();
        let ok = true;
        for (let i = 0; i < n; i++) ok = pipe.write(message);
        if (mode === 'cork') pipe.uncork();
        if (!ok) await once(pipe, 'drain');
      },
      end: ended,
    };
  }
  if (mode === 'batch') {
    return { sendMany: (message, n) => pipe.writeBatch(Array(n).fill(message)), end: ended };
  }
  if (mode === 'inplace') {
    return {
      async sendMany(message, n) {
        for (let i = 0; i < n; i++) await pipe.writeInPlace(message.length, (view) => message.copy(view));
      },
      end: ended,
    };
  }
  throw new Error(`unknown send mode ${mode}`);
}

/** Sends back every message, until EOF. */
export async function echo(name, ready, options = {}) {
  const pings = open(`${name}-PING`, 'read', options);
  const pongs = open(`${name}-PONG`, 'readwrite', options);
  pings.on('data', (m) => pongs.write(m));
  ready();
  await once(pings, 'end');
  await new Promise((resolve) => pongs.end(resolve));
}

/** The pinging side: roundTrip(message) resolves when the message is back. */
export async function pinger(name, options = {}) {
  const replies = open(`${name}-PONG`, 'read', options);
  const out = open(`${name}-PING`, 'readwrite', options);
  let resolveReply;
  replies.on('data', () => resolveReply());
  return {
    roundTrip(message) {
      const reply = new Promise((resolve) => (resolveReply = resolve));
      out.write(message);
      return reply;
    },
    close: () => out.end(),
  };
}

/** A writer that sends nothing: keeps the pipe open for an idle reader. */
export async function hold(name) {
  return open(name, 'write');
}
