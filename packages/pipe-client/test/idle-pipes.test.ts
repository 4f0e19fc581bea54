// Idle pipes cost nothing: they leave the threadpool free, and a process whose pipes are closed exits.
import { readFile } from 'node:fs/promises';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { killChildren, sleep, uniqueName } from '../../../test/support/index.js';
import { createPipe } from '../src/index.js';
import { startPeer } from './helpers/processes.js';

afterEach(killChildren);

describe('between real processes', () => {
  it('sixteen idle pipes leave the threadpool free for fs calls', async () => {
    const pipes = Array.from({ length: 16 }, (_, i) => createPipe(uniqueName(`IDLE${i}`), { access: 'read' }));
    for (const pipe of pipes) pipe.resume();
    await sleep(50);
    let timer: NodeJS.Timeout | undefined;
    const reads = Promise.all(Array.from({ length: 8 }, () => readFile(new URL(import.meta.url))));
    const starved = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error('fs.readFile did not complete: threadpool starved')), 5000);
    });
    await Promise.race([reads, starved]);
    clearTimeout(timer);
    await Promise.all(pipes.map((pipe) => (pipe.destroy(), once(pipe, 'close'))));
  });

  it('a process whose pipes are all closed exits by itself', async () => {
    const child = startPeer(['idle-then-close', '4']);
    await child.ready;
    let timer: NodeJS.Timeout | undefined;
    const hung = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error('process kept running after closing its pipes')), 10_000);
    });
    const result = (await Promise.race([child.done, hung])) as Awaited<typeof child.done>;
    clearTimeout(timer);
    if (!result) child.child.kill('SIGKILL');
    expect(result.code).toBe(0);
  });
});
