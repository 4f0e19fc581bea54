import * as z from 'zod/mini';
import { en } from 'zod/v4/locales';
import { ErrorCode, RingPipeError } from './errors.js';
import { lookupUser } from './users.js';

// zod/mini, bundled into dist (see tsup.config.ts): zod's checks for a fraction of the
// start-up its full API costs (about 80 ms of every process that imports the client).
z.config(en());

export const MIN_CAPACITY = 4096;
export const MAX_CAPACITY = 2 ** 30;
export const DEFAULT_CAPACITY = 2 ** 20;

export interface PipeOptions {
  /** 'message' keeps write boundaries; 'byte' is a byte stream. Default: the existing pipe's mode, else 'message'. */
  mode?: 'message' | 'byte';
  /** Ring size in bytes, rounded up to a power of two. Only the first opener's value counts. Default 1 MiB. */
  capacity?: number;
  /** Where the ring lives: 'shm' (shared memory), 'driver' (the kernel driver), or 'auto' (default). */
  backend?: 'auto' | 'shm' | 'driver';
  /** Which sides of the Duplex this handle uses. Default 'readwrite'. */
  access?: 'read' | 'write' | 'readwrite';
  /** Permission bits of a pipe this handle creates (like a file's mode). Default 0o600. */
  permissions?: number;
  /**
   * The low-latency mode: microseconds a waiting handle spins on the ring (blocking its
   * event loop) before it polls and sleeps; trades a core for latency. 0 (default): off.
   */
  spin?: number;
  /** Keep reading after every writer has left, instead of ending. Default false. */
  follow?: boolean;
  /**
   * Who must own an existing pipe for this handle to join it: a uid or a user name (on
   * Windows: a SID string, S-1-5-21-...). Default: the caller itself (root-owned pipes, on
   * Windows SYSTEM-owned ones, are trusted too). A pipe of anyone else is refused.
   */
  owner?: number | string;
  /**
   * What a write does when the ring is full and no reader is attached: 'wait' (default) for a
   * reader to come; 'fail' with ERR_RINGPIPE_NO_READERS; 'wait-first' waits until a reader has
   * come (since this handle opened) and fails once every reader has left, as a FIFO's writer.
   */
  noReaders?: 'wait' | 'fail' | 'wait-first';
  /** Aborting it destroys the pipe with an AbortError, as it does a Node stream's. */
  signal?: AbortSignal;
  /**
   * Milliseconds a pipe this handle creates may stay kept (unread messages, no handle) before
   * it is removed with them. Only the creator's value counts. Default: no limit.
   */
  ttl?: number;
}

/** Options of `removePipe`: which backend, and whose pipe (as in createPipe). */
export type RemoveOptions = Pick<PipeOptions, 'backend' | 'owner'>;

const integer = (min: number, max: number) => z.number().check(z.int(), z.minimum(min), z.maximum(max));

function abortSignal() {
  return z.custom<AbortSignal>((value) => value instanceof AbortSignal, { message: 'expected an AbortSignal' });
}

/** The options of one promise-returning read or write. */
export interface CallOptions {
  /** Aborting it rejects the call with an AbortError; an aborted call takes nothing from the ring. */
  signal?: AbortSignal;
}

const callOptionsSchema = z.strictObject({ signal: z.optional(abortSignal()) });

/** What a call without options resolves to: the per-message paths call this for every message. */
const NO_CALL_OPTIONS: CallOptions = Object.freeze({});

/** Checks the options of one call; throws ERR_RINGPIPE_BAD_OPTION. */
export function resolveCallOptions(options: unknown): CallOptions {
  if (options === undefined || options === null) return NO_CALL_OPTIONS;
  return parsed(callOptionsSchema.safeParse(options));
}

const optionsSchema = z.strictObject({
  mode: z.optional(z.enum(['message', 'byte'])),
  capacity: z._default(integer(MIN_CAPACITY, MAX_CAPACITY), DEFAULT_CAPACITY),
  backend: z._default(z.enum(['auto', 'shm', 'driver']), 'auto'),
  access: z._default(z.enum(['read', 'write', 'readwrite']), 'readwrite'),
  permissions: z._default(integer(0, 0o777), 0o600),
  spin: z._default(integer(0, 10_000), 0),
  follow: z._default(z.boolean(), false),
  owner: z.optional(z.union([integer(0, 0xfffffffe), z.string().check(z.regex(/^[A-Za-z0-9._][A-Za-z0-9._-]*\$?$/))])),
  noReaders: z._default(z.enum(['wait', 'fail', 'wait-first']), 'wait'),
  signal: z.optional(abortSignal()),
  ttl: z.optional(integer(1, Number.MAX_SAFE_INTEGER)),
});

const removeSchema = z.pick(optionsSchema, { backend: true, owner: true });

// The schema takes exactly what PipeOptions declares (a compile-time check).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const schemaMatchesPipeOptions: Same<z.input<typeof optionsSchema>, PipeOptions> = true;
void schemaMatchesPipeOptions;

export type ResolvedOptions = Omit<z.output<typeof optionsSchema>, 'owner'> & {
  /** The uid an existing pipe must belong to (besides root); undefined: the caller's own. */
  owner: number | undefined;
  /** Windows: the SID an existing pipe's objects must belong to (besides SYSTEM); undefined: the caller's own. */
  ownerSid: string | undefined;
};

const SID = /^S-1-\d+(-\d+)+$/;

export function resolveOptions(options: unknown): ResolvedOptions {
  const { owner, ...rest } = parsed(optionsSchema.safeParse(options ?? {}));
  if (process.platform === 'win32') return { ...rest, capacity: nextPowerOfTwo(rest.capacity), owner: undefined, ownerSid: ownerSid(owner) };
  return { ...rest, capacity: nextPowerOfTwo(rest.capacity), owner: ownerUid(owner), ownerSid: undefined };
}

export type ResolvedRemoveOptions = Pick<ResolvedOptions, 'backend' | 'owner' | 'ownerSid'>;

export function resolveRemoveOptions(options: unknown): ResolvedRemoveOptions {
  const { backend, owner } = parsed(removeSchema.safeParse(options ?? {}));
  if (process.platform === 'win32') return { backend, owner: undefined, ownerSid: ownerSid(owner) };
  return { backend, owner: ownerUid(owner), ownerSid: undefined };
}

function parsed<T>(result: { success: true; data: T } | { success: false; error: z.core.$ZodError }): T {
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.length ? issue.path.join('.') : issue && 'keys' in issue ? String(issue.keys) : '(options)';
  throw new RingPipeError(ErrorCode.BadOption, `invalid option "${field}": ${issue?.message ?? 'invalid'}`);
}

function nextPowerOfTwo(n: number): number {
  return 2 ** Math.ceil(Math.log2(n));
}

function ownerUid(owner: number | string | undefined): number | undefined {
  if (owner === undefined || typeof owner === 'number') return owner;
  const uid = lookupUser(owner);
  if (uid === undefined) throw new RingPipeError(ErrorCode.BadOption, `invalid option "owner": no user named ${owner}`);
  return uid;
}

function ownerSid(owner: number | string | undefined): string | undefined {
  if (owner === undefined) return undefined;
  if (typeof owner === 'string' && SID.test(owner)) return owner;
  throw new RingPipeError(ErrorCode.BadOption, `invalid option "owner": on Windows, a SID string such as S-1-5-21-...-1001 (got ${String(owner)})`);
}
