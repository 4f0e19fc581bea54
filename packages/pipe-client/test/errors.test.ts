import { existsSync } from 'node:fs';
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

describe('options', () => {
  it.each([
    ['mode', { mode: 'stream' }],
    ['capacity', { capacity: 100 }],
    ['capacity', { capacity: 2 ** 31 }],
    ['capacity', { capacity: 4096.5 }],
    ['backend', { backend: 'tcp' }],
    ['access', { access: 'append' }],
    ['permissions', { permissions: 0o1777 }],
    ['follow', { follow: 'yes' }],
    ['colour', { colour: 'red' }],
  ])('name the bad field %s', (field, options) => {
    try {
      createPipe('OPTS', options as never);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(RingPipeError);
      expect((err as RingPipeError).code).toBe(ErrorCode.BadOption);
      expect((err as Error).message).toContain(`"${field}"`);
    }
  });

  it.skipIf(existsSync('/dev/ringpipe'))('reports the driver backend as unavailable when /dev/ringpipe is missing', () => {
    try {
      createPipe('DRV', { backend: 'driver' });
      expect.unreachable();
    } catch (err) {
      expect((err as RingPipeError).code).toBe(ErrorCode.BackendUnavailable);
      expect((err as Error).message).toMatch(/\/dev\/ringpipe does not exist/);
      expect((err as Error).message).toMatch(/ringpipe\.ko/);
    }
  });
});
