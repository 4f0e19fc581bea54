import { describe, expect, it } from 'vitest';
import { until, type Proc } from './helpers/hosts.js';
import { skipReason } from './helpers/nats-server.js';
import { serverAndHosts } from './helpers/server-and-hosts.js';
import { tally } from './helpers/tally.js';

const reason = skipReason();
if (reason) console.warn(`SKIPPED --from killed between its commit and its ack: ${reason}`);

const KILLS = 3;
const PER_WRITER = 600;

describe.skipIf(reason !== undefined)('a --from bridge killed between its ring commit and its acks', () => {
  const fixture = serverAndHosts();

  it(`delivers nothing twice when restarted (${KILLS} kills, each right after a commit, by the RINGPIPE_BRIDGE_TEST_KILL hook)`, async () => {
    const [a, b] = [await fixture.start(), await fixture.start()];
    const name = 'COMMITKILL';
    const running = async (p: Proc): Promise<void> =>
      until('the bridge running', () => p.stderr().includes(': running'), 30_000).catch((err: Error) => {
        throw new Error(`${err.message}; it said: ${p.stderr()}`);
      });
    const to = a.ringpipe(['bridge', name, '--to', fixture.server().url]);
    await running(to);
    const reader = b.node('reader.mjs', [name]);
    for (const w of ['w1', 'w2']) a.node('writer.mjs', [name, w, String(PER_WRITER)]);
    const lines = (): number => reader.stdout().split('\n').length - 1;
    let before = 0;
    for (let k = 0; k < KILLS; k++) {
      const dying = b.ringpipe(['bridge', name, '--from', fixture.server().url], { RINGPIPE_BRIDGE_TEST_KILL: 'after-commit' });
      expect(await dying.exited, dying.stderr()).toBe(-1); // killed by its own SIGKILL
      await until(`the reader printing what kill ${k + 1} committed`, () => lines() > before, 10_000);
      before = lines();
    }
    const from = b.ringpipe(['bridge', name, '--from', fixture.server().url]);
    await running(from);
    await until('every message', () => tally(reader.stdout(), ['w1', 'w2'], PER_WRITER).unique >= 2 * PER_WRITER, 60_000).catch(() => {});
    await new Promise((r) => setTimeout(r, 1_500)); // late duplicates, if any
    const t = tally(reader.stdout(), ['w1', 'w2'], PER_WRITER);
    const skipped = Number(/(\d+) duplicates dropped/.exec((from.child.kill('SIGTERM'), await from.exited, from.stderr()))?.[1] ?? -1);
    console.log(`[bridge figures] --from killed ${KILLS} times between commit and ack: received ${t.received}, lost ${t.lost}, duplicated ${t.duplicates}; redeliveries the restarted bridge skipped ${skipped}`);
    expect(t).toMatchObject({ lost: 0, duplicates: 0, corrupt: 0, outOfOrder: [] });
    expect(skipped).toBeGreaterThan(0);
  }, 150_000);
});
