// Sends a file, gzipped, into a byte-mode pipe: stream.pipeline from the file through gzip into ringpipe.
// Usage: node examples/gzip-transfer/send.mjs FILE [NAME]
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { createPipe } from '@ringpipe/client';

const [file, name = 'GZIP-TRANSFER'] = process.argv.slice(2);
await pipeline(createReadStream(file), createGzip(), createPipe(name, { mode: 'byte', access: 'write' }));
