// The client's fast paths (writeBatch / batches, writeInPlace / readView / readInto) on the
// driver backend, for each pair of transports: the mapped ring and read/write system calls.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPipe } from '@ringpipe/client';

const TRANSPORTS = ['mapped', 'syscall'];

/** Opens with the driver's transport chosen as RINGPIPE_DRIVER_IO says. */
function openWith(io, name, options) {
  process.env.RINGPIPE_DRIVER_IO = io;
  try {
    return createPipe(name, { backend: 'driver', capacity: 16384, ...options });
  } finally {
    delete process.env.RINGPIPE_DRIVER_IO;
  }
}

const message = (i) => Buffer.from(`${i}:${'y'.repeat(i % 97)}`);

for (const writerIo of TRANSPORTS) {
  for (const readerIo of TRANSPORTS) {
    test(`writeBatch -> batches(), ${writerIo} writer, ${readerIo} reader: every message once, in order`, async () => {
      const name = `batch-${writerIo}-${readerIo}`;
      const reader = openWith(readerIo, name, { access: 'read' });
      const writer = openWith(writerIo, name, { access: 'write' });
      const sent = Array.from({ length: 3000 }, (_, i) => message(i));
      const writing = (async () => {
        for (let i = 0; i < sent.length; i += 250) await writer.writeBatch(sent.slice(i, i + 250));
        writer.end();
      })();
      const got = [];
      for await (const batch of reader.batches(128)) {
        assert.ok(batch.length >= 1 && batch.length <= 128);
        got.push(...batch);
      }
      await writing;
      assert.equal(got.length, sent.length);
      got.forEach((m, i) => assert.ok(m.equals(sent[i]), `message ${i}`));
    });

    test(`writeInPlace -> readView and readInto, ${writerIo} writer, ${readerIo} reader`, async () => {
      const name = `inplace-${writerIo}-${readerIo}`;
      const reader = openWith(readerIo, name, { access: 'read' });
      const writer = openWith(writerIo, name, { access: 'write' });
      const sizes = Array.from({ length: 200 }, (_, i) => 1 + ((i * 977) % 5000));
      const writing = (async () => {
        for (const [i, size] of sizes.entries()) await writer.writeInPlace(size, (view) => view.fill(i % 256));
        writer.end();
      })();
      const target = Buffer.alloc(reader.maxMessageSize);
      for (const [i, size] of sizes.entries()) {
        if (i % 2 === 0) {
          const view = await reader.readView();
          assert.equal(view.data.length, size);
          assert.ok(view.data.every((b) => b === i % 256), `view ${i}`);
          view.release();
        } else {
          const n = await reader.readInto(target);
          assert.equal(n, size);
          assert.ok(target.subarray(0, n).every((b) => b === i % 256), `readInto ${i}`);
        }
      }
      assert.equal(await reader.readView(), null);
      await writing;
    });
  }
}

test('a view released unconsumed, or a message too big for readInto, comes next: in the ring (mapped), in the handle (syscall)', async () => {
  for (const io of TRANSPORTS) {
    const name = `view-keep-${io}`;
    const reader = openWith(io, name, { access: 'read' });
    const writer = openWith(io, name, { access: 'write' });
    await writer.writeBatch([Buffer.from('first'), Buffer.from('second')]);
    const view = await reader.readView();
    assert.equal(String(view.data), 'first');
    view.release(false);
    await assert.rejects(reader.readInto(Buffer.alloc(2)), { code: 'ERR_RINGPIPE_MESSAGE_TOO_BIG' });
    // A syscall handle's batch is one message: read until both are in.
    const got = [];
    while (got.length < 2) got.push(...(await reader.readBatch(2)).map(String));
    assert.deepEqual(got, ['first', 'second'], io);
    writer.destroy();
    reader.destroy();
  }
});
