// Which of the client's batch, view and in-place methods exist yet (they are being added).
import { RingPipe } from '@ringpipe/client';

/** null when every named RingPipe method exists, else why not. */
export function missing(...methods) {
  const absent = methods.filter((m) => typeof RingPipe.prototype[m] !== 'function');
  return absent.length ? `${absent.map((m) => `pipe.${m}`).join(', ')} not in @ringpipe/client yet` : null;
}

/** null when zeromq loads, else why not. */
export async function zmqMissing() {
  try {
    await import('zeromq');
    return null;
  } catch (err) {
    return `zeromq does not load (${err.code ?? err.message})`;
  }
}
