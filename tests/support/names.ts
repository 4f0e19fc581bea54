import { readdirSync, rmSync } from 'node:fs';
import { afterAll } from 'vitest';

const SHM = '/dev/shm';
const given: string[] = [];

// Kept pipes, pipes a test corrupted on purpose and pipes of killed processes outlive their
// test: when the test file ends, its names' files go from /dev/shm (the segment, its lock file
// and bells, a --to bridge's anchor), so that runs do not fill the machine's tmpfs.
afterAll(() => {
  // Pipe names are case-insensitive: the files carry them in upper case.
  const names = new Set(given.splice(0).map((name) => name.toUpperCase()));
  if (names.size === 0) return;
  let files: string[];
  try {
    files = readdirSync(SHM);
  } catch {
    return;
  }
  for (const file of files) {
    const name = pipeNameOf(file);
    if (name !== undefined && names.has(name.toUpperCase())) rmSync(`${SHM}/${file}`, { force: true });
  }
});

function pipeNameOf(file: string): string | undefined {
  for (const prefix of ['ringpipe.', 'ringpipe-to-anchor.']) {
    if (file.startsWith(prefix)) return file.slice(prefix.length).split('.')[0];
  }
  return undefined;
}

/** A pipe name no other test and no other run uses: PREFIX-pid-random. Its files in /dev/shm go when the test file ends. */
export function uniqueName(prefix: string): string {
  const name = `${prefix}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  given.push(name);
  return name;
}
