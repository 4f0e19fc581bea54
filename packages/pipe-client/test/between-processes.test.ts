// Messages between real processes: a million in order, large ones, several writers and readers, a
// writer killed mid-stream; nothing lost, torn, duplicated or reordered per writer.
import { afterEach, describe, expect, it } from 'vitest';
import { killChildren, sleep, uniqueName } from '../../../tests/support/index.js';
import { startPeer } from './helpers/processes.js';

afterEach(killChildren);

describe('between real processes', () => {
  it('carries 10^6 messages intact and in order', async () => {
    const name = uniqueName('MILLION');
    const reader = startPeer(['recv', name]);
    await reader.ready;
    const writer = startPeer(['send', name, '1', '1000000', '64']);
    const [sent, received] = await Promise.all([writer.done, reader.done]);
    expect(sent.code).toBe(0);
    expect(received.code).toBe(0);
    expect(received.result).toMatchObject({ counts: { 1: 1_000_000 }, lastSeq: { 1: 999_999 }, torn: 0, outOfOrder: 0, bytes: 64_000_000 });
    expect(received.result.checksums['1']).toBe(sent.result.checksum);
  });

  it('carries 64 KiB messages through a 256 KiB ring', async () => {
    const name = uniqueName('LARGE');
    const reader = startPeer(['recv', name, String(256 * 1024)]);
    await reader.ready;
    const writer = startPeer(['send', name, '2', '3000', String(64 * 1024)]);
    const [sent, received] = await Promise.all([writer.done, reader.done]);
    expect(received.result).toMatchObject({ counts: { 2: 3000 }, torn: 0, outOfOrder: 0 });
    expect(received.result.checksums['2']).toBe(sent.result.checksum);
  });

  it('4 writers and 2 readers: no loss, no duplicates, per-writer order', async () => {
    const name = uniqueName('MANY');
    const readers = [startPeer(['recv', name, '65536']), startPeer(['recv', name, '65536'])];
    await Promise.all(readers.map((r) => r.ready));
    const perWriter = 50_000;
    const writers = [1, 2, 3, 4].map((id) => startPeer(['send', name, String(id), String(perWriter), String(16 + id * 40)]));
    const results = await Promise.all([...writers, ...readers].map((p) => p.done));
    for (const r of results) expect(r.code).toBe(0);
    const got = results.slice(4).map((r) => r.result);
    for (const r of got) {
      expect(r.torn).toBe(0);
      expect(r.outOfOrder).toBe(0);
    }
    for (const id of [1, 2, 3, 4]) {
      // Each seq of each writer reached exactly one reader: the readers' runs cover 0..n-1 once.
      const seen = new Uint8Array(perWriter);
      let twice = 0;
      for (const r of got) {
        for (const [first, last] of (r.runs[id] ?? []) as Array<[number, number]>) {
          for (let seq = first; seq <= last; seq++) {
            if (seen[seq]) twice++;
            seen[seq] = 1;
          }
        }
      }
      expect({ writer: id, twice, missing: seen.filter((n) => n === 0).length }).toEqual({ writer: id, twice: 0, missing: 0 });
    }
    expect(got.every((r) => Object.values(r.counts).reduce((a: number, b) => a + (b as number), 0) > 0)).toBe(true);
  });

  it('a writer killed mid-stream: every committed message arrives, none torn, and the pipe stays usable', async () => {
    const name = uniqueName('KILL');
    const reader = startPeer(['recv', name, '131072']);
    await reader.ready;
    const victim = startPeer(['send', name, '1', '1000000', '30000']);
    await victim.ready;
    // Both writers attached before the kill: had the victim been the only writer, its death would be EOF.
    const survivor = startPeer(['send', name, '2', '2000', '500']);
    await survivor.ready;
    await sleep(300);
    victim.child.kill('SIGKILL');
    const [killed, finished, received] = await Promise.all([victim.done, survivor.done, reader.done]);
    expect(killed.signal).toBe('SIGKILL');
    expect(finished.code).toBe(0);
    expect(received.code).toBe(0);
    const r = received.result;
    expect(r.torn).toBe(0);
    expect(r.outOfOrder).toBe(0);
    expect(r.counts['2']).toBe(2000);
    // Nothing lost before the kill: the victim's messages are 0..n-1 without a gap.
    expect(r.counts['1']).toBeGreaterThan(0);
    expect(r.lastSeq['1']).toBe(r.counts['1'] - 1);

    const again = startPeer(['recv', name]);
    await again.ready;
    const sender = startPeer(['send', name, '3', '100', '64']);
    expect((await again.done).result.counts).toEqual({ 3: 100 });
    expect((await sender.done).code).toBe(0);
  });
});
