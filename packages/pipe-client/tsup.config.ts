import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  // The types name Buffer and node:stream: consumers get Node's types without listing them.
  dts: { banner: '/// <reference types="node" />' },
  clean: true,
  target: 'node20',
  // zod/mini goes into the bundle: only the parts the options use, parsed at start-up.
  noExternal: ['zod'],
});
