// The main demo: a reader process and a writer process meet on the pipe HELLO (shared memory, no driver).
// The writer starts once the reader has the pipe open: a pipe lives while some handle has it open.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = (file) => fileURLToPath(new URL(file, import.meta.url));
const run = (script, args) => spawn(process.execPath, [here(script), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });

const name = process.argv[2] ?? 'HELLO';
const reader = run('./reader.mjs', [name]);
const readerExit = once(reader, 'exit');
const lines = createInterface({ input: reader.stdout });
let writerExit;
for await (const line of lines) {
  console.log(line);
  if (!writerExit) {
    const writer = run('./writer.mjs', [name, 'Hello from another process!', 'ringpipe: one message per write', 'bye']);
    writer.stdout.pipe(process.stdout);
    writerExit = once(writer, 'exit');
  }
}
const [[readerCode], [writerCode]] = await Promise.all([readerExit, writerExit]);
process.exitCode = readerCode || writerCode ? 1 : 0;
