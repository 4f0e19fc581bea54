// Pipe names: case-insensitive, canonical in upper case, 1 to 64 characters of [A-Za-z0-9._-];
// anything else is ERR_RINGPIPE_BAD_NAME.
import { describe, expect, it } from 'vitest';
import { createPipe, ErrorCode, RingPipeError, canonicalName } from '../src/index.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(RingPipeError);
    return (err as RingPipeError).code;
  }
  return undefined;
}

describe('names', () => {
  it('are case-insensitive, canonical in upper case', () => {
    expect(canonicalName('hello')).toBe('HELLO');
    expect(canonicalName('My.Pipe_1-x')).toBe('MY.PIPE_1-X');
  });

  it.each([
    ['empty', ''],
    ['too long', 'x'.repeat(65)],
    ['slash', 'a/b'],
    ['backslash', 'a\\b'],
    ['NUL', 'a\0b'],
    ['space', 'a b'],
    ['dot', '.'],
    ['dot dot', '..'],
    ['non-ASCII', 'héllo'],
  ])('rejects %s', (_why, name) => {
    expect(codeOf(() => createPipe(name))).toBe(ErrorCode.BadName);
  });

  it('accepts 64 characters', () => {
    expect(canonicalName('a'.repeat(64))).toBe('A'.repeat(64));
  });

  it('rejects a name that is not a string', () => {
    expect(codeOf(() => createPipe(42 as unknown as string))).toBe(ErrorCode.BadName);
  });
});
