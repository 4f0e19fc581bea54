import { chmodSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';

/**
 * What a peer running as another user needs, in a folder every user may read: the checkout may
 * sit where that user cannot enter (any `mktemp -d` is 0700). Made once per test file:
 * node_modules/ holds the built client and its dependencies, fixtures/ the test fixtures.
 */
const CLIENT = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../fixtures', import.meta.url));

let copy: string | undefined;

// Vitest ends its workers without running 'exit' handlers: the copy goes when the test file ends.
afterAll(() => {
  if (copy) rmSync(copy, { recursive: true, force: true });
  copy = undefined;
});

/** The folder of the copy, made on first use. */
export function readableCopy(): string {
  return (copy ??= makeCopy());
}

/** The copy of SCRIPT, a file of test/fixtures. */
export function readableFixture(script: string): string {
  const inside = relative(FIXTURES, script);
  if (inside.startsWith('..')) throw new Error(`${script} is not in test/fixtures: another user may not be able to read it`);
  return join(readableCopy(), 'fixtures', inside);
}

function makeCopy(): string {
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
    if (done.has(name) || name.startsWith('@types/')) continue;
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
