import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { finished, pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { createPipe, type RingPipe } from '@ringpipe/client';
import { isFileLike, sendFromFd } from '../fd-transfer.js';
import { byteLines } from '../lines.js';
import { Progress, progressWanted } from '../progress.js';
import { noteIgnoredFlags, pipeOptions, type OpenFlags } from './open-options.js';

/**
 * `ringpipe write NAME [TEXT...]`: TEXT as one message; else stdin, one message
 * per line (raw bytes with --bytes); at a terminal, a prompt per line.
 */
export async function writeCommand(name: string, text: string[], flags: OpenFlags): Promise<void> {
  const pipe = createPipe(name, pipeOptions(flags, 'write'));
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
      const lines = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
      lines.setPrompt(`${pipe.name}> `);
      lines.prompt();
      for await (const entry of lines) {
        await send(pipe, line(entry), progress);
        lines.prompt();
      }
      process.stderr.write('\n'); // Ctrl-D leaves the cursor after the last prompt
    } else {
      // Lines are bytes: split on "\n" without decoding, so any bytes pass unchanged.
      for await (const entry of process.stdin.pipe(byteLines()) as AsyncIterable<Buffer>) {
        await send(pipe, pipe.mode === 'byte' ? Buffer.concat([entry, NEWLINE]) : entry, progress);
      }
    }
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
