import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

const made: string[] = [];

// Vitest ends its workers without running 'exit' handlers: the folders go when the test file ends.
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A new private folder under the system's temporary one (ringpipe-LABEL-XXXXXX), removed when the test file ends. */
export function tempDir(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `ringpipe-${label}-`));
  made.push(dir);
  return dir;
}
