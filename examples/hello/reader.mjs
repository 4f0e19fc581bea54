// The reader of the classic pair (usedriver3 HELLO): prints each message until every writer has left.
// Usage: node examples/hello/reader.mjs NAME
import { createPipe } from '@ringpipe/client';

const [name = 'HELLO'] = process.argv.slice(2);
const pipe = createPipe(name, { access: 'read' });
console.log(`reader: waiting on ${pipe.name}`);
for await (const message of pipe) console.log(`reader: ${message}`);
console.log('reader: every writer has left');
