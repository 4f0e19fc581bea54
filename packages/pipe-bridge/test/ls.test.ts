import { afterAll, describe, expect, it } from 'vitest';
import type { BridgeStatus } from '../src/status.js';
import { eventually, hostsPerTest, until } from './helpers/hosts.js';
import { bridgesOf, ls } from './helpers/ls.js';
import { freePort, NatsServer, skipReason } from './helpers/nats-server.js';

const reason = skipReason();
if (reason) console.warn(`SKIPPED ringpipe ls of running bridges: ${reason}`);

describe.skipIf(reason !== undefined)('ringpipe ls shows the bridges running on a host (private /dev/shm each)', () => {
  const servers: NatsServer[] = [];
  const host = hostsPerTest();
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.kill9()));
  });

  it('--to: retrying while the server is away, lag = the messages waiting; then running, lag 0; gone after SIGTERM; never credentials', async () => {
    const a = await host();
    const port = await freePort();
    const to = a.ringpipe(['bridge', 'LSTO', '--to', `nats://someone@127.0.0.1:${port}`]);
    const writer = a.node('writer.mjs', ['LSTO', 'w1', '5']);
    await until('the writer', () => writer.stdout().includes('written'), 10_000);

    let last: BridgeStatus[] = [];
    await eventually('ls showing 5 messages waiting, and the first connect failed', async () => {
      last = await bridgesOf(a, 'LSTO');
      return last[0]?.lag === 5 && last[0].state === 'retrying';
    }, 10_000);
    expect(last).toEqual([
      expect.objectContaining({ name: 'LSTO', direction: 'to', server: `127.0.0.1:${port}`, state: 'retrying', lag: 5, messages: 0, pid: to.child.pid }),
    ]);
    expect(last[0]!.retry).toMatch(/cannot reach 127\.0\.0\.1:\d+/);
    const table = await ls(a, false);
    expect(table).toMatch(/^BRIDGE\s+DIRECTION\s+SERVER\s+STATE\s+LAG\s+RATE\s+MESSAGES\s+PID$/m);
    expect(table).toMatch(new RegExp(`^LSTO\\s+to\\s+127\\.0\\.0\\.1:${port}\\s+retrying\\s+5\\s+0\\s+0\\s+${to.child.pid}$`, 'm'));

    const server = new NatsServer(port);
    servers.push(server);
    await server.start();
    await eventually('ls showing the bridge running, caught up', async () => {
      last = await bridgesOf(a, 'LSTO');
      return last[0]?.state === 'running' && last[0].messages === 5;
    }, 20_000);
    expect(last).toEqual([expect.objectContaining({ direction: 'to', server: `127.0.0.1:${port}`, state: 'running', lag: 0, messages: 5 })]);
    expect(table + JSON.stringify(last) + to.stderr()).not.toContain('someone');

    to.child.kill('SIGTERM');
    expect(await to.exited).toBe(0);
    expect(await bridgesOf(a, 'LSTO')).toEqual([]);
    const files = a.run('ls', ['-a', '/dev/shm']);
    await files.exited;
    expect(files.stdout()).not.toMatch(/ringpipe-bridge/);
  }, 60_000);

  it('--from: lag = what the shared consumer holds (a full ring stalls it); 0 once read; a bridge killed -9 leaves ls', async () => {
    const server = new NatsServer(await freePort());
    servers.push(server);
    await server.start();
    const [a, b] = [await host(), await host()];
    const to = a.ringpipe(['bridge', 'LSFROM', '--to', server.url]);
    await until('the --to bridge running', () => to.stderr().includes(': running'), 20_000);
    // No reader on b, and a small ring: the --from bridge stalls with the ring full.
    const from = b.ringpipe(['bridge', 'LSFROM', '--from', server.url, '--capacity', '4096']);
    await until('the --from bridge running', () => from.stderr().includes(': running'), 20_000);
    const total = 300;
    a.node('writer.mjs', ['LSFROM', 'w1', String(total)]);

    let last: BridgeStatus[] = [];
    await eventually('ls on b showing the stall', async () => {
      last = await bridgesOf(b, 'LSFROM');
      return last[0] !== undefined && last[0].messages > 0 && last[0].lag > 0 && last[0].messages + last[0].lag === total;
    }, 30_000);
    expect(last).toEqual([expect.objectContaining({ name: 'LSFROM', direction: 'from', server: server.url.replace('nats://', ''), state: 'running', pid: from.child.pid })]);
    expect(last[0]!.messages).toBeLessThan(total);

    const reader = b.node('reader.mjs', ['LSFROM']);
    await until('every message read on b', () => reader.stdout().split('\n').length - 1 >= total, 30_000);
    await eventually('ls on b showing lag 0', async () => (last = await bridgesOf(b, 'LSFROM'))[0]?.lag === 0, 10_000);
    expect(last[0]).toMatchObject({ state: 'running', lag: 0, messages: total });
    const onA = await bridgesOf(a, 'LSFROM');
    expect(onA).toEqual([expect.objectContaining({ direction: 'to', state: 'running', lag: 0, messages: total, pid: to.child.pid })]);

    from.child.kill('SIGKILL');
    await from.exited;
    expect(await bridgesOf(b, 'LSFROM')).toEqual([]);
    const files = b.run('ls', ['-a', '/dev/shm']);
    await files.exited;
    expect(files.stdout(), 'ls removes the status file of a bridge that died').not.toMatch(/ringpipe-bridge/);
  }, 90_000);

  it('rate: the messages each bridge moved over the last second, about the writer\'s pace while it writes; 0 once it stops', async () => {
    const server = new NatsServer(await freePort());
    servers.push(server);
    await server.start();
    const [a, b] = [await host(), await host()];
    const to = a.ringpipe(['bridge', 'LSRATE', '--to', server.url]);
    const from = b.ringpipe(['bridge', 'LSRATE', '--from', server.url]);
    await until('both bridges running', () => to.stderr().includes(': running') && from.stderr().includes(': running'), 20_000);
    b.node('reader.mjs', ['LSRATE']);
    // 200 a second for 8 s: a bridge keeps up with that many times over, so each second it moves about 200.
    const writer = a.node('paced-writer.mjs', ['LSRATE', '200', '8']);
    const seen: Record<'to' | 'from', number[]> = { to: [], from: [] };
    const inPace = (rates: number[]): boolean => rates.filter((r) => r >= 100 && r <= 300).length >= 2;
    await eventually('both bridges showing about 200 messages a second, twice', async () => {
      for (const [side, h] of [['to', a], ['from', b]] as const) {
        const rate = (await bridgesOf(h, 'LSRATE'))[0]?.rate;
        if (rate !== undefined) seen[side].push(rate);
      }
      return inPace(seen.to) && inPace(seen.from);
    }, 30_000);
    await until('the writer done', () => writer.stdout().includes('written'), 30_000);
    await eventually('both at rate 0 once every message moved', async () => {
      const [onA, onB] = [(await bridgesOf(a, 'LSRATE'))[0], (await bridgesOf(b, 'LSRATE'))[0]];
      return onA?.messages === 1600 && onB?.messages === 1600 && onA.rate === 0 && onB.rate === 0;
    }, 20_000);
    expect(await ls(b, false)).toMatch(new RegExp(`^LSRATE\\s+from\\s+\\S+\\s+running\\s+0\\s+0\\s+1600\\s+${from.child.pid}$`, 'm'));
  }, 90_000);
});
