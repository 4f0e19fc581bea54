import { once } from 'node:events';
import { closeSync, openSync } from 'node:fs';
import { createPipe, type RingPipe } from '@ringpipe/client';
import { isFileLike, isRegularFile, receiveToFd } from '../fd-transfer.js';
import { terminalKeys } from '../keys.js';
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
    const endOnCtrlD = process.stdin.isTTY === true;
    // At a terminal, Ctrl-D (the end of stdin) ends the reading: what was not printed stays in the pipe.
    if (endOnCtrlD) process.stdin.once('end', () => pipe.destroy()).resume();
    await readAll(pipe, flags.count);
    if (endOnCtrlD) process.stdin.destroy();
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
    for await (const message of pipe) {
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

/**
 * One message per Enter. Ctrl-D ends at any moment, also while Enter waits for a message
 * (which then stays in the pipe); Ctrl-C exits 130.
 */
async function readOnEnter(pipe: RingPipe, count: number | undefined): Promise<void> {
  const { keys } = terminalKeys(`${pipe.name}: Enter reads a message, Ctrl-D quits `);
  const messages = pipe[Symbol.asyncIterator]();
  let enters = 0;
  let ended = false;
  let wake = (): void => {};
  keys.on('line', () => {
    enters++;
    wake();
  });
  const quit = new Promise<void>((resolve) =>
    keys.once('close', () => {
      ended = true;
      wake();
      resolve();
    }),
  );
  const enterOrQuit = (): Promise<void> => new Promise((resolve) => (enters > 0 || ended ? resolve() : (wake = resolve)));
  let received = 0;
  let next: Promise<IteratorResult<Buffer, undefined>> | undefined;
  keys.prompt();
  for (;;) {
    await enterOrQuit();
    if (ended) break;
    enters--;
    next = messages.next();
    const got = await Promise.race([next, quit]);
    if (!got) break;
    next = undefined;
    if (got.done) {
      process.stderr.write('(every writer has left)\n');
      break;
    }
    process.stdout.write(Buffer.concat([got.value, Buffer.from('\n')]));
    if (count !== undefined && ++received >= count) break;
    keys.prompt();
  }
  if (ended) process.stderr.write('\n'); // Ctrl-D leaves the cursor after the prompt
  keys.close();
  await messages.return?.();
  // A message taken just as Ctrl-D came is printed rather than lost; a wait still pending takes nothing.
  const last = await next;
  if (last && !last.done) process.stdout.write(Buffer.concat([last.value, Buffer.from('\n')]));
}
