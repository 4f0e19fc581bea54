// @ringpipe/bridge is an optional peer: without it ls and rm work and bridge says how to install it.
import { cpSync, mkdirSync, realpathSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { killChildren, tempDir } from '../../../tests/support/index.js';
import { ringpipe } from './helpers/run.js';

afterEach(killChildren);

const PACKAGE = fileURLToPath(new URL('..', import.meta.url));

describe('@ringpipe/bridge is optional', () => {
  it('without it installed, ls and rm work and bridge says how to install it (exit 1)', async () => {
    // An install of @ringpipe/cli as npm lays it out, with its dependencies and without the bridge.
    const root = tempDir('cli-alone');
    const cli = join(root, 'node_modules/@ringpipe/cli');
    mkdirSync(cli, { recursive: true });
    for (const part of ['bin', 'dist', 'package.json']) cpSync(join(PACKAGE, part), join(cli, part), { recursive: true });
    symlinkSync(realpathSync(join(PACKAGE, '../pipe-client')), join(root, 'node_modules/@ringpipe/client'));
    symlinkSync(dirname(realpathSync(join(PACKAGE, 'node_modules/commander/package.json'))), join(root, 'node_modules/commander'));
    const bin = join(cli, 'bin/ringpipe.js');
    const ls = await ringpipe(['ls'], undefined, [process.execPath, bin]).done;
    expect(ls.stderr).toBe('');
    expect(ls.code).toBe(0);
    expect(ls.stdout.toString()).toMatch(/^NAME/);
    const name = `BRIDGE_OPTIONAL_${process.pid}`;
    const write = await ringpipe(['write', name, 'kept until rm'], undefined, [process.execPath, bin]).done;
    expect(write.code, write.stderr).toBe(0);
    const rm = await ringpipe(['rm', name], undefined, [process.execPath, bin]).done;
    expect(rm.stderr).toBe('');
    expect(rm.code).toBe(0);
    const again = await ringpipe(['rm', name], undefined, [process.execPath, bin]).done;
    expect(again.code).toBe(1);
    const bridge = await ringpipe(['bridge', 'X', '--to', 'nats://127.0.0.1:1'], undefined, [process.execPath, bin]).done;
    expect(bridge.code).toBe(1);
    expect(bridge.stderr).toMatch(/^ringpipe: ringpipe bridge needs the @ringpipe\/bridge package, which is not installed: npm install @ringpipe\/bridge/);
  });
});
