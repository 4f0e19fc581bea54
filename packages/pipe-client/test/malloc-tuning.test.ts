// A reading handle tunes glibc's malloc (src/platform/linux/malloc-tuning.ts) so that large messages cause no page faults.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const PROBE = fileURLToPath(new URL('./fixtures/malloc-probe.mjs', import.meta.url));

function probe(access: 'read' | 'write', env: NodeJS.ProcessEnv = {}): { mmapped: boolean } {
  const out = execFileSync(process.execPath, [PROBE, `MALLOC${process.pid}${access}`, access], { env: { ...process.env, ...env }, encoding: 'utf8' });
  return JSON.parse(out);
}

// glibc's start values put a 1 MiB block in its own mmap; the thresholds a reading handle sets take it from the heap.
describe.skipIf(process.platform !== 'linux')("a reading handle sets glibc's malloc thresholds (large messages without page faults)", () => {
  it('a process that opened a pipe to read takes 1 MiB from the heap', () => {
    expect(probe('read')).toMatchObject({ mmapped: false });
  });

  it('a writer, or a reader run with RINGPIPE_MALLOC=default, leaves malloc as it is', () => {
    expect(probe('write')).toMatchObject({ mmapped: true });
    expect(probe('read', { RINGPIPE_MALLOC: 'default' })).toMatchObject({ mmapped: true });
  });
});
