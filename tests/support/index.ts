// The helpers every test tree shares (packages/*/test, examples): import them from here.
// What only one package's tests need stays in that package's test/helpers/.
export { killChildren, run, startChild, type Run, type RunOptions } from './children.js';
export { uniqueName } from './names.js';
export { settlesWithin, thrownCode, within } from './outcomes.js';
export { skipLoudly } from './skip.js';
export { tempDir } from './temp-dirs.js';
export { becomes, sleep, until, type Polling } from './until.js';
