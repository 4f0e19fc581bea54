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
    /** Keep reading after every writer has left, instead of ending. */
    follow: z.boolean().default(false),
    /**
     * Who must own an existing pipe for this handle to join it: a uid or a user name. Default:
     * the caller's own uid (root-owned pipes are trusted too). A pipe of anyone else is refused.
     */
    owner: z.union([z.number().int().min(0).max(0xfffffffe), z.string().regex(/^[A-Za-z0-9._][A-Za-z0-9._-]*\$?$/)]).optional(),
  })
  .strict();

export type PipeOptions = z.input<typeof optionsSchema>;
export type ResolvedOptions = Omit<z.output<typeof optionsSchema>, 'owner'> & {
  /** The uid an existing pipe must belong to (besides root); undefined: the caller's own. */
  owner: number | undefined;
};

export function resolveOptions(options: unknown): ResolvedOptions {
  const result = optionsSchema.safeParse(options ?? {});
  if (result.success) {
    return { ...result.data, capacity: nextPowerOfTwo(result.data.capacity), owner: ownerUid(result.data.owner) };
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
