// The code blocks of the docs, with the `<!-- doctest: ... -->` directive written right before each.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Block {
  page: string;
  /** 1-based line of the opening fence. */
  line: number;
  lang: string;
  code: string;
  /** The text of a `<!-- doctest: ... -->` comment right before the block (blank lines between allowed). */
  directive?: string;
  /** `// name.mjs` (or `.js`, `.cjs`, `.ts`) on the block's first line: the block is that file. */
  file?: string;
}

/** A `<!-- doctest: run ... -->` comment whose script is inline (not a block after it). */
export interface InlineRun {
  page: string;
  line: number;
  script: string;
}

/** README.md, the packages' READMEs and every page under docs/ (the ring format's vectors and model excluded). */
export function docPages(): string[] {
  const pages = ['README.md', ...readdirSync(join(ROOT, 'packages')).map((p) => `packages/${p}/README.md`)];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory() && entry.name !== 'vectors') walk(path);
      else if (entry.isFile() && entry.name.endsWith('.md')) pages.push(path);
    }
  };
  walk('docs');
  return pages.sort();
}

const FILE_LINE = /^\/\/ ([\w.-]+\.(?:mjs|cjs|js|ts))(?:[:\s(].*)?$/;

/** `needsNats`: a `<!-- doctest: nats -->` on the page: its runs get a nats-server at $NATS_URL. */
export function parsePage(page: string): { blocks: Block[]; runs: InlineRun[]; items: Array<Block | InlineRun>; needsNats: boolean } {
  let needsNats = false;
  const lines = readFileSync(join(ROOT, page), 'utf8').split('\n');
  const blocks: Block[] = [];
  const runs: InlineRun[] = [];
  const items: Array<Block | InlineRun> = [];
  let pending: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const comment = /^<!-- doctest:([\s\S]*)$/.exec(line);
    if (comment) {
      let text = comment[1]!;
      const start = i;
      while (!text.includes('-->')) text += `\n${lines[++i]}`;
      text = text.slice(0, text.indexOf('-->')).trim();
      if (text === 'nats') needsNats = true;
      const inline = /^run(?:\s*\n|: )([\s\S]+)$/.exec(text);
      if (inline) {
        const run = { page, line: start + 1, script: inline[1]!.trim() };
        runs.push(run);
        items.push(run);
        pending = undefined;
      } else pending = text;
      continue;
    }
    const fence = /^```(\w*)\s*$/.exec(line);
    if (fence) {
      const start = i;
      const body: string[] = [];
      while (++i < lines.length && !/^```\s*$/.test(lines[i]!)) body.push(lines[i]!);
      const code = body.join('\n');
      const file = FILE_LINE.exec(body[0] ?? '')?.[1];
      const block: Block = { page, line: start + 1, lang: fence[1] ?? '', code, ...(pending ? { directive: pending } : {}), ...(file ? { file } : {}) };
      blocks.push(block);
      items.push(block);
      pending = undefined;
      continue;
    }
    if (line.trim() !== '') pending = undefined;
  }
  return { blocks, runs, items, needsNats };
}

export const isProgram = (block: Block): boolean => ['js', 'mjs', 'cjs', 'ts'].includes(block.lang);

export function where(item: { page: string; line: number }): string {
  return `${relative(ROOT, join(ROOT, item.page))}:${item.line}`;
}
