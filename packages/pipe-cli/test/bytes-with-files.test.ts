// Byte mode with files on stdin and stdout: the CLI reads and writes them with plain system calls.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { closeSync, existsSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { killChildren, sleep, startChild, tempDir, uniqueName } from '../../../tests/support/index.js';
import { CLI, readerAttached, ringpipe } from './helpers/run.js';

afterEach(killChildren);

/** Runs `ringpipe ARGS` with a file as stdin or stdout; resolves with its exit code and stderr. */
async function withFiles(args: string[], files: { stdin?: string; stdout?: string }): Promise<{ code: number; stderr: string }> {
  const stdin = files.stdin ? openSync(files.stdin, 'r') : 'ignore';
  const stdout = files.stdout ? openSync(files.stdout, 'w') : 'ignore';
  const child = startChild(process.execPath, [CLI, ...args], { stdio: [stdin, stdout, 'pipe'] });
  for (const fd of [stdin, stdout]) if (typeof fd === 'number') closeSync(fd);
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const [code] = await once(child, 'close');
  return { code: code as number, stderr };
}

describe('ringpipe --bytes with files', () => {
  for (const [label, size] of [
    ['many times the ring, not a multiple of its records', 3_000_017],
    ['one byte', 1],
    ['nothing', 0],
  ] as const) {
    it(`carries a file to a file unchanged: ${label}`, async () => {
      const dir = tempDir('files');
      const input = join(dir, 'in');
      const output = join(dir, 'out');
      const data = randomBytes(size);
      writeFileSync(input, data);
      const name = uniqueName('FILES');
      const reader = withFiles(['read', name, '--bytes', '--capacity', '65536'], { stdout: output });
      await readerAttached(name);
      expect(await withFiles(['write', name, '--bytes'], { stdin: input })).toEqual({ code: 0, stderr: '' });
      expect(await reader).toEqual({ code: 0, stderr: '' });
      expect(readFileSync(output).equals(data)).toBe(true);
    });
  }

  it('a file into a reader whose stdout is a pipe, and a pipe into a reader whose stdout is a file', async () => {
    const dir = tempDir('files');
    const input = join(dir, 'in');
    const output = join(dir, 'out');
    const data = randomBytes(1_000_003);
    writeFileSync(input, data);

    const first = uniqueName('FILE2PIPE');
    const piped = ringpipe(['read', first, '--bytes', '--capacity', '16384']);
    await readerAttached(first);
    expect((await withFiles(['write', first, '--bytes'], { stdin: input })).code).toBe(0);
    const got = await piped.done;
    expect(got.code).toBe(0);
    expect(got.stdout.equals(data)).toBe(true);

    const second = uniqueName('PIPE2FILE');
    const reader = withFiles(['read', second, '--bytes', '--capacity', '16384'], { stdout: output });
    await readerAttached(second);
    expect((await ringpipe(['write', second, '--bytes'], data).done).code).toBe(0);
    expect((await reader).code).toBe(0);
    expect(readFileSync(output).equals(data)).toBe(true);
  });

  it.skipIf(!existsSync('/dev/full'))('a write to stdout that fails ends the reader with the error', async () => {
    const name = uniqueName('FULL');
    const reader = withFiles(['read', name, '--bytes'], { stdout: '/dev/full' });
    await readerAttached(name);
    expect((await ringpipe(['write', name, '--bytes'], Buffer.alloc(1000, 1)).done).code).toBe(0);
    const { code, stderr } = await reader;
    expect(code).toBe(1);
    expect(stderr).toMatch(/^ringpipe: ENOSPC/);
  });

  it('--count still counts chunks when stdout is a file', async () => {
    const dir = tempDir('files');
    const output = join(dir, 'out');
    const name = uniqueName('COUNT');
    const reader = withFiles(['read', name, '--bytes', '--count', '2'], { stdout: output });
    await readerAttached(name);
    const writer = ringpipe(['write', name, '--bytes']);
    writer.child.stdin!.write('one');
    while (readFileSync(output).length < 3) await sleep(10);
    writer.child.stdin!.end('two');
    expect((await reader).code).toBe(0);
    expect((await writer.done).code).toBe(0);
    expect(readFileSync(output).toString()).toBe('onetwo');
  });
});
