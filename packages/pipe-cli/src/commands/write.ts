import { once } from 'node:events';
import { finished, pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { createPipe, type RingPipe } from '@ringpipe/client';
import { isFileLike, sendFromFd } from '../fd-transfer.js';
import { terminalKeys } from '../keys.js';
import { byteLines } from '../lines.js';
import { Progress, progressWanted } from '../progress.js';
import { noteIgnoredFlags, pipeOptions, type OpenFlags } from './open-options.js';

export interface WriteFlags extends OpenFlags {
  wait?: boolean;
}

/**
 * `ringpipe write NAME [TEXT...]`: TEXT as one message; else stdin, one message
 * per line (raw bytes with --bytes); at a terminal, a prompt per line. Like a
 * FIFO's writer, it waits for a first reader when the ring is full, and fails
 * with ERR_RINGPIPE_NO_READERS (exit 141) once its readers have left.
 */
export async function writeCommand(name: string, text: string[], flags: WriteFlags): Promise<void> {
  const pipe = createPipe(name, { ...pipeOptions(flags, 'write'), noReaders: 'wait-first' });
  noteIgnoredFlags(pipe, flags);
  // Registered first: a write error (such as a message too big) rejects this instead of going unhandled.
  const done = finished(pipe);
  done.catch(() => {}); // also reported by the write that failed
  const progress = new Progress('sent', pipe.mode, progressWanted(process.stdin));
  const line = (s: string): string => (pipe.mode === 'byte' ? `${s}\n` : s);
  try {
    if (text.length > 0) {
      await send(pipe, line(text.join(' ')), progress);
    } else if (flags.bytes && isFileLike(STDIN)) {
      await sendFromFd(pipe, STDIN, progress);
    } else if (flags.bytes) {
      await pipeline(process.stdin, counting(progress), pipe, { end: false });
    } else if (process.stdin.isTTY === true) {
      const { keys, pending } = terminalKeys(`${pipe.name}> `);
      keys.prompt();
      for await (const entry of keys) {
        await send(pipe, line(entry), progress);
        keys.prompt();
      }
      // Ctrl-D on a line with text sends it, then ends.
      if (pending()) await send(pipe, line(pending()), progress);
      process.stderr.write('\n'); // Ctrl-D leaves the cursor after the last prompt
    } else {
      // Lines are bytes: split on "\n" without decoding, so any bytes pass unchanged.
      for await (const entry of process.stdin.pipe(byteLines()) as AsyncIterable<Buffer>) {
        await send(pipe, pipe.mode === 'byte' ? Buffer.concat([entry, NEWLINE]) : entry, progress);
      }
    }
    if (flags.wait) await pipe.drained();
  } finally {
    progress.stop();
  }
  pipe.end();
  await done;
}

const NEWLINE = Buffer.from('\n');
const STDIN = 0;

async function send(pipe: RingPipe, data: string | Buffer, progress: Progress): Promise<void> {
  progress.add(Buffer.byteLength(data));
  if (!pipe.write(data)) await once(pipe, 'drain');
}

function counting(progress: Progress): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      progress.add(chunk.length);
      callback(null, chunk);
    },
  });
}
