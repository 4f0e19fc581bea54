// pnpm bench: ringpipe against Node's UNIX sockets, child_process IPC, zeromq and the C peer,
// in one run, as Markdown tables. Figures, not assertions.
//   node bench/bench.mjs [--quick]
import { cli } from './cli.mjs';
import { cpu } from './cpu.mjs';
import { latency } from './latency.mjs';
import { machine, quick } from './lib.mjs';
import { native } from './native.mjs';
import { throughput } from './throughput.mjs';

const started = Date.now();
console.log(`# ringpipe benchmark${quick ? ' (quick run)' : ''}\n`);
console.log(`Machine: ${machine()}\n`);
await throughput();
await native();
await latency();
await cpu();
await cli();
console.log(`Finished in ${Math.round((Date.now() - started) / 1000)} s; load average at the end ${(await import('node:os')).loadavg().map((l) => l.toFixed(2)).join(' ')}.`);
