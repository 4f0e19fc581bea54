// ringpipe at a real terminal (tmux): prompts, progress lines, totals, and the keys Ctrl-C and Ctrl-D.
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { killChildren, sleep, tempDir, until, uniqueName } from '../../../tests/support/index.js';
import { CLI, handlesAttached, readerAttached, ringpipe } from './helpers/run.js';
import { Terminal, tmuxMissing } from './helpers/tmux.js';

const terminals: Terminal[] = [];
afterEach(() => {
  killChildren();
  for (const terminal of terminals.splice(0)) terminal.close();
});

function terminal(command: string): Terminal {
  const t = new Terminal(command);
  terminals.push(t);
  return t;
}

/** The pipe's count of messages written, once at least one was. */
async function messagesInOnceSent(name: string): Promise<number> {
  let messagesIn = 0;
  const sent = async (): Promise<boolean> => (({ messagesIn } = JSON.parse((await ringpipe(['stat', name, '--json']).done).stdout.toString())), messagesIn > 0);
  await until(`a message written to ${name}`, sent, { timeoutMs: 30_000 });
  return messagesIn;
}

const ringpipeAt = (args: string) => `${process.execPath} ${CLI} ${args}`;
const PROGRESS = /sent|received|messages|MB\/s/;

beforeAll(() => {
  const missing = tmuxMissing();
  if (missing) throw new Error(missing);
});

describe('ringpipe at a terminal (tmux)', () => {
  it('write prompts for each line, sends one message per Enter and draws no progress line', async () => {
    const name = uniqueName('TYPED');
    const NAME = name.toUpperCase();
    const reader = ringpipe(['read', name, '--count', '2']);
    await readerAttached(name);
    const term = terminal(ringpipeAt(`write ${name}`));
    await term.waitFor('the prompt', (screen) => screen[0] === `${NAME}>`);

    term.type('typed one');
    await term.waitFor('a second prompt', (screen) => screen[1] === `${NAME}>`);
    expect(await messagesInOnceSent(name)).toBe(1);
    term.type('typed two');
    expect((await reader.done).stdout.toString()).toBe('typed one\ntyped two\n');

    term.key('C-d');
    const screen = await term.waitFor('the exit', (lines) => lines.includes('[exit 0]'));
    expect(screen).toEqual([`${NAME}> typed one`, `${NAME}> typed two`, `${NAME}>`, '[exit 0]']);
    expect(screen.join('\n')).not.toMatch(PROGRESS);
  });

  it('a piped message writer ends with its totals, counted in messages, on one line', async () => {
    const name = uniqueName('PIPED');
    const reader = ringpipe(['read', name, '--count', '3']);
    await readerAttached(name);
    const term = terminal(`printf 'a\\nbb\\nccc\\n' | ${ringpipeAt(`write ${name}`)}`);
    const screen = await term.waitFor('the exit', (lines) => lines.includes('[exit 0]'));
    expect(screen).toEqual([expect.stringMatching(/^sent 3 messages, 0\.0 MB, \d+\.\d MB\/s$/), '[exit 0]']);
    expect((await reader.done).stdout.toString()).toBe('a\nbb\nccc\n');
  });

  it('a long byte transfer shows a progress line in bytes on each end, redrawn in place', async () => {
    const name = uniqueName('BULK');
    const folder = tempDir('fifo');
    const fifo = join(folder, 'input');
    execFileSync('mkfifo', [fifo]);
    const reader = terminal(`${ringpipeAt(`read ${name} --bytes`)} > /dev/null`);
    await readerAttached(name);
    const writer = terminal(`${ringpipeAt(`write ${name} --bytes`)} < ${fifo}`);
    const input = createWriteStream(fifo);
    await once(input, 'open');
    await handlesAttached(name, 2);

    // The meter draws twice a second: the first 3 MB show before the rest is sent.
    input.write(Buffer.alloc(3_000_000, 7));
    await writer.waitFor('3.0 MB sent', (screen) => /^sent 3\.0 MB, /.test(screen[0]!));
    await reader.waitFor('3.0 MB received', (screen) => /^received 3\.0 MB, /.test(screen[0]!));
    input.end(Buffer.alloc(1_000_000, 7));

    for (const [term, verb] of [[writer, 'sent'], [reader, 'received']] as const) {
      const screen = await term.waitFor('the exit', (lines) => lines.includes('[exit 0]'));
      expect(screen).toEqual([expect.stringMatching(new RegExp(`^${verb} 4\\.0 MB, \\d+\\.\\d MB/s$`)), '[exit 0]']);
      // Each drawing starts by going back and erasing the line: a shorter one leaves no stale characters.
      const drawings = term.raw().split(verb).slice(1);
      expect(drawings.length).toBeGreaterThan(1);
      expect(term.raw()).not.toMatch(new RegExp(`(?<!\\r\\x1b\\[K)${verb} `));
    }
  });

  it('a byte transfer between regular files ends with its totals on each end', async () => {
    const name = uniqueName('FILES');
    const folder = tempDir('files');
    const input = join(folder, 'input');
    writeFileSync(input, Buffer.alloc(20_000_000, 7));
    const reader = terminal(`${ringpipeAt(`read ${name} --bytes`)} > ${join(folder, 'output')}`);
    await readerAttached(name);
    const writer = terminal(`${ringpipeAt(`write ${name} --bytes`)} < ${input}`);
    for (const [term, verb] of [[writer, 'sent'], [reader, 'received']] as const) {
      const screen = await term.waitFor('the exit', (lines) => lines.includes('[exit 0]'));
      expect(screen).toEqual([expect.stringMatching(new RegExp(`^${verb} 20\\.0 MB, \\d+\\.\\d MB/s$`)), '[exit 0]']);
    }
    expect(statSync(join(folder, 'output')).size).toBe(20_000_000);
  });
});

describe('keys at a terminal (tmux): Ctrl-C exits 130 on a fresh line, Ctrl-D ends, in every state', () => {
  const exited = (term: Terminal, code: number): Promise<string[]> => term.waitFor(`[exit ${code}]`, (lines) => lines.some((line) => line.includes('[exit')));

  /** A writer that keeps the pipe open and sends a line whenever the test asks. */
  function heldWriter(name: string) {
    const writer = ringpipe(['write', name]);
    return { send: (line: string) => writer.child.stdin!.write(`${line}\n`), end: () => writer.child.stdin!.end(), done: writer.done };
  }

  for (const key of ['C-c', 'C-d'] as const) {
    const code = key === 'C-c' ? 130 : 0;

    it(`read, idle prompt: ${key} exits ${code}`, async () => {
      const name = uniqueName('KEYIDLE');
      const term = terminal(ringpipeAt(`read ${name}`));
      await term.waitFor('the prompt', (screen) => screen[0]!.includes('Enter reads a message'));
      term.key(key);
      const screen = await exited(term, code);
      expect(screen.at(-1)).toBe(`[exit ${code}]`);
      expect(screen[0]).toMatch(/Enter reads a message, Ctrl-D quits$/);
    });

    it(`read, waiting after Enter: ${key} exits ${code} and the next message stays in the pipe`, async () => {
      const name = uniqueName('KEYWAIT');
      const writer = heldWriter(name);
      await readerAttached(name);
      const term = terminal(ringpipeAt(`read ${name}`));
      await handlesAttached(name, 2);
      await term.waitFor('the prompt', (screen) => screen[0]!.includes('Enter reads a message'));
      term.type('');
      await sleep(300); // Enter is waiting for a message
      term.key(key);
      const screen = await exited(term, code);
      expect(screen.at(-1)).toBe(`[exit ${code}]`);
      writer.send('still here');
      const next = ringpipe(['read', name, '--count', '1']);
      expect((await next.done).stdout.toString()).toBe('still here\n');
      writer.end();
    });

    it(`read --no-prompt: ${key} exits ${code}`, async () => {
      const name = uniqueName('KEYFLOW');
      const writer = heldWriter(name);
      await readerAttached(name);
      writer.send('shown');
      const term = terminal(ringpipeAt(`read ${name} --no-prompt`));
      await term.waitFor('the message', (screen) => screen[0] === 'shown');
      term.key(key);
      const screen = await exited(term, code);
      // The terminal echoes the key (^C, or nothing for ^D); the exit status shows on a line of its own.
      expect(screen[0]).toBe('shown');
      expect(screen.at(-1)).toBe(`[exit ${code}]`);
      writer.end();
    });

    it(`write, idle prompt and mid-line: ${key} exits ${code}`, async () => {
      for (const typed of ['', 'half a li']) {
        const name = uniqueName('KEYWRITE');
        const reader = ringpipe(['read', name, '--follow']);
        await readerAttached(name);
        const NAME = name.toUpperCase();
        const term = terminal(ringpipeAt(`write ${name}`));
        await term.waitFor('the prompt', (screen) => screen[0] === `${NAME}>`);
        if (typed) {
          term.type(typed, false);
          await term.waitFor('the typing', (screen) => screen[0] === `${NAME}> ${typed}`);
        }
        term.key(key);
        const screen = await exited(term, code);
        expect(screen).toEqual([typed ? `${NAME}> ${typed}` : `${NAME}>`, `[exit ${code}]`]);
        // Ctrl-D sends the line typed so far; Ctrl-C sends nothing.
        await sleep(200);
        expect(reader.stdoutSoFar()).toBe(key === 'C-d' && typed ? `${typed}\n` : '');
        reader.child.kill('SIGTERM');
      }
    });
  }
});

