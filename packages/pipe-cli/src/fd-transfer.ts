import { fstatSync, readSync } from 'node:fs';
import { isatty } from 'node:tty';
import type { RingPipe } from '@ringpipe/client';
import { OrderedWrites } from './ordered-writes.js';
import type { Progress } from './progress.js';

// Byte mode between the pipe and a file descriptor that never makes a synchronous
// call wait long: a regular file (either end) or a device that is no terminal
// (/dev/null). Pipes, sockets and terminals go through streams instead.

/** Whether `fd` may be read or written with blocking calls in a loop (see above). */
export function isFileLike(fd: number): boolean {
  try {
    const stat = fstatSync(fd);
    return stat.isFile() || stat.isBlockDevice() || (stat.isCharacterDevice() && !isatty(fd));
  } catch {
    return false;
  }
}

export function isRegularFile(fd: number): boolean {
  try {
    return fstatSync(fd).isFile();
  } catch {
    return false;
  }
}

/** Bytes moved between two looks at the event loop, so that timers (the progress line) and signals get their turn. */
const TURN_BYTES = 16 << 20;

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Bytes the ring format puts before each record (docs/ring-format.md). */
const RECORD_HEADER = 8;

/**
 * The payload of the records a writer makes: a quarter of the ring (at most 1 MiB)
 * with its header, so that the reader empties one while the next is filled, and
 * records tile the ring: none wraps round its end (which would cost a copy).
 */
function recordBytes(pipe: RingPipe): number {
  return Math.min(pipe.capacity / 4, 1 << 20) - RECORD_HEADER;
}

/** Reads `fd` to its end in large blocks and writes each into the ring as one record. */
export async function sendFromFd(pipe: RingPipe, fd: number, progress: Progress): Promise<void> {
  const block = Buffer.allocUnsafe(recordBytes(pipe));
  for (let sinceTurn = 0; ; ) {
    const n = readSync(fd, block, 0, block.length, null);
    if (n === 0) return;
    await pipe.writeInPlace(n, (room) => block.copy(room, 0, 0, n));
    progress.add(n);
    sinceTurn += n;
    if (sinceTurn >= TURN_BYTES) {
      sinceTurn = 0;
      await nextTurn();
    }
  }
}

/** Buffers the reader may fill while earlier ones are written: slack beside the ring when the file is slow for a moment. */
const READ_BUFFERS = 8;

/** Copies what the pipe carries into reused buffers and writes them to `fd` in order, until every writer has left. */
export async function receiveToFd(pipe: RingPipe, fd: number, progress: Progress): Promise<void> {
  const writes = new OrderedWrites(fd, READ_BUFFERS, recordBytes(pipe));
  for (let sinceTurn = 0; ; ) {
    const buffer = await writes.take();
    const n = await pipe.readInto(buffer);
    if (n === null) break;
    writes.put(buffer, n);
    progress.add(n);
    sinceTurn += n;
    if (sinceTurn >= TURN_BYTES) {
      sinceTurn = 0;
      await nextTurn();
    }
  }
  await writes.flush();
}
