import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Host, killAll, until, type Proc } from './helpers/hosts.js';
import { freePort, NatsServer, natsServerVersion, skipReason, startCluster } from './helpers/nats-server.js';
import { serverAndHosts } from './helpers/server-and-hosts.js';
import { tally, type Tally } from './helpers/tally.js';

const reason = skipReason();
if (reason) console.warn(`SKIPPED the bridge tests across hosts: ${reason}`);

type Target = 'to' | 'from' | 'server';

interface Scenario {
  name: string;
  servers: NatsServer[];
  perWriter: number;
  kill?: Target;
  kills?: number;
  /** Extra `ringpipe bridge` arguments (stream options). */
  args?: string[];
  /** Called once mid-stream instead of the kills. */
  midway?: () => Promise<void>;
  /** Starts the two hosts when a serverAndHosts() fixture stops them; else the scenario starts and stops its own. */
  startHost?: () => Promise<Host>;
}

const WRITERS = ['w1', 'w2'];

/**
 * Writers and a `--to` bridge on host A, a `--from` bridge and a reader on host B,
 * both through `servers`; kills the target mid-stream `kills` times, restarting it,
 * and counts what the reader got.
 */
async function runScenario(s: Scenario): Promise<Tally & { republishesDropped?: number }> {
  const url = s.servers.map((n) => n.url).join(',');
  const startHost = s.startHost ?? (() => Host.start());
  const [a, b] = [await startHost(), await startHost()];
  const bridgeArgs = (direction: 'to' | 'from'): string[] => ['bridge', s.name, `--${direction}`, url, ...(s.args ?? [])];
  const startBridge = async (host: Host, direction: 'to' | 'from'): Promise<Proc> => {
    const p = host.ringpipe(bridgeArgs(direction));
    await until(`the ${direction} bridge running`, () => p.stderr().includes(': running'), 30_000).catch((err: Error) => {
      throw new Error(`${err.message}; it said: ${p.stderr()}`);
    });
    return p;
  };
  try {
    let to = await startBridge(a, 'to');
    const reader = b.node('reader.mjs', [s.name]);
    let from = await startBridge(b, 'from');
    for (const w of WRITERS) a.node('writer.mjs', [s.name, w, String(s.perWriter)]);
    const total = WRITERS.length * s.perWriter;
    const lines = (): number => reader.stdout().split('\n').length - 1;
    if (s.midway) {
      await until('a third of the messages', () => lines() >= total / 3, 30_000);
      await s.midway();
    }
    const kills = s.kill ? (s.kills ?? 2) : 0;
    for (let k = 1; k <= kills; k++) {
      await until(`message ${Math.floor((total * k) / (kills + 1))}`, () => lines() >= (total * k) / (kills + 1), 30_000);
      if (s.kill === 'to') {
        to.child.kill('SIGKILL');
        await to.exited;
        to = await startBridge(a, 'to');
      } else if (s.kill === 'from') {
        from.child.kill('SIGKILL');
        await from.exited;
        from = await startBridge(b, 'from');
      } else {
        const node = s.servers[0]!;
        await node.kill9();
        await new Promise((r) => setTimeout(r, 300));
        await node.start();
      }
    }
    await until('every message', () => tally(reader.stdout(), WRITERS, s.perWriter).unique >= total, 45_000).catch(() => {});
    await new Promise((r) => setTimeout(r, 1_500)); // late duplicates, if any
    const result: Tally & { republishesDropped?: number } = tally(reader.stdout(), WRITERS, s.perWriter);
    if (result.lost > 0 || result.duplicates > 0) {
      console.log(`[bridge figures] ${s.name}: ${result.lost} lost, ${result.duplicates} duplicated (${repeatedLines(reader.stdout()).join('; ')}); --to said:\n${to.stderr()}\n--from said:\n${from.stderr()}`);
    }
    for (const p of [to, from]) p.child.kill('SIGTERM');
    const codes = await Promise.all([to.exited, from.exited]);
    expect(codes, `bridges after SIGTERM; to: ${to.stderr()} from: ${from.stderr()}`).toEqual([0, 0]);
    result.republishesDropped = Number(/(\d+) duplicates dropped/.exec(to.stderr())?.[1] ?? 0);
    const relost = [...to.stderr().matchAll(/the server lost (\d+) acknowledged messages/g)].reduce((n, m) => n + Number(m[1]), 0);
    if (relost > 0) console.log(`[bridge figures] ${s.name}: --to published again ${relost} messages the server had acknowledged and lost`);
    return result;
  } finally {
    if (!s.startHost) {
      a.stop();
      b.stop();
    }
  }
}

/** The lines printed more than once, with their line numbers. */
function repeatedLines(output: string): string[] {
  const first = new Map<string, number>();
  const repeated: string[] = [];
  output.split('\n').forEach((line, i) => {
    const at = first.get(line);
    if (at === undefined) first.set(line, i);
    else repeated.push(`line ${i} repeats line ${at}: ${line.slice(0, 24)}`);
  });
  return repeated;
}

function report(what: string, t: Tally & { republishesDropped?: number }): void {
  console.log(
    `[bridge figures] ${what}: sent ${t.unique + t.lost}, received ${t.received}, lost ${t.lost}, duplicated ${t.duplicates}, corrupt ${t.corrupt}, ` +
      `out of order ${t.outOfOrder.length}; re-publishes JetStream dropped (last --to bridge) ${t.republishesDropped ?? 0}`,
  );
}

describe.skipIf(reason !== undefined)('ringpipe bridge across two hosts (private /dev/shm each) through nats-server', () => {
  const fixture = serverAndHosts();
  const scenario = (s: Omit<Scenario, 'servers' | 'startHost'>): Scenario => ({ ...s, servers: [fixture.server()], startHost: fixture.start });

  beforeAll(() => console.log(`[bridge figures] ${natsServerVersion()}`));

  it('delivers every message once, whole, in order per writer', async () => {
    const t = await runScenario(scenario({ name: 'DELIVER', perWriter: 1500 }));
    report('no kill', t);
    expect(t).toMatchObject({ lost: 0, duplicates: 0, corrupt: 0, outOfOrder: [] });
  }, 90_000);

  it('kill -9 of the --to bridge mid-stream, three times (a window of publishes in flight): nothing lost, nothing duplicated', async () => {
    const t = await runScenario(scenario({ name: 'KILLTO', perWriter: 1500, kill: 'to', kills: 3 }));
    report('kill -9 of --to x3', t);
    expect(t).toMatchObject({ lost: 0, duplicates: 0, corrupt: 0, outOfOrder: [] });
  }, 120_000);

  it('kill -9 of the --from bridge mid-stream, three times (batches): nothing lost, nothing duplicated', async () => {
    const t = await runScenario(scenario({ name: 'KILLFROM', perWriter: 1500, kill: 'from', kills: 3 }));
    report('kill -9 of --from x3', t);
    expect(t).toMatchObject({ lost: 0, duplicates: 0, corrupt: 0, outOfOrder: [] });
  }, 150_000);

  it('kill -9 of nats-server mid-stream, twice (restarted on its store): nothing lost, nothing duplicated, order kept', async () => {
    // nats-server 2.9's file store writes to disk shortly after it acknowledges, so a single server killed
    // with -9 may lose what it acknowledged last: --to publishes those again (same ids), --from tells the
    // sequences the stream gives again to new messages from redeliveries.
    const t = await runScenario(scenario({ name: 'KILLSERVER', perWriter: 1500, kill: 'server', kills: 2 }));
    report('kill -9 of nats-server x2', t);
    expect(t).toMatchObject({ lost: 0, duplicates: 0, corrupt: 0, outOfOrder: [] });
  }, 150_000);
});

describe.skipIf(reason !== undefined)('ringpipe bridge: bad input and run-time errors', () => {
  let server: NatsServer;
  let plain: NatsServer;

  beforeAll(async () => {
    server = new NatsServer(await freePort());
    plain = new NatsServer(await freePort(), [], false);
    await Promise.all([server.start(), plain.start()]);
  });
  afterAll(async () => {
    await Promise.all([server?.kill9(), plain?.kill9()]);
  });
  afterEach(() => killAll());

  async function bridgeRun(host: Host, args: string[]): Promise<{ code: number | null; stderr: string }> {
    const p = host.ringpipe(['bridge', ...args]);
    const code = await Promise.race([p.exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 20_000))]);
    if (code === 'timeout') throw new Error(`bridge ${args.join(' ')} did not exit: ${p.stderr()}`);
    return { code, stderr: p.stderr() };
  }

  it('refuses an invalid URL, a name that is no subject token, a byte-mode pipe, and a missing direction (exit 2)', async () => {
    const host = await Host.start();
    try {
      const badUrl = await bridgeRun(host, ['BADURL', '--to', 'http://127.0.0.1:1/x']);
      expect(badUrl.code).toBe(2);
      expect(badUrl.stderr).toMatch(/invalid option "servers.*NATS server URL/);
      const dotted = await bridgeRun(host, ['A.B', '--to', server.url]);
      expect(dotted.code).toBe(2);
      expect(dotted.stderr).toMatch(/no valid NATS subject token/);
      const holder = host.node('hold.mjs', ['BLOB', 'byte']);
      await until('the byte pipe', () => holder.stdout().includes('holding'), 10_000);
      const bytes = await bridgeRun(host, ['BLOB', '--from', server.url]);
      expect(bytes.code).toBe(2);
      expect(bytes.stderr).toMatch(/byte-mode pipe; only message-mode pipes can be bridged/);
      const neither = await bridgeRun(host, ['X']);
      expect(neither.code).toBe(2);
      expect(neither.stderr).toMatch(/exactly one of --to URL and --from URL/);
    } finally {
      host.stop();
    }
  });

  it('a server without JetStream is a run-time error (exit 1) that says so', async () => {
    const host = await Host.start();
    try {
      const r = await bridgeRun(host, ['NOJS', '--to', plain.url]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/has no JetStream \(start it with -js\)/);
    } finally {
      host.stop();
    }
  });

  it('an unreachable server: retries with backoff, says so on stderr, SIGTERM exits 0', async () => {
    const host = await Host.start();
    try {
      const port = await freePort();
      const p = host.ringpipe(['bridge', 'AWAY', '--to', `nats://127.0.0.1:${port}`]);
      await until('two retries', () => (p.stderr().match(/cannot reach/g) ?? []).length >= 2, 10_000);
      expect(p.stderr()).toMatch(/retrying in \d+ ms/);
      p.child.kill('SIGTERM');
      expect(await p.exited).toBe(0);
    } finally {
      host.stop();
    }
  });
});

describe.skipIf(reason !== undefined)('ringpipe bridge through a three-node JetStream cluster', () => {
  let nodes: NatsServer[] = [];

  beforeAll(async () => {
    nodes = await startCluster();
  }, 120_000);
  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.kill9()));
  });
  afterEach(() => killAll());

  it('a stream with 3 replicas: one node killed mid-stream, nothing lost', async () => {
    const t = await runScenario({
      name: 'CLUSTER',
      servers: nodes,
      perWriter: 1500,
      args: ['--replicas', '3'],
      midway: () => nodes[0]!.kill9(),
    });
    report('3-node cluster, replicas 3, one node kill -9', t);
    expect(t).toMatchObject({ lost: 0, duplicates: 0, corrupt: 0, outOfOrder: [] });
  }, 150_000);
});
