import { afterAll, beforeAll } from 'vitest';
import { hostsPerTest, type Host } from './hosts.js';
import { freePort, NatsServer } from './nats-server.js';

/**
 * Call inside a describe block: one nats-server for the block (killed -9 after it), and
 * hosts started through `start()` that are stopped, with every process, after each test.
 */
export function serverAndHosts(): { server: () => NatsServer; start: () => Promise<Host> } {
  let server: NatsServer | undefined;
  beforeAll(async () => {
    server = new NatsServer(await freePort());
    await server.start();
  });
  afterAll(async () => {
    await server?.kill9();
  });
  return {
    server: () => {
      if (!server) throw new Error('the nats-server is not started yet');
      return server;
    },
    start: hostsPerTest(),
  };
}
