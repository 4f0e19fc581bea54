import { chmodSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';
import { startNode, type Peer } from './processes.js';

/**
 * Peers that run as another user, wherever the checkout is: the checkout may sit in a folder
 * that user cannot enter (any `mktemp -d` is 0700), so what a peer needs (the built client, its
 * dependencies and the fixtures) is copied once per test process into a world-readable folder.
 *
 *   const peer = peerAsUser(65534);
 *   if (!peer.ok) return skipLoudly(ctx, peer.reason);
 *   const other = peer.start(['try-open', name]);   // test/fixtures/peer.mjs as uid 65534
 */
export type UserPeer =
  | {
      ok: true;
      uid: number;
      gid: number;
      /** The world-readable copy: node_modules/ (the client and its dependencies) and fixtures/. */
      dir: string;
      /** Starts test/fixtures/peer.mjs (its copy) with these arguments as this user. */
      start(args: string[]): Peer;
      /** Starts another file of test/fixtures/ (its copy) as this user. */
      startFixture(file: string, args: string[]): Peer;
    }
  | { ok: false; reason: string };

const CLIENT = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../fixtures', import.meta.url));

let copy: string | undefined;

// Vitest ends its workers without running 'exit' handlers: the copy goes when the test file ends.
afterAll(() => {
  if (copy) rmSync(copy, { recursive: true, force: true });
  copy = undefined;
});

export function peerAsUser(uid: number, gid: number = uid): UserPeer {
  if (process.getuid?.() !== 0) {
    return { ok: false, reason: `needs root to start a process as uid ${uid} (running as uid ${process.getuid?.() ?? 'unknown'})` };
  }
  const dir = (copy ??= readableCopy());
  const startFixture = (file: string, args: string[]): Peer => startNode(join(dir, 'fixtures', file), args, { uid, gid, cwd: dir });
  return { ok: true, uid, gid, dir, start: (args) => startFixture('peer.mjs', args), startFixture };
}

/** A skip that shows: a warning on stderr and the reason beside the skipped test. */
export function skipLoudly(ctx: { skip(note?: string): never; task: { name: string } }, reason: string): never {
  process.stderr.write(`SKIPPED "${ctx.task.name}": ${reason}\n`);
  return ctx.skip(reason);
}

function readableCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ringpipe-peer-'));
  const modules = join(dir, 'node_modules');
  const client = join(modules, '@ringpipe', 'client');
  if (!existsSync(join(CLIENT, 'dist', 'index.js'))) throw new Error(`${CLIENT}dist is missing: run pnpm build first`);
  cpSync(join(CLIENT, 'package.json'), join(client, 'package.json'));
  cpSync(join(CLIENT, 'dist'), join(client, 'dist'), { recursive: true });
  copyDependencies(CLIENT, modules, new Set());
  cpSync(FIXTURES, join(dir, 'fixtures'), { recursive: true });
  makeReadable(dir);
  return dir;
}

/** Copies the runtime dependencies of the package at `from` (and theirs) flat into `modules`. */
function copyDependencies(from: string, modules: string, done: Set<string>): void {
  const manifest = JSON.parse(readFileSync(join(from, 'package.json'), 'utf8'));
  const optional = new Set(Object.keys(manifest.optionalDependencies ?? {}));
  for (const name of [...Object.keys(manifest.dependencies ?? {}), ...optional]) {
    if (done.has(name)) continue;
    const found = findPackage(from, name);
    if (!found) {
      if (optional.has(name)) continue; // an optional dependency for another platform
      throw new Error(`${name}, a dependency of ${manifest.name}, is not installed`);
    }
    done.add(name);
    cpSync(found, join(modules, name), { recursive: true, dereference: true, filter: (src) => !src.startsWith(join(found, 'node_modules')) });
    copyDependencies(found, modules, done);
  }
}

/** Where Node would find package `name` from the package at `from` (its real path). */
function findPackage(from: string, name: string): string | undefined {
  for (let dir = realpathSync(from); ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (basename(dir) !== 'node_modules' && existsSync(join(candidate, 'package.json'))) return realpathSync(candidate);
    if (dirname(dir) === dir) return undefined;
  }
}

/** Everyone may read every file and enter every folder, whatever the umask was. */
function makeReadable(path: string): void {
  const mode = statSync(path).mode & 0o7777;
  if (statSync(path).isDirectory()) {
    chmodSync(path, mode | 0o755);
    for (const entry of readdirSync(path)) makeReadable(join(path, entry));
  } else {
    chmodSync(path, mode | 0o444 | (mode & 0o100 ? 0o111 : 0));
  }
}
