// A small service answering requests over a pair of pipes. Clients write JSON requests
// { id, replyTo, op, args } to CALC; the service answers { id, result } or { id, error } on the
// client's own pipe `replyTo`. It serves until SIGINT or SIGTERM.
// Usage: node examples/request-reply/service.mjs [NAME]
import { createPipe } from '@ringpipe/client';

const operations = {
  add: (a, b) => a + b,
  mul: (a, b) => a * b,
  upper: (s) => String(s).toUpperCase(),
};

const name = process.argv[2] ?? 'CALC';
const requests = createPipe(name, { access: 'read', follow: true });
const replies = new Map();

function replyPipe(replyTo) {
  let pipe = replies.get(replyTo);
  if (!pipe) {
    pipe = createPipe(replyTo, { access: 'write' });
    replies.set(replyTo, pipe);
  }
  return pipe;
}

function answer({ id, op, args }) {
  const fn = operations[op];
  if (!fn) return { id, error: `unknown operation ${op}` };
  return { id, result: fn(...args) };
}

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    stopping = true;
    requests.destroy();
  });
}

console.log(`service: answering on ${requests.name}`);
try {
  for await (const message of requests) {
    const request = JSON.parse(message);
    if (request.op === 'bye') {
      replies.get(request.replyTo)?.end();
      replies.delete(request.replyTo);
      continue;
    }
    replyPipe(request.replyTo).write(JSON.stringify(answer(request)));
  }
} catch (err) {
  if (!stopping) throw err; // destroying the pipe ends the loop with a premature close
} finally {
  for (const pipe of replies.values()) pipe.end();
}
console.log('service: stopped');
