import { once } from 'node:events';
import { killChildren } from '../../../../tests/support/index.js';
import { createPipe, type RingPipe } from '../../src/index.js';

const opened: RingPipe[] = [];

/** createPipe, remembered so that closeOpened() destroys what a test left open. */
export function open(...args: Parameters<typeof createPipe>): RingPipe {
  const pipe = createPipe(...args);
  opened.push(pipe);
  return pipe;
}

/** A reader (with OPTIONS) and a writer on NAME, both made by open(). */
export const openPair = (name: string, options: Parameters<typeof createPipe>[1] = {}): { reader: RingPipe; writer: RingPipe } => ({
  reader: open(name, { ...options, access: 'read' }),
  writer: open(name, { access: 'write' }),
});

/** For afterEach: destroys every pipe open() made and waits until each has closed. */
export async function closeOpened(): Promise<void> {
  await Promise.all(opened.splice(0).map((pipe) => (pipe.destroyed ? undefined : (pipe.destroy(), once(pipe, 'close')))));
}

/** For afterEach in a file that starts peers too: kills them, then closes the pipes open() made. */
export async function killPeersAndClose(): Promise<void> {
  killChildren();
  await closeOpened();
}

/** The sequence numbers that test/fixtures/peer.mjs writes at byte 4 of each message. */
export const seqsOf = (messages: Buffer[]): number[] => messages.map((m) => m.readUInt32LE(4));

/** Every message until EOF. */
export async function collect(pipe: RingPipe): Promise<Buffer[]> {
  const got: Buffer[] = [];
  for await (const message of pipe) got.push(message as Buffer);
  return got;
}
