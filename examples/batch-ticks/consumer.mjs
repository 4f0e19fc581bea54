// Reads many messages per call: each batch is an array of whole messages (one Buffer each).
//   node examples/batch-ticks/consumer.mjs NAME
import { createPipe } from '@ringpipe/client';

const [name = 'TICKS'] = process.argv.slice(2);
const pipe = createPipe(name, { access: 'read' });
console.log('ready');
let messages = 0;
let sum = 0;
let batches = 0;
for await (const batch of pipe.batches()) {
  batches++;
  for (const message of batch) {
    sum += JSON.parse(message.toString()).price;
    messages++;
  }
}
console.log(`${messages} messages in ${batches} batches, price sum ${sum}`);
