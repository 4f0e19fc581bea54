import { describe, expect, it } from 'vitest';
import { until, type Proc } from './helpers/hosts.js';
import { skipReason } from './helpers/nats-server.js';
import { serverAndHosts } from './helpers/server-and-hosts.js';
import { shortenCounters } from './helpers/ring-counters.js';
import { tally } from './helpers/tally.js';

const reason = skipReason();
if (reason) console.warn(`SKIPPED --to killed between its tail store and its counters: ${reason}`);

const KILLS = 3;
const PER_WRITER = 600;

describe.skipIf(reason !== undefined || process.platform !== 'linux')('a --to bridge killed between the ring\'s tail store and its counters', () => {
  const fixture = serverAndHosts();

  it(`publishes nothing twice when restarted (${KILLS} kills with publishes in flight, by the RINGPIPE_BRIDGE_TEST_KILL hook)`, async () => {
    const [a, b] = [await fixture.start(), await fixture.start()];
    const name = 'TAILKILL';
    const running = async (p: Proc): Promise<void> =>
      until('the bridge running', () => p.stderr().includes(': running'), 30_000).catch((err: Error) => {
        throw new Error(`${err.message}; it said: ${p.stderr()}`);
      });
    const reader = b.node('reader.mjs', [name]);
    const from = b.ringpipe(['bridge', name, '--from', fixture.server().url]);
    await running(from);
    for (const w of ['w1', 'w2']) a.node('writer.mjs', [name, w, String(PER_WRITER), '1000']);
    for (let k = 0; k < KILLS; k++) {
      const dying = a.ringpipe(['bridge', name, '--to', fixture.server().url], { RINGPIPE_BRIDGE_TEST_KILL: 'after-tail' });
      const exit = await Promise.race([dying.exited, new Promise((r) => setTimeout(() => r('still running'), 30_000))]);
      expect(exit, dying.stderr()).toBe(-1); // killed by its own SIGKILL
      const [, messages, bytes] = /after-tail: released (\d+) messages, (\d+) bytes/.exec(dying.stderr()) ?? [];
      expect(messages, dying.stderr()).toBeDefined();
      shortenCounters(a.path(`/dev/shm/ringpipe.${name}`), Number(messages), Number(bytes));
    }
    const to = a.ringpipe(['bridge', name, '--to', fixture.server().url]);
    await running(to);
    await until('every message', () => tally(reader.stdout(), ['w1', 'w2'], PER_WRITER).unique >= 2 * PER_WRITER, 60_000).catch(() => {});
    await new Promise((r) => setTimeout(r, 1_500)); // late duplicates, if any
    const t = tally(reader.stdout(), ['w1', 'w2'], PER_WRITER);
    to.child.kill('SIGTERM');
    await to.exited;
    const dropped = /(\d+) duplicates dropped/.exec(to.stderr())?.[1];
    console.log(`[bridge figures] --to killed ${KILLS} times between tail store and counters: received ${t.received}, lost ${t.lost}, duplicated ${t.duplicates}; re-publishes JetStream dropped for the last bridge ${dropped}`);
    expect(t).toMatchObject({ lost: 0, duplicates: 0, corrupt: 0, outOfOrder: [] });
  }, 150_000);
});
