// docs/api.md documents every name the packages export, every public member of their classes,
// every option and field of their public types, and every event; docs/errors.md every error
// code; docs/cli.md every flag of every command. Links between the pages resolve.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { docPages, ROOT } from './markdown.js';

const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');
const api = read('docs/api.md');
const errors = read('docs/errors.md');
const cli = read('docs/cli.md');

const DECLARATIONS = {
  '@ringpipe/client': ['packages/pipe-client/dist/index.d.ts'],
  '@ringpipe/bridge': ['packages/pipe-bridge/dist/index.d.ts'],
  '@ringpipe/bridge/status': ['packages/pipe-bridge/dist/status.d.ts'],
};

/** The names a declaration file exports: `export { a, type B }` lists and `export ... from` lines. */
function declaredExports(dts: string): string[] {
  const names: string[] = [];
  for (const [, list] of dts.matchAll(/^export \{([^}]*)\}/gm)) {
    for (const entry of list!.split(',')) {
      const name = entry.trim().replace(/^type\s+/, '').split(/\s+as\s+/).pop()!.trim();
      if (name) names.push(name);
    }
  }
  return names;
}

/** The body of `declare class Name ...` or `interface Name ...` in a declaration file. */
function body(dts: string, kind: 'class' | 'interface', name: string): string {
  const start = new RegExp(`^(?:declare )?${kind} ${name}\\b[^{]*\\{`, 'm').exec(dts);
  if (!start) throw new Error(`no ${kind} ${name}`);
  let depth = 1;
  let i = start.index + start[0].length;
  for (; depth > 0; i++) depth += dts[i] === '{' ? 1 : dts[i] === '}' ? -1 : 0;
  return dts.slice(start.index + start[0].length, i - 1);
}

/** Public members: properties, getters and methods at the top level of a body, neither private nor `_`-prefixed. */
function members(code: string): string[] {
  const names = new Set<string>();
  let depth = 0;
  for (const line of code.split('\n')) {
    if (depth === 0) {
      const m = /^\s*(?:readonly\s+|get\s+)?([A-Za-z]\w*)\??[(:<]/.exec(line);
      if (m && !/^\s*private\b/.test(line) && m[1] !== 'constructor') names.add(m[1]!);
    }
    for (const ch of line) depth += ch === '{' || ch === '(' ? 1 : ch === '}' || ch === ')' ? -1 : 0;
  }
  return [...names];
}

const headings = (md: string): string[] => md.split('\n').filter((l) => /^#{1,6} /.test(l));
const codeSpans = (text: string): string[] => [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);

/** The text of the section whose heading names `name` in a code span, up to the next heading of its level or above. */
function section(md: string, name: string): string {
  const lines = md.split('\n');
  const at = lines.findIndex((l) => /^#{1,6} /.test(l) && codeSpans(l).some((s) => new RegExp(`^(?:[\\w.]+\\.)?${name}\\b`).test(s)));
  if (at < 0) return '';
  const level = /^#+/.exec(lines[at]!)![0].length;
  let end = at + 1;
  while (end < lines.length && !(/^#{1,6} /.test(lines[end]!) && /^#+/.exec(lines[end]!)![0].length <= level)) end++;
  return lines.slice(at, end).join('\n');
}

const documentedInHeading = (name: string, prefix = ''): boolean =>
  headings(api).some((h) => codeSpans(h).some((s) => new RegExp(`^${prefix.replace('.', '\\.')}${name}\\b`).test(s) || s === `Class: ${name}`) || h.includes(`Class: \`${name}\``));

describe('docs/api.md covers the public API', () => {
  const exported = new Map<string, string[]>();
  for (const [pkg, files] of Object.entries(DECLARATIONS)) exported.set(pkg, files.flatMap((f) => declaredExports(read(f))));

  it('every exported name (values and types) has a heading', async () => {
    const missing: string[] = [];
    let count = 0;
    for (const [pkg, names] of exported) {
      const runtime = Object.keys(await import(pkg));
      for (const name of new Set([...names, ...runtime])) {
        count++;
        if (!documentedInHeading(name)) missing.push(`${pkg}: ${name}`);
      }
    }
    expect(missing).toEqual([]);
    expect(count).toBeGreaterThan(30);
  });

  it('every public member of RingPipe and BridgeHandle has a heading', () => {
    const client = read(DECLARATIONS['@ringpipe/client'][0]!);
    const bridge = read(DECLARATIONS['@ringpipe/bridge'][0]!);
    const missing: string[] = [];
    const ringPipe = members(body(client, 'class', 'RingPipe')).filter((m) => !m.startsWith('_'));
    for (const m of ringPipe) if (!documentedInHeading(m, 'pipe.')) missing.push(`pipe.${m}`);
    const handle = members(body(bridge, 'class', 'BridgeHandle'));
    for (const m of handle) if (!headings(api).some((h) => h.includes(`bridgeHandle.${m}`))) missing.push(`bridgeHandle.${m}`);
    expect(missing).toEqual([]);
    expect(ringPipe).toEqual(expect.arrayContaining(['readBatch', 'drained', 'name', 'stats']));
  });

  it("each function's and method's heading names its parameters as the declarations do", () => {
    const client = read(DECLARATIONS['@ringpipe/client'][0]!);
    const bridge = read(DECLARATIONS['@ringpipe/bridge'][0]!);
    /** `name(a: T, b?: U)` declarations in a text: name -> parameter names (types may nest brackets and span lines). */
    const signatures = (code: string, pattern: RegExp): Map<string, string[]> => {
      const out = new Map<string, string[]>();
      for (const m of code.matchAll(pattern)) {
        const params: string[] = [];
        let depth = 0;
        let current = '';
        for (let i = m.index + m[0].length; i < code.length; i++) {
          const ch = code[i]!;
          if (depth === 0 && ch === ')') break;
          if ('([{<'.includes(ch)) depth++;
          if (')]}>'.includes(ch) && code[i - 1] !== '=') depth--;
          if (depth === 0 && ch === ',') {
            params.push(current);
            current = '';
          } else current += ch;
        }
        params.push(current);
        const names = params.map((p) => p.trim().replace(/\??:[\s\S]*$/, '')).filter(Boolean);
        if (!out.has(m[1]!)) out.set(m[1]!, names);
      }
      return out;
    };
    const expected = new Map<string, string[]>();
    for (const [name, params] of signatures(body(client, 'class', 'RingPipe'), /^ {4}(\w+)\(/gm)) if (!name.startsWith('_') && name !== 'constructor') expected.set(`pipe.${name}`, params);
    for (const [name, params] of signatures(client, /^declare function (\w+)\(/gm)) expected.set(name, params);
    for (const [name, params] of signatures(bridge, /^declare function (\w+)\(/gm)) expected.set(name, params);
    expect(expected.size).toBeGreaterThan(15);
    const wrong: string[] = [];
    for (const [name, params] of expected) {
      const heading = headings(api).flatMap(codeSpans).find((s) => s.startsWith(`${name}(`));
      if (!heading) continue; // a heading of another form (pipe.writeBatch with a cursor) is checked by the coverage test
      const documented = heading.slice(name.length + 1, heading.lastIndexOf(')')).replace(/[[\]]/g, '').split(',').map((p) => p.trim()).filter(Boolean);
      if (documented.join(',') !== params.join(',')) wrong.push(`${heading}: the declarations say (${params.join(', ')})`);
    }
    expect(wrong).toEqual([]);
  });

  it('every field of the public interfaces is in its section', () => {
    const client = read(DECLARATIONS['@ringpipe/client'][0]!);
    const bridge = read(DECLARATIONS['@ringpipe/bridge'][0]!);
    const status = read(DECLARATIONS['@ringpipe/bridge/status'][0]!);
    const cases: Array<[string, string, string]> = [
      [client, 'PipeOptions', 'PipeOptions'],
      [client, 'PipeInfo', 'PipeInfo'],
      [client, 'RingStats', 'RingStats'],
      [client, 'CallOptions', 'CallOptions'],
      [client, 'ShownMessage', 'ShownMessage'],
      [client, 'ReadWindow', 'ReadWindow'],
      [bridge, 'BridgeOptions', 'BridgeOptions'],
      [bridge, 'BridgeStreamOptions', 'BridgeOptions'],
      [bridge, 'BridgeNames', 'BridgeNames'],
      [bridge, 'BridgeEvents', 'BridgeEvents'],
      [status, 'BridgeStatus', 'BridgeStatus'],
    ];
    const missing: string[] = [];
    for (const [dts, type, heading] of cases) {
      const text = section(api, heading);
      expect(text, `a section for ${heading}`).not.toBe('');
      for (const field of members(body(dts, 'interface', type))) {
        if (!codeSpans(text).some((s) => new RegExp(`(^|\\.)${field}\\b`).test(s)) && !text.includes(`${field}:`)) missing.push(`${type}.${field}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it("every event of a RingPipe and of a BridgeHandle is documented", () => {
    const client = read(DECLARATIONS['@ringpipe/client'][0]!);
    const events = new Set<string>();
    for (const [, list] of body(client, 'interface', 'RingPipe').matchAll(/on\(event: ([^,]+),/g)) {
      for (const [, e] of list!.matchAll(/'(\w+)'/g)) events.add(e!);
    }
    expect(events.size).toBeGreaterThan(5);
    const table = section(api, 'RingPipe events') || api.slice(api.indexOf('#### RingPipe events'));
    const missing = [...events].filter((e) => !table.includes(`'${e}'`));
    const bridge = read(DECLARATIONS['@ringpipe/bridge'][0]!);
    for (const e of members(body(bridge, 'interface', 'BridgeEvents'))) if (!api.includes(`Event: \`'${e}'\``)) missing.push(`bridge ${e}`);
    expect(missing).toEqual([]);
  });
});

describe('docs/errors.md covers every error code', () => {
  it('each code of ErrorCode and BridgeErrorCode has a row', async () => {
    const { ErrorCode } = await import('@ringpipe/client');
    const { BridgeErrorCode } = await import('@ringpipe/bridge');
    const codes = [...Object.values(ErrorCode), ...Object.values(BridgeErrorCode)] as string[];
    const missing = codes.filter((code) => !errors.includes(`| \`${code}\` |`));
    expect(missing).toEqual([]);
    // and no row for a code that does not exist
    const rows = [...errors.matchAll(/^\| `(ERR_[A-Z_]+)` \|/gm)].map((m) => m[1]!);
    expect(rows.filter((code) => !codes.includes(code))).toEqual([]);
  });
});

describe('docs/cli.md covers the command line', () => {
  const ringpipe = join(ROOT, 'packages/pipe-cli/bin/ringpipe.js');
  const help = (...args: string[]): string => spawnSync(process.execPath, [ringpipe, ...args, '--help'], { encoding: 'utf8', timeout: 20_000 }).stdout;
  const commands = [...help().matchAll(/^ {2}(\w+) /gm)].map((m) => m[1]!).filter((c) => c !== 'help');

  it('names every command and every flag of each, and no flag that no command has', () => {
    expect(commands).toEqual(expect.arrayContaining(['write', 'read', 'ls', 'stat', 'rm', 'bridge']));
    const flags = new Set<string>();
    const missing: string[] = [];
    for (const command of commands) {
      if (!cli.includes(`ringpipe ${command}`)) missing.push(command);
      for (const [, flag] of help(command).matchAll(/^ {2}(?:-\w, )?(--[\w-]+)/gm)) {
        flags.add(flag!);
        if (flag !== '--help' && !cli.includes(flag!)) missing.push(`${command} ${flag}`);
      }
    }
    expect(missing).toEqual([]);
    const secretFlags = ['--password', '--token']; // refused with a message, hidden from --help; cli.md says so
    const ours = cli.split('\n').filter((line) => !/\bnpm\b/.test(line)).join('\n'); // npm's own flags aside
    const unknown = [...new Set([...ours.matchAll(/(?<![\w-])(--[a-z][\w-]*)/g)].map((m) => m[1]!))].filter((f) => !flags.has(f) && !secretFlags.includes(f) && f !== '--version');
    expect(unknown).toEqual([]);
  });
});

describe('links between the docs resolve', () => {
  /** GitHub's anchor for a heading. */
  const slug = (heading: string): string =>
    heading.replace(/^#+\s*/, '').trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');
  const anchors = (md: string): Set<string> => {
    const seen = new Map<string, number>();
    const out = new Set<string>();
    let fenced = false;
    for (const line of md.split('\n')) {
      if (/^```/.test(line)) fenced = !fenced;
      if (fenced || !/^#{1,6} /.test(line)) continue;
      const base = slug(line);
      const n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
      out.add(n === 0 ? base : `${base}-${n}`);
    }
    return out;
  };

  it('every relative link names a file that exists, and every #anchor a heading of it', () => {
    const broken: string[] = [];
    for (const page of docPages()) {
      const md = read(page);
      for (const [, target] of md.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target!)) continue;
        const [file, anchor] = target!.split('#') as [string, string | undefined];
        const path = file ? join(dirname(page), file) : page;
        if (!existsSync(join(ROOT, path))) {
          broken.push(`${page}: ${target} (no file)`);
          continue;
        }
        if (anchor && path.endsWith('.md') && !anchors(read(path)).has(anchor)) broken.push(`${page}: ${target} (no heading)`);
      }
    }
    expect(broken).toEqual([]);
  });
});
