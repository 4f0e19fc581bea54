import { readFileSync } from 'node:fs';
import type { NatsConnection } from '@nats-io/transport-node';
import type { JetStreamManager } from '@nats-io/jetstream';
import { connect, credsAuthenticator, jetstreamManager } from './nats.js';
import { BridgeError, BridgeErrorCode } from './errors.js';
import type { ResolvedBridgeOptions } from './options.js';
import { displayServers } from './servers.js';
import { isAuthError } from './nats-errors.js';

export interface Connected {
  nc: NatsConnection;
  jsm: JetStreamManager;
}

/** Called before each wait between attempts: why the last one failed, and how long until the next. */
export type RetryReport = (reason: string, delayMs: number) => void;

const FIRST_DELAY_MS = 250;
const MAX_DELAY_MS = 5_000;

/**
 * Connects and checks that the server has JetStream, retrying an unreachable
 * server with a growing delay (250 ms doubling to 5 s) until `signal` aborts.
 * Bad credentials and a server without JetStream are not retried.
 */
export async function connectWithRetry(options: ResolvedBridgeOptions, signal: AbortSignal, report: RetryReport): Promise<Connected | undefined> {
  let delay = FIRST_DELAY_MS;
  while (!signal.aborted) {
    let nc: NatsConnection | undefined;
    try {
      nc = await connect(connectOptions(options));
      const jsm = await jetstreamManager(nc).catch((err: unknown) => {
        throw new BridgeError(BridgeErrorCode.NoJetStream, `the NATS server at ${nc!.getServer()} has no JetStream (start it with -js): ${message(err)}`, { cause: err });
      });
      return { nc, jsm };
    } catch (err) {
      await nc?.close().catch(() => {});
      if (err instanceof BridgeError) throw err;
      if (isAuthError(err)) throw new BridgeError(BridgeErrorCode.Auth, `the NATS server refused the credentials: ${message(err)}`, { cause: err });
      report(`cannot reach ${displayServers(options.servers)}: ${message(err)}`, delay);
      await sleep(delay, signal);
      delay = Math.min(delay * 2, MAX_DELAY_MS);
    }
  }
  return undefined;
}

function connectOptions(options: ResolvedBridgeOptions): Parameters<typeof connect>[0] {
  return {
    servers: options.servers,
    name: `ringpipe-bridge ${options.direction} ${options.name}`,
    timeout: 2_000,
    // Once connected, the client reconnects by itself, forever.
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    // No stack captured per request: two Error objects per publish were a tenth of --to's CPU time at 16 KiB.
    noAsyncTraces: true,
    ...(options.user !== undefined ? { user: options.user } : {}),
    ...(options.pass !== undefined ? { pass: options.pass } : {}),
    ...(options.token !== undefined ? { token: options.token } : {}),
    ...(options.credsFile !== undefined ? { authenticator: credsAuthenticator(readFileSync(options.credsFile)) } : {}),
  };
}

export function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
