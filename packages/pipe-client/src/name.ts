import { ErrorCode, RingPipeError } from './errors.js';

export const NAME_MAX = 64;
const NAME_PATTERN = /^[A-Za-z0-9._-]+$/;

/**
 * Checks a pipe name and returns its canonical form (ASCII upper case), the form
 * every backend uses, so `hello` and `HELLO` are one pipe.
 */
export function canonicalName(name: unknown): string {
  if (typeof name !== 'string') {
    throw new RingPipeError(ErrorCode.BadName, `pipe name must be a string, got ${typeof name}`);
  }
  if (name.length === 0) throw new RingPipeError(ErrorCode.BadName, 'pipe name is empty');
  if (name.length > NAME_MAX) {
    throw new RingPipeError(ErrorCode.BadName, `pipe name is ${name.length} characters; at most ${NAME_MAX}`);
  }
  if (!NAME_PATTERN.test(name) || name === '.' || name === '..') {
    throw new RingPipeError(
      ErrorCode.BadName,
      `pipe name ${JSON.stringify(name)} may only use A-Z a-z 0-9 . _ - (no separators, spaces or NUL), and may not be . or ..`,
    );
  }
  return name.toUpperCase();
}

/** Whether `name` is a pipe name in its canonical form (what a directory entry must be to be listed). */
export function isCanonicalName(name: string): boolean {
  return name.length > 0 && name.length <= NAME_MAX && NAME_PATTERN.test(name) && name !== '.' && name !== '..' && name === name.toUpperCase();
}
