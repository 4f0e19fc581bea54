// Every program in the docs runs, and prints what the docs say it prints.
// - A ```js / ```mjs / ```cjs block runs alone with node (in a private /dev/shm), unless its
//   first line names a file (`// reader.mjs`): then a `doctest: run` on its page runs it with the others.
// - A `console.log(...); // text` line says what it prints: those lines must come out, in order.
// - A ```ts block is type-checked (tsc --strict, nodenext).
// - `<!-- doctest: run -->` before a ```sh block runs it (bash; `ringpipe` on PATH); with a script
//   inside the comment, runs that script. `<!-- doctest: output -->` before a block: the last run
//   printed exactly that (`output (any order)`: the same lines in some order).
// - `<!-- doctest: skip: why -->` leaves a block out; `<!-- doctest: nats -->` runs it with a
//   nats-server (JetStream) at $NATS_URL.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { docPages, isProgram, parsePage, ROOT, where, type Block, type InlineRun } from './markdown.js';
import { runScript, type RunResult } from './run-in-private-shm.js';

const WORK = join(ROOT, '.docs-test');
const PATH = `${join(ROOT, 'node_modules/.bin')}:${process.env.PATH}`;
const servers: ChildProcess[] = [];
afterAll(() => {
  for (const server of servers) server.kill('SIGKILL');
});

/** What `console.log(...); // text` lines say the block prints, in order. */
export function expectedLines(code: string): string[] {
  const out: string[] = [];
  for (const line of code.split('\n')) {
    const m = /^\s*console\.log\(.*\);?\s+\/\/ (.+?)\s*$/.exec(line);
    if (m) out.push(m[1]!);
  }
  return out;
}

/** Whether `wanted` come out as whole lines of `stdout`, in that order (other lines may come between). */
export function inOrder(stdout: string, wanted: string[]): string | undefined {
  const lines = stdout.split('\n').map((l) => l.trim());
  let at = 0;
  for (const want of wanted) {
    const found = lines.indexOf(want, at);
    if (found < 0) return `expected a line ${JSON.stringify(want)} (after line ${at}) in:\n${stdout}`;
    at = found + 1;
  }
  return undefined;
}

async function natsServer(): Promise<string> {
  const port = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
  const store = mkdtempSync(join(tmpdir(), 'docs-nats-'));
  const server = spawn('nats-server', ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', store], { stdio: 'ignore' });
  servers.push(server);
  // Ready once it accepts a connection.
  for (let i = 0; i < 100; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (up) return `nats://127.0.0.1:${port}`;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('nats-server did not start');
}

function describeRun(result: RunResult): string {
  return `exit ${result.code}${result.signal ? ` (${result.signal})` : ''}${result.timedOut ? ' TIMED OUT' : ''}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`;
}

const pages = docPages().map((page) => ({ page, ...parsePage(page) }));

describe('the docs run', () => {
  it('has programs to run', () => {
    const programs = pages.flatMap((p) => p.blocks.filter(isProgram));
    expect(programs.length).toBeGreaterThan(20);
  });

  for (const { page, blocks, items, needsNats } of pages) {
    const runnable = items.some((item) => !('lang' in item) || isProgram(item) || item.directive?.startsWith('run') || item.directive?.startsWith('output'));
    if (!runnable) continue;
    it(page, { timeout: 240_000 }, async () => {
      const dir = join(WORK, page.replace(/[/.]/g, '_'));
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      for (const block of blocks) if (block.file && isProgram(block)) writeFileSync(join(dir, block.file), `${block.code}\n`);
      const env: Record<string, string> = { PATH, REPO: ROOT, ...(needsNats ? { NATS_URL: await natsServer() } : {}) };
      let last: RunResult | undefined;
      const scripts: string[] = [];
      for (const item of items) {
        if (!('lang' in item)) {
          scripts.push(item.script);
          last = await runScript(item.script, { cwd: dir, env, timeoutMs: 60_000 });
          expect(last.code, `${where(item)}: the run\n${describeRun(last)}`).toBe(0);
          continue;
        }
        const block = item as Block;
        const directive = block.directive ?? '';
        if (directive.startsWith('skip')) continue;
        if (directive.startsWith('output')) {
          expect(last, `${where(block)}: output with no run before it`).toBeDefined();
          const shown = block.code.trim().split('\n').map((l) => l.trimEnd());
          const got = last!.stdout.trim().split('\n').map((l) => l.trimEnd());
          if (directive.includes('any order')) expect(got.sort(), `${where(block)}`).toEqual(shown.sort());
          else expect(got, `${where(block)}`).toEqual(shown);
          continue;
        }
        if (block.lang === 'sh' && directive.startsWith('run')) {
          scripts.push(block.code);
          last = await runScript(`set -e\n${block.code}`, { cwd: dir, env, timeoutMs: 60_000 });
          expect(last.code, `${where(block)}: the shell block\n${describeRun(last)}`).toBe(0);
          continue;
        }
        if (!isProgram(block) || block.file) continue;
        if (block.lang === 'ts') {
          const file = `block-${block.line}.ts`;
          writeFileSync(join(dir, file), `${block.code}\n`);
          const tsc = `tsc --noEmit --strict --target es2022 --module nodenext --moduleResolution nodenext --types node --skipLibCheck ${file}`;
          last = await runScript(tsc, { cwd: dir, env: env, timeoutMs: 120_000 });
          expect(last.code, `${where(block)}: tsc\n${describeRun(last)}`).toBe(0);
          continue;
        }
        const file = `block-${block.line}.${/\brequire\(/.test(block.code) ? 'cjs' : 'mjs'}`;
        writeFileSync(join(dir, file), `${block.code}\n`);
        last = await runScript(`node ${file}`, { cwd: dir, env: env, timeoutMs: 30_000 });
        expect(last.code, `${where(block)}: the program\n${describeRun(last)}`).toBe(0);
        expect(last.stderr, `${where(block)}: stderr`).toBe('');
        const mismatch = inOrder(last.stdout, expectedLines(block.code));
        expect(mismatch, `${where(block)}: what its comments say it prints`).toBeUndefined();
      }
      // A block that is a named file must be run by some script of its page.
      for (const block of blocks) {
        if (!block.file || !isProgram(block) || block.directive?.startsWith('skip')) continue;
        expect(scripts.some((s) => s.includes(block.file!)), `${where(block)}: ${block.file} is run by no doctest on ${page}`).toBe(true);
      }
    });
  }
});
