// CLI byte mode, file to file: `ringpipe read --bytes NAME > out` started first, then
// `ringpipe write --bytes NAME < in`, timed from the writer's start until both exited; against
// two Node processes joined by an OS pipe in a shell pipeline, timed from the shell's start.
// Either way one Node start-up is on the clock. The output's SHA-256 must equal the input's.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { closeSync, createReadStream, existsSync, openSync, writeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { address, fmt, quick, sleep, table, tempPath, track, unavailable } from './lib.mjs';

const CLI = fileURLToPath(new URL('../packages/pipe-cli/bin/ringpipe.js', import.meta.url));
const MB = quick ? 30 : 300;
const CAT = 'process.stdin.pipe(process.stdout)';

function makeInput(path) {
  const fd = openSync(path, 'w');
  const hash = createHash('sha256');
  for (let left = MB * 1e6; left > 0; left -= 1 << 20) {
    const chunk = randomBytes(Math.min(left, 1 << 20));
    hash.update(chunk);
    writeSync(fd, chunk);
  }
  closeSync(fd);
  return hash.digest('hex');
}

async function sha256(path) {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk);
  return hash.digest('hex');
}

function exited(child, what) {
  let err = '';
  child.stderr.on('data', (c) => (err += c));
  return once(child, 'exit').then(([code]) => {
    if (code !== 0) throw new Error(`${what} exited with ${code}: ${err.trim()}`);
  });
}

async function viaRingpipe(input, output, extra) {
  const name = address('ringpipe');
  const out = openSync(output, 'w');
  const reader = track(spawn(process.execPath, [CLI, 'read', '--bytes', ...extra, name], { stdio: ['ignore', out, 'pipe'] }));
  const readerDone = exited(reader, 'ringpipe read');
  while (!existsSync(`/dev/shm/ringpipe.${name}`)) await sleep(1);
  const inp = openSync(input, 'r');
  const start = process.hrtime.bigint();
  const writer = track(spawn(process.execPath, [CLI, 'write', '--bytes', ...extra, name], { stdio: [inp, 'ignore', 'pipe'] }));
  await Promise.all([exited(writer, 'ringpipe write'), readerDone]);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  closeSync(out);
  closeSync(inp);
  return seconds;
}

async function viaOsPipe(input, output) {
  const node = JSON.stringify(process.execPath);
  const start = process.hrtime.bigint();
  const shell = track(spawn('sh', ['-c', `${node} -e '${CAT}' < "${input}" | ${node} -e '${CAT}' > "${output}"`], { stdio: ['ignore', 'ignore', 'pipe'] }));
  await exited(shell, 'shell pipeline');
  return Number(process.hrtime.bigint() - start) / 1e9;
}

export async function cli() {
  console.log(`## CLI byte mode, file to file\n\n${MB} MB of random bytes from a file to a file; MB/s over the whole transfer, Node start-up included; output SHA-256 compared with the input's.\n`);
  const row = table(['path', 'MB/s', 'seconds', 'output = input'], ['l', 'r', 'r', 'l']);
  const input = tempPath('cli-in.bin');
  const output = tempPath('cli-out.bin');
  const want = makeInput(input);
  const cases = [
    { label: 'ringpipe write --bytes -> ringpipe read --bytes (default capacity with --bytes, 4 MiB)', run: () => viaRingpipe(input, output, []) },
    { label: 'ringpipe write --bytes -> ringpipe read --bytes (--capacity 1048576)', run: () => viaRingpipe(input, output, ['--capacity', '1048576']) },
    { label: "OS pipe: node -e 'process.stdin.pipe(process.stdout)' twice, shell pipeline", run: () => viaOsPipe(input, output) },
  ];
  for (const c of cases) {
    try {
      const seconds = await c.run();
      row([c.label, fmt(MB / seconds, 1), fmt(seconds, 2), (await sha256(output)) === want ? 'yes (SHA-256)' : 'NO: checksum differs']);
    } catch (err) {
      row([c.label, ...unavailable(err.message, 3)]);
    }
  }
  console.log();
}
