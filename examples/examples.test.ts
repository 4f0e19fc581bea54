import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { killChildren, run, sleep, tempDir, uniqueName } from '../tests/support/index.js';

afterEach(killChildren);

/** Runs an example script with ARGS (stdin at EOF): its exit code and output once it exited; line(P) waits for a line matching P. */
function runExample(script: string, args: string[]) {
  const { child, done } = run(process.execPath, [fileURLToPath(new URL(script, import.meta.url)), ...args], { input: '' });
  const exited = done.then(({ code, stdout, stderr }) => ({ code, stdout: stdout.toString(), stderr }));
  const line = (pattern: RegExp) =>
    new Promise<void>((resolve) => {
      const lines = createInterface({ input: child.stdout! });
      lines.on('line', (text) => pattern.test(text) && resolve());
    });
  return { child, exited, line };
}

describe('examples', () => {
  it('hello: a writer process and a reader process meet on a name', async () => {
    const { code, stdout, stderr } = await runExample('./hello/demo.mjs', [uniqueName('HELLO')]).exited;
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('reader: Hello from another process!');
    expect(stdout).toContain('reader: ringpipe: one message per write');
    expect(stdout).toContain('reader: bye');
    expect(stdout).toContain('reader: every writer has left');
    expect(stdout).toMatch(/writer: sent 3 messages to HELLO-/);
  });

  it('gzip-transfer: a file piped through gzip across two processes arrives intact', async () => {
    const dir = tempDir('gzip');
    const input = join(dir, 'in.bin');
    const output = join(dir, 'out.bin');
    // Half random, half repetitive: gzip has work to do both ways.
    writeFileSync(input, Buffer.concat([randomBytes(3 << 20), Buffer.alloc(3 << 20, 'ringpipe ')]));
    const name = uniqueName('GZ');
    const receiver = runExample('./gzip-transfer/receive.mjs', [output, name]);
    await receiver.line(/^ready$/);
    const sender = await runExample('./gzip-transfer/send.mjs', [input, name]).exited;
    expect(sender.code).toBe(0);
    expect((await receiver.exited).code).toBe(0);
    const digest = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
    expect(digest(output)).toBe(digest(input));
  });

  it('request-reply: a service answers two clients over pairs of pipes, and stops on SIGTERM', async () => {
    const name = uniqueName('CALC');
    const service = runExample('./request-reply/service.mjs', [name]);
    await service.line(/answering on/);
    const clients = await Promise.all([runExample('./request-reply/client.mjs', [name]).exited, runExample('./request-reply/client.mjs', [name]).exited]);
    for (const client of clients) {
      expect(client.code).toBe(0);
      expect(client.stdout.split('\n').filter(Boolean).sort()).toEqual(
        ['add(2, 40) -> 42', 'divide(1, 0) -> error: unknown operation divide', 'mul(6, 7) -> 42', 'upper(ringpipe) -> RINGPIPE'].sort(),
      );
    }
    service.child.kill('SIGTERM');
    const stopped = await service.exited;
    expect(stopped.code).toBe(0);
    expect(stopped.stdout).toContain('service: stopped');
  });

  it('batch-ticks: a producer writes batches, a consumer reads batches, every message once', async () => {
    const name = uniqueName('TICKS');
    const consumer = runExample('./batch-ticks/consumer.mjs', [name]);
    await consumer.line(/^ready$/);
    const producer = await runExample('./batch-ticks/producer.mjs', [name, '100000']).exited;
    expect(producer).toMatchObject({ code: 0, stderr: '' });
    const { code, stdout, stderr } = await consumer.exited;
    expect(stderr).toBe('');
    expect(code).toBe(0);
    let sum = 0;
    for (let i = 0; i < 100000; i++) sum += 100 + (i % 7);
    const [, messages, batches, total] = /(\d+) messages in (\d+) batches, price sum (\d+)/.exec(stdout)!;
    expect(Number(messages)).toBe(100000);
    expect(Number(total)).toBe(sum);
    expect(Number(batches)).toBeLessThan(100000);
  });

  it('graceful-stop: consumers stopped by SIGTERM at random moments lose nothing; the next one takes the rest', async () => {
    const name = uniqueName('JOBS');
    const { createPipe } = await import('@ringpipe/client');
    // Holds the pipe open between consumers (without reading) until the last one runs.
    const keeper = createPipe(name, { access: 'read' });
    const producer = runExample('./graceful-stop/producer.mjs', [name]);
    await producer.line(/^ready$/);
    const seen = new Map<number, number>();
    const note = (stdout: string) => {
      for (const [, id] of stdout.matchAll(/^job (\d+)$/gm)) seen.set(Number(id), (seen.get(Number(id)) ?? 0) + 1);
    };
    let stoppedWithJobs = 0;
    for (let round = 0; round < 15; round++) {
      const consumer = runExample('./graceful-stop/consumer.mjs', [name]);
      await consumer.line(/^ready$/);
      await sleep(Math.random() * 30);
      consumer.child.kill('SIGTERM');
      const { code, stdout, stderr } = await consumer.exited;
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      expect(stdout).toMatch(/stopped\n$/);
      if (/^job /m.test(stdout)) stoppedWithJobs++;
      note(stdout);
    }
    const last = runExample('./graceful-stop/consumer.mjs', [name]);
    await last.line(/^ready$/);
    keeper.destroy();
    producer.child.kill('SIGTERM');
    const made = await producer.exited;
    expect(made).toMatchObject({ code: 0, stderr: '' });
    const sent = Number(/sent (\d+)/.exec(made.stdout)![1]);
    note((await last.exited).stdout);
    const lost = Array.from({ length: sent }, (_, id) => id).filter((id) => !seen.has(id)).length;
    const duplicated = [...seen.values()].filter((n) => n > 1).length;
    expect({ lost, duplicated, beyond: [...seen.keys()].filter((id) => id >= sent).length }).toEqual({ lost: 0, duplicated: 0, beyond: 0 });
    expect(stoppedWithJobs).toBeGreaterThan(3); // the SIGTERMs did land while consumers were taking jobs
  });
});

