import { closeSync, openSync, readSync, writeSync } from 'node:fs';

/** Header offsets of `msgs_out` and `bytes_out` (docs/ring-format.md, the header's line 2). */
const MSGS_OUT = 152;
const BYTES_OUT = 160;

/**
 * What a reader killed after its tail store and before its counters leaves in the ring
 * file `path` (docs/ring-format.md): msgs_out and bytes_out short by what it consumed.
 */
export function shortenCounters(path: string, messages: number, bytes: number): void {
  const fd = openSync(path, 'r+');
  try {
    const word = Buffer.alloc(8);
    for (const [offset, by] of [
      [MSGS_OUT, messages],
      [BYTES_OUT, bytes],
    ] as const) {
      readSync(fd, word, 0, 8, offset);
      word.writeBigUInt64LE(word.readBigUInt64LE(0) - BigInt(by));
      writeSync(fd, word, 0, 8, offset);
    }
  } finally {
    closeSync(fd);
  }
}
