// pnpm bench: ringpipe against Node's UNIX sockets, child_process IPC, zeromq and the C peer,
// in one run, as Markdown tables. Figures, not assertions.
//   node bench/bench.mjs [--quick]
import { latency } from './latency.mjs';
import { machine, quick } from './lib.mjs';
import { throughput } from './throughput.mjs';

console.log(`# ringpipe benchmark${quick ? ' (quick run)' : ''}\n`);
console.log(`Machine: ${machine()}\n`);
await throughput();
await latency();
