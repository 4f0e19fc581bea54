// Who may make, hold and join a pipe's shared-memory file (docs/ring-format.md, Lifetime).
import { once } from 'node:events';
import { chownSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { killChildren, skipLoudly, thrownCode, uniqueName } from '../../../tests/support/index.js';
import { createPipe, ErrorCode, listPipes, statPipe } from '../src/index.js';
import { startPeer } from './helpers/processes.js';
import { removePipeFiles, shmPath } from './helpers/segment-file.js';

afterEach(killChildren);

const asRoot = process.getuid?.() === 0;
const NOBODY = 65534;


describe('a pipe name held by something we did not make', () => {
  it("refuses another user's file, pre-made world-writable, and writes nothing into it", (ctx) => {
    if (!asRoot) return skipLoudly(ctx, 'needs root to give a file to another uid');
    const name = uniqueName('SQUAT');
    writeFileSync(shmPath(name), '', { mode: 0o666 });
    chownSync(shmPath(name), NOBODY, NOBODY);
    try {
      expect(thrownCode(() => createPipe(name))).toBe(ErrorCode.Untrusted);
      const after = statSync(shmPath(name));
      expect(after.size).toBe(0);
      expect(after.uid).toBe(NOBODY);
    } finally {
      unlinkSync(shmPath(name));
    }
  });

  it("refuses another user's pipe unless its owner is named, then joins it", async (ctx) => {
    if (!asRoot) return skipLoudly(ctx, 'needs root (another uid, mounts or namespaces)');
    const name = uniqueName('THEIRS');
    const theirs = startPeer(['hold', name, '8192'], { uid: NOBODY, gid: NOBODY });
    await theirs.ready;
    expect(statSync(shmPath(name)).uid).toBe(NOBODY);
    expect(thrownCode(() => createPipe(name))).toBe(ErrorCode.Untrusted);
    expect(thrownCode(() => createPipe(name, { owner: 1234 }))).toBe(ErrorCode.Untrusted);
    // Root may open a 0600 file of theirs once it names them (the kernel lets root in); by name or by uid.
    for (const owner of ['nobody', NOBODY]) {
      const named = createPipe(name, { owner, access: 'read' });
      expect(named.capacity).toBe(8192);
      named.destroy();
      await once(named, 'close');
    }
    const reader = createPipe(name, { owner: NOBODY, access: 'read' });
    const [left] = (await once(reader, 'data')) as [Buffer];
    expect(String(left)).toBe('left behind');
    reader.destroy();
    theirs.child.kill('SIGKILL');
    await theirs.done;
    removePipeFiles(name);
  });

  it('refuses a symlink, a FIFO or a directory at the path with a typed error', () => {
    const name = uniqueName('NOTAFILE');
    const path = shmPath(name);
    const cases: Array<[string, () => void]> = [
      ['symlink', () => symlinkSync('/etc/passwd', path)],
      ['fifo', () => execFileSync('mkfifo', ['-m', '600', path])],
      ['directory', () => mkdirSync(path)],
    ];
    for (const [what, make] of cases) {
      make();
      try {
        expect(thrownCode(() => createPipe(name)), what).toBe(ErrorCode.Untrusted);
        expect(thrownCode(() => statPipe(name)), what).toBe(ErrorCode.NotFound);
        expect(() => listPipes(), what).not.toThrow();
      } finally {
        rmSync(path, { recursive: true, force: true });
      }
    }
    expect(readFileSync('/etc/passwd', 'utf8')).toContain('root:');
  });

  it('creates its file with exactly the permissions asked for, whatever the umask, owned by the creator', async () => {
    const name = uniqueName('MODE');
    const old = process.umask(0o077);
    let pipe;
    try {
      pipe = createPipe(name, { permissions: 0o644 });
    } finally {
      process.umask(old);
    }
    const stats = statSync(shmPath(name));
    expect(stats.mode & 0o777).toBe(0o644);
    expect(stats.uid).toBe(process.geteuid!());
    expect(stats.blocks * 512).toBeGreaterThanOrEqual(stats.size);
    pipe.destroy();
    await once(pipe, 'close');
    expect(existsSync(shmPath(name))).toBe(false);
  });

  it('a file nobody has open is no pipe: stat says NOT_FOUND and the next open replaces it', async () => {
    const name = uniqueName('EMPTYFILE');
    writeFileSync(shmPath(name), '', { mode: 0o600 });
    expect(thrownCode(() => statPipe(name))).toBe(ErrorCode.NotFound);
    const pipe = createPipe(name, { capacity: 8192 });
    expect(pipe.capacity).toBe(8192);
    expect(statPipe(name).handles).toBe(1);
    pipe.destroy();
    await once(pipe, 'close');
    expect(existsSync(shmPath(name))).toBe(false);
  });
});
