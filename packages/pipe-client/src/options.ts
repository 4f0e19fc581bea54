import { z } from 'zod';
import { ErrorCode, RingPipeError } from './errors.js';
import { lookupUser } from './users.js';

export const MIN_CAPACITY = 4096;
export const MAX_CAPACITY = 2 ** 30;
export const DEFAULT_CAPACITY = 2 ** 20;

const optionsSchema = z
  .object({
    /** 'message' keeps write boundaries; 'byte' is a byte stream. Default: the existing pipe's mode, else 'message'. */
    mode: z.enum(['message', 'byte']).optional(),
    /** Ring size in bytes, rounded up to a power of two. Only the first opener's value counts. */
    capacity: z.number().int().min(MIN_CAPACITY).max(MAX_CAPACITY).default(DEFAULT_CAPACITY),
    /** Where the ring lives: 'shm' (shared memory), 'driver' (the kernel driver), or 'auto'. */
    backend: z.enum(['auto', 'shm', 'driver']).default('auto'),
    /** Which sides of the Duplex this handle uses. */
    access: z.enum(['read', 'write', 'readwrite']).default('readwrite'),
    /** Permission bits of a pipe this handle creates (like a file's mode). */
    permissions: z.number().int().min(0).max(0o777).default(0o600),
    /**
     * The low-latency mode: microseconds a waiting handle spins on the ring (blocking its
     * event loop) before it polls and sleeps; trades a core for latency. 0 (default): off.
     */
    spin: z.number().int().min(0).max(10_000).default(0),
    /** Keep reading after every writer has left, instead of ending. */
    follow: z.boolean().default(false),
    /**
     * Who must own an existing pipe for this handle to join it: a uid or a user name (on
     * Windows: a SID string, S-1-5-21-...). Default: the caller itself (root-owned pipes, on
     * Windows SYSTEM-owned ones, are trusted too). A pipe of anyone else is refused.
     */
    owner: z.union([z.number().int().min(0).max(0xfffffffe), z.string().regex(/^[A-Za-z0-9._][A-Za-z0-9._-]*\$?$/)]).optional(),
  })
  .strict();

export type PipeOptions = z.input<typeof optionsSchema>;
export type ResolvedOptions = Omit<z.output<typeof optionsSchema>, 'owner'> & {
  /** The uid an existing pipe must belong to (besides root); undefined: the caller's own. */
  owner: number | undefined;
  /** Windows: the SID an existing pipe's objects must belong to (besides SYSTEM); undefined: the caller's own. */
  ownerSid: string | undefined;
};

const SID = /^S-1-\d+(-\d+)+$/;

export function resolveOptions(options: unknown): ResolvedOptions {
  const result = optionsSchema.safeParse(options ?? {});
  if (result.success) {
    const { owner, ...rest } = result.data;
    if (process.platform === 'win32') return { ...rest, capacity: nextPowerOfTwo(rest.capacity), owner: undefined, ownerSid: ownerSid(owner) };
    return { ...rest, capacity: nextPowerOfTwo(rest.capacity), owner: ownerUid(owner), ownerSid: undefined };
  }
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
