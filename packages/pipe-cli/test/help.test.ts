// Help that matches each command, and --version from package.json.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { killChildren } from '../../../tests/support/index.js';
import { ringpipe } from './helpers/run.js';

afterEach(killChildren);

const PACKAGE = fileURLToPath(new URL('..', import.meta.url));

describe('help that matches each command', () => {
  it('bridge --help lists only what bridge takes', async () => {
    const help = (await ringpipe(['bridge', '--help']).done).stdout.toString();
    expect(help).toContain('--to <url>');
    expect(help).toContain('--password-file <file>');
    expect(help).toContain('RINGPIPE_NATS_PASSWORD');
    for (const other of ['--bytes', '--count', '--follow', '--no-prompt', '--json', '--password <']) expect(help).not.toContain(other);
  });

  it('read --help mentions --bytes where read takes it', async () => {
    const help = (await ringpipe(['read', '--help']).done).stdout.toString();
    expect(help).toContain('--bytes');
    expect(help).toContain('4M with --bytes');
  });

  it('--version is the version of package.json', async () => {
    const { version } = JSON.parse(readFileSync(join(PACKAGE, 'package.json'), 'utf8'));
    const run = await ringpipe(['--version']).done;
    expect(run.stdout.toString()).toBe(`${version}\n`);
    expect(run.code).toBe(0);
  });
});
