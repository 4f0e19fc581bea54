import { once } from 'node:events';
import { createPipe, type RingPipe } from '../../src/index.js';

const opened: RingPipe[] = [];

/** createPipe, remembered so that closeOpened() destroys what a test left open. */
export function open(...args: Parameters<typeof createPipe>): RingPipe {
  const pipe = createPipe(...args);
  opened.push(pipe);
  return pipe;
}

/** For afterEach: destroys every pipe open() made and waits until each has closed. */
export async function closeOpened(): Promise<void> {
  await Promise.all(opened.splice(0).map((pipe) => (pipe.destroyed ? undefined : (pipe.destroy(), once(pipe, 'close')))));
}

export async function collect(pipe: RingPipe): Promise<Buffer[]> {
  const got: Buffer[] = [];
  for await (const message of pipe) got.push(message as Buffer);
  return got;
}
