// A CommonJS consumer: require('@ringpipe/client'), then each line of stdin is one message.
const { once } = require('node:events');
const { createInterface } = require('node:readline');
const { createPipe } = require('@ringpipe/client');

async function main(name) {
  const pipe = createPipe(name, { access: 'write' });
  for await (const line of createInterface({ input: process.stdin })) {
    if (!pipe.write(line)) await once(pipe, 'drain');
  }
  pipe.end();
  await once(pipe, 'close');
}

main(process.argv[2]);
