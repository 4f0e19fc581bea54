import { BAD_INPUT_CODES } from '@ringpipe/client';

export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
/** `write`: its readers left before it could write everything (128 + SIGPIPE, what a FIFO's writer dies with). */
export const EXIT_NO_READERS = 141;

/** 2 for usage errors and bad input, 1 for everything that went wrong at run time. */
export function exitCodeFor(err: unknown): number {
  if (err instanceof UsageError) return EXIT_USAGE;
  const code = err instanceof Error ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' && BAD_INPUT_CODES.has(code) ? EXIT_USAGE : EXIT_FAILURE;
}

/** A command line that parses but asks for something impossible (e.g. bridge with neither --to nor --from). */
export class UsageError extends Error {}
