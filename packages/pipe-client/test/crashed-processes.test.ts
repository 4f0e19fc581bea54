// What a process killed with its pipe open leaves: its unread messages kept for the next reader, or a
// segment with nothing unread that the next open replaces.
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { killChildren, uniqueName } from '../../../tests/support/index.js';
import { createPipe, ErrorCode, listPipes, statPipe } from '../src/index.js';
import { leftByKilledHolder } from './helpers/processes.js';
import { shmPath } from './helpers/segment-file.js';

afterEach(killChildren);

describe('between real processes', () => {
  it('a crash of the last handle keeps its unread messages: listed as kept, read by the next reader, then EOF', async () => {
    const name = uniqueName('CRASHED');
    await leftByKilledHolder(name, 8192, 3);
    const listed = listPipes().find((p) => p.name === name.toUpperCase());
    expect(listed).toMatchObject({ kept: true, handles: 0, unreadMessages: 3, unreadBytes: 3 * 'left behind'.length });
    expect(statPipe(name).keptSince).toBeGreaterThan(Date.now() - 60_000);
    const reader = createPipe(name, { access: 'read' });
    const got: string[] = [];
    for await (const message of reader) got.push(String(message));
    expect(got).toEqual(['left behind', 'left behind', 'left behind']);
    if (!reader.closed) await once(reader, 'close');
    expect(existsSync(shmPath(name))).toBe(false);
  });

  it('replaces a segment left by a crashed process with nothing unread on the next open', async () => {
    const name = uniqueName('CRASHED');
    await leftByKilledHolder(name, 8192, 0);
    expect(existsSync(shmPath(name))).toBe(true);
    expect(listPipes().map((p) => p.name)).not.toContain(name.toUpperCase());
    expect(() => statPipe(name)).toThrow(expect.objectContaining({ code: ErrorCode.NotFound }));
    expect(existsSync(shmPath(name))).toBe(true);
    const pipe = createPipe(name, { capacity: 16384 });
    const stats = pipe.stats();
    expect(stats.capacity).toBe(16384);
    expect(stats.usedBytes).toBe(0);
    expect(stats.handles).toBe(1);
    pipe.destroy();
    await once(pipe, 'close');
    expect(existsSync(shmPath(name))).toBe(false);
  });
});
