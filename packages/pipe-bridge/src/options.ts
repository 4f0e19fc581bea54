import { z } from 'zod';
import { badOption } from './errors.js';
import { MAX_RUN } from './run-cursor.js';

/** Publishes in flight by default (`--window`): see "Across hosts" in the README for the bench behind it. */
export const DEFAULT_WINDOW = 256;
/** Messages per batch by default (`--batch`). */
export const DEFAULT_BATCH = 256;

/** A NATS server address: `nats://host:port`, `tls://host:port` or `host:port`. */
const server = z.string().refine(validServer, { message: 'expected a NATS server URL such as nats://127.0.0.1:4222' });

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

const streamSchema = z
  .object({
    /** Copies of each message in a cluster (1, 3 or 5 are the usual). */
    replicas: z.number().int().min(1).max(5).default(1),
    storage: z.enum(['file', 'memory']).default('file'),
    /** Milliseconds a message may wait in the stream; 0: no limit. */
    maxAge: z.number().int().min(0).default(0),
    /** -1: no limit. When full, the stream refuses new messages (the `to` bridge waits), it never drops old ones. */
    maxBytes: z.number().int().min(-1).default(-1),
    maxMsgs: z.number().int().min(-1).default(-1),
    /** Milliseconds JetStream remembers message ids to drop re-published duplicates. */
    duplicateWindow: z.number().int().min(100).default(120_000),
  })
  .strict();

const pipeSchema = z
  .object({
    capacity: z.number().int().positive().optional(),
    backend: z.enum(['auto', 'shm', 'driver']).optional(),
    owner: z.union([z.number().int().min(0), z.string()]).optional(),
    permissions: z.number().int().min(0).max(0o777).optional(),
  })
  .strict();

const optionsSchema = z
  .object({
    name: z.string(),
    /** 'to': the local pipe's messages go to JetStream; 'from': JetStream's go into the local pipe. */
    direction: z.enum(['to', 'from']),
    servers: z.union([server, z.array(server).min(1)]),
    stream: streamSchema.default(streamSchema.parse({})),
    /** How the local pipe is opened (when the bridge creates it). */
    pipe: pipeSchema.default({}),
    user: z.string().optional(),
    pass: z.string().optional(),
    token: z.string().optional(),
    /** A NATS .creds file (user JWT and NKey seed). */
    credsFile: z.string().optional(),
    signal: z.instanceof(AbortSignal).optional(),
    /** to: publishes in flight at most (each awaiting JetStream's acknowledgement). */
    window: z.number().int().min(1).max(MAX_RUN).default(DEFAULT_WINDOW),
    /** from: messages fetched and committed to the ring together at most (also the consumer's max ack pending, when this bridge creates it). */
    batch: z.number().int().min(1).max(MAX_RUN).default(DEFAULT_BATCH),
    /** Publish the bridge's state, lag and counts in a status file that `ringpipe ls` (listBridges) shows. */
    statusFile: z.boolean().default(true),
  })
  .strict()
  .refine((o) => o.stream.maxAge === 0 || o.stream.duplicateWindow <= o.stream.maxAge, {
    message: 'stream.duplicateWindow must not exceed stream.maxAge',
    path: ['stream', 'duplicateWindow'],
  });

export type BridgeOptions = z.input<typeof optionsSchema>;
export type ResolvedBridgeOptions = z.output<typeof optionsSchema> & { servers: string[] };

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
