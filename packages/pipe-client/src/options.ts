import { z } from 'zod';
import { ErrorCode, RingPipeError } from './errors.js';

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
  })
  .strict();

export type PipeOptions = z.input<typeof optionsSchema>;
export type ResolvedOptions = z.output<typeof optionsSchema>;

export function resolveOptions(options: unknown): ResolvedOptions {
  const result = optionsSchema.safeParse(options ?? {});
  if (result.success) {
    return { ...result.data, capacity: nextPowerOfTwo(result.data.capacity) };
  }
  const issue = result.error.issues[0];
  const field = issue?.path.length ? issue.path.join('.') : issue && 'keys' in issue ? String(issue.keys) : '(options)';
  throw new RingPipeError(ErrorCode.BadOption, `invalid option "${field}": ${issue?.message ?? 'invalid'}`);
}

function nextPowerOfTwo(n: number): number {
  return 2 ** Math.ceil(Math.log2(n));
}
