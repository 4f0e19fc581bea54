import { once } from 'node:events';
import { closeSync, openSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { createPipe, type RingPipe } from '@ringpipe/client';
import { isFileLike, isRegularFile, receiveToFd } from '../fd-transfer.js';
import { Progress, progressWanted } from '../progress.js';
import { noteIgnoredFlags, pipeOptions, type OpenFlags } from './open-options.js';

export interface ReadFlags extends OpenFlags {
  count?: number;
  follow?: boolean;
  prompt: boolean;
}

/**
 * `ringpipe read NAME`: prints each message on its own line until EOF (raw
 * bytes with --bytes). With a terminal on both ends it reads one message per
 * Enter, like the classic usedriver3.
 */
export async function readCommand(name: string, flags: ReadFlags): Promise<void> {
  const pipe = createPipe(name, { ...pipeOptions(flags, 'read'), follow: flags.follow ?? false });
  noteIgnoredFlags(pipe, flags);
  if (flags.prompt && process.stdin.isTTY && process.stdout.isTTY) {
    await readOnEnter(pipe, flags.count);
  } else {
    await readAll(pipe, flags.count);
  }
  pipe.destroy();
  // The client's FFI library (koffi) fsyncs stdout at exit, which for an output file waits until the disk has it all.
  // Nothing more goes to stdout: it becomes /dev/null (the lowest free descriptor, as stdin is open).
  if (isRegularFile(STDOUT)) {
    closeSync(STDOUT);
    openSync('/dev/null', 'w');
  }
}

const STDOUT = 1;

async function readAll(pipe: RingPipe, count: number | undefined): Promise<void> {
  const progress = new Progress('received', pipe.mode, progressWanted(process.stdout));
  const newline = pipe.mode === 'message' ? '\n' : '';
  let received = 0;
  try {
    if (pipe.mode === 'byte' && count === undefined && isFileLike(STDOUT)) {
      await receiveToFd(pipe, STDOUT, progress);
      return;
    }
    for await (const message of pipe as AsyncIterable<Buffer>) {
      progress.add(message.length);
      if (!process.stdout.write(newline ? Buffer.concat([message, Buffer.from(newline)]) : message)) {
        await once(process.stdout, 'drain');
      }
      if (count !== undefined && ++received >= count) break;
    }
  } finally {
    progress.stop();
  }
}

async function readOnEnter(pipe: RingPipe, count: number | undefined): Promise<void> {
  const keys = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  keys.setPrompt(`${pipe.name}: Enter reads a message, Ctrl-D quits `);
  const messages = (pipe as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  let received = 0;
  keys.prompt();
  for await (const _ of keys) {
    const next = await messages.next();
    if (next.done) {
      process.stderr.write('(every writer has left)\n');
      break;
    }
    process.stdout.write(Buffer.concat([next.value, Buffer.from('\n')]));
    if (count !== undefined && ++received >= count) break;
    keys.prompt();
  }
  keys.close();
  await messages.return?.();
}
