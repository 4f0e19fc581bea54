// The published declarations (dist/index.d.ts) name only what the package exports: nothing of the
// endpoints, the ring or the stream's insides, and every public return type has a name.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const PACKAGE = fileURLToPath(new URL('..', import.meta.url));
const TSUP = fileURLToPath(new URL('../../../node_modules/.bin/tsup', import.meta.url));
/** Internal names that once reached the declarations through RingPipe's constructor and methods. */
const INTERNAL = ['Endpoint', 'MappedEndpoint', 'SyscallEndpoint', 'EOF', 'WROTE', 'NO_ROOM', 'WriteCursor', 'Ring', 'RingCore', 'Opened', 'Callback'];

let out: string;
let declarations: string;

beforeAll(() => {
  // Built as `pnpm build` builds it, into a folder of its own: dist/ stays as the other tests use it.
  out = mkdtempSync(`${os.tmpdir()}/ringpipe-dts-`);
  execFileSync(TSUP, ['src/index.ts', '--dts-only', '--format', 'esm', '--out-dir', out, '--no-config'], { cwd: PACKAGE, stdio: 'ignore', timeout: 170_000 });
  // Comments may name anything; the code may not.
  declarations = readFileSync(`${out}/index.d.ts`, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '');
}, 180_000);

afterAll(() => {
  if (out) rmSync(out, { recursive: true, force: true });
});

describe('dist/index.d.ts', () => {
  it('declares at top level only names it exports', () => {
    const declared = [...declarations.matchAll(/^(?:declare )?(?:const|class|function|interface|type) (\w+)/gm)].map((m) => m[1]!);
    const exportList = /^export \{([^}]*)\};$/m.exec(declarations)?.[1] ?? '';
    const exported = new Set(exportList.split(',').map((name) => name.trim().replace(/^type /, '')));
    expect(declared.length).toBeGreaterThan(10);
    expect(declared.filter((name) => !exported.has(name))).toEqual([]);
  });

  it('names none of the internal types', () => {
    expect(INTERNAL.filter((name) => new RegExp(`\\b${name}\\b`).test(declarations))).toEqual([]);
  });

  it("gives RingPipe a private constructor and named return types (readView's is MessageView)", () => {
    const ringPipe = /^declare class RingPipe [\s\S]*?^\}$/m.exec(declarations)?.[0] ?? '';
    expect(ringPipe).toMatch(/^\s*private constructor\(\);$/m);
    expect(ringPipe).toMatch(/readView\(options\?: CallOptions\): Promise<MessageView \| null>;/);
    // A method whose return type is an object literal (`): {` or `): Promise<{`) has an unnamed type.
    expect(ringPipe.match(/\): (?:Promise<)?\{/g) ?? []).toEqual([]);
  });
});
