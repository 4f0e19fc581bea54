// Idle pipes cost nothing: they leave the threadpool free, and a process whose pipes are closed exits.
import { readFile } from 'node:fs/promises';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { killChildren, sleep, uniqueName, within } from '../../../tests/support/index.js';
import { createPipe } from '../src/index.js';
import { startPeer } from './helpers/processes.js';

afterEach(killChildren);

describe('between real processes', () => {
  it('sixteen idle pipes leave the threadpool free for fs calls', async () => {
    const pipes = Array.from({ length: 16 }, (_, i) => createPipe(uniqueName(`IDLE${i}`), { access: 'read' }));
    for (const pipe of pipes) pipe.resume();
    await sleep(50);
    const reads = Promise.all(Array.from({ length: 8 }, () => readFile(new URL(import.meta.url))));
    await within(5000, 'fs.readFile beside sixteen idle pipes (a starved threadpool)', reads);
    await Promise.all(pipes.map((pipe) => (pipe.destroy(), once(pipe, 'close'))));
  });

  it('a process whose pipes are all closed exits by itself', async () => {
    const child = startPeer(['idle-then-close', '4']);
    await child.ready;
    const result = await within(10_000, 'the exit of a process that closed all its pipes', child.done);
    expect(result.code).toBe(0);
  });
});
