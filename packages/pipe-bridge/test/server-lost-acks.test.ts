import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventually, until, type Host, type Proc } from './helpers/hosts.js';
import { listed } from './helpers/ls.js';
import { skipReason } from './helpers/nats-server.js';
import { serverAndHosts } from './helpers/server-and-hosts.js';
import { tally } from './helpers/tally.js';

const reason = skipReason();
if (reason) console.warn(`SKIPPED a server that loses what it acknowledged: ${reason}`);

describe.skipIf(reason !== undefined)('a nats-server that loses messages it acknowledged', () => {
  const fixture = serverAndHosts();
  /** `ringpipe bridge NAME ...ARGS URL` on `host`, once it runs. */
  const running = async (host: Host, name: string, args: string[]): Promise<Proc> => {
    const p = host.ringpipe(['bridge', name, ...args, fixture.server().url]);
    await until('the bridge running', () => p.stderr().includes(': running'), 30_000).catch((err: Error) => {
      throw new Error(`${err.message}; it said: ${p.stderr()}`);
    });
    return p;
  };
  /** Kills the server (-9) and copies its store as it is; the function returned brings the server back on that copy. */
  const snapshot = async (): Promise<() => Promise<void>> => {
    const server = fixture.server();
    await server.kill9();
    const copy = `${server.storeDir}.snapshot`;
    cpSync(server.storeDir, copy, { recursive: true });
    await server.start();
    return async () => {
      await server.kill9();
      rmSync(server.storeDir, { recursive: true, force: true });
      cpSync(copy, server.storeDir, { recursive: true });
      rmSync(copy, { recursive: true, force: true });
      await server.start();
    };
  };

  /**
   * Kills the server (-9) and copies the messages of `name`'s stream only; the function returned stops the server
   * (its store written whole) and brings it back with those messages and the consumer's state as it is then: a
   * consumer ahead of its stream, as after a kill -9 whose store had written the consumer's acks but not the
   * stream's last messages.
   */
  const snapshotStream = async (name: string): Promise<() => Promise<void>> => {
    const server = fixture.server();
    const msgs = join(server.storeDir, 'jetstream', '$G', 'streams', `RINGPIPE_${name}`, 'msgs');
    await server.kill9();
    cpSync(msgs, `${msgs}.snapshot`, { recursive: true });
    await server.start();
    return async () => {
      await server.stop();
      rmSync(msgs, { recursive: true, force: true });
      cpSync(`${msgs}.snapshot`, msgs, { recursive: true });
      rmSync(`${msgs}.snapshot`, { recursive: true, force: true });
      await server.start();
    };
  };

  /** The messages of `name` the `--to` bridge on `host` let go of: JetStream acknowledged them. */
  const taken = async (host: Host, name: string): Promise<number> => (await listed(host)).find((p) => p.name === name)?.messagesOut ?? 0;
  /** Each of `writers` writes 100 messages on `host` while `from` is stopped: they reach it in one run. */
  const inOneRun = async (host: Host, name: string, from: Proc, writers: string[]): Promise<void> => {
    const before = await taken(host, name);
    from.child.kill('SIGSTOP');
    for (const w of writers) host.node('writer.mjs', [name, w, '100']);
    await eventually(`${writers.join(', ')} acknowledged`, async () => (await taken(host, name)) >= before + 100 * writers.length, 30_000).finally(() =>
      from.child.kill('SIGCONT'),
    );
  };

  it('--to publishes them again, first and in order, under their ids: nothing lost, nothing duplicated', async () => {
    const [a, b] = [await fixture.start(), await fixture.start()];
    const name = 'LOSTACKS';
    // The ring lets go of a message once JetStream acknowledged it.
    const acknowledged = (n: number): Promise<void> =>
      eventually(`${n} messages acknowledged`, async () => ((await listed(a)).find((p) => p.name === name)?.messagesOut ?? 0) >= n, 30_000);
    const to = await running(a, name, ['--to']);
    a.node('writer.mjs', [name, 'w1', '100']);
    await acknowledged(100);
    // What the store holds now is what the server will come back with: the next 100 are acknowledged, then lost.
    const restore = await snapshot();
    a.node('writer.mjs', [name, 'w2', '100']);
    await acknowledged(200);
    await restore();
    a.node('writer.mjs', [name, 'w3', '100']);
    const reader = b.node('reader.mjs', [name]);
    const from = await running(b, name, ['--from']);
    const writers = ['w1', 'w2', 'w3'];
    await until('every message', () => tally(reader.stdout(), writers, 100).unique >= 300, 60_000).catch(() => {});
    await new Promise((r) => setTimeout(r, 1_500)); // late duplicates, if any
    const t = tally(reader.stdout(), writers, 100);
    const replayed = Number(/the server lost (\d+) acknowledged messages/.exec(to.stderr())?.[1] ?? 0);
    console.log(`[bridge figures] a server restarted on a store without the last 100 it acknowledged: received ${t.received}, lost ${t.lost}, duplicated ${t.duplicates}; --to published again ${replayed}`);
    for (const p of [to, from]) p.child.kill('SIGTERM');
    expect(t, to.stderr()).toMatchObject({ lost: 0, duplicates: 0, corrupt: 0, outOfOrder: [] });
    expect(replayed).toBe(100);
  }, 150_000);

  it('--from takes the sequences such a server gives again to new messages for new messages, not for redeliveries', async () => {
    const [a, b] = [await fixture.start(), await fixture.start()];
    const name = 'REUSEDSEQ';
    let to = await running(a, name, ['--to']);
    const reader = b.node('reader.mjs', [name]);
    const from = await running(b, name, ['--from']);
    // What the bridges said and show, for a failure's message.
    const said = async (): Promise<string> =>
      `--to said: ${to.stderr()}\n--from said: ${from.stderr()}\nthe reader (exit ${reader.child.exitCode}) said: ${reader.stderr()}\n` +
      `pipes: ${JSON.stringify([(await listed(a)).find((p) => p.name === name), (await listed(b)).find((p) => p.name === name)])}`;
    // `--from` stopped while the 100 reach the stream takes them in one run: the same sequences, 1 to 100, both times.
    // The store as it is before any message: the server comes back with it, and with the --to bridge gone
    // too nobody can publish the lost ones again; the stream numbers the next messages from 1 again.
    const restore = await snapshot();
    await inOneRun(a, name, from, ['w1']);
    await until('w1 at the reader', () => tally(reader.stdout(), ['w1'], 100).unique >= 100, 30_000).catch(async (err: Error) => {
      throw new Error(`${err.message}; ${await said()}`);
    });
    to.child.kill('SIGKILL');
    await to.exited;
    await restore();
    to = await running(a, name, ['--to']);
    await inOneRun(a, name, from, ['w2']);
    const writers = ['w1', 'w2'];
    await until('every message', () => tally(reader.stdout(), writers, 100).unique >= 200, 60_000).catch(() => {});
    await new Promise((r) => setTimeout(r, 1_500)); // late duplicates, if any
    const t = tally(reader.stdout(), writers, 100);
    console.log(`[bridge figures] a server restarted on its empty store after delivering 100, then 100 more: received ${t.received}, lost ${t.lost}, duplicated ${t.duplicates}`);
    const seen = await said();
    for (const p of [to, from]) p.child.kill('SIGTERM');
    expect(t, seen).toMatchObject({ lost: 0, duplicates: 0, corrupt: 0, outOfOrder: [] });
  }, 150_000);

  it('a --from restarted after the stream lost the sequences its ring names takes the new messages given those numbers', async () => {
    const [a, b] = [await fixture.start(), await fixture.start()];
    const name = 'RENUMBERED';
    let to = await running(a, name, ['--to']);
    const reader = b.node('reader.mjs', [name]);
    let from = await running(b, name, ['--from']);
    // The store before any message: the server comes back with it while no --from runs, and numbers the next messages from 1 again.
    const restore = await snapshot();
    // `--from` stopped while the writers' messages reach the stream takes them in one run, which the ring's cursor names.
    await inOneRun(a, name, from, ['w1', 'w2']);
    await until('w1 and w2 at the reader', () => tally(reader.stdout(), ['w1', 'w2'], 100).unique >= 200, 30_000);
    const cursor = b.node('cursor.mjs', [name]);
    expect(await cursor.exited, cursor.stderr()).toBe(0);
    from.child.kill('SIGTERM');
    expect(await from.exited, from.stderr()).toBe(0);
    to.child.kill('SIGKILL');
    await to.exited;
    await restore();
    to = await running(a, name, ['--to']);
    // 100 new messages take sequences 1 to 100: below the 200 the ring's cursor names, so the stream is seen to have lost them.
    const before = await taken(a, name);
    a.node('writer.mjs', [name, 'w3', '100']);
    await eventually('w3 acknowledged', async () => (await taken(a, name)) >= before + 100, 30_000);
    from = await running(b, name, ['--from']);
    const writers = ['w1', 'w2', 'w3'];
    await until('every message', () => tally(reader.stdout(), writers, 100).unique >= 300, 30_000).catch(() => {});
    await new Promise((r) => setTimeout(r, 1_500)); // late duplicates, if any
    const t = tally(reader.stdout(), writers, 100);
    const named = BigInt(cursor.stdout().trim()) & ((1n << 56n) - 1n); // run-cursor.ts: last * 4096 + (last - first)
    const [last, length] = [named / 4096n, (named % 4096n) + 1n];
    console.log(
      `[bridge figures] a --from restarted after the server came back on its empty store (the ring's cursor: ${length} messages up to sequence ${last}), 100 new messages: received ${t.received}, lost ${t.lost}, duplicated ${t.duplicates}`,
    );
    for (const p of [to, from]) p.child.kill('SIGTERM');
    expect(t, from.stderr()).toMatchObject({ lost: 0, duplicates: 0, corrupt: 0, outOfOrder: [] });
  }, 150_000);

  it('a consumer that comes back ahead of its stream: --from has the server deliver the messages given its sequences again', async () => {
    const [a, b] = [await fixture.start(), await fixture.start()];
    const name = 'AHEAD';
    let to = await running(a, name, ['--to']);
    const reader = b.node('reader.mjs', [name]);
    const from = await running(b, name, ['--from']);
    const restore = await snapshotStream(name);
    await inOneRun(a, name, from, ['w1']);
    await until('w1 at the reader', () => tally(reader.stdout(), ['w1'], 100).unique >= 100, 30_000);
    // Nobody publishes w1 again: the stream numbers the next messages from 1, below the consumer's ack floor (100).
    to.child.kill('SIGKILL');
    await to.exited;
    await restore();
    to = await running(a, name, ['--to']);
    a.node('writer.mjs', [name, 'w2', '100']);
    const writers = ['w1', 'w2'];
    await until('every message', () => tally(reader.stdout(), writers, 100).unique >= 200, 60_000).catch(() => {});
    await new Promise((r) => setTimeout(r, 1_500)); // late duplicates, if any
    const t = tally(reader.stdout(), writers, 100);
    console.log(`[bridge figures] a server back with its consumer at 100 and its stream at 0, 100 new messages: received ${t.received}, lost ${t.lost}, duplicated ${t.duplicates}`);
    const said = `--from said: ${from.stderr()}`;
    for (const p of [to, from]) p.child.kill('SIGTERM');
    expect(t, said).toMatchObject({ lost: 0, duplicates: 0, corrupt: 0, outOfOrder: [] });
  }, 150_000);
});
