// The expected results of the shared ring vectors, checked against a reference model written from
// docs/ring-format.md alone (docs/vectors/model/ring-model.mjs), not from the C core that generates
// ring-vectors.json nor from the TypeScript ring (issue 16, "One spec, executable"). Every op's
// `expect`, `data`, `written` and `wakes` and every case's final `image` are compared, as
// vectors.test.ts and driver/core/tests/vec_run.c do for the two implementations.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compareCase, type VectorCase } from '../../../docs/vectors/model/ring-model.mjs';

interface VectorFile {
  format: string;
  version: number;
  cases: VectorCase[];
}
const load = (name: string): VectorFile => JSON.parse(readFileSync(new URL(`../../../docs/vectors/${name}`, import.meta.url), 'utf8')) as VectorFile;
const files: Record<string, VectorFile> = { 'ring-vectors.json': load('ring-vectors.json'), 'ring-spec-vectors.json': load('ring-spec-vectors.json') };

/** Cases of ring-vectors.json and ring-spec-vectors.json (52 + 12). */
const CASE_COUNT = 64;

/**
 * Cases whose expected results contradict docs/ring-format.md, as "file/case" with the reason (the
 * op, and the sentence of the spec it breaks). A listed case must still disagree with the model
 * (fix the vector, then remove it here); any disagreement not listed fails. None found so far.
 */
const KNOWN_DISAGREEMENTS: Record<string, string> = {};

describe('ring vectors against the reference model', () => {
  const ran: string[] = [];

  describe.each(Object.entries(files))('%s', (fileName, vectors) => {
    it('is a file of ours, of this format version', () => {
      expect(vectors.format).toBe('ringpipe ring vectors');
      expect(vectors.version).toBe(3);
    });

    it.each(vectors.cases.map((c) => [c.name, c] as const))('%s', (name, c) => {
      ran.push(`${fileName}/${name}`);
      const diffs = compareCase(c);
      const known = KNOWN_DISAGREEMENTS[`${fileName}/${name}`];
      if (known === undefined) expect(diffs, `${fileName}/${name}`).toEqual([]);
      else expect(diffs.length, `${fileName}/${name} is listed as disagreeing (${known}) but agrees`).toBeGreaterThan(0);
    });
  });

  it(`ran all ${CASE_COUNT} cases of both files, each once`, () => {
    expect(ran.length).toBe(CASE_COUNT);
    expect(new Set(ran).size).toBe(CASE_COUNT);
    for (const key of Object.keys(KNOWN_DISAGREEMENTS)) expect(ran, `listed case ${key} exists`).toContain(key);
  });
});
