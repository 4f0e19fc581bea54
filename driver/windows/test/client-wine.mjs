// The client's tests on Windows, run by node.exe under Wine (driver/windows/node-wine.sh):
//   node client-wine.mjs driver|shm RESULTS_FILE
// Writes "ok ..." / "FAIL ..." lines and "client-wine BACKEND: N passed, N failed" to
// RESULTS_FILE (node.exe under Wine cannot write to a pipe); exits 0 only when all passed.
// Peers are real child processes (node.exe), started with this same script.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, appendFileSync, existsSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createPipe, statPipe, listPipes } from '@ringpipe/client';

const self = fileURLToPath(import.meta.url);
const [, , mode, ...rest] = process.argv;

function message(i, size) {
  const b = Buffer.alloc(size);
  for (let k = 0; k < size; k++) b[k] = (i * 131 + k * 7) & 0xff;
  if (size >= 4) b.writeUInt32LE(i, 0);
  return b;
}

// ---- child roles -------------------------------------------------------------------
async function child(role, backend, name, count, size, out) {
  const result = {};
  try {
    if (role === 'writer') {
      const pipe = createPipe(name, { backend, access: 'write', capacity: 4096 });
      for (let i = 0; i < count; i++) {
        if (!pipe.write(message(i, size))) await new Promise((r) => pipe.once('drain', r));
      }
      await new Promise((r, j) => pipe.end((e) => (e ? j(e) : r())));
      result.sent = count;
    } else if (role === 'bytes-writer') {
      const pipe = createPipe(name, { backend, access: 'write', mode: 'byte', capacity: 4096 });
      const data = message(7, count);
      result.sha = createHash('sha256').update(data).digest('hex');
      for (let at = 0; at < data.length; at += 10000) {
        if (!pipe.write(data.subarray(at, at + 10000))) await new Promise((r) => pipe.once('drain', r));
      }
      await new Promise((r, j) => pipe.end((e) => (e ? j(e) : r())));
    }
    result.ok = true;
  } catch (err) {
    result.ok = false;
    result.error = String(err?.stack ?? err);
  }
  writeFileSync(out, JSON.stringify(result));
}

function runChild(args, out) {
  rmSync(out, { force: true });
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [self, 'child', ...args, out], { stdio: 'ignore' });
    c.on('exit', (code) => resolve({ code, result: existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')) : null }));
  });
}

// ---- the tests ---------------------------------------------------------------------
async function main(backend, resultsFile) {
  let passed = 0;
  let failed = 0;
  writeFileSync(resultsFile, '');
  const log = (line) => appendFileSync(resultsFile, line + '\n');
  const check = (cond, what) => {
    if (cond) passed++;
    else failed++;
    log(`${cond ? 'ok  ' : 'FAIL'} ${what}`);
  };
  const test = async (what, fn) => {
    try {
      await fn();
    } catch (err) {
      check(false, `${what}: threw ${err?.stack ?? err}`);
    }
  };
  const tmp = `child-${backend}-${process.pid}.json`;

  await test('messages between two processes', async () => {
    const name = `MSG${backend}`;
    const reader = createPipe(name, { backend, access: 'read', capacity: 4096 });
    check(reader.backend === backend, `backend is ${reader.backend}`);
    const got = [];
    const done = (async () => {
      for await (const m of reader) got.push(m);
    })();
    const { code, result } = await runChild(['writer', backend, name, '300', '100'], tmp);
    await done;
    check(code === 0 && result?.ok, `writer process finished (${code}, ${result?.error ?? ''})`);
    check(got.length === 300, `reader got 300 messages through a 4 KiB ring (${got.length})`);
    check(got.every((m, i) => m.equals(message(i, 100))), 'each whole, in order');
  });

  await test('byte stream', async () => {
    const name = `BYTES${backend}`;
    const reader = createPipe(name, { backend, access: 'read', mode: 'byte', capacity: 4096 });
    const hash = createHash('sha256');
    let total = 0;
    const done = (async () => {
      for await (const chunk of reader) {
        hash.update(chunk);
        total += chunk.length;
      }
    })();
    const { code, result } = await runChild(['bytes-writer', backend, name, '200000', '0'], tmp);
    await done;
    check(code === 0 && result?.ok, 'byte writer finished');
    check(total === 200000 && hash.digest('hex') === result?.sha, `200000 bytes, same SHA-256 (${total})`);
  });

  await test('stat, list, errors', async () => {
    const name = `STAT${backend}`;
    const a = createPipe(name, { backend, capacity: 8192 });
    a.write('x');
    await new Promise((r) => setTimeout(r, 50));
    const info = statPipe(name);
    check(info.backend === backend && info.capacity === 8192 && info.messagesIn === 1, `statPipe: ${JSON.stringify(info)}`);
    if (backend === 'driver') check(listPipes().some((p) => p.name === name.toUpperCase()), 'listPipes lists it');
    let code = '';
    try {
      createPipe(name, { backend, mode: 'byte' });
    } catch (err) {
      code = err.code;
    }
    check(code === 'ERR_RINGPIPE_MODE_MISMATCH', `other mode refused (${code})`);
    try {
      createPipe('bad/name', { backend });
    } catch (err) {
      code = err.code;
    }
    check(code === 'ERR_RINGPIPE_BAD_NAME', `bad name refused (${code})`);
    a.destroy();
    await new Promise((r) => a.once('close', r));
    let gone = '';
    try {
      statPipe(name);
    } catch (err) {
      gone = err.code;
    }
    check(gone === 'ERR_RINGPIPE_NOT_FOUND', `closed pipe is gone (${gone})`);
  });

  await test('waiting pipes leave the event loop and the threadpool free', async () => {
    const pipes = [];
    for (let i = 0; i < 6; i++) pipes.push(createPipe(`IDLE${backend}${i}`, { backend, access: 'read' }));
    const reads = pipes.map((p) => new Promise((r) => p.once('data', r)));
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    const text = await readFile(self, 'utf8');
    await new Promise((r) => setTimeout(r, 300));
    clearInterval(timer);
    check(text.length > 0 && ticks > 0, `fs.readFile and timers run while 6 pipes wait (${ticks} ticks)`);
    const w = createPipe(`IDLE${backend}3`, { backend, access: 'write' });
    w.write('wake');
    const first = await Promise.race([reads[3], new Promise((r) => setTimeout(() => r(null), 10000))]);
    check(first !== null && String(first) === 'wake', 'a write wakes the waiting reader');
    w.destroy();
    for (const p of pipes) p.destroy();
    await Promise.all(pipes.map((p) => new Promise((r) => (p.closed ? r() : p.once('close', r)))));
  });

  rmSync(tmp, { force: true });
  log(`client-wine ${backend}: ${passed} passed, ${failed} failed`);
  return failed === 0 && passed > 0;
}

if (mode === 'child') {
  const [role, backend, name, count, size, out] = rest;
  await child(role, backend, name, Number(count), Number(size), out);
} else if (mode === 'driver' || mode === 'shm') {
  const ok = await main(mode, rest[0] ?? `client-wine-${mode}.results`);
  // Exit explicitly: under Wine node.exe was seen to linger after the last pipe closed
  // (not investigated yet; see the report), which would turn a pass into a timeout.
  process.exit(ok ? 0 : 1);
} else {
  process.exitCode = 2;
}
