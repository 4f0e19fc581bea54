import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createPipe, type RingPipe } from '@ringpipe/client';
import { RingPositions } from '../src/ring-positions.js';
import { messageId } from '../src/to.js';
import { shortenCounters } from './helpers/ring-counters.js';

const GiB = 2 ** 30;

describe.skipIf(process.platform !== 'linux')('--to message ids on shared memory', () => {
  let pipe: RingPipe | undefined;
  afterEach(() => pipe?.destroy());

  it('a message keeps its id when a reader killed between its tail store and its counters consumed the ones before it', () => {
    const name = `MSGID${process.pid}`;
    pipe = createPipe(name, { backend: 'shm', follow: true });
    return (async () => {
      await pipe.writeBatch(['one', 'two', 'three', 'four']);
      const window = pipe.readWindow();
      const positions = new RingPositions(undefined, 'host/1.2');
      const shown = window.more(4);
      const ids = shown.map((m, i) => messageId('host/1.2', m.number, i === 0 ? positions.atTail(m.position!, pipe!.stats()) : positions.next(m.position!)));
      expect(new Set(ids).size).toBe(4);
      window.release(2);
      window.close();
      shortenCounters(`/dev/shm/ringpipe.${name}`, 2, 'one'.length + 'two'.length);

      const again = pipe.readWindow();
      const after = new RingPositions(undefined, 'host/1.2');
      const rest = again.more(2);
      const restIds = rest.map((m, i) => messageId('host/1.2', m.number, i === 0 ? after.atTail(m.position!, pipe!.stats()) : after.next(m.position!)));
      expect(restIds).toEqual(ids.slice(2));
      again.close();
    })();
  });

  it('positions past 4 GiB: the counters (even short) pick the wrap, and an anchor file carries them to the next bridge', () => {
    const dir = mkdtempSync(join(tmpdir(), 'anchor-'));
    try {
      const file = join(dir, 'anchor');
      const p = new RingPositions(file, 'host/1.2');
      // 70,000,000 records of 64 bytes (72 in the ring) consumed: 5.04e9 bytes, past one wrap.
      const at = 70_000_000 * 72;
      expect(p.atTail(at % 2 ** 32, { messagesOut: 70_000_000, bytesOut: 70_000_000 * 64 })).toBe(at);
      // the same with the counters 4,096 records short
      expect(new RingPositions(file, 'host/1.2').atTail(at % 2 ** 32, { messagesOut: 70_000_000 - 4096, bytesOut: (70_000_000 - 4096) * 64 })).toBe(at);
      p.consuming(at, () => ({ messagesOut: 70_000_000, bytesOut: 70_000_000 * 64 }));
      // 700,000,000 records of 49 bytes later (64 in the ring, 7 of padding each: 4.9e9 bytes the counters cannot see)
      const later = at + 700_000_000 * 64;
      const counts = { messagesOut: 770_000_000, bytesOut: 70_000_000 * 64 + 700_000_000 * 49 };
      expect(new RingPositions(file, 'host/1.2').atTail(later % 2 ** 32, counts)).toBeLessThan(later); // padding over 4 GiB since the anchor
      const fromAnchor = new RingPositions(file, 'host/1.2');
      const records = 700_000_000 - GiB / 64; // to a GiB before `later`
      fromAnchor.consuming(later - GiB, () => ({ messagesOut: 70_000_000 + records, bytesOut: 70_000_000 * 64 + records * 49 }));
      expect(new RingPositions(file, 'host/1.2').atTail(later % 2 ** 32, counts)).toBe(later);
      // another pipe of the name (another incarnation) does not take the anchor
      expect(new RingPositions(file, 'host/9.9').atTail(72, { messagesOut: 1, bytesOut: 64 })).toBe(72);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('without a read position (the drivers), the id is the message number', () => {
    expect(messageId('host/x', 7, undefined)).toBe('host/x/7');
    expect(messageId('host/x', 7, 2 ** 33)).toBe('host/x/@8589934592');
  });
});
