// Issue 16, item 1: a user who may only read a pipe's file takes OFD read locks on every byte it
// can (the old slot and lifetime locks lived in the segment file). The locks now live in the
// pipe's lock file, which that user cannot open: opens, closes, EOF and removal go on.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { killChildren, skipLoudly, uniqueName, until, within } from '../../../tests/support/index.js';
import { createPipe, statPipe } from '../src/index.js';
import { collect, seqsOf } from './helpers/pipes.js';
import { startNode, startPeer, startProcess } from './helpers/processes.js';
import { shmPath } from './helpers/segment-file.js';

afterEach(killChildren);

const asRoot = process.getuid?.() === 0;
const RP_SHM = fileURLToPath(new URL('../../../driver/core/build/rp_shm', import.meta.url));
const C_PATTERN = fileURLToPath(new URL('./fixtures/c-pattern.mjs', import.meta.url));

/**
 * The attacker: opens the segment (and, if it can, the lock file) read-only and keeps taking
 * F_RDLCK on bytes 0..128 of each, every 2 ms, so it also takes a slot as soon as a handle frees it.
 * Prints {"lockfile": "EACCES" | "opened" | "none", "held": N} (N bytes of the segment it locked first), then ready.
 */
const ATTACK = `
import fcntl, glob, json, os, struct, sys, time
path = sys.argv[1]
fds = [os.open(path, os.O_RDONLY)]
lockfile = 'none'
for lp in glob.glob(path + '.*.lock'):
    try:
        fds.append(os.open(lp, os.O_RDONLY))
        lockfile = 'opened'
    except PermissionError:
        lockfile = 'EACCES'
def grab(fd):
    held = 0
    for b in range(129):
        try:
            fcntl.fcntl(fd, fcntl.F_OFD_SETLK, struct.pack('hhqqi', fcntl.F_RDLCK, 0, b, 1, 0))
            held += 1
        except OSError:
            pass
    return held
print(json.dumps({'lockfile': lockfile, 'held': grab(fds[0])}), flush=True)
print('ready', flush=True)
end = time.time() + 60
while time.time() < end:
    for fd in fds:
        grab(fd)
    time.sleep(0.002)
`;

function attacker(name: string, gid: number) {
  return startProcess('setpriv', ['--reuid=65534', `--regid=${gid}`, '--clear-groups', '/usr/bin/python3', '-c', ATTACK, shmPath(name)]);
}

// [pipe permissions, the attacker's gid]: in each, uid 65534 may read the file and not write it.
const READ_ONLY: Array<[string, number]> = [
  ['0644', 65534],
  ['0604', 65534],
  ['0640', 0],
  ['0664', 65534],
];

describe('a user who may only read a pipe', () => {
  it.for(READ_ONLY)('permissions %s (attacker gid %i): cannot lock opens or closes out, hold EOF back, or keep the file', async ([perm, gid], ctx) => {
    if (!asRoot) return skipLoudly(ctx, 'needs root (another uid)');
    const permissions = parseInt(perm, 8);
    const name = uniqueName('RDLOCK');
    const owner = createPipe(name, { permissions });
    const evil = attacker(name, gid);
    await evil.ready;
    try {
      // Every byte of the segment is read-locked now: opens in this process and in others go on.
      const reader = createPipe(name, { access: 'read' });
      const sender = startPeer(['send', name, '1', '300', '32']);
      const got = await within(30_000, 'the reader reaching EOF beside the read locks', collect(reader));
      expect(seqsOf(got)).toEqual(Array.from({ length: 300 }, (_, i) => i));
      expect((await sender.done).code).toBe(0);
      owner.destroy();
      await within(5000, 'the owner closing', new Promise((resolve) => owner.once('close', resolve)));
      expect(existsSync(shmPath(name))).toBe(false);
    } finally {
      evil.child.kill('SIGKILL');
      owner.destroy();
    }
    const { result } = await evil.done;
    expect(result).toMatchObject({ lockfile: 'EACCES' });
    expect(result.held).toBeGreaterThan(100); // it did hold read locks on the segment's slot bytes
  });

  it('the C peer carries on beside the same read locks', async (ctx) => {
    if (!asRoot) return skipLoudly(ctx, 'needs root (another uid)');
    const name = uniqueName('RDLOCK-C');
    const owner = createPipe(name, { permissions: 0o644 });
    const evil = attacker(name, 65534);
    await evil.ready;
    try {
      const c = spawn(RP_SHM, ['recv', name, '--timeout', '30'], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      c.stdout.setEncoding('utf8').on('data', (text: string) => (out += text));
      const closed = new Promise<number | null>((resolve) => c.once('close', resolve));
      await until('rp_shm reading', () => (readersOf(name) ?? 0) >= 1, { timeoutMs: 4_000, everyMs: 10 });
      const sender = startNode(C_PATTERN, ['send', name, '50', '32']);
      expect((await sender.done).code).toBe(0);
      expect(await within(30_000, 'rp_shm reaching EOF beside the read locks', closed)).toBe(0);
      expect(out.trim()).toBe(execFileSync(RP_SHM, ['expect', '50', '32'], { encoding: 'utf8' }).trim().replace(/^expect /, 'received '));
    } finally {
      evil.child.kill('SIGKILL');
      owner.destroy();
    }
  });

  it.each([
    ['0600', '0600'],
    ['0644', '0600'],
    ['0640', '0600'],
    ['0604', '0600'],
    ['0660', '0660'],
    ['0664', '0660'],
    ['0606', '0606'],
    ['0666', '0666'],
  ])('permissions %s: the lock file grants %s (read and write to those who may write the pipe, nothing to others)', async (perm, lock) => {
    const [permissions, lockMode] = [parseInt(perm, 8), parseInt(lock, 8)];
    const name = uniqueName('LOCKMODE');
    const pipe = createPipe(name, { permissions });
    try {
      const lockFile = readdirSync('/dev/shm').find((f) => f.startsWith(`ringpipe.${name.toUpperCase()}.`) && f.endsWith('.lock'));
      expect(lockFile).toBe(`ringpipe.${name.toUpperCase()}.${statSync(shmPath(name)).ino}.lock`);
      expect(statSync(`/dev/shm/${lockFile}`).mode & 0o777).toBe(lockMode);
    } finally {
      pipe.destroy();
    }
  });
});

function readersOf(name: string): number | undefined {
  try {
    return statPipe(name).readers;
  } catch {
    return undefined;
  }
}
