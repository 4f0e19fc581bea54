// The CLI module runs nothing when imported: createCli builds the commands, run() runs them.
import { afterEach, describe, expect, it } from 'vitest';
import { killChildren } from '../../../tests/support/index.js';

afterEach(killChildren);

describe('the CLI module runs nothing when imported', () => {
  it('no parsing, no signal handlers; createCli builds the commands and run() runs them', async () => {
    const before = { sigint: process.listenerCount('SIGINT'), sigterm: process.listenerCount('SIGTERM'), exitCode: process.exitCode };
    const { createCli } = await import('../src/cli.js');
    expect(process.listenerCount('SIGINT')).toBe(before.sigint);
    expect(process.listenerCount('SIGTERM')).toBe(before.sigterm);
    expect(process.exitCode).toBe(before.exitCode);
    const program = createCli({ signal: new AbortController().signal, stopOnSignal: () => {}, json: false });
    expect(program.commands.map((c) => c.name())).toEqual(expect.arrayContaining(['write', 'read', 'bridge', 'ls', 'stat']));
  });
});
