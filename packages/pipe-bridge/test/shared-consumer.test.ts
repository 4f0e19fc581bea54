import { describe, expect, it } from 'vitest';
import { eventually, until, type Host, type Proc } from './helpers/hosts.js';
import { listed } from './helpers/ls.js';
import { skipReason } from './helpers/nats-server.js';
import { serverAndHosts } from './helpers/server-and-hosts.js';
import { tally, type Tally } from './helpers/tally.js';
import { DEFAULT_BATCH } from '../src/options.js';
import { decodeRun } from '../src/run-cursor.js';

const reason = skipReason();
if (reason) console.warn(`SKIPPED several --from bridges sharing the consumer: ${reason}`);

const WRITERS = ['w1', 'w2'];
const PER_WRITER = 1500;

describe.skipIf(reason !== undefined)('several --from bridges on different hosts share the one durable consumer', () => {
  const fixture = serverAndHosts();

  const bridgeOn = async (host: Host, name: string, direction: 'to' | 'from'): Promise<Proc> => {
    const p = host.ringpipe(['bridge', name, `--${direction}`, fixture.server().url]);
    await until(`the ${direction} bridge running`, () => p.stderr().includes(': running'), 30_000).catch((err: Error) => {
      throw new Error(`${err.message}; it said: ${p.stderr()}`);
    });
    return p;
  };

  /**
   * A `--to` bridge and two writers on host A; a `--from` bridge and a reader on hosts B and C;
   * with `killOne`, B's bridge is killed -9 a third of the way (C has to take over the rest).
   * Counts what the two readers printed, once nothing more can come.
   */
  async function twoFromHosts(name: string, killOne: boolean): Promise<{ both: Tally; perHost: Tally[]; committed: number[]; inDoubt: number }> {
    const [a, b, c] = [await fixture.start(), await fixture.start(), await fixture.start()];
    const to = await bridgeOn(a, name, 'to');
    const readers = [b.node('reader.mjs', [name]), c.node('reader.mjs', [name])];
    const froms = [await bridgeOn(b, name, 'from'), await bridgeOn(c, name, 'from')];
    for (const w of WRITERS) a.node('writer.mjs', [name, w, String(PER_WRITER)]);
    const total = WRITERS.length * PER_WRITER;
    const lines = (p: Proc): number => p.stdout().split('\n').length - 1;
    const got = (): number => lines(readers[0]!) + lines(readers[1]!);
    if (killOne) {
      await until('a third of the messages', () => got() >= total / 3, 60_000);
      froms[0]!.child.kill('SIGKILL');
      await froms[0]!.exited;
    }
    // What B's ring committed that the server may have no ack for: the runs its cursor names.
    let inDoubt = 0;
    if (killOne) {
      const cursor = b.node('cursor.mjs', [name]);
      expect(await cursor.exited, cursor.stderr()).toBe(0);
      const run = decodeRun(BigInt(cursor.stdout().trim()))?.run;
      inDoubt = run ? run.last - run.first + 1 : 0;
    }
    await until('every message on one host or the other', () => got() >= total, 90_000).catch(() => {});

    // Stop both (SIGTERM drains), then wait until each reader printed all its host's pipe took in: then nothing more can come.
    const running = killOne ? froms.slice(1) : froms;
    for (const p of running) p.child.kill('SIGTERM');
    const codes = await Promise.all(running.map((p) => p.exited));
    expect(codes, `--from bridges after SIGTERM: ${running.map((p) => p.stderr()).join('\n')}`).toEqual(running.map(() => 0));
    const committed: number[] = [];
    for (const [i, host] of [b, c].entries()) {
      await eventually(`host ${'BC'[i]}'s reader printing all its pipe took in`, async () => {
        const pipe = (await listed(host)).find((p) => p.name === name);
        committed[i] = pipe?.messagesIn ?? -1;
        return pipe !== undefined && lines(readers[i]!) === pipe.messagesIn;
      }, 20_000);
    }

    const perHost = readers.map((r) => tally(r.stdout(), WRITERS, PER_WRITER));
    const both = tally(readers[0]!.stdout() + readers[1]!.stdout(), WRITERS, PER_WRITER);
    console.log(
      `[bridge figures] two --from hosts${killOne ? ', B killed -9 a third of the way' : ''}: sent ${total}, host B ${perHost[0]!.received}, host C ${perHost[1]!.received}, ` +
        `lost ${both.lost}, duplicated across both ${both.duplicates}${killOne ? ` (B's cursor named ${inDoubt} when it died)` : ''}, corrupt ${both.corrupt}, out of order on B ${perHost[0]!.outOfOrder.length} on C ${perHost[1]!.outOfOrder.length}`,
    );
    if (both.lost > 0) console.log(`--to said:\n${to.stderr()}\n--from B said:\n${froms[0]!.stderr()}\n--from C said:\n${froms[1]!.stderr()}`);
    return { both, perHost, committed, inDoubt };
  }

  it('two --from hosts fed by one --to: each message reaches exactly one host, once, each host in order, both get a share', async () => {
    const { both, perHost, committed } = await twoFromHosts('SHARED', false);
    expect(both).toMatchObject({ lost: 0, duplicates: 0, corrupt: 0 });
    expect(committed[0]! + committed[1]!).toBe(WRITERS.length * PER_WRITER);
    for (const t of perHost) {
      expect(t.outOfOrder).toEqual([]);
      expect(t.unique).toBeGreaterThan(0);
    }
  }, 150_000);

  it('one of the two --from hosts killed -9 mid-stream and not restarted: the other takes the rest, nothing lost; only what the dead host\'s cursor names may arrive at both', async () => {
    const { both, perHost, inDoubt } = await twoFromHosts('SHAREDKILL', true);
    expect(both).toMatchObject({ lost: 0, corrupt: 0 });
    // What B committed to its ring and the server had no ack for when B died goes to C after the ack wait:
    // B's cursor is in B's ring, which C cannot see (docs/across-hosts.md says why JetStream cannot do better).
    // Those are within the runs B's cursor names, at most a batch (--batch, default 256, the max ack pending).
    expect(both.duplicates).toBeLessThanOrEqual(inDoubt);
    expect(inDoubt).toBeLessThanOrEqual(DEFAULT_BATCH);
    for (const t of perHost) {
      expect(t.outOfOrder).toEqual([]);
      expect(t.unique).toBeGreaterThan(0);
    }
  }, 150_000);
});
