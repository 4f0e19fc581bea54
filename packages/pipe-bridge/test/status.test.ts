import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, cpSync, existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { listBridges, type BridgeStatus } from '../src/status.js';
import { processIdentity } from '../src/status/process-identity.js';
import { StatusFile } from '../src/status/publish.js';
import { STATUS_DIR, statusFileName } from '../src/status/record.js';

const linux = process.platform === 'linux';
const root = process.getuid?.() === 0;
const made: string[] = [];

afterEach(() => {
  for (const path of made.splice(0)) rmSync(path, { force: true, recursive: true });
});

let counter = 0;
/** A pipe name no other test uses, so records of other runs do not get in the way. */
const uniqueName = (): string => `STATUSTEST-${process.pid}-${++counter}`;

function status(name: string, pid = process.pid): BridgeStatus {
  return { name, direction: 'to', stream: `RINGPIPE_${name}`, server: '127.0.0.1:4222', state: 'running', lag: 3, rate: 5, messages: 7, duplicates: 0, pid };
}

/** Writes a status file by hand, as another process (or an attacker) could. */
function plant(name: string, pid: number, record: object, serial = 1): string {
  const path = join(STATUS_DIR, statusFileName(name, pid, serial));
  writeFileSync(path, JSON.stringify(record));
  made.push(path);
  return path;
}

const listed = (name: string): BridgeStatus[] => listBridges().filter((b) => b.name === name);

describe.skipIf(!linux)('bridge status files (what ringpipe ls shows)', () => {
  it('a status file written by a live bridge is listed as written, and gone once removed', () => {
    const name = uniqueName();
    const file = new StatusFile(name);
    made.push(file.path);
    file.write(status(name));
    expect(listed(name)).toEqual([status(name)]);
    file.write({ ...status(name), state: 'retrying', retry: 'cannot reach 127.0.0.1:4222', lag: 9 });
    expect(listed(name)).toEqual([{ ...status(name), state: 'retrying', retry: 'cannot reach 127.0.0.1:4222', lag: 9 }]);
    file.remove();
    expect(existsSync(file.path)).toBe(false);
    expect(listed(name)).toEqual([]);
  });

  it('a bridge of a process that exits without stopping it takes its status file with it', () => {
    const name = uniqueName();
    const script = `
      const { bridge, listBridges } = await import(${JSON.stringify(new URL('../dist/index.js', import.meta.url).href)});
      bridge({ name: ${JSON.stringify(name)}, direction: 'to', servers: 'nats://127.0.0.1:1' });
      while (!listBridges().some((b) => b.name === ${JSON.stringify(name)})) await new Promise((r) => setTimeout(r, 20));
      process.stdout.write('listed');
      process.exit(0);`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
    expect(run.stdout, run.stderr).toBe('listed');
    expect(existsSync(join(STATUS_DIR, statusFileName(name, run.pid!, 1)))).toBe(false);
  });

  it('a file of a process that died is not listed, and is removed', () => {
    const name = uniqueName();
    const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const pid = Number(child.stdout);
    const path = plant(name, pid, { version: 1, ...status(name, pid), ...processIdentity('self') });
    expect(listed(name)).toEqual([]);
    expect(existsSync(path)).toBe(false);
  });

  it('a live pid that started at another time (a reused pid) is not the bridge: not listed, removed', () => {
    const name = uniqueName();
    const path = plant(name, process.pid, { version: 1, ...status(name), ...processIdentity('self'), started: '1' });
    expect(listed(name)).toEqual([]);
    expect(existsSync(path)).toBe(false);
  });

  it('a record from another PID namespace is neither listed nor removed: its pid means nothing here', () => {
    const name = uniqueName();
    const path = plant(name, process.pid, { version: 1, ...status(name), ...processIdentity('self'), pidNamespace: 'pid:[1]' });
    expect(listed(name)).toEqual([]);
    expect(existsSync(path)).toBe(true);
  });

  it('ignores records whose content does not match the file name, or is malformed', () => {
    const identity = processIdentity('self');
    const a = uniqueName();
    plant(a, process.pid, { version: 1, ...status('SOMEONE_ELSE'), ...identity });
    const b = uniqueName();
    plant(b, process.pid, { version: 1, ...status(b, process.pid + 1), ...identity });
    const c = uniqueName();
    plant(c, process.pid, { version: 1, ...status(c), ...identity, server: '\u001b]0;evil\u0007' });
    const d = uniqueName();
    plant(d, process.pid, { version: 1, ...status(d), ...identity, lag: -1 });
    const e = uniqueName();
    writeFileSync(join(STATUS_DIR, statusFileName(e, process.pid, 1)), '{"version":1,');
    made.push(join(STATUS_DIR, statusFileName(e, process.pid, 1)));
    const f = uniqueName();
    plant(f, process.pid, { version: 1, ...status(f), ...identity, rate: undefined });
    for (const name of [a, b, c, d, e, f]) expect(listed(name), name).toEqual([]);
  });

  it('ignores a symbolic link and a FIFO under a status file name (no hang)', () => {
    // A link someone else made in /dev/shm to a file of ours that reads as a valid record.
    const other = uniqueName();
    const target = join(STATUS_DIR, `.statustest-target-${process.pid}-${counter}`);
    writeFileSync(target, JSON.stringify({ version: 1, ...status(other), ...processIdentity('self') }));
    made.push(target);
    const link = join(STATUS_DIR, statusFileName(other, process.pid, 1));
    symlinkSync(target, link);
    made.push(link);
    const name = uniqueName();
    plant(name, process.pid, { version: 1, ...status(name), ...processIdentity('self') }, 1);
    const fifoName = uniqueName();
    const fifo = join(STATUS_DIR, statusFileName(fifoName, process.pid, 1));
    mkfifoSync(fifo);
    made.push(fifo);
    expect(listed(other)).toEqual([]);
    expect(listed(fifoName)).toEqual([]);
    expect(listed(name)).toHaveLength(1);
  });

  it.skipIf(!root)('trusts only files of the caller and of root: another user\'s is ignored (and kept), root\'s shows to every user (uid 1 here)', () => {
    const theirs = uniqueName();
    const path = plant(theirs, process.pid, { version: 1, ...status(theirs), ...processIdentity('self') });
    chownSync(path, 65534, 65534);
    expect(listed(theirs)).toEqual([]);
    expect(existsSync(path)).toBe(true);
    const roots = uniqueName();
    plant(roots, process.pid, { version: 1, ...status(roots), ...processIdentity('self') });
    // uid 1 may not enter the checkout (a `mktemp -d` is 0700): it runs a world-readable copy of dist/.
    const readable = mkdtempSync(join(tmpdir(), 'ringpipe-status-'));
    made.push(readable);
    cpSync(fileURLToPath(new URL('../dist', import.meta.url)), readable, { recursive: true });
    chmodSync(readable, 0o755);
    const statusModule = pathToFileURL(join(readable, 'status.js')).href;
    const asUser1 = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', `const { listBridges } = await import(${JSON.stringify(statusModule)}); process.stdout.write(JSON.stringify(listBridges()));`],
      { uid: 1, gid: 1, encoding: 'utf8', cwd: readable },
    );
    expect(asUser1.status, asUser1.stderr).toBe(0);
    const seen = (JSON.parse(asUser1.stdout) as BridgeStatus[]).map((b) => b.name);
    expect(seen).toContain(roots);
    expect(seen).not.toContain(theirs);
  });
});

function mkfifoSync(path: string): void {
  const r = spawnSync('mkfifo', [path]);
  if (r.status !== 0) throw new Error(`mkfifo ${path}: ${r.stderr}`);
}
