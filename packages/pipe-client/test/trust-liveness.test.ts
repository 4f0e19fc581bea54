// Liveness the kernel vouches for: PID namespaces, reused PIDs, stopped peers and others' locks.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { killChildren, skipLoudly, sleep, uniqueName, within } from '../../../tests/support/index.js';
import { createPipe, ErrorCode } from '../src/index.js';
import { Off } from '../src/ring/layout.js';
import { collect } from './helpers/pipes.js';
import { PEER, startPeer, startProcess, type Peer } from './helpers/processes.js';
import { peekU32, pokeU32, slotField, slotOfPid } from './helpers/segment-file.js';

afterEach(killChildren);

const asRoot = process.getuid?.() === 0;


/** Starts the peer script in a new PID namespace that shares this mount namespace (so /dev/shm). */
function peerInPidNamespace(args: string[]): Peer {
  return startProcess('unshare', ['-p', '-f', '--mount-proc', '--', process.execPath, PEER, ...args]);
}

describe('liveness', () => {
  it('a reader in another PID namespace takes every message of a live writer', async (ctx) => {
    if (!asRoot) return skipLoudly(ctx, 'needs root (another uid, mounts or namespaces)');
    const name = uniqueName('PIDNS');
    const writer = startPeer(['send', name, '5', '20000', '64', '65536']);
    await writer.ready;
    const reader = peerInPidNamespace(['recv', name]);
    const [sent, received] = await within(60_000, 'writer and namespaced reader', Promise.all([writer.done, reader.done]));
    expect(received.stderr).toBe('');
    expect(sent.code).toBe(0);
    expect(received.result).toMatchObject({ counts: { 5: 20000 }, torn: 0, outOfOrder: 0 });
    expect(received.result.checksums['5']).toBe(sent.result.checksum);
  });

  it('a killed writer whose PID now names a live process does not hold EOF back', async () => {
    const name = uniqueName('REUSED');
    const reader = createPipe(name, { access: 'read' });
    const writer = startPeer(['hold', name, '8192']);
    await writer.ready;
    const slot = slotOfPid(name, writer.child.pid!);
    expect(slot).toBeGreaterThanOrEqual(0);
    writer.child.kill('SIGKILL');
    await writer.done;
    // The PID is taken by a live, unrelated process: this one.
    pokeU32(name, slotField(slot, 'pid'), process.pid);
    const got = await within(5000, 'EOF after the writer died', collect(reader));
    expect(got.map(String)).toEqual(['left behind']);
  });

  it("a dead writer's reservation behind a live PID does not stall another writer", async () => {
    const name = uniqueName('DEADRESV');
    const reader = createPipe(name, { access: 'read', capacity: 8192 });
    const victim = startPeer(['hold', name, '8192']);
    await victim.ready;
    const slot = slotOfPid(name, victim.child.pid!);
    // What a writer killed between its reservation and its commit leaves: a RESERVED record, writing = 1.
    const head = peekU32(name, Off.head);
    const token = peekU32(name, slotField(slot, 'token'));
    pokeU32(name, 4096 + (head & 8191) + 4, token);
    pokeU32(name, 4096 + (head & 8191), (1 << 30) | 16);
    pokeU32(name, slotField(slot, 'writing'), 1);
    pokeU32(name, Off.head, head + 24);
    victim.child.kill('SIGKILL');
    await victim.done;
    pokeU32(name, slotField(slot, 'pid'), process.pid);

    const writer = createPipe(name, { access: 'write' });
    for (const text of ['a', 'b', 'c']) writer.write(text);
    writer.end();
    const got = await within(5000, 'messages behind a dead reservation', collect(reader));
    expect(got.map(String)).toEqual(['left behind', 'a', 'b', 'c']);
  });

  it('a live peer stopped while it holds the ring locks makes others wait, never fail, and they go on when it dies', async () => {
    const name = uniqueName('STOPPED');
    const reader = createPipe(name, { access: 'read', capacity: 8192 });
    const holder = startPeer(['hold', name, '8192']);
    await holder.ready;
    const token = peekU32(name, slotField(slotOfPid(name, holder.child.pid!), 'token'));
    holder.child.kill('SIGSTOP');
    // As if it had been stopped inside a read and inside a write.
    pokeU32(name, Off.rlock, token);
    pokeU32(name, Off.wlock, token);

    const writer = createPipe(name, { access: 'write' });
    const errors: Error[] = [];
    reader.on('error', (err) => errors.push(err));
    writer.on('error', (err) => errors.push(err));
    let written = false;
    expect(() => writer.write('after the stall', () => (written = true))).not.toThrow();
    const got: string[] = [];
    reader.on('data', (message) => got.push(String(message)));
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 10);
    await sleep(2500);
    clearInterval(ticker);
    expect(errors).toEqual([]);
    expect(got).toEqual([]);
    expect(written).toBe(false);
    expect(ticks).toBeGreaterThan(100);

    holder.child.kill('SIGKILL');
    await holder.done;
    writer.end();
    await within(5000, 'the end once the holder died', once(reader, 'end'));
    expect(got).toEqual(['left behind', 'after the stall']);
    expect(written).toBe(true);
    expect(errors).toEqual([]);
  });

  it('a user who may only read the file cannot lock opens and closes out', async (ctx) => {
    if (!asRoot) return skipLoudly(ctx, 'needs root (another uid, mounts or namespaces)');
    const name = uniqueName('RDONLY');
    const pipe = createPipe(name, { permissions: 0o644 });
    const path = `/dev/shm/ringpipe.${name.toUpperCase()}`;
    // flock(1) takes a whole-file lock through a read-only descriptor, then sleeps with it.
    const locker = spawn('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'flock', '-x', path, 'sleep', '30'], { stdio: 'ignore' });
    await sleep(300);
    try {
      const other = startPeer(['try-open', name], { uid: 65534, gid: 65534 });
      expect((await other.done).result).toEqual({ error: ErrorCode.PermissionDenied });
      const second = createPipe(name);
      second.destroy();
      await within(2000, 'close beside a read-only lock holder', once(second, 'close'));
    } finally {
      locker.kill('SIGKILL');
      pipe.destroy();
    }
  });
});
