// The client's driver backend against the real module: several processes, both transports
// (the mapped ring and read/write system calls), the C client, permissions, crashes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { createPipe, listPipes, statPipe } from '@ringpipe/client';
import { CLI, RPTEST, perWriter, run, startPeer, waitFor } from './helpers.mjs';

const ready = (peer) => waitFor(peer.child, 'ready');

/** Awaits `promise`; if it takes over a minute, prints what the peers said and the pipes' state, and fails. */
async function withDump(promise, peers) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => {
      for (const p of peers) console.log('peer', p.child.spawnargs.slice(2).join(' '), 'exit', p.child.exitCode, 'out', p.stdout?.slice(-300), 'err', p.stderr?.slice(-300));
      console.log(JSON.stringify(listPipes()));
      reject(new Error('timed out; state printed above'));
    }, 60_000);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
const go = (peer) => peer.child.stdin.write('go\n');

/** Every id's messages 0..count-1 across all readers, once each, and in order within each reader. */
function checkDelivery(readers, counts) {
  const total = {};
  for (const messages of readers) {
    const seen = {};
    for (const m of messages) {
      const [id, seq] = m.split(':');
      const n = Number(seq);
      assert.ok(n > (seen[id] ?? -1), `writer ${id}: ${n} after ${seen[id]} in one reader`);
      seen[id] = n;
      (total[id] ??= new Set()).add(n);
    }
  }
  for (const [id, count] of Object.entries(counts)) {
    assert.equal(total[id]?.size ?? 0, count, `writer ${id}: ${total[id]?.size ?? 0} of ${count} distinct messages`);
  }
  const all = readers.reduce((n, r) => n + r.length, 0);
  const expected = Object.values(counts).reduce((a, b) => a + b, 0);
  assert.equal(all, expected, 'no duplicates');
}

test('backend auto picks the driver when /dev/ringpipe exists, and the handle maps the ring', async () => {
  const pipe = createPipe('auto-pick');
  assert.equal(pipe.backend, 'driver');
  assert.match(readFileSync('/proc/self/maps', 'latin1'), /\/dev\/ringpipe/);
  pipe.destroy();
  await once(pipe, 'close');
});

test('in one process: a mapped writer and a syscall reader on one name, byte mode too', async () => {
  for (const mode of ['message', 'byte']) {
    process.env.RINGPIPE_DRIVER_IO = 'syscall';
    const reader = createPipe(`one-proc-${mode}`, { backend: 'driver', access: 'read', mode, capacity: 4096 });
    process.env.RINGPIPE_DRIVER_IO = 'mapped';
    const writer = createPipe(`ONE-PROC-${mode}`, { backend: 'driver', access: 'write', mode });
    const sent = Array.from({ length: 300 }, (_, i) => `m${i}-${'x'.repeat(i % 50)}`);
    (async () => {
      for (const m of sent) if (!writer.write(m)) await once(writer, 'drain');
      writer.end();
    })();
    const got = [];
    for await (const chunk of reader) got.push(chunk);
    if (mode === 'message') assert.deepEqual(got.map(String), sent);
    else assert.equal(Buffer.concat(got).toString(), sent.join(''));
  }
  delete process.env.RINGPIPE_DRIVER_IO;
});

test('too big a message is rejected; a byte-mode write larger than the ring goes through', async () => {
  const pipe = createPipe('too-big', { backend: 'driver', capacity: 4096 });
  assert.equal(pipe.maxMessageSize, 4088);
  const [err] = await Promise.all([once(pipe, 'error'), pipe.write(Buffer.alloc(5000))]);
  assert.equal(err[0].code, 'ERR_RINGPIPE_MESSAGE_TOO_BIG');
  const bytes = createPipe('big-bytes', { backend: 'driver', capacity: 4096, mode: 'byte' });
  const blob = Buffer.from(Array.from({ length: 100_000 }, (_, i) => i % 251));
  const reading = (async () => {
    const parts = [];
    for await (const part of createPipe('big-bytes', { backend: 'driver', access: 'read' })) parts.push(part);
    return Buffer.concat(parts);
  })();
  bytes.end(blob);
  assert.ok((await reading).equals(blob));
});

test('many processes on one name, both transports and the C client: no loss, no duplicate, order per writer', async () => {
  const name = 'many';
  const readers = [startPeer(['read', name, 'wait'], { io: 'mapped' }), startPeer(['read', name, 'wait'], { io: 'syscall' })];
  await Promise.all(readers.map(ready));
  const writers = [
    startPeer(['write', name, 'a', '400', 'wait'], { io: 'mapped' }),
    startPeer(['write', name, 'b', '400', 'wait'], { io: 'syscall' }),
    startPeer(['write', name, 'd', '400', 'wait'], { io: 'mapped' }),
  ];
  await Promise.all(writers.map(ready));
  readers.forEach(go);
  const c = run(RPTEST, ['send', name, '400']);
  writers.forEach(go);
  const results = await withDump(Promise.all(readers.map((r) => r.done)), [...readers, ...writers]);
  for (const w of writers) assert.equal((await w.done).code, 0);
  assert.equal((await c).code, 0);
  assert.deepEqual(results.map((r) => r.result.mapped), [true, false], 'one reader mapped, one on system calls');
  checkDelivery(results.map((r) => r.result.messages), { a: 400, b: 400, d: 400, c: 400 });
});

test('separate names stay separate; names are case-insensitive', async () => {
  const ra = startPeer(['read', 'sep-a', 'wait']);
  const rb = startPeer(['read', 'SEP-B', 'wait'], { io: 'syscall' });
  await Promise.all([ready(ra), ready(rb)]);
  go(ra);
  go(rb);
  const wa = startPeer(['write', 'SEP-A', 'a', '200']);
  const wb = startPeer(['write', 'sep-b', 'b', '200'], { io: 'syscall' });
  const [a, b] = await Promise.all([ra.done, rb.done]);
  await Promise.all([wa.done, wb.done]);
  assert.deepEqual(perWriter(a.result.messages), { a: 200 });
  assert.deepEqual(perWriter(b.result.messages), { b: 200 });
});

test('the mapped ring and read/write system calls exchange messages both ways (C client)', async () => {
  const cReader = spawn(RPTEST, ['recv', 'xchg-1'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const cClosed = once(cReader, 'close');
  let cOut = '';
  cReader.stdout.on('data', (d) => (cOut += d));
  // The C reader creates the pipe; wait until it is there before writing.
  for (let i = 0; i < 200 && !listPipes().some((p) => p.name === 'XCHG-1'); i++) await new Promise((r) => setTimeout(r, 20));
  const w = startPeer(['write', 'xchg-1', 'n', '500'], { io: 'mapped' });
  assert.equal((await w.done).code, 0);
  assert.deepEqual(await cClosed, [0, null]);
  assert.deepEqual(perWriter(cOut.trim().split('\n')), { n: 500 });

  const r = startPeer(['read', 'xchg-2', 'wait'], { io: 'mapped' });
  await ready(r);
  go(r);
  assert.equal((await run(RPTEST, ['send', 'xchg-2', '500'])).code, 0);
  const got = await r.done;
  assert.equal(got.result.mapped, true);
  assert.deepEqual(perWriter(got.result.messages), { c: 500 });
});

test('a second uid is denied where the permission bits say so', async () => {
  const owner = startPeer(['try', 'perm-600', 'readwrite', '600'], { uid: 1000 });
  await waitFor(owner.child, '"ok":true');
  const other = await startPeer(['try', 'perm-600', 'read'], { uid: 1001 }).done;
  assert.deepEqual([other.result.ok, other.result.code], [false, 'ERR_RINGPIPE_PERMISSION_DENIED']);
  // Root may bind it, and joins it when told to trust uid 1000 (the owner option).
  const root = startPeer(['try', 'perm-600', 'readwrite'], { env: { RP_OWNER: '1000' } });
  await waitFor(root.child, '"ok":true');
  root.child.stdin.end();
  // uid 1001 does not even see it listed.
  const ls = await run(process.execPath, [CLI, 'ls', '--json'], { uid: 1001, gid: 1001 });
  assert.ok(!JSON.parse(ls.stdout).some((p) => p.name === 'PERM-600'), 'another user lists a 0600 pipe');
  owner.child.stdin.end();
  await owner.done;

  // 0644: others may read (through system calls: no mapping without write access), not write.
  const w = startPeer(['write', 'perm-644', 'o', '50', 'wait'], { uid: 1000, env: { RP_PERMS: '644' } });
  await ready(w);
  const r = startPeer(['read', 'perm-644', 'wait'], { uid: 1001, env: { RP_OWNER: '1000' } });
  await ready(r);
  const denied = await startPeer(['try', 'perm-644', 'write'], { uid: 1001 }).done;
  assert.equal(denied.result.code, 'ERR_RINGPIPE_PERMISSION_DENIED');
  go(r);
  go(w);
  const got = await withDump(r.done, [r, w]);
  assert.equal(got.result.mapped, false);
  assert.deepEqual(perWriter(got.result.messages), { o: 50 });
  await w.done;
});

test('a pipe squatted by another uid is not joined unless its owner is trusted (option owner)', async () => {
  // uid 1001 creates the name first, with permissions that would let uid 1000 in.
  const squatter = startPeer(['try', 'squat', 'readwrite', '666'], { uid: 1001 });
  await waitFor(squatter.child, '"ok":true');
  for (const access of ['readwrite', 'write', 'read']) {
    const peer = startPeer(['try', 'squat', access], { uid: 1000, env: { RP_WRITE: 'secret' } });
    peer.child.stdin.end(); // a peer that joined would wait for it
    const victim = await peer.done;
    assert.deepEqual([victim.result.ok, victim.result.code], [false, 'ERR_RINGPIPE_UNTRUSTED'], access);
  }
  // Not attached and nothing written: the squatter's pipe holds its one handle and no message.
  const stat = await run(process.execPath, [CLI, 'stat', 'squat', '--json']);
  const info = JSON.parse(stat.stdout);
  assert.equal(info.owner, 1001, 'statPipe reports the owner uid');
  assert.deepEqual([info.handles, info.messagesIn, info.writersEver], [1, 0, 0], stat.stdout);
  // Root's own pipes are trusted; with owner: 1001, uid 1000 joins the squatter's pipe.
  const trusting = startPeer(['try', 'squat', 'readwrite'], { uid: 1000, env: { RP_OWNER: '1001' } });
  await waitFor(trusting.child, '"ok":true');
  trusting.child.stdin.end();
  await trusting.done;
  squatter.child.stdin.end();
  await squatter.done;
  const rootPipe = startPeer(['try', 'root-owned', 'readwrite', '666']);
  await waitFor(rootPipe.child, '"ok":true');
  const joins = startPeer(['try', 'root-owned', 'readwrite'], { uid: 1000 });
  await waitFor(joins.child, '"ok":true'); // a root-owned pipe is trusted
  joins.child.stdin.end();
  await joins.done;
  rootPipe.child.stdin.end();
  await rootPipe.done;
});


test('a writer killed with SIGKILL while blocked in write(): the reader drains and gets EOF', async () => {
  const r = startPeer(['read', 'killed-blocked', 'wait']);
  await ready(r);
  const filler = spawn(RPTEST, ['fill', 'killed-blocked'], { stdio: ['ignore', 'pipe', 'inherit'] });
  await waitFor(filler, 'full');
  await new Promise((resolve) => setTimeout(resolve, 200));
  filler.kill('SIGKILL');
  await once(filler, 'close');
  go(r);
  const got = await r.done;
  assert.equal(got.code, 0);
  assert.equal(got.result.messages.length, 4, 'the four 1000-byte messages that fit a 4096-byte ring');
  assert.ok(got.result.messages.every((m) => m === 'f'.repeat(1000)));
});

test('writers killed with SIGKILL while writing: readers get whole messages in order, then EOF', async () => {
  for (const io of ['mapped', 'syscall']) {
    const r = startPeer(['read', `killed-${io}`, 'wait'], { io: 'mapped' });
    await ready(r);
    go(r);
    const w = startPeer(['flood', `killed-${io}`, 'k'], { io });
    await withDump(ready(w), [r, w]);
    await new Promise((resolve) => setTimeout(resolve, 100 + Math.floor(Math.random() * 200)));
    w.child.kill('SIGKILL');
    assert.equal((await w.done).signal, 'SIGKILL');
    const got = await withDump(r.done, [r, w]);
    assert.equal(got.code, 0, got.stderr);
    const counts = perWriter(got.result.messages);
    assert.ok(counts.k >= 100, `${io}: ${counts.k} messages before the kill`);
  }
  const r = startPeer(['read', 'killed-c', 'wait']);
  await ready(r);
  go(r);
  const c = spawn(RPTEST, ['send', 'killed-c', '1000000'], { stdio: 'ignore' });
  await new Promise((resolve) => setTimeout(resolve, 500));
  c.kill('SIGKILL');
  const got = await withDump(r.done, [r]);
  assert.equal(got.code, 0, got.stderr);
  assert.ok(perWriter(got.result.messages).c > 0);
});

test('sixteen idle driver pipes leave fs calls working; closing them lets the process go on', async () => {
  const pipes = Array.from({ length: 16 }, (_, i) => createPipe(`idle-${i}`, { backend: 'driver', access: 'read', follow: true }));
  for (const pipe of pipes) pipe.resume();
  await new Promise((resolve) => setTimeout(resolve, 100));
  const texts = await Promise.all(Array.from({ length: 8 }, () => readFile('/proc/self/status', 'latin1')));
  assert.ok(texts.every((t) => t.includes('Pid:')));
  for (const pipe of pipes) pipe.destroy();
  await Promise.all(pipes.map((pipe) => once(pipe, 'close')));
});

test('listPipes and statPipe report driver pipes; the last close keeps one with unread messages, the next reader drains it and frees the name', async () => {
  const pipe = createPipe('Listed.Pipe', { backend: 'driver', capacity: 8192 });
  pipe.write('one');
  await new Promise((resolve) => setImmediate(resolve));
  const listed = listPipes().find((p) => p.name === 'LISTED.PIPE');
  assert.equal(listed?.backend, 'driver');
  assert.equal(listed?.capacity, 8192);
  const stat = statPipe('listed.pipe');
  assert.deepEqual([stat.backend, stat.handles, stat.messagesIn, stat.usedBytes], ['driver', 1, 1, 16]);
  pipe.destroy();
  await once(pipe, 'close');
  const kept = listPipes().find((p) => p.name === 'LISTED.PIPE');
  assert.deepEqual([kept?.kept, kept?.handles, kept?.unreadMessages, kept?.unreadBytes], [true, 0, 1, 3]);
  const reader = createPipe('listed.pipe', { backend: 'driver', access: 'read' });
  const got = [];
  for await (const m of reader) got.push(m.toString());
  assert.deepEqual(got, ['one'], 'the kept message, then EOF');
  if (!reader.closed) await once(reader, 'close');
  assert.ok(!listPipes().some((p) => p.name === 'LISTED.PIPE'));
  assert.throws(() => statPipe('listed.pipe'), { code: 'ERR_RINGPIPE_NOT_FOUND' });
});

test('removePipe on the driver backend: a kept pipe goes with its unread messages; then ERR_RINGPIPE_NOT_FOUND', async () => {
  const { removePipe } = await import('@ringpipe/client');
  const w = createPipe('remove-me', { backend: 'driver', access: 'write' });
  w.end('unread');
  await once(w, 'finish');
  w.destroy();
  if (!w.closed) await once(w, 'close');
  assert.equal(statPipe('remove-me').kept, true, 'kept for its unread message');
  removePipe('remove-me', { backend: 'driver' });
  assert.throws(() => statPipe('remove-me'), { code: 'ERR_RINGPIPE_NOT_FOUND' });
  assert.throws(() => removePipe('remove-me', { backend: 'driver' }), { code: 'ERR_RINGPIPE_NOT_FOUND' });
});
