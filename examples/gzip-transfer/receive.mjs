// Receives what send.mjs sends: stream.pipeline from ringpipe through gunzip into a file.
// Usage: node examples/gzip-transfer/receive.mjs OUT [NAME]   (prints "ready" once the pipe is open)
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { createPipe } from '@ringpipe/client';

const [out, name = 'GZIP-TRANSFER'] = process.argv.slice(2);
const pipe = createPipe(name, { mode: 'byte', access: 'read' });
console.log('ready');
await pipeline(pipe, createGunzip(), createWriteStream(out));
