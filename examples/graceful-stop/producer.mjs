// A producer that stops on SIGTERM: it writes no more, and everything it wrote is in the pipe
// when it exits (end() waits for the writes still queued).
//   node examples/graceful-stop/producer.mjs NAME
import { once } from 'node:events';
import { createPipe } from '@ringpipe/client';

const [name = 'JOBS'] = process.argv.slice(2);
let stopping = false;
process.once('SIGTERM', () => (stopping = true));

const pipe = createPipe(name, { access: 'write' });
console.log('ready');
let sent = 0;
while (!stopping) {
  // Backpressure: wait for room instead of queueing without bound.
  if (!pipe.write(String(sent++))) await once(pipe, 'drain');
  if (sent % 100 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
}
pipe.end();
await once(pipe, 'finish');
console.log(`sent ${sent}`);
