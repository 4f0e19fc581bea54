// A consumer that stops on SIGTERM and loses nothing: every message it did not handle stays
// in the pipe for the next consumer.
//   node examples/graceful-stop/consumer.mjs NAME
import { createPipe } from '@ringpipe/client';

const [name = 'JOBS'] = process.argv.slice(2);
const stop = new AbortController();
process.once('SIGTERM', () => stop.abort());

// Aborting destroys the pipe: the loop takes no further message from the ring and throws an AbortError.
const pipe = createPipe(name, { access: 'read', signal: stop.signal });
console.log('ready');

async function handle(message) {
  // A message the loop handed out is this consumer's: it is handled in full, even after SIGTERM.
  if (!process.stdout.write(`job ${message}\n`)) await new Promise((resolve) => process.stdout.once('drain', resolve));
}

try {
  for await (const message of pipe) await handle(message);
} catch (err) {
  if (err.name !== 'AbortError') throw err;
}
console.log('stopped');
