// Issue 16, items 2, 3 and 5: looking at pipes is safe from what another local user does with
// their own files (a segment flipped between whole and truncated, a hostile file name), and the
// last two odd cases of /dev/shm give the typed errors the README names.
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { chmodSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { killChildren, skipLoudly, uniqueName } from '../../../tests/support/index.js';
import { peerAsUser } from './helpers/peer-as-user.js';
import { ErrorCode, listPipes } from '../src/index.js';
import { startProcess } from './helpers/processes.js';
import { shmPath } from './helpers/segment-file.js';

afterEach(killChildren);

const asRoot = process.getuid?.() === 0;
const CLI = fileURLToPath(new URL('../../pipe-cli/bin/ringpipe.js', import.meta.url));

/** A python3 script run as uid 65534 (its own files only). */
function asNobody(script: string, args: string[]) {
  return startProcess('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', '/usr/bin/python3', '-c', script, ...args]);
}

describe('looking at other users\u2019 pipes', () => {
  it('statPipe and listPipes while another user flips its pipe between whole and truncated: no signal, only typed errors or stats', async (ctx) => {
    const peer = peerAsUser(65534);
    if (!peer.ok) return skipLoudly(ctx, peer.reason);
    const name = uniqueName('FLIP');
    const holder = peer.start(['hold', name, '65536', '0']);
    await holder.ready;
    const flipper = asNobody(
      `
import os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR)
whole = os.fstat(fd).st_size
header = os.pread(fd, 4096, 0)
print('ready', flush=True)
end = time.time() + 60
while time.time() < end:
    os.ftruncate(fd, 0)
    os.ftruncate(fd, whole)
    os.pwrite(fd, header, 0)
`,
      [shmPath(name)],
    );
    await flipper.ready;
    const victim = startProcess(process.execPath, [
      '--input-type=module',
      '-e',
      `
      import { listPipes, statPipe } from '@ringpipe/client';
      const outcomes = { stats: 0, typed: 0, listed: 0, looks: 0 };
      // Until both states were seen often enough (at most 10,000 looks): a loaded machine flips slower, not less.
      for (let i = 0; i < 10000 && (outcomes.stats < 300 || outcomes.typed < 300 || outcomes.listed < 20); i++) {
        outcomes.looks++;
        try {
          statPipe('${name}');
          outcomes.stats++;
        } catch (err) {
          if (!String(err.code).startsWith('ERR_RINGPIPE_')) throw err;
          outcomes.typed++;
        }
        if (i % 50 === 0) {
          listPipes();
          outcomes.listed++;
        }
      }
      console.log(JSON.stringify(outcomes));
      `,
    ]);
    const { code, signal, result, stderr } = await victim.done;
    flipper.child.kill('SIGKILL');
    holder.child.kill('SIGKILL');
    expect({ code, signal, stderr }).toEqual({ code: 0, signal: null, stderr: '' });
    console.log(`[trust figures] looks at a pipe another user flips: ${JSON.stringify(result)}`);
    expect(result.stats + result.typed).toBe(result.looks);
    // Both states were looked at: stats of the whole pipe, typed errors of the truncated one.
    expect(result.stats).toBeGreaterThan(0);
    expect(result.typed).toBeGreaterThan(0);
    expect(result.listed).toBe(Math.ceil(result.looks / 50));
  }, 120_000);

  it('a directory entry that is not a pipe name is not listed, and ls prints no control character', async (ctx) => {
    const peer = peerAsUser(65534);
    if (!peer.ok) return skipLoudly(ctx, peer.reason);
    const name = uniqueName('HOSTILE');
    const holder = peer.start(['hold', name, '8192', '0']);
    await holder.ready;
    const hostile = `/dev/shm/ringpipe.X\u001b[H\u001b[2J\u001b]0;OWNED\u0007\nHELLO-${process.pid}`;
    const renamer = asNobody('import os, sys\nos.rename(sys.argv[1], sys.argv[2])\nprint("ready")', [shmPath(name), hostile]);
    expect((await renamer.done).code).toBe(0);
    try {
      expect(listPipes().filter((p) => p.name.includes('HELLO') || /[\u0000-\u001f]/.test(p.name))).toEqual([]);
      const table = execFileSync(process.execPath, [CLI, 'ls']);
      expect(table.includes(0x1b)).toBe(false);
      expect(table.includes(0x07)).toBe(false);
      expect(table.toString().split('\n').some((line) => line.startsWith('HELLO'))).toBe(false);
    } finally {
      holder.child.kill('SIGKILL');
      await holder.done;
      execFileSync('rm', ['-f', hostile]);
    }
  });
});

describe('odd /dev/shm states', () => {
  it('no free inode in /dev/shm: ERR_RINGPIPE_NO_SPACE', async (ctx) => {
    if (!asRoot) return skipLoudly(ctx, 'needs root (a private mount namespace)');
    const script = `
      import { writeFileSync } from 'node:fs';
      import { createPipe } from '@ringpipe/client';
      let files = 0;
      try { for (;;) writeFileSync('/dev/shm/fill-' + files++, ''); } catch {}
      let code = 'opened';
      try { createPipe('NOINODE').destroy(); } catch (err) { code = err.code; }
      console.log(JSON.stringify({ code, files }));
    `;
    const sh = `mount -t tmpfs -o size=8M,nr_inodes=16,mode=1777 tmpfs /dev/shm && exec "$0" "$@"`;
    const run = startProcess('unshare', ['-m', '--propagation', 'private', 'sh', '-c', sh, process.execPath, '--input-type=module', '-e', script]);
    const { result, stderr } = await run.done;
    expect(stderr).toBe('');
    expect(result.files).toBeGreaterThan(1);
    expect(result.code).toBe(ErrorCode.NoSpace);
  });

  it('a socket at the pipe\u2019s path: ERR_RINGPIPE_UNTRUSTED, for a user who may not open it too', async (ctx) => {
    const peer = peerAsUser(65534);
    if (!peer.ok) return skipLoudly(ctx, peer.reason);
    const name = uniqueName('SOCKET');
    const server = createServer();
    server.listen(shmPath(name));
    await once(server, 'listening');
    chmodSync(shmPath(name), 0o755);
    try {
      const other = peer.start(['try-open', name]);
      expect((await other.done).result).toEqual({ error: ErrorCode.Untrusted });
    } finally {
      server.close();
    }
  });
});
