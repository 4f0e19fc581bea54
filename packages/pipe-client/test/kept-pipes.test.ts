// The lifetime of a shared-memory pipe (README, Semantics: Lifetime): unread messages outlive the
// last handle, the next opener adopts them, a time to live bounds the wait, removePipe unlinks.
import { once } from 'node:events';
import { existsSync, statSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { killChildren, sleep, thrownCode, uniqueName } from '../../../tests/support/index.js';
import { createPipe, ErrorCode, listPipes, removePipe, statPipe } from '../src/index.js';
import { collect, seqsOf } from './helpers/pipes.js';
import { startPeer } from './helpers/processes.js';
import { shmPath } from './helpers/segment-file.js';

afterEach(killChildren);

/** A reader closes itself after its end, a moment after the loop over it ended. */
async function closed(pipe: ReturnType<typeof createPipe>): Promise<void> {
  if (!pipe.closed) await once(pipe, 'close');
}

describe('kept pipes', () => {
  it('messages of a writer that left before any reader wait for the next reader, then EOF', async () => {
    const name = uniqueName('KEPT');
    const sender = startPeer(['send', name, '1', '500', '64']);
    expect((await sender.done).code).toBe(0);
    expect(statPipe(name)).toMatchObject({ kept: true, handles: 0, unreadMessages: 500, unreadBytes: 500 * 64 });
    const reader = createPipe(name, { access: 'read' });
    expect(seqsOf(await collect(reader))).toEqual(Array.from({ length: 500 }, (_, i) => i));
    await closed(reader);
    expect(existsSync(shmPath(name))).toBe(false);
  });

  it('SIGKILL of the last reader keeps what it had not taken: the next reader gets exactly the rest', async () => {
    const name = uniqueName('KEPT-KILL');
    const count = 2000;
    const taker = startPeer(['take', name, '700']);
    const sender = startPeer(['send', name, '1', String(count), '32']);
    expect((await sender.done).code).toBe(0);
    await taker.ready;
    taker.child.kill('SIGKILL');
    const first: number[] = (await taker.done).result.seqs;
    expect(first).toHaveLength(700);
    expect(statPipe(name)).toMatchObject({ kept: true, unreadMessages: count - 700 });
    const rest = seqsOf(await collect(createPipe(name, { access: 'read' })));
    const all = [...first, ...rest];
    expect(new Set(all).size).toBe(all.length); // 0 duplicated
    expect(all.sort((a, b) => a - b)).toEqual(Array.from({ length: count }, (_, i) => i)); // 0 lost
  });

  it('a writer that opens a kept pipe adds to it; the reader gets both writers in order', async () => {
    const name = uniqueName('KEPT-TWO');
    for (const text of ['first', 'second']) {
      const writer = createPipe(name, { access: 'write' });
      writer.end(text);
      await once(writer, 'close');
    }
    expect(statPipe(name).unreadMessages).toBe(2);
    expect((await collect(createPipe(name, { access: 'read' }))).map(String)).toEqual(['first', 'second']);
  });

  it('a pipe with nothing unread still disappears at its last close', async () => {
    const name = uniqueName('GONE');
    const pipe = createPipe(name);
    pipe.write('x');
    expect((await pipe.readBatch(1)).map(String)).toEqual(['x']);
    pipe.destroy();
    await once(pipe, 'close');
    expect(existsSync(shmPath(name))).toBe(false);
    expect(thrownCode(() => statPipe(name))).toBe(ErrorCode.NotFound);
  });

  it('lists kept pipes with their unread count and bytes, and since when', async () => {
    const name = uniqueName('KEPT-LS');
    const before = Date.now();
    const writer = createPipe(name, { access: 'write', ttl: 60_000 });
    writer.write('abc');
    writer.end('defgh');
    await once(writer, 'close');
    const listed = listPipes().find((p) => p.name === name.toUpperCase());
    expect(listed).toMatchObject({ kept: true, handles: 0, unreadMessages: 2, unreadBytes: 8, ttl: 60_000 });
    expect(listed!.keptSince).toBeGreaterThanOrEqual(before);
    expect(listed!.keptSince).toBeLessThanOrEqual(Date.now());
    expect(existsSync(shmPath(name))).toBe(true);
    removePipe(name);
  });
});

describe('removePipe', () => {
  it('removes a kept pipe with its unread messages; the next open starts afresh', async () => {
    const name = uniqueName('RM');
    const writer = createPipe(name, { access: 'write' });
    writer.end('doomed');
    await once(writer, 'close');
    removePipe(name);
    expect(existsSync(shmPath(name))).toBe(false);
    expect(thrownCode(() => statPipe(name))).toBe(ErrorCode.NotFound);
    expect(thrownCode(() => removePipe(name))).toBe(ErrorCode.NotFound);
    const fresh = createPipe(name);
    expect(fresh.stats().messagesIn).toBe(0);
    fresh.destroy();
    await once(fresh, 'close');
  });

  it('like mq_unlink: open handles keep the old pipe, the next open makes a new one', async () => {
    const name = uniqueName('RM-OPEN');
    const old = createPipe(name);
    const inode = statSync(shmPath(name)).ino;
    removePipe(name);
    old.write('still works');
    expect((await old.readBatch(1)).map(String)).toEqual(['still works']);
    const other = createPipe(name);
    expect(statSync(shmPath(name)).ino).not.toBe(inode);
    expect(other.stats().messagesIn).toBe(0);
    for (const pipe of [old, other]) {
      pipe.destroy();
      await once(pipe, 'close');
    }
    expect(existsSync(shmPath(name))).toBe(false);
  });

  it('checks its options', () => {
    expect(thrownCode(() => removePipe('x', { capacity: 1 } as never))).toBe(ErrorCode.BadOption);
    expect(thrownCode(() => removePipe('bad name'))).toBe(ErrorCode.BadName);
  });
});

describe('ttl', () => {
  it('a kept pipe past its ttl is removed by the next stat, with its messages', async () => {
    const name = uniqueName('TTL');
    const writer = createPipe(name, { access: 'write', ttl: 200 });
    writer.end('short-lived');
    await once(writer, 'close');
    expect(statPipe(name)).toMatchObject({ kept: true, ttl: 200, unreadMessages: 1 });
    let tries = 0;
    while (existsSync(shmPath(name)) && tries < 100) {
      tries++;
      await sleep(50);
      try {
        statPipe(name);
      } catch (err) {
        expect((err as { code: string }).code).toBe(ErrorCode.NotFound);
      }
    }
    expect(tries).toBeLessThan(100);
    expect(existsSync(shmPath(name))).toBe(false);
    const reader = createPipe(name, { access: 'read', follow: true });
    expect(reader.stats().messagesIn).toBe(0);
    reader.destroy();
    await once(reader, 'close');
  });

  it('an opener never adopts an expired pipe', async () => {
    const name = uniqueName('TTL-OPEN');
    const writer = createPipe(name, { access: 'write', ttl: 1 });
    writer.end('expired');
    await once(writer, 'close');
    const kept = statSync(shmPath(name)).ino;
    // ttl 1 ms: after one more timer turn it has expired whatever the load.
    await sleep(5);
    const pipe = createPipe(name);
    expect(statSync(shmPath(name)).ino).not.toBe(kept);
    expect(pipe.stats().messagesIn).toBe(0);
    pipe.destroy();
    await once(pipe, 'close');
  });

  it('is a positive integer', () => {
    for (const ttl of [0, -1, 1.5, '100']) expect(thrownCode(() => createPipe(uniqueName('TTL-BAD'), { ttl } as never))).toBe(ErrorCode.BadOption);
  });
});
