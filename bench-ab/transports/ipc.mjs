// child_process IPC (advanced serialization) for bench/peer.mjs. The receiving or pinging side
// forks its partner (bench/peer.mjs again, same options), so the address is unused.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const PEER = fileURLToPath(new URL('../peer.mjs', import.meta.url));
const forkPeer = (role, opts) =>
  fork(PEER, [role, 'ipc', '-', ...opts.argv], { serialization: 'advanced', stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });

export async function receive(_address, opts, counter, ready) {
  const child = forkPeer('send', opts);
  child.stdout.pipe(process.stdout);
  ready();
  child.on('message', (m) => counter.add(m.length, 1));
  await Promise.all([once(child, 'disconnect'), once(child.stdout, 'end')]);
}

export async function sender() {
  let flushed = Promise.resolve();
  return {
    async sendMany(message, n) {
      for (let i = 0; i < n - 1; i++) process.send(message);
      // process.send has no drain signal: wait until the last of the batch is written.
      flushed = new Promise((resolve) => process.send(message, resolve));
      await flushed;
    },
    async end() {
      await flushed;
      process.disconnect();
    },
  };
}

export async function echo(_address, ready) {
  ready();
  process.on('message', (m) => process.send(m));
  await once(process, 'disconnect');
}

export async function pinger(_address, opts) {
  const child = forkPeer('echo', opts);
  child.stdout.resume();
  let resolveReply;
  child.on('message', () => resolveReply());
  return {
    roundTrip(message) {
      const reply = new Promise((resolve) => (resolveReply = resolve));
      child.send(message);
      return reply;
    },
    close: () => child.disconnect(),
  };
}
