import { defineConfig } from 'vitest/config';
import SkipGuard from './scripts/vitest-skip-guard.js';

export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'examples/**/*.test.ts', 'tests/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Tests start real processes on 2 cores; running files one at a time keeps them honest.
    fileParallelism: false,
    // With RINGPIPE_NO_SKIPS=1 a skipped test fails the run unless RINGPIPE_ALLOW_SKIP says why it may skip.
    reporters: ['default', new SkipGuard()],
  },
});
