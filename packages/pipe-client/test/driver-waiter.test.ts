// The driver backend's process-wide poll() waiter, on real descriptors (FIFOs): it needs no module.
import { execFileSync } from 'node:child_process';
import { closeSync, constants, openSync, readFileSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep, tempDir } from '../../../tests/support/index.js';
import { POLLIN, pollWaiter } from '../src/backends/linux-driver/poll-waiter.js';

let dir: string;
const fifos: number[] = [];

function fifo(name: string): number {
  const path = join(dir, name);
  execFileSync('mkfifo', [path]);
  // O_RDWR on a FIFO never blocks the open and keeps it from reporting POLLHUP.
  const fd = openSync(path, constants.O_RDWR | constants.O_NONBLOCK);
  fifos.push(fd);
  return fd;
}

beforeAll(() => {
  dir = tempDir('waiter');
});

afterAll(() => {
  for (const fd of fifos) closeSync(fd);
});

describe('driver poll waiter', () => {
  it('resolves the wait of the descriptor that became readable, and only that one', async () => {
    const a = fifo('a');
    const b = fifo('b');
    let aDone = false;
    let bDone = false;
    const waitA = pollWaiter.wait(a, POLLIN);
    const waitB = pollWaiter.wait(b, POLLIN);
    waitA.promise.then(() => (aDone = true));
    waitB.promise.then(() => (bDone = true));
    await sleep(50);
    expect([aDone, bDone]).toEqual([false, false]);
    writeSync(b, 'x');
    await waitB.promise;
    expect(bDone).toBe(true);
    expect(aDone).toBe(false);
    waitA.cancel();
    await waitA.promise;
    await pollWaiter.quiesce();
  });

  it('sixteen idle waits leave the threadpool free for fs calls', async () => {
    const waits = Array.from({ length: 16 }, (_, i) => pollWaiter.wait(fifo(`idle${i}`), POLLIN));
    await sleep(20);
    // With one pool thread per wait these would queue behind 16 blocked threads (libuv has 4).
    const reads = await Promise.all(Array.from({ length: 8 }, () => readFile('/proc/self/stat', 'latin1')));
    expect(reads.every((text) => text.length > 0)).toBe(true);
    expect(readFileSync('/proc/self/stat', 'latin1').length).toBeGreaterThan(0);
    for (const wait of waits) wait.cancel();
    await Promise.all(waits.map((wait) => wait.promise));
    await pollWaiter.quiesce();
  });
});
