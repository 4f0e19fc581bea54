// pnpm bench: ringpipe against Node's UNIX sockets, child_process IPC, zeromq and the C peer,
// in one run, as Markdown tables. Figures, not assertions.
//   node bench/bench.mjs [--quick] [--rounds N] [--only SECTION[,SECTION...]]
// Sections: throughput, native, latency, cpu, idle, cli.
import { cli } from './cli.mjs';
import { cpu } from './cpu.mjs';
import { idle } from './idle.mjs';
import { latency } from './latency.mjs';
import { machine, quick } from './lib.mjs';
import { native } from './native.mjs';
import { throughput } from './throughput.mjs';

const SECTIONS = { throughput, native, latency, cpu, idle, cli };
if (process.argv.includes('--help')) {
  console.log(`node bench/bench.mjs [--quick] [--rounds N] [--only SECTION[,SECTION...]]\nSections: ${Object.keys(SECTIONS).join(', ')}`);
  process.exit(0);
}
const onlyAt = process.argv.indexOf('--only');
const only = onlyAt < 0 ? Object.keys(SECTIONS) : (process.argv[onlyAt + 1] ?? '').split(',');
const unknown = only.filter((name) => !(name in SECTIONS));
if (unknown.length > 0) throw new Error(`unknown section ${unknown.join(', ')}; sections: ${Object.keys(SECTIONS).join(', ')}`);

const started = Date.now();
console.log(`# ringpipe benchmark${quick ? ' (quick run)' : ''}\n`);
console.log(`Machine: ${machine()}\n`);
for (const name of only) await SECTIONS[name]();
console.log(`Finished in ${Math.round((Date.now() - started) / 1000)} s; load average at the end ${(await import('node:os')).loadavg().map((l) => l.toFixed(2)).join(' ')}.`);
