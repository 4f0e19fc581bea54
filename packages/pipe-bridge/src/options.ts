import * as z from 'zod/mini';
import { en } from 'zod/v4/locales';
import { badOption } from './errors.js';
import { MAX_RUN } from './run-cursor.js';

/** Publishes in flight by default (`--window`): see "Across hosts" in the README for the bench behind it. */
export const DEFAULT_WINDOW = 256;
/** Messages per batch by default (`--batch`). */
export const DEFAULT_BATCH = 256;

// zod/mini, bundled into dist (see tsup.config.ts), as in the client.
z.config(en());

/** A NATS server address: `nats://host:port`, `tls://host:port` or `host:port`. */
const server = z.string().check(z.refine(validServer, { message: 'expected a NATS server URL such as nats://127.0.0.1:4222' }));

function validServer(value: string): boolean {
  const withScheme = /^[a-z]+:\/\//i.test(value) ? value : `nats://${value}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return false;
  }
  return (url.protocol === 'nats:' || url.protocol === 'tls:') && url.hostname !== '' && (url.pathname === '' || url.pathname === '/') && !url.search && !url.hash;
}

const integer = (min: number, max = Number.MAX_SAFE_INTEGER) => z.number().check(z.int(), z.minimum(min), z.maximum(max));

const streamSchema = z.strictObject({
  replicas: z._default(integer(1, 5), 1),
  storage: z._default(z.enum(['file', 'memory']), 'file'),
  maxAge: z._default(integer(0), 0),
  maxBytes: z._default(integer(-1), -1),
  maxMsgs: z._default(integer(-1), -1),
  duplicateWindow: z._default(integer(100), 120_000),
});

const pipeSchema = z.strictObject({
  capacity: z.optional(integer(1)),
  backend: z.optional(z.enum(['auto', 'shm', 'driver'])),
  owner: z.optional(z.union([integer(0), z.string()])),
  permissions: z.optional(integer(0, 0o777)),
});

const optionsSchema = z
  .strictObject({
    name: z.string(),
    direction: z.enum(['to', 'from']),
    servers: z.union([server, z.array(server).check(z.minLength(1))]),
    stream: z._default(streamSchema, () => streamSchema.parse({})),
    pipe: z._default(pipeSchema, () => ({})),
    user: z.optional(z.string()),
    pass: z.optional(z.string()),
    token: z.optional(z.string()),
    credsFile: z.optional(z.string()),
    signal: z.optional(z.instanceof(AbortSignal)),
    window: z._default(integer(1, MAX_RUN), DEFAULT_WINDOW),
    batch: z._default(integer(1, MAX_RUN), DEFAULT_BATCH),
    statusFile: z._default(z.boolean(), true),
  })
  .check(
    z.refine((o) => o.stream.maxAge === 0 || o.stream.duplicateWindow <= o.stream.maxAge, {
      message: 'stream.duplicateWindow must not exceed stream.maxAge',
      path: ['stream', 'duplicateWindow'],
    }),
  );

/** Stream settings, used when this bridge creates the stream. */
export interface BridgeStreamOptions {
  /** Copies of each message in a cluster (1, 3 or 5 are the usual). Default 1. */
  replicas?: number;
  /** Default 'file'. */
  storage?: 'file' | 'memory';
  /** Milliseconds a message may wait in the stream; 0 (default): no limit. */
  maxAge?: number;
  /** -1 (default): no limit. When full, the stream refuses new messages (the `to` bridge waits), it never drops old ones. */
  maxBytes?: number;
  /** -1 (default): no limit. */
  maxMsgs?: number;
  /** Milliseconds JetStream remembers message ids to drop re-published duplicates. Default 120000. */
  duplicateWindow?: number;
}

/** The options of bridge(): written out (zod is bundled, so the public types must not name it). */
export interface BridgeOptions {
  name: string;
  /** 'to': the local pipe's messages go to JetStream; 'from': JetStream's go into the local pipe. */
  direction: 'to' | 'from';
  /** `nats://host:port`, `tls://host:port` or `host:port`; several for a cluster. */
  servers: string | string[];
  stream?: BridgeStreamOptions;
  /** How the local pipe is opened (when the bridge creates it). */
  pipe?: { capacity?: number; backend?: 'auto' | 'shm' | 'driver'; owner?: number | string; permissions?: number };
  user?: string;
  pass?: string;
  token?: string;
  /** A NATS .creds file (user JWT and NKey seed). */
  credsFile?: string;
  /** Stops the bridge when aborted, as stop() does. */
  signal?: AbortSignal;
  /** to: publishes in flight at most, each awaiting JetStream's acknowledgement (1 to 4096). Default 256. */
  window?: number;
  /** from: messages committed to the pipe together at most (and at most half the pipe's capacity), and the consumer's max ack pending when this bridge creates it (1 to 4096). Default 256. */
  batch?: number;
  /** Publish the bridge's state, lag and counts in a status file that `ringpipe ls` (listBridges) shows. Default true. */
  statusFile?: boolean;
}

// The interface and the schema describe the same options: a compile error here when they drift.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameOptions: Same<BridgeOptions, z.input<typeof optionsSchema>> = true;
void sameOptions;
/** The options with their defaults filled in. */
export type ResolvedBridgeOptions = Omit<BridgeOptions, 'servers' | 'stream' | 'pipe' | 'statusFile' | 'window' | 'batch'> & {
  window: number;
  batch: number;
  servers: string[];
  stream: Required<BridgeStreamOptions>;
  pipe: NonNullable<BridgeOptions['pipe']>;
  statusFile: boolean;
};
const sameResolved: Same<ResolvedBridgeOptions, Omit<z.output<typeof optionsSchema>, 'servers'> & { servers: string[] }> = true;
void sameResolved;

export function resolveBridgeOptions(options: unknown): ResolvedBridgeOptions {
  const result = optionsSchema.safeParse(options ?? {});
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue?.path.length ? issue.path.join('.') : issue && 'keys' in issue ? String(issue.keys) : '(options)';
    throw badOption(`invalid option "${field}": ${issue?.message ?? 'invalid'}`);
  }
  const servers = typeof result.data.servers === 'string' ? [result.data.servers] : result.data.servers;
  return { ...result.data, servers };
}
