// Node net over a UNIX socket for bench/peer.mjs. A socket keeps no message boundaries:
// fixed-size messages are counted by bytes.
import { once } from 'node:events';
import net from 'node:net';

async function listenOnce(path, ready) {
  const server = net.createServer();
  server.listen(path);
  await once(server, 'listening');
  ready();
  const [socket] = await once(server, 'connection');
  server.close();
  return socket;
}

async function connect(path) {
  const socket = net.connect(path);
  await once(socket, 'connect');
  return socket;
}

export async function receive(path, { size }, counter, ready) {
  const socket = await listenOnce(path, ready);
  let carry = 0;
  socket.on('data', (chunk) => {
    const bytes = carry + chunk.length;
    carry = bytes % size;
    counter.add(chunk.length, (bytes - carry) / size);
  });
  await once(socket, 'end');
  socket.destroy();
}

export async function sender(path, { send: mode }) {
  const socket = await connect(path);
  return {
    async sendMany(message, n) {
      if (mode === 'cork') socket.cork();
      let ok = true;
      for (let i = 0; i < n; i++) ok = socket.write(message);
      if (mode === 'cork') socket.uncork();
      if (!ok) await once(socket, 'drain');
    },
    end: () => new Promise((resolve) => socket.end(resolve)),
  };
}

export async function echo(path, ready) {
  const socket = await listenOnce(path, ready);
  socket.on('data', (chunk) => socket.write(chunk));
  await once(socket, 'end');
  socket.end();
}

export async function pinger(path) {
  const socket = await connect(path);
  let expected = 0;
  let resolveReply;
  socket.on('data', (chunk) => {
    expected -= chunk.length;
    if (expected <= 0) resolveReply();
  });
  return {
    roundTrip(message) {
      expected = message.length;
      const reply = new Promise((resolve) => (resolveReply = resolve));
      socket.write(message);
      return reply;
    },
    close: () => socket.end(),
  };
}

export async function hold(path) {
  return connect(path);
}
