// A client of service.mjs: sends a few requests, prints the answers, then says bye.
// Usage: node examples/request-reply/client.mjs [NAME]
import { createPipe } from '@ringpipe/client';

const name = process.argv[2] ?? 'CALC';
const replyTo = `${name}.REPLY.${process.pid}`;
const replies = createPipe(replyTo, { access: 'read' });
const requests = createPipe(name, { access: 'write' });

const calls = [
  { op: 'add', args: [2, 40] },
  { op: 'mul', args: [6, 7] },
  { op: 'upper', args: ['ringpipe'] },
  { op: 'divide', args: [1, 0] },
];
calls.forEach((call, id) => requests.write(JSON.stringify({ id, replyTo, ...call })));

const pending = new Set(calls.keys());
for await (const message of replies) {
  const { id, result, error } = JSON.parse(message);
  console.log(`${calls[id].op}(${calls[id].args.join(', ')}) -> ${error ? `error: ${error}` : result}`);
  pending.delete(id);
  if (pending.size === 0) break;
}
requests.end(JSON.stringify({ op: 'bye', replyTo }));
