// A producer that stops on SIGTERM: it writes no more, and everything it wrote is in the pipe
// when it exits (end() waits for the writes still queued, which need a reader's room when the
// ring is full).
//   node examples/graceful-stop/producer.mjs NAME
import { once } from 'node:events';
import { createPipe } from '@ringpipe/client';

const [name = 'JOBS'] = process.argv.slice(2);
const stop = new AbortController();
process.once('SIGTERM', () => stop.abort());

const pipe = createPipe(name, { access: 'write' });
console.log('ready');
let sent = 0;
try {
  while (!stop.signal.aborted) {
    // Backpressure: wait for room instead of queueing without bound; SIGTERM ends the wait too.
    if (!pipe.write(String(sent++))) await once(pipe, 'drain', { signal: stop.signal });
    if (sent % 100 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
  }
} catch (err) {
  if (err.name !== 'AbortError') throw err;
}
pipe.end();
await once(pipe, 'finish');
console.log(`sent ${sent}`);
