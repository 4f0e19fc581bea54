// Readers killed with SIGKILL at random moments, one after another on one pipe: what they may lose,
// and that nothing is ever delivered twice.
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { killChildren, sleep, uniqueName } from '../../../tests/support/index.js';
import { createPipe } from '../src/index.js';
import { startPeer, type Peer } from './helpers/processes.js';

afterEach(killChildren);

/** The chunks a `log` peer wrote to its file, each framed by its u32 length. */
function loggedChunks(file: string): Buffer[] {
  let data: Buffer;
  try {
    data = readFileSync(file);
  } catch {
    return [];
  }
  const chunks: Buffer[] = [];
  for (let at = 0; at + 4 <= data.length; ) {
    const len = data.readUInt32LE(at);
    if (at + 4 + len > data.length) break;
    chunks.push(data.subarray(at + 4, at + 4 + len));
    at += 4 + len;
  }
  return chunks;
}

/**
 * Readers come one after another; all but the last are SIGKILLed after a random while.
 * The writer, which would go on for much longer, is killed after the last trial, which
 * ends the last reader. Returns the chunks each reader logged, in order, and the kills.
 */
async function killReaders(name: string, mode: 'message' | 'byte', writer: () => Peer, trials: number): Promise<{ chunks: Buffer[][]; kills: number }> {
  // Neither reader nor writer: it keeps the pipe (16 KiB, so the writer waits for the readers) alive between readers.
  const keeper = createPipe(name, { mode, capacity: 16384 });
  const files: string[] = [];
  const fileFor = (i: number) => join(tmpdir(), `${name}-${i}.log`);
  let kills = 0;
  let reader = startPeer(['log', name, fileFor(0)]);
  files.push(fileFor(0));
  await reader.ready;
  const sender = writer();
  await sender.ready;
  for (let i = 1; i <= trials; i++) {
    await sleep(10 + Math.random() * 40);
    // The next reader attaches before the victim dies, so the pipe outlives it.
    const next = startPeer(['log', name, fileFor(i)]);
    files.push(fileFor(i));
    await next.ready;
    reader.child.kill('SIGKILL');
    await reader.done;
    kills++;
    reader = next;
  }
  expect(sender.child.exitCode, 'the writer ran out of data before the trials ended').toBeNull();
  sender.child.kill('SIGKILL');
  const [, last] = await Promise.all([sender.done, reader.done]);
  expect(last.code, last.stderr).toBe(0);
  keeper.destroy();
  const chunks = files.map(loggedChunks);
  for (const file of files) rmSync(file, { force: true });
  return { chunks, kills };
}

describe('readers killed mid-stream', () => {
  it('message mode: no message twice, each kill loses at most the two it had taken', async () => {
    const name = uniqueName('RKILL-MSG');
    const { chunks, kills } = await killReaders(name, 'message', () => startPeer(['send', name, '1', '100000000', '32']), 12);
    const seqs = chunks.flat().map((chunk) => chunk.readUInt32LE(4));
    const count = seqs.reduce((max, seq) => Math.max(max, seq), -1) + 1;
    expect(new Set(seqs).size).toBe(seqs.length);
    let outOfOrder = 0;
    for (const reader of chunks) {
      for (let i = 1; i < reader.length; i++) if (reader[i]!.readUInt32LE(4) <= reader[i - 1]!.readUInt32LE(4)) outOfOrder++;
    }
    expect(outOfOrder).toBe(0);
    const lost = count - seqs.length;
    expect(lost).toBeLessThanOrEqual(2 * kills);
    console.log(`message mode: ${kills} readers killed, ${lost} messages lost, 0 duplicated`);
  }, 120_000);

  it('byte mode: no byte twice, bytes stay in order, each kill loses at most the records it had taken', async () => {
    const name = uniqueName('RKILL-BYTE');
    const { chunks, kills } = await killReaders(name, 'byte', () => startPeer(['count-bytes', name, '1000000000']), 12);
    const counters = Math.max(...chunks.map((reader) => (reader.length ? reader.at(-1)!.readUInt32LE(reader.at(-1)!.length - 4) : 0))) + 1;
    // Readers overlap, so each one's bytes are in order, and together they hold every counter at most once.
    const seen = new Uint8Array(counters);
    let received = 0;
    let outOfOrder = 0;
    let twice = 0;
    for (const reader of chunks) {
      const all = Buffer.concat(reader);
      expect(all.length % 4).toBe(0);
      let previous = -1;
      for (let at = 0; at < all.length; at += 4) {
        const value = all.readUInt32LE(at);
        if (value <= previous) outOfOrder++;
        if (seen[value]) twice++;
        seen[value] = 1;
        previous = value;
        received++;
      }
    }
    expect({ outOfOrder, twice }).toEqual({ outOfOrder: 0, twice: 0 });
    let gaps = 0;
    for (let i = 0; i < counters; i++) if (!seen[i] && (i === 0 || seen[i - 1])) gaps++;
    expect(gaps).toBeLessThanOrEqual(2 * kills);
    console.log(`byte mode: ${kills} readers killed, ${counters - received} counters lost in ${gaps} gaps, 0 duplicated`);
  }, 120_000);
});
