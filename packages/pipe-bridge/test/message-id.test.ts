import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createPipe, type RingPipe } from '@ringpipe/client';
import { messageId } from '../src/to.js';

const MSGS_OUT = 152; // docs/ring-format.md, header page

/** What a reader killed after its tail store and before its counters leaves: msgs_out one short. */
function loseOneMessagesOut(name: string): void {
  const fd = openSync(`/dev/shm/ringpipe.${name}`, 'r+');
  try {
    const word = Buffer.alloc(8);
    readSync(fd, word, 0, 8, MSGS_OUT);
    word.writeBigUInt64LE(word.readBigUInt64LE(0) - 1n);
    writeSync(fd, word, 0, 8, MSGS_OUT);
  } finally {
    closeSync(fd);
  }
}

async function idOfNext(pipe: RingPipe, consume: boolean): Promise<string> {
  const view = (await pipe.readView())!;
  const id = messageId('host/1.2', pipe.stats());
  view.release(consume);
  return id;
}

describe.skipIf(process.platform !== 'linux')('--to message ids on shared memory', () => {
  let pipe: RingPipe | undefined;
  afterEach(() => pipe?.destroy());

  it('a message left in the ring keeps its id; a reader killed between its tail store and its counters does not give the next message the id of the one consumed', async () => {
    const name = `MSGID${process.pid}`;
    pipe = createPipe(name, { backend: 'shm', follow: true });
    await pipe.writeBatch(['one', 'two', 'three']);

    const first = await idOfNext(pipe, false);
    expect(await idOfNext(pipe, true)).toBe(first);

    loseOneMessagesOut(name);
    const second = await idOfNext(pipe, true);
    expect(second).not.toBe(first);
    expect(await idOfNext(pipe, true)).not.toBe(second);
  });

  it('without a read position (the drivers), the id is messagesOut alone', () => {
    expect(messageId('host/x', { messagesOut: 7 })).toBe('host/x/7');
    expect(messageId('host/x', { messagesOut: 7, readPosition: 64 })).toBe('host/x/7.64');
  });
});
