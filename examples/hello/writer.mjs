// The writer of the classic pair (usedriver2 HELLO): sends each argument as one message, then ends.
// Usage: node examples/hello/writer.mjs NAME MESSAGE...
import { createPipe } from '@ringpipe/client';

const [name = 'HELLO', ...messages] = process.argv.slice(2);
const pipe = createPipe(name, { access: 'write' });
for (const message of messages) pipe.write(message);
pipe.end();
pipe.on('close', () => console.log(`writer: sent ${messages.length} messages to ${pipe.name}`));
