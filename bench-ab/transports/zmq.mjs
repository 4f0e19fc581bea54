// zeromq.js 6 for bench/peer.mjs: ipc:// PUSH/PULL for throughput, REQ/REP for latency.
// An empty message marks the end of a throughput run.
import zmq from 'zeromq';

const END = Buffer.alloc(0);

export async function receive(endpoint, _opts, counter, ready) {
  const pull = new zmq.Pull();
  await pull.bind(endpoint);
  ready();
  for await (const [m] of pull) {
    if (m.length === 0) break;
    counter.add(m.length, 1);
  }
  pull.close();
}

export async function sender(endpoint) {
  const push = new zmq.Push();
  push.connect(endpoint);
  return {
    async sendMany(message, n) {
      for (let i = 0; i < n; i++) await push.send(message);
    },
    async end() {
      await push.send(END);
      // Until everything queued, END included, has gone: a receiver behind by more than a
      // linger's worth of 64 B messages would otherwise lose END and wait forever.
      push.linger = -1;
      push.close();
    },
  };
}

export async function echo(endpoint, ready) {
  const rep = new zmq.Reply();
  await rep.bind(endpoint);
  ready();
  for await (const [m] of rep) {
    if (m.length === 0) break;
    await rep.send(m);
  }
  rep.close();
}

export async function pinger(endpoint) {
  const req = new zmq.Request();
  req.connect(endpoint);
  return {
    async roundTrip(message) {
      await req.send(message);
      await req.receive();
    },
    async close() {
      await req.send(END);
      req.close();
    },
  };
}
