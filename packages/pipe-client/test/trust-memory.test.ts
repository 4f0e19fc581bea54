// Memory that cannot vanish: space reserved at creation, the header checked before the rest is mapped.
import { once } from 'node:events';
import { closeSync, existsSync, ftruncateSync, openSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { killChildren, skipLoudly, thrownCode, uniqueName } from '../../../tests/support/index.js';
import { createPipe, ErrorCode, listPipes, statPipe } from '../src/index.js';
import { HEADER_SIZE } from '../src/ring/layout.js';
import { initHeader } from '../src/ring/header.js';
import { ofdLock } from '../src/platform/linux/libc.js';
import { leftByKilledHolder, startProcess } from './helpers/processes.js';
import { shmPath } from './helpers/segment-file.js';

afterEach(killChildren);

const asRoot = process.getuid?.() === 0;


/** Runs node with `args` in a private mount namespace whose /dev/shm is a tmpfs of `size`. */
function nodeOnSmallShm(size: string, args: string[]) {
  const script = `mount -t tmpfs -o size=${size},mode=1777 tmpfs /dev/shm && exec "$0" "$@"`;
  return startProcess('unshare', ['-m', '--propagation', 'private', 'sh', '-c', script, process.execPath, ...args]);
}

/**
 * A file at the pipe's path with a live handle as far as locks tell (this test
 * holds a slot byte's lock through its own descriptor), but with `content`.
 */
function hostileFile(name: string, size: number, header?: Buffer): () => void {
  const fd = openSync(shmPath(name), 'w+', 0o600);
  ftruncateSync(fd, size);
  if (header) writeSync(fd, header, 0, header.length, 0);
  ofdLock(fd, 7);
  return () => {
    closeSync(fd);
    unlinkSync(shmPath(name));
  };
}

function validHeader(capacity: number): Buffer {
  const header = new ArrayBuffer(HEADER_SIZE);
  initHeader(header, capacity, 1);
  return Buffer.from(header);
}

describe('memory', () => {
  it('a ring larger than /dev/shm has room for fails at open with NO_SPACE, leaving nothing behind', async (ctx) => {
    if (!asRoot) return skipLoudly(ctx, 'needs root (another uid, mounts or namespaces)');
    const name = uniqueName('FULL');
    // On a 48 MiB tmpfs: a 1 GiB ring, then two 32 MiB rings of which only the first fits.
    const script = `
      import { readdirSync } from 'node:fs';
      import { createPipe } from '@ringpipe/client';
      const codeOf = (fn) => { try { fn().destroy(); return 'opened'; } catch (err) { return err.code; } };
      const huge = codeOf(() => createPipe('${name}-HUGE', { capacity: 2 ** 30 }));
      const leftAfterHuge = readdirSync('/dev/shm').length;
      const first = createPipe('${name}-A', { capacity: 32 * 1024 * 1024 });
      const second = codeOf(() => createPipe('${name}-B', { capacity: 32 * 1024 * 1024 }));
      const received = new Promise((resolve) => first.once('data', resolve));
      first.write(Buffer.alloc(30 * 1024 * 1024, 7));
      first.end();
      const message = await received;
      console.log(JSON.stringify({ huge, leftAfterHuge, second, length: message.length }));
      first.destroy();
    `;
    const run = nodeOnSmallShm('48M', ['--input-type=module', '-e', script]);
    const { result, stderr } = await run.done;
    expect(stderr).toBe('');
    expect(result).toEqual({ huge: ErrorCode.NoSpace, leftAfterHuge: 0, second: ErrorCode.NoSpace, length: 30 * 1024 * 1024 });
  });

  it('a sparse 4 GiB file at the path is refused, never mapped whole', () => {
    const name = uniqueName('SPARSE');
    const cleanup = hostileFile(name, 2 ** 32, validHeader(2 ** 30));
    try {
      expect(thrownCode(() => createPipe(name))).toBe(ErrorCode.Corrupt);
      expect(thrownCode(() => statPipe(name))).toBe(ErrorCode.Corrupt);
      expect(() => listPipes()).not.toThrow();
    } finally {
      cleanup();
    }
  });

  it('a header whose capacity the file does not have, or that is not allocated, is refused', () => {
    const name = uniqueName('SHORT');
    const shortFile = hostileFile(name, HEADER_SIZE + 4096, validHeader(65536));
    try {
      expect(thrownCode(() => createPipe(name))).toBe(ErrorCode.Corrupt);
    } finally {
      shortFile();
    }
    const holes = hostileFile(name, HEADER_SIZE + 65536, validHeader(65536));
    try {
      expect(thrownCode(() => createPipe(name))).toBe(ErrorCode.Corrupt);
    } finally {
      holes();
    }
  });

  it('a header of another format version is refused, never re-initialised', () => {
    const name = uniqueName('OLDVERSION');
    const header = validHeader(65536);
    header.writeUInt16LE(1, 4);
    const cleanup = hostileFile(name, HEADER_SIZE + 65536, header);
    try {
      const err = (() => {
        try {
          createPipe(name);
        } catch (e) {
          return e as Error & { code: string };
        }
      })();
      expect(err?.code).toBe(ErrorCode.Corrupt);
      expect(err?.message).toMatch(/version 1/);
    } finally {
      cleanup();
    }
  });

  it('listing pipes removes nothing; the next open gives back the memory of a file whose handles all died with nothing unread', async () => {
    const name = uniqueName('LEFTOVER');
    await leftByKilledHolder(name, 65536, 0);
    const inode = statSync(shmPath(name)).ino;
    expect(listPipes().map((pipe) => pipe.name)).not.toContain(name.toUpperCase());
    expect(statSync(shmPath(name)).ino).toBe(inode);
    const pipe = createPipe(name);
    expect(statSync(shmPath(name)).ino).not.toBe(inode);
    pipe.destroy();
    await once(pipe, 'close');
    expect(existsSync(shmPath(name))).toBe(false);
  });
});
