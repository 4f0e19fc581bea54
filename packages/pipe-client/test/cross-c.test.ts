// A C program (driver/core's rp_shm, built on the C ring) and a Node process exchange messages
// through the same live shared ring, in both directions.
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { killChildren, sleep, uniqueName } from '../../../tests/support/index.js';
import { statPipe } from '../src/index.js';
import { pipeOpened, startNode } from './helpers/processes.js';

const CORE = fileURLToPath(new URL('../../../driver/core', import.meta.url));
const RP_SHM = `${CORE}/build/rp_shm`;
const NODE_SIDE = fileURLToPath(new URL('./fixtures/c-pattern.mjs', import.meta.url));

beforeAll(() => {
  execFileSync('make', ['-s', '-C', CORE, 'build/rp_shm'], { stdio: 'inherit' });
});
afterEach(killChildren);

function runC(args: string[]) {
  const child = spawn(RP_SHM, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  return once(child, 'close').then(([code]) => ({ code, stdout: stdout.trim() }));
}

const expected = (count: number, size: number) =>
  execFileSync(RP_SHM, ['expect', String(count), String(size)], { encoding: 'utf8' }).trim().replace(/^expect /, 'received ');

describe('C and Node on one live ring', () => {
  it.each([
    [20_000, 64],
    [300, 40_000],
  ])('Node sends %i messages of %i B, C receives them', async (count, size) => {
    const name = uniqueName('C-RECV');
    const receiver = runC(['recv', name, '--capacity', '65536', '--timeout', '60']);
    await pipeOpened(name);
    const sender = startNode(NODE_SIDE, ['send', name, String(count), String(size)]);
    const [got, sent] = await Promise.all([receiver, sender.done]);
    expect(sent.code).toBe(0);
    expect(got.code).toBe(0);
    expect(got.stdout).toBe(expected(count, size));
  });

  it.each([
    [20_000, 64],
    [300, 40_000],
  ])('C sends %i messages of %i B, Node receives them', async (count, size) => {
    const name = uniqueName('C-SEND');
    const receiver = startNode(NODE_SIDE, ['recv', name]);
    await receiver.ready;
    const sender = runC(['send', name, String(count), String(size), '--capacity', '65536', '--timeout', '60']);
    const [sent, got] = await Promise.all([sender, receiver.done]);
    expect(sent.code).toBe(0);
    expect(got.code).toBe(0);
    expect(got.stderr).toBe('');
    expect(got.lines.at(-1)).toBe(expected(count, size));
  });
});

/** `rp_shm stat NAME` as key/value pairs. */
function statC(name: string): Record<string, string> {
  const out = execFileSync(RP_SHM, ['stat', name], { encoding: 'utf8' });
  return Object.fromEntries(out.trim().split('\n').map((line) => line.split(' ') as [string, string]));
}

describe('C and Node on a kept ring', () => {
  it('Node sends and leaves before C opens: C sees it kept, then receives every message', async () => {
    const name = uniqueName('C-KEPT');
    // 600 records of 72 bytes fit its 64 KiB ring: the sender ends without waiting for room.
    const sender = startNode(NODE_SIDE, ['send', name, '600', '64']);
    expect((await sender.done).code).toBe(0);
    expect(statC(name)).toMatchObject({ kept: '1', attached: '0', unread_msgs: '600', unread_bytes: String(600 * 64) });
    const got = await runC(['recv', name, '--timeout', '60']);
    expect(got.code).toBe(0);
    expect(got.stdout).toBe(expected(600, 64));
  });

  it('C sends and leaves before Node opens: Node sees it kept, then receives every message', async () => {
    const name = uniqueName('C-KEPT');
    const sent = await runC(['send', name, '3000', '64', '--capacity', '1048576', '--ttl', '600000', '--timeout', '60']);
    expect(sent.code).toBe(0);
    expect(statPipe(name)).toMatchObject({ kept: true, handles: 0, unreadMessages: 3000, unreadBytes: 3000 * 64, ttl: 600000 });
    const receiver = startNode(NODE_SIDE, ['recv', name]);
    const got = await receiver.done;
    expect(got.code).toBe(0);
    expect(got.lines.at(-1)).toBe(expected(3000, 64));
  });

  it('C never adopts a ring kept past its ttl', async () => {
    const name = uniqueName('C-TTL');
    const sent = await runC(['send', name, '10', '64', '--ttl', '1', '--timeout', '60']);
    expect(sent.code).toBe(0);
    await sleep(5);
    const receiver = runC(['recv', name, '--timeout', '60']);
    await pipeOpened(name);
    expect(statC(name)).toMatchObject({ msgs_in: '0', kept: '0' });
    const sender = startNode(NODE_SIDE, ['send', name, '5', '64']);
    const [got] = await Promise.all([receiver, sender.done]);
    expect(got.stdout).toBe(expected(5, 64));
  });
});
