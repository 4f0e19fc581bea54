// The CLI and untrusted input: the bytes of each line pass unchanged, and another user's pipe needs --owner.
import { chownSync, unlinkSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { killChildren, skipLoudly, uniqueName } from '../../../tests/support/index.js';
import { readerAttached, ringpipe } from './helpers/run.js';

afterEach(killChildren);

const asRoot = process.getuid?.() === 0;

describe('ringpipe and untrusted input', () => {
  it('passes the bytes of each line unchanged, invalid UTF-8 included', async () => {
    const name = uniqueName('BYTES');
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
    const name = uniqueName('OWNED');
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
