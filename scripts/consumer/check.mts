// Type-checked by the consumer test (tsc --strict, nodenext), never run: the published types alone must do.
import { createPipe, RingPipeError, type PipeOptions, type RingPipe } from '@ringpipe/client';

const options: PipeOptions = { access: 'write', mode: 'message', capacity: 65536 };
const pipe: RingPipe = createPipe('TYPES', options);
const accepted: boolean = pipe.write(Buffer.from('one message'));
pipe.write('another', (err?: Error | null) => {
  if (err instanceof RingPipeError) console.error(err.code);
});
pipe.end();
for await (const message of createPipe('TYPES', { access: 'read' })) {
  const bytes: Buffer = message;
  console.log(accepted, bytes.length, pipe.capacity, pipe.stats().usedBytes);
}
