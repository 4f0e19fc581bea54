// A process with many sleeping readers remembers which writers' slots are live between looks
// (src/platform/linux/slot-liveness.ts: inotify on the lock files tells it when to look again).
// Judged by counts: readers that ended, or not, once their writer was stopped, then killed.
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { createPipe } from '../src/index.js';
import { killChildren, sleep, uniqueName, within } from '../../../tests/support/index.js';
import { startPeer } from './helpers/processes.js';

afterEach(killChildren);

/** More than the 64 lock files from which a process watches them (WATCH_FROM). */
const PIPES = 100;

describe('liveness remembered across looks', () => {
  it(`${PIPES} idle readers: a stopped writer stays live, a killed one ends every reader within a few looks`, async () => {
    const prefix = uniqueName('MANY');
    const readers = Array.from({ length: PIPES }, (_, i) => createPipe(`${prefix}-${i}`, { access: 'read' }));
    let ended = 0;
    for (const reader of readers) {
      reader.on('data', () => {});
      reader.once('end', () => ended++);
    }
    const writer = startPeer(['hold-many', prefix, String(PIPES)]);
    await writer.ready;
    // Every reader asleep and looked at (100 sleepers: each once a second), so its writer's slot is remembered live.
    await sleep(3000);
    writer.child.kill('SIGSTOP');
    await sleep(2500);
    expect(ended, 'a stopped writer holds its locks: no reader ends').toBe(0);
    writer.child.kill('SIGKILL');
    await writer.done;
    // Remembered answers are kept up to 30 s: only the close the kernel reports ends them all sooner.
    await within(6000, `EOF at all ${PIPES} readers`, Promise.all(readers.map((reader) => (reader.readableEnded ? undefined : once(reader, 'end')))));
    expect(ended).toBe(PIPES);
    for (const reader of readers) reader.destroy();
  }, 30_000);
});
