#!/usr/bin/env node
// Fails when the TypeScript sources import each other in a circle (type-only imports count:
// they tie the files together just the same). Prints each circle as a chain of paths.
//   node scripts/check-cycles.mjs [dir...]     default: packages/*/src
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const dirs = process.argv.slice(2);
const starts = dirs.length > 0
  ? dirs.map((d) => resolve(d))
  : readdirSync(join(root, 'packages')).map((p) => join(root, 'packages', p, 'src'));

function sourceFiles(dir) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|mts|cts)$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

const SPECIFIER = /(?:^|\n)\s*(?:import|export)\b[^'"`;]*?\bfrom\s*['"](\.[^'"]+)['"]|(?:^|\n)\s*import\s*['"](\.[^'"]+)['"]/g;

/** The local files that `file` imports, resolved the way NodeNext resolves `./x.js` to `./x.ts`. */
function localImports(file) {
  const text = readFileSync(file, 'utf8');
  const targets = [];
  for (const match of text.matchAll(SPECIFIER)) {
    const spec = match[1] ?? match[2];
    const base = resolve(dirname(file), spec);
    const candidates = [base.replace(/\.(m|c)?js$/, '.$1ts'), base, `${base}.ts`, join(base, 'index.ts')];
    const found = candidates.find((c) => {
      try {
        return statSync(c).isFile();
      } catch {
        return false;
      }
    });
    if (found) targets.push(found);
  }
  return targets;
}

const files = starts.flatMap(sourceFiles);
const graph = new Map(files.map((f) => [f, localImports(f)]));

// Tarjan's strongly connected components: every component of more than one file is a circle.
let index = 0;
const indices = new Map();
const low = new Map();
const stack = [];
const onStack = new Set();
const circles = [];
function visit(v) {
  indices.set(v, index);
  low.set(v, index);
  index += 1;
  stack.push(v);
  onStack.add(v);
  for (const w of graph.get(v) ?? []) {
    if (!graph.has(w)) continue;
    if (!indices.has(w)) {
      visit(w);
      low.set(v, Math.min(low.get(v), low.get(w)));
    } else if (onStack.has(w)) {
      low.set(v, Math.min(low.get(v), indices.get(w)));
    }
  }
  if (low.get(v) === indices.get(v)) {
    const component = [];
    let w;
    do {
      w = stack.pop();
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    const selfImport = component.length === 1 && (graph.get(v) ?? []).includes(v);
    if (component.length > 1 || selfImport) circles.push(component);
  }
}
for (const file of graph.keys()) if (!indices.has(file)) visit(file);

if (circles.length === 0) {
  console.log(`no import circles (${files.length} files)`);
} else {
  for (const component of circles) {
    console.error(`import circle: ${component.map((f) => relative(root, f)).sort().join(' <-> ')}`);
  }
  console.error(`${circles.length} import circle(s) in ${files.length} files`);
  process.exitCode = 1;
}
