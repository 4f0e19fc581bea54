import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/status.ts'],
  format: ['esm'],
  // The types name Buffer and node:stream: consumers get Node's types without listing them.
  dts: { banner: '/// <reference types="node" />' },
  clean: true,
  target: 'node20',
  // zod goes into the bundle, as in the client: users do not install it.
  noExternal: ['zod'],
});
