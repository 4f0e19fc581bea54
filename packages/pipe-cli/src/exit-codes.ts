import { ErrorCode, RingPipeError } from '@ringpipe/client';
import { BAD_INPUT_CODES, BridgeError } from '@ringpipe/bridge';

export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

const BAD_INPUT: ReadonlySet<string> = new Set([
  ErrorCode.BadName,
  ErrorCode.BadOption,
  ErrorCode.MessageTooBig,
  ErrorCode.ModeMismatch,
]);

/** 2 for usage errors and bad input, 1 for everything that went wrong at run time. */
export function exitCodeFor(err: unknown): number {
  if (err instanceof UsageError) return EXIT_USAGE;
  if (err instanceof BridgeError) return BAD_INPUT_CODES.has(err.code) ? EXIT_USAGE : EXIT_FAILURE;
  return err instanceof RingPipeError && BAD_INPUT.has(err.code) ? EXIT_USAGE : EXIT_FAILURE;
}

/** A command line that parses but asks for something impossible (e.g. bridge with neither --to nor --from). */
export class UsageError extends Error {}
