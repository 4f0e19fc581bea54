// Peer of bench/bridge.mjs, run inside a simulated host:
//   write NAME COUNT SIZE GAP_MS   COUNT messages of SIZE bytes carrying their send time; a pause of GAP_MS after each (0: none)
//   read NAME COUNT CAPACITY       prints {"ms": first-to-last, "latencies": [...us], "cpuMs": its CPU time, "faults": its minor page faults,
//                                  "batches": the batches it read} once COUNT arrived; CAPACITY: the pipe's, if this reader creates it
import { createPipe } from '@ringpipe/client';

const [role, name, countText, sizeText, gapText] = process.argv.slice(2);
const count = Number(countText);
const now = () => performance.timeOrigin + performance.now();

if (role === 'write') {
  const pipe = createPipe(name, { access: 'write' });
  const gap = Number(gapText);
  for (let i = 0; i < count; i++) {
    const message = Buffer.alloc(Number(sizeText));
    message.writeDoubleLE(now(), 0);
    if (!pipe.write(message)) await new Promise((r) => pipe.once('drain', r));
    if (gap > 0) await new Promise((r) => setTimeout(r, gap));
  }
  process.stdout.write('written\n');
  setInterval(() => {}, 1 << 30); // the pipe lives while a handle has it
} else {
  const capacity = process.argv[5]; // read's third argument
  const pipe = createPipe(name, { access: 'read', follow: true, ...(capacity ? { capacity: Number(capacity) } : {}) });
  const latencies = [];
  let first = 0;
  let batches = 0;
  for await (const batch of pipe.batches()) {
    const t = now();
    batches++;
    for (const m of batch) {
      if (first === 0) first = t;
      latencies.push((t - m.readDoubleLE(0)) * 1000);
    }
    if (latencies.length >= count) break;
  }
  const cpu = process.cpuUsage();
  const faults = process.resourceUsage().minorPageFault;
  // Exit once written: a pipe the bench reads slowly takes a large line in several writes.
  process.stdout.write(`${JSON.stringify({ ms: now() - first, latencies, cpuMs: (cpu.user + cpu.system) / 1000, faults, batches })}\n`, () => process.exit(0));
}
