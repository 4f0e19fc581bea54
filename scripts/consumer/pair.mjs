// Runs a reader and a writer against one fresh pipe and checks that the lines given to the writer
// come out of the reader, every one, in order, with nothing on stderr. NAME in a command is the pipe.
//   node pair.mjs LABEL READER-COMMAND... -- WRITER-COMMAND...
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { statPipe } from '@ringpipe/client';

const [label, ...commands] = process.argv.slice(2);
const split = commands.indexOf('--');
const name = `CONSUMER-${process.pid}`;
const lines = Array.from({ length: 2000 }, (_, i) => `message ${i} ${'x'.repeat(i % 300)}`);
const [reader, writer] = [commands.slice(0, split), commands.slice(split + 1)].map((argv) => argv.map((arg) => (arg === 'NAME' ? name : arg)));

const children = [];

function run(argv, input) {
  const child = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(child);
  child.stdin.on('error', () => {}); // a command that exits early: its exit code tells
  const out = [];
  let err = '';
  child.stdout.on('data', (chunk) => out.push(chunk));
  child.stderr.setEncoding('utf8').on('data', (text) => (err += text));
  child.stdin.end(input);
  const done = once(child, 'close').then(([code]) => ({ code, stdout: Buffer.concat(out).toString(), stderr: err }));
  return { child, done };
}

function fail(why, detail = '') {
  process.stderr.write(`FAIL ${label}: ${why}\n${detail}`);
  for (const child of children) child.kill('SIGKILL');
  process.exit(1);
}

// A watchdog, not a measure: a peer that hangs fails the check instead of the whole test run.
setTimeout(() => fail('no result after 180 s'), 180_000).unref();

const read = run(reader, '');
let exited = false;
read.done.then(() => (exited = true));
// The reader must have the pipe open before the writer starts: the last close removes a pipe.
for (;;) {
  if (exited) fail('the reader exited before opening the pipe', JSON.stringify(await read.done, null, 1) + '\n');
  try {
    if (statPipe(name).handles > 0) break;
  } catch {
    // not open yet
  }
  await sleep(20);
}
function check(who, result) {
  if (result.code !== 0) fail(`the ${who} exited with ${result.code}`, result.stderr);
  if (result.stderr !== '') fail(`the ${who} wrote to stderr`, result.stderr);
}
// Checked first: a reader whose writer never came waits for one.
check('writer', await run(writer, lines.map((line) => `${line}\n`).join('')).done);
const got = await read.done;
check('reader', got);
const received = got.stdout.split('\n').slice(0, -1);
if (received.length !== lines.length || received.some((line, i) => line !== lines[i])) {
  fail(`the reader printed ${received.length} lines, not the ${lines.length} written`, `${got.stdout.slice(0, 400)}\n`);
}
console.log(`ok ${label}: ${lines.length} messages`);
