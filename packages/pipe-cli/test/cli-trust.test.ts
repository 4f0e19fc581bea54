// The CLI as the trust work wants it: lines are bytes, and another user's pipe needs --owner.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chownSync, unlinkSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const asRoot = process.getuid?.() === 0;
/** A skip that shows: a warning on stderr and the reason beside the skipped test. */
function skipLoudly(ctx: { skip(note?: string): never; task: { name: string } }, reason: string): never {
  process.stderr.write(`SKIPPED "${ctx.task.name}": ${reason}\n`);
  return ctx.skip(reason);
}

const CLI = fileURLToPath(new URL('../bin/ringpipe.js', import.meta.url));
const children = new Set<ReturnType<typeof spawn>>();
afterEach(() => {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
});

function ringpipe(args: string[], input?: Buffer): { done: Promise<{ code: number; stdout: Buffer; stderr: string }> } {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  children.add(child);
  const out: Buffer[] = [];
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  if (input !== undefined) child.stdin.end(input);
  else child.stdin.end();
  return { done: once(child, 'close').then(([code]) => ({ code: code as number, stdout: Buffer.concat(out), stderr })) };
}

async function readerAttached(name: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const { code, stdout } = await ringpipe(['stat', name, '--json']).done;
    if (code === 0 && JSON.parse(stdout.toString()).readers > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`no reader attached to ${name}`);
}

const unique = (prefix: string) => `${prefix}-${process.pid}-${Math.random().toString(36).slice(2, 7)}`;

describe('ringpipe and untrusted input', () => {
  it('passes the bytes of each line unchanged, invalid UTF-8 included', async () => {
    const name = unique('BYTES');
    const reader = ringpipe(['read', name]);
    await readerAttached(name);
    const input = Buffer.from([0x6f, 0x6b, 0x0a, 0xff, 0xfe, 0x80, 0x0a, 0xc3, 0x28, 0x0d, 0x0a, 0x00, 0x01]);
    expect((await ringpipe(['write', name], input).done).code).toBe(0);
    const { code, stdout } = await reader.done;
    expect(code).toBe(0);
    expect(stdout.toString('hex')).toBe(Buffer.from([0x6f, 0x6b, 0x0a, 0xff, 0xfe, 0x80, 0x0a, 0xc3, 0x28, 0x0a, 0x00, 0x01, 0x0a]).toString('hex'));
  });

  it("refuses another user's file under the name unless --owner names them", async (ctx) => {
    if (!asRoot) return skipLoudly(ctx, 'needs root (another uid, mounts or namespaces)');
    const name = unique('OWNED');
    const path = `/dev/shm/ringpipe.${name.toUpperCase()}`;
    writeFileSync(path, '', { mode: 0o666 });
    chownSync(path, 65534, 65534);
    try {
      const refused = await ringpipe(['write', name, 'secret']).done;
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/uid 65534.*owner/);
      // With its owner named the file passes the check; no handle has it open, so it is replaced.
      const named = await ringpipe(['write', name, '--owner', 'nobody', 'hello']).done;
      expect(named.stderr).toBe('');
      expect(named.code).toBe(0);
    } finally {
      try {
        unlinkSync(path);
      } catch {
        // the writer's pipe took the name and left with it
      }
    }
  });
});
