// Many small messages, the fast way: writeBatch puts a whole batch in the ring under one lock.
//   node examples/batch-ticks/producer.mjs NAME COUNT
import { createPipe } from '@ringpipe/client';

const [name = 'TICKS', count = '100000'] = process.argv.slice(2);
const pipe = createPipe(name, { access: 'write' });
const batch = [];
for (let i = 0; i < Number(count); i++) {
  batch.push(JSON.stringify({ seq: i, price: 100 + (i % 7) }));
  if (batch.length === 256) await pipe.writeBatch(batch.splice(0));
}
await pipe.writeBatch(batch);
pipe.end();
