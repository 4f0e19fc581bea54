// The exit codes of each command: 0 done, 1 failed, 2 bad input.
import { afterEach, describe, expect, it } from 'vitest';
import { killChildren } from '../../../tests/support/index.js';
import { ringpipe } from './helpers/run.js';

afterEach(killChildren);

describe('exit codes', () => {
  it.each([
    ['a bad name', ['write', 'no/slash', 'x'], 2, /may only use/],
    ['a missing argument', ['read'], 2, /missing required argument/],
    ['an unknown command', ['frobnicate'], 2, /unknown command/],
    ['a bad option value', ['read', 'X', '--count', 'many'], 2, /positive integer/],
    ['an unknown backend', ['read', 'X', '--backend', 'tcp'], 2, /--backend: expected auto, shm or driver/],
    ['a message too big', ['write', 'TOOBIG', '--capacity', '4096', 'x'.repeat(5000)], 2, /larger than pipe TOOBIG can hold/],
    ['stat of a pipe nobody has open', ['stat', 'NOBODY-HAS-THIS'], 1, /no pipe named NOBODY-HAS-THIS/],
    ['the missing driver', ['read', 'X', '--backend', 'driver'], 1, /driver/],
  ])('%s', async (_what, args, code, message) => {
    const run = await ringpipe(args).done;
    expect(run.code).toBe(code);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toMatch(/^ringpipe: /);
    expect(run.stdout.length).toBe(0);
  });
});
