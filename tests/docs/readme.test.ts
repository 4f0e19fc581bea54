// The README stays short, and keeps the two lines a fresh clone is run by: the setup-and-demo line
// (scripts/test-clone.sh runs it) and the test command that .ci/run takes from under its marker.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { ROOT } from './markdown.js';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

it('is at most about 150 lines', () => {
  expect(readme.split('\n').length).toBeLessThanOrEqual(155);
});

it('has the setup-and-demo line as a command of its own', () => {
  expect(readme.split('\n')).toContain('bash scripts/setup.sh && node examples/hello/demo.mjs');
});

it("gives .ci/run the test command under its marker, as .ci/run reads it", () => {
  // .ci/run's own extraction, run on this README.
  const ciRun = readFileSync(join(ROOT, '.ci/run'), 'utf8');
  const awk = /awk '([^']+)' README\.md/.exec(ciRun)?.[1];
  expect(awk).toBeDefined();
  const found = spawnSync('awk', [awk!, 'README.md'], { cwd: ROOT, encoding: 'utf8', timeout: 10_000 });
  expect(found.stdout.trim()).toBe('bash scripts/test.sh');
});
