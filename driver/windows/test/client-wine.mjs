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
import koffi from 'koffi';
import { createPipe, statPipe, listPipes, removePipe } from '@ringpipe/client';
import { attributes, securityTests, userSid } from './security-wine.mjs';

const self = fileURLToPath(import.meta.url);
const [, , mode, ...rest] = process.argv;
/** rptest.exe, for the driver's list test (optional third argument). */
let rptest;

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
    } else if (role === 'tagged-writer') {
      // Writes `count` messages "TAG:i" (TAG: this process's pid) and exits.
      const pipe = createPipe(name, { backend, access: 'write', capacity: 4096 });
      for (let i = 0; i < count; i++) {
        if (!pipe.write(`${process.pid}:${i}`)) await new Promise((r) => pipe.once('drain', r));
      }
      await new Promise((r, j) => pipe.end((e) => (e ? j(e) : r())));
      result.sent = count;
    } else if (role === 'churn-writer') {
      // `count` times: opens the pipe, writes "TAG:i", closes (each close may be the last).
      for (let i = 0; i < count; i++) {
        const pipe = createPipe(name, { backend, access: 'write', capacity: 65536 });
        pipe.write(`${process.pid}:${i}`);
        await new Promise((r, j) => pipe.end((e) => (e ? j(e) : r())));
        await new Promise((r) => (pipe.closed ? r() : pipe.once('close', r)));
      }
      result.sent = count;
    } else if (role === 'echo') {
      // Reads PING<name> and writes each message back on PONG<name>, `count` times.
      const ping = createPipe(`PING${name}`, { backend, access: 'read', capacity: 4096 });
      const pong = createPipe(`PONG${name}`, { backend, access: 'write', capacity: 4096 });
      let n = 0;
      for await (const m of ping) {
        pong.write(m);
        if (++n === count) break;
      }
      await new Promise((r, j) => pong.end((e) => (e ? j(e) : r())));
      result.echoed = n;
    } else if (role === 'hang-writer') {
      // Writes one message, reports, then waits to be killed.
      const pipe = createPipe(name, { backend, access: 'write', capacity: 4096 });
      pipe.write(message(0, size));
      writeFileSync(out, JSON.stringify({ ok: true, attached: true }));
      await new Promise(() => setInterval(() => {}, 1000));
    } else if (role === 'squat') {
      // Holds a mutex named like a pipe's lock (created owned by this thread) for `count` ms.
      // Its owner is our user, as any object made on Windows by a squatter of the same user.
      const k32 = koffi.load('kernel32.dll');
      const CreateMutexW = k32.func('uintptr_t __stdcall CreateMutexW(void *sa, int owner, const char16_t *name)');
      const me = userSid();
      const h = CreateMutexW(attributes(`O:${me}D:P(A;;GA;;;${me})`), 1, name);
      writeFileSync(out, JSON.stringify({ ok: h !== 0 && h !== 0n, holding: true }));
      await new Promise((r) => setTimeout(r, count));
    } else if (role === 'hold-lock') {
      // Takes the existing mutex `name` (a pipe's lock), holds it for `count` ms, then exits
      // (the mutex is left abandoned, as by a crash).
      const k32 = koffi.load('kernel32.dll');
      const CreateMutexW = k32.func('uintptr_t __stdcall CreateMutexW(void *sa, int owner, const char16_t *name)');
      const WaitForSingleObject = k32.func('uint32_t __stdcall WaitForSingleObject(uintptr_t h, uint32_t ms)');
      const h = CreateMutexW(null, 0, name);
      const got = WaitForSingleObject(h, 5000);
      writeFileSync(out, JSON.stringify({ ok: got === 0 || got === 0x80, holding: got === 0 || got === 0x80 }));
      await new Promise((r) => setTimeout(r, count));
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
  return startChild(args, out).exited;
}

/** A child process of this script; `exited` resolves with its exit code and result file. */
function startChild(args, out) {
  rmSync(out, { force: true });
  const c = spawn(process.execPath, [self, 'child', ...args, out], { stdio: 'ignore' });
  const exited = new Promise((resolve) => {
    c.on('exit', (code) => resolve({ code, result: readResult(out) }));
  });
  return { process: c, exited };
}

function readResult(out) {
  try {
    return existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')) : null;
  } catch {
    return null;
  }
}

/**
 * How a driver-backed RingPipe moves messages: the syscall endpoint says so ('syscall');
 * the mapped one is the ring endpoint (a Ring over the mapping and a transport for waits).
 */
function endpointIo(pipe) {
  const ep = pipe.endpoint;
  if (ep?.io) return ep.io;
  return ep && 'ring' in ep && 'transport' in ep ? 'mapped' : undefined;
}

/** The file that keeps an shm pipe (platform/windows/kept-files.ts). */
function keptFile(name) {
  return `${process.env.LOCALAPPDATA}\\ringpipe\\ringpipe.${name.toUpperCase()}.ring`;
}

/** The code of the RingPipeError `fn` throws ('' when it returns). */
function codeOf(fn) {
  try {
    fn();
    return '';
  } catch (err) {
    return err?.code ?? String(err);
  }
}

/** Resolves with `value` after `ms`; `cancel` clears the timer (it would keep node.exe alive). */
function timeout(ms, value) {
  let timer;
  const promise = new Promise((r) => (timer = setTimeout(() => r(value), ms)));
  return { promise, cancel: () => clearTimeout(timer) };
}

/** Polls `cond` every 50 ms for up to `ms`. */
async function until(cond, ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
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
    if (backend === 'driver') {
      const want = process.env.RINGPIPE_DRIVER_IO === 'syscall' ? 'syscall' : 'mapped';
      check(endpointIo(reader) === want, `the driver handle's io is ${endpointIo(reader)} (want ${want})`);
    }
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
    check(listPipes().some((p) => p.name === name.toUpperCase() && p.backend === backend), `listPipes lists it as a ${backend} pipe`);
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
    // Its message is unread: the pipe is kept until it is read, removed or expires.
    const kept = statPipe(name);
    check(kept.kept === true && kept.unreadMessages === 1 && kept.unreadBytes === 1 && kept.handles === 0 &&
      typeof kept.keptSince === 'number' && kept.keptSince <= Date.now() && kept.ttl === undefined,
      `closed with a message unread: kept (${JSON.stringify(kept)})`);
    check(listPipes().some((p) => p.name === name.toUpperCase() && p.kept === true && p.unreadMessages === 1), 'listPipes shows it kept');
    removePipe(name);
    check(codeOf(() => statPipe(name)) === 'ERR_RINGPIPE_NOT_FOUND', 'closed and removed: gone');
    check(codeOf(() => removePipe(name)) === 'ERR_RINGPIPE_NOT_FOUND', 'removePipe of a missing pipe: ERR_RINGPIPE_NOT_FOUND');
    if (backend === 'shm') check(!existsSync(keptFile(name)), `its kept file is gone (${keptFile(name)})`);
  });

  await test('unread messages after every handle closed', async () => {
    // A writer process writes 20 messages and exits before any reader opens the pipe.
    const name = `KEPT${backend}`;
    const { code, result } = await runChild(['writer', backend, name, '20', '100'], tmp);
    check(code === 0 && result?.ok, `writer process wrote 20 and exited (${code}, ${result?.error ?? ''})`);
    const info = statPipe(name);
    check(info.kept && info.unreadMessages === 20 && info.unreadBytes === 2000 && info.handles === 0,
      `kept with 20 unread messages, 2000 bytes (${JSON.stringify(info)})`);
    if (backend === 'shm') check(existsSync(keptFile(name)), 'its kept file is there');
    const got = [];
    const reader = createPipe(name, { backend, access: 'read' });
    check(reader.created === false, 'the reader adopted the kept pipe (created: false)');
    for await (const m of reader) got.push(m);
    check(got.length === 20 && got.every((m, i) => m.equals(message(i, 100))), `a new process read all 20 in order, then EOF (${got.length})`);
    await new Promise((r) => (reader.closed ? r() : reader.once('close', r)));
    check(codeOf(() => statPipe(name)) === 'ERR_RINGPIPE_NOT_FOUND', 'read empty and closed: gone');
    if (backend === 'shm') check(!existsSync(keptFile(name)), 'read empty and closed: its kept file is gone');
    const fresh = createPipe(name, { backend, access: 'read' });
    check(fresh.created === true && fresh.stats().messagesIn === 0, `the next open makes a new, empty pipe (${fresh.stats().messagesIn} in)`);
    fresh.destroy();
    await new Promise((r) => (fresh.closed ? r() : fresh.once('close', r)));
    check(codeOf(() => statPipe(name)) === 'ERR_RINGPIPE_NOT_FOUND', 'a pipe closed with nothing ever written: gone');
  });

  await test('unread bytes after every handle closed (byte mode)', async () => {
    const name = `KEPTBYTES${backend}`;
    const { code, result } = await runChild(['bytes-writer', backend, name, '3000', '0'], tmp);
    check(code === 0 && result?.ok, `a byte writer wrote 3000 bytes and exited (${code}, ${result?.error ?? ''})`);
    const info = statPipe(name);
    check(info.kept === true && info.mode === 'byte' && info.unreadBytes === 3000 && info.handles === 0, `kept with 3000 unread bytes (${JSON.stringify(info)})`);
    if (!info.kept) return;
    const hash = createHash('sha256');
    let total = 0;
    const reader = createPipe(name, { backend, access: 'read', mode: 'byte' });
    for await (const chunk of reader) {
      hash.update(chunk);
      total += chunk.length;
    }
    check(total === 3000 && hash.digest('hex') === result?.sha, `a new process read the 3000 bytes, same SHA-256, then EOF (${total})`);
    await new Promise((r) => (reader.closed ? r() : reader.once('close', r)));
    check(codeOf(() => statPipe(name)) === 'ERR_RINGPIPE_NOT_FOUND', 'read empty and closed: gone');
  });

  await test('a killed last handle leaves its unread message kept', async () => {
    const name = `CRASH${backend}`;
    const child = startChild(['hang-writer', backend, name, '1', '20'], tmp);
    const attached = await until(() => readResult(tmp)?.attached === true, 20000);
    check(attached, 'the writer attached and wrote');
    child.process.kill();
    await child.exited;
    const info = await until(() => {
      try {
        return statPipe(name).handles === 0;
      } catch {
        return false;
      }
    }, 5000) ? statPipe(name) : undefined;
    check(info?.kept === true && info.unreadMessages === 1 && info.unreadBytes === 20 && typeof info.keptSince === 'number',
      `killed with a message unread: kept (${JSON.stringify(info)})`);
    if (!info?.kept) return; // a reader would wait for a writer that never comes
    const reader = createPipe(name, { backend, access: 'read' });
    const got = [];
    for await (const m of reader) got.push(m);
    check(got.length === 1 && got[0].equals(message(0, 20)), `the next reader got it, then EOF (${got.length})`);
    await new Promise((r) => (reader.closed ? r() : reader.once('close', r)));
    check(codeOf(() => statPipe(name)) === 'ERR_RINGPIPE_NOT_FOUND', 'read empty and closed: gone');
  });

  await test('writers and readers that come and go at once: nothing lost, nothing twice', async () => {
    // Each round: 4 writer processes of 30 messages start together, a reader opens while they
    // open, write and close, and reads to EOF; a second reader takes what is left once every
    // writer exited. Last closers and openers meet under the pipe's lock.
    const name = `CHURN${backend}`;
    let lost = 0;
    let twice = 0;
    let failedWriters = 0;
    let outOfOrder = 0;
    const rounds = 4;
    for (let round = 0; round < rounds; round++) {
      const writers = [0, 1, 2, 3].map((k) => runChild(['tagged-writer', backend, name, '30', '0'], `${tmp}.${k}`));
      await new Promise((r) => setTimeout(r, 150 * round));
      const seen = new Map();
      const take = async () => {
        const reader = createPipe(name, { backend, access: 'read', capacity: 4096 });
        for await (const m of reader) {
          const [tag, i] = String(m).split(':');
          const got = seen.get(tag) ?? [];
          got.push(Number(i));
          seen.set(tag, got);
        }
        await new Promise((r) => (reader.closed ? r() : reader.once('close', r)));
      };
      await take();
      const results = await Promise.all(writers);
      failedWriters += results.filter((w) => w.code !== 0 || !w.result?.ok).length;
      try {
        statPipe(name);
        await take(); // what the writers wrote after the first reader's EOF
      } catch {
        // nothing left: the pipe is gone
      }
      const tags = [...seen.keys()];
      for (const tag of tags) {
        const got = seen.get(tag);
        twice += got.length - new Set(got).size;
        lost += 30 - new Set(got).size;
        if (got.some((v, i) => v !== i)) outOfOrder++;
      }
      lost += 30 * (4 - tags.length);
      check(codeOf(() => statPipe(name)) === 'ERR_RINGPIPE_NOT_FOUND', `round ${round}: read empty and closed, the pipe is gone`);
    }
    check(failedWriters === 0 && lost === 0 && twice === 0 && outOfOrder === 0,
      `${rounds} rounds of 4 writers x 30 messages: ${failedWriters} writers failed, ${lost} lost, ${twice} twice, ${outOfOrder} writers out of order`);
  });

  await test('handles that open, write one message and close, from 4 processes at once: nothing lost', async () => {
    // Every close may be the last: the closers' keep-or-remove decisions race the openers.
    const name = `FLICKER${backend}`;
    const per = 40;
    const writers = [0, 1, 2, 3].map((k) => runChild(['churn-writer', backend, name, String(per), '0'], `${tmp}.${k}`));
    const results = await Promise.all(writers);
    const failed = results.filter((w) => w.code !== 0 || !w.result?.ok);
    check(failed.length === 0, `4 writer processes opened and closed ${per} times each (${failed.map((w) => w.result?.error).join('; ')})`);
    const seen = new Map();
    let total = 0;
    try {
      statPipe(name);
      const reader = createPipe(name, { backend, access: 'read' });
      for await (const m of reader) {
        const [tag, i] = String(m).split(':');
        seen.set(tag, [...(seen.get(tag) ?? []), Number(i)]);
        total++;
      }
      await new Promise((r) => (reader.closed ? r() : reader.once('close', r)));
    } catch {
      // nothing kept at all
    }
    let lost = 4 * per;
    let twice = 0;
    let outOfOrder = 0;
    for (const got of seen.values()) {
      lost -= new Set(got).size;
      twice += got.length - new Set(got).size;
      if (got.some((v, i) => v !== i)) outOfOrder++;
    }
    check(lost === 0 && twice === 0 && outOfOrder === 0, `${4 * per} messages from ${4 * per} handles: ${total} read, ${lost} lost, ${twice} twice, ${outOfOrder} writers out of order`);
    check(codeOf(() => statPipe(name)) === 'ERR_RINGPIPE_NOT_FOUND', 'read empty and closed: gone');
  });

  await test('ttl', async () => {
    const name = `TTL${backend}`;
    const w = createPipe(name, { backend, ttl: 400 });
    w.write('soon gone');
    w.destroy();
    await new Promise((r) => (w.closed ? r() : w.once('close', r)));
    const info = statPipe(name);
    check(info.kept === true && info.ttl === 400 && info.unreadMessages === 1, `kept with its ttl (${JSON.stringify(info)})`);
    const joined = createPipe(name, { backend, ttl: 99999 });
    check(joined.created === false, 'an open within the ttl adopts it (its ttl stands)');
    joined.destroy();
    await new Promise((r) => (joined.closed ? r() : joined.once('close', r)));
    check(statPipe(name).ttl === 400, `the creator's ttl stands (${statPipe(name).ttl})`);
    await new Promise((r) => setTimeout(r, 700));
    check(codeOf(() => statPipe(name)) === 'ERR_RINGPIPE_NOT_FOUND', 'past its ttl: statPipe finds nothing (and removes it)');
    check(!listPipes().some((p) => p.name === name), 'listPipes does not list it');
    const next = createPipe(name, { backend });
    check(next.created === true && next.stats().messagesIn === 0, 'the next open makes a new pipe');
    next.destroy();
  });

  await test('removePipe', async () => {
    const name = `RM${backend}`;
    const old = createPipe(name, { backend });
    old.write('old');
    await new Promise((r) => setTimeout(r, 50));
    removePipe(name);
    check(codeOf(() => statPipe(name)) === 'ERR_RINGPIPE_NOT_FOUND', 'removed while open: the name is gone');
    const fresh = createPipe(name, { backend });
    check(fresh.created === true && statPipe(name).messagesIn === 0, 'the next open creates a new pipe');
    const [m] = await old.readBatch(1);
    check(String(m) === 'old', 'the open handle still reads the old pipe');
    old.write('old again');
    const [m2] = await old.readBatch(1);
    check(String(m2) === 'old again' && fresh.stats().messagesIn === 0, 'and writes to it, not to the new one');
    fresh.write('new');
    await new Promise((r) => setTimeout(r, 50));
    fresh.destroy();
    old.destroy();
    await new Promise((r) => setTimeout(r, 50));
    check(statPipe(name).kept === true && statPipe(name).unreadMessages === 1, 'the new pipe is kept with its message (the old one is not)');
    removePipe(name.toLowerCase());
    check(codeOf(() => statPipe(name)) === 'ERR_RINGPIPE_NOT_FOUND', 'removePipe of a kept pipe discards it');
    const after = createPipe(name, { backend });
    check(after.created === true && after.stats().messagesIn === 0, 'the next open after removing a kept pipe makes a new one');
    after.destroy();
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

  await test('wake-ups are never missed (ping-pong)', async () => {
    const rounds = 300;
    const name = `WAKE${backend}`;
    const pong = createPipe(`PONG${name}`, { backend, access: 'read', capacity: 4096 });
    const ping = createPipe(`PING${name}`, { backend, access: 'write', capacity: 4096 });
    const echo = runChild(['echo', backend, name, String(rounds), '0'], tmp);
    const replies = pong[Symbol.asyncIterator]();
    const times = [];
    // Counted, not timed: a round whose reply does not come within ROUND_MS (a lost wake-up
    // that no re-check rescued) counts, and ends the test. Times are for the log only.
    const ROUND_MS = 10000;
    let timedOut = 0;
    let answered = 0;
    for (let i = 0; i < rounds; i++) {
      const t0 = performance.now();
      ping.write(message(i, 16));
      const limit = timeout(ROUND_MS, 'timeout');
      const reply = await Promise.race([replies.next(), limit.promise]);
      limit.cancel();
      if (reply === 'timeout') {
        timedOut++;
        break;
      }
      if (reply.done || !reply.value.equals(message(i, 16))) break;
      answered++;
      // Round 0 waits for the echo process to start.
      if (i > 0) times.push(performance.now() - t0);
    }
    ping.end();
    const { code, result } = await echo;
    const sorted = [...times].sort((a, b) => a - b);
    check(code === 0 && result?.echoed === rounds, `echo process answered ${result?.echoed} of ${rounds} (${result?.error ?? ''})`);
    check(answered === rounds && timedOut === 0,
      `round trips: ${answered} of ${rounds} answered, rounds whose wait hit the ${ROUND_MS / 1000} s timeout: ${timedOut} (median ${sorted[times.length >> 1]?.toFixed(2)} ms, max ${sorted.at(-1)?.toFixed(1)} ms, for information)`);
    pong.destroy();
  });

  await test('a killed writer leaves the pipe (its slot is not live)', async () => {
    const name = `KILL${backend}`;
    const reader = createPipe(name, { backend, access: 'read', capacity: 4096 });
    const child = startChild(['hang-writer', backend, name, '1', '20'], tmp);
    const attached = await until(() => readResult(tmp)?.attached === true, 20000);
    check(attached, 'the writer attached and wrote');
    const got = [];
    const ended = (async () => {
      for await (const m of reader) got.push(m);
    })();
    await until(() => got.length === 1, 10000);
    const t0 = Date.now();
    child.process.kill();
    await child.exited;
    const eof = await Promise.race([ended.then(() => true), new Promise((r) => setTimeout(() => r(false), 5000))]);
    check(eof && got.length === 1, `the reader got the message and EOF ${Date.now() - t0} ms after the kill (${eof})`);
    reader.destroy();
  });

  if (backend === 'shm') {
    await test('a last close decides under the pipe lock: while another process holds it, the next opener decides', async () => {
      const name = 'LOCKED';
      const pipe = createPipe(name, { backend });
      pipe.write('taken');
      const [m] = await pipe.readBatch(1);
      check(String(m) === 'taken', 'nothing unread');
      const holder = startChild(['hold-lock', backend, `Local\\ringpipe.${name}#lock`, '4000', '0'], tmp);
      check(await until(() => readResult(tmp)?.holding === true, 20000), 'another process holds Local\\ringpipe.LOCKED#lock');
      pipe.destroy();
      await new Promise((r) => (pipe.closed ? r() : pipe.once('close', r)));
      check(existsSync(keptFile(name)), 'the last close could not take the lock: it removed nothing, the file stays');
      check(codeOf(() => statPipe(name)) === 'ERR_RINGPIPE_NOT_FOUND', 'with nothing unread, that file is no pipe');
      holder.process.kill();
      await holder.exited;
      const next = createPipe(name, { backend });
      check(next.created === true && next.stats().messagesIn === 0, 'the next opener (the lock abandoned) replaces it with a new pipe');
      next.destroy();
      await new Promise((r) => (next.closed ? r() : next.once('close', r)));
      check(!existsSync(keptFile(name)), 'whose last close, with the lock, removes the file');
    });

    await test('a name held by an object of another type', async () => {
      // A mutex under the pipe's section name: createPipe and statPipe both refuse it.
      const k32 = koffi.load('kernel32.dll');
      const CreateMutexW = k32.func('uintptr_t __stdcall CreateMutexW(void *sa, int owner, const char16_t *name)');
      const CloseHandle = k32.func('int __stdcall CloseHandle(uintptr_t h)');
      const me = userSid();
      const h = CreateMutexW(attributes(`O:${me}D:P(A;;GA;;;${me})`), 0, 'Local\\ringpipe.MUTEXNAME');
      check(h !== 0 && h !== 0n, 'a mutex named Local\\ringpipe.MUTEXNAME');
      const created = codeOf(() => createPipe('MUTEXNAME', { backend }).destroy());
      check(created === 'ERR_RINGPIPE_UNTRUSTED', `createPipe: ${created}`);
      const stat = codeOf(() => statPipe('MUTEXNAME'));
      check(stat === 'ERR_RINGPIPE_UNTRUSTED', `statPipe: ${stat} (was ERR_RINGPIPE_CLOSED)`);
      CloseHandle(h);
    });
    await securityTests({ check, test, startChild, readResult, until, tmp });
  }
  if (backend === 'driver' && rptest) {
    await test('listPipes with 1100 driver pipes open', async () => {
      rmSync('rptest-release', { force: true });
      const holder = spawn(rptest, ['hold'], { stdio: 'ignore' });
      const exited = new Promise((r) => holder.on('exit', r));
      const up = await until(() => {
        try {
          return statPipe('MANY1099').handles === 1;
        } catch {
          return false;
        }
      }, 60000);
      check(up, 'rptest hold opened 1100 pipes');
      const shm = createPipe('LISTSHM', { backend: 'shm' });
      const pipes = listPipes();
      const many = pipes.filter((p) => p.name.startsWith('MANY')).length;
      check(many === 1100, `listPipes lists all 1100 (${many}, ${pipes.length} in all)`);
      check(pipes.some((p) => p.name === 'LISTSHM' && p.backend === 'shm'), 'and the shm pipe open beside them');
      shm.destroy();
      writeFileSync('rptest-release', '');
      check((await exited) === 0, 'rptest hold let go');
      rmSync('rptest-release', { force: true });
    });
  }

  rmSync(tmp, { force: true });
  log(`client-wine ${backend}: ${passed} passed, ${failed} failed`);
  return failed === 0 && passed > 0;
}

if (mode === 'child') {
  const [role, backend, name, count, size, out] = rest;
  await child(role, backend, name, Number(count), Number(size), out);
} else if (mode === 'driver-stop') {
  // A reader waits on a driver pipe; test-wine.sh stops the driver once `opened` is in the
  // results file. The reader must fail with a typed error, without spinning meanwhile.
  const results = rest[0];
  writeFileSync(results, '');
  const log = (line) => appendFileSync(results, line + '\n');
  const reader = createPipe('STOPPED', { backend: 'driver', access: 'read' });
  const c0 = process.cpuUsage();
  const t0 = Date.now();
  const failed = new Promise((r) => reader.on('error', r));
  reader.on('data', () => {});
  log('opened');
  const err = await Promise.race([failed, new Promise((r) => setTimeout(() => r(null), 150000))]);
  const used = process.cpuUsage(c0);
  const cpuMs = (used.user + used.system) / 1000;
  const wall = Date.now() - t0;
  const ok = err?.code === 'ERR_RINGPIPE_BACKEND_UNAVAILABLE' && cpuMs < wall / 4;
  log(`${ok ? 'ok  ' : 'FAIL'} the waiting reader failed with ${err?.code} (${err?.message}); ${cpuMs.toFixed(0)} ms of CPU in ${wall} ms`);
  process.exit(ok ? 0 : 1);
} else if (mode === 'driver' || mode === 'shm') {
  rptest = rest[1];
  const results = rest[0] ?? `client-wine-${mode}.results`;
  const ok = await main(mode, results);
  // Every pipe is closed: the process must now exit on its own. A timer that does not keep
  // it alive fails the run if something else still does.
  process.exitCode = ok ? 0 : 1;
  setTimeout(() => {
    const alive = process._getActiveHandles().map((h) => h?.constructor?.name ?? typeof h);
    const reqs = process._getActiveRequests().map((r) => r?.constructor?.name ?? typeof r);
    appendFileSync(results, `FAIL node.exe still running 10 s after its last pipe closed (handles: ${alive.join(', ') || 'none'}; requests: ${reqs.join(', ') || 'none'})\n`);
    process.exit(3);
  }, 10000).unref();
} else {
  process.exitCode = 2;
}
