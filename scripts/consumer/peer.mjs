// A consumer's program, run by Node, Bun and Deno alike:
//   send NAME   sends each line of stdin as one message, then ends
//   recv NAME   prints each message on its own line until every writer has left
import { once } from 'node:events';
import process from 'node:process';
import { createInterface } from 'node:readline';
import { createPipe } from '@ringpipe/client';

const [command, name] = process.argv.slice(2);

if (command === 'send') {
  const pipe = createPipe(name, { access: 'write' });
  for await (const line of createInterface({ input: process.stdin })) {
    if (!pipe.write(line)) await once(pipe, 'drain');
  }
  pipe.end();
  await once(pipe, 'close');
} else if (command === 'recv') {
  for await (const message of createPipe(name, { access: 'read' })) process.stdout.write(`${message}\n`);
} else {
  process.stderr.write(`usage: peer.mjs send|recv NAME\n`);
  process.exit(2);
}
