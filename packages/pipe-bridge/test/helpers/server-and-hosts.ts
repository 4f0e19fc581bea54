import { afterAll, afterEach, beforeAll } from 'vitest';
import { Host, killAll } from './hosts.js';
import { freePort, NatsServer } from './nats-server.js';

/**
 * Call inside a describe block: one nats-server for the block (killed -9 after it), and
 * hosts started through `start()` that are stopped, with every process, after each test.
 */
export function serverAndHosts(): { server: () => NatsServer; start: () => Promise<Host> } {
  let server: NatsServer | undefined;
  const hosts: Host[] = [];
  beforeAll(async () => {
    server = new NatsServer(await freePort());
    await server.start();
  });
  afterAll(async () => {
    await server?.kill9();
  });
  afterEach(() => {
    for (const h of hosts.splice(0)) h.stop();
    killAll();
  });
  return {
    server: () => {
      if (!server) throw new Error('the nats-server is not started yet');
      return server;
    },
    start: async () => {
      const host = await Host.start();
      hosts.push(host);
      return host;
    },
  };
}
