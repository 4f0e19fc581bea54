import type { RingPipe, RingStats } from '@ringpipe/client';
import type { JetStreamClient } from '@nats-io/jetstream';
import { message, sleep } from './connection.js';
import type { Counters } from './counters.js';
import { pipeIncarnation } from './incarnation.js';
import type { BridgeNames } from './names.js';

const PUBLISH_TIMEOUT_MS = 5_000;

/**
 * Local pipe -> JetStream. Each message is taken with readView() and released only
 * after JetStream acknowledged it, under messageId(): a bridge killed between the
 * ack and the release publishes the same message with the same id again, and
 * JetStream drops it. The view holds the ring's reader lock, so two `to` bridges
 * of one pipe take turns and still publish in ring order.
 */
export async function pumpTo(pipe: RingPipe, js: JetStreamClient, names: BridgeNames, signal: AbortSignal, counters: Counters, report: (why: string) => void): Promise<void> {
  const incarnation = pipeIncarnation(pipe).id;
  let holding = false;
  const onAbort = (): void => {
    if (!holding) pipe.destroy();
  };
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    while (!signal.aborted) {
      let view: Awaited<ReturnType<RingPipe['readView']>>;
      try {
        view = await pipe.readView();
      } catch (err) {
        if (signal.aborted) return;
        throw err;
      }
      if (view === null) return;
      holding = true;
      const id = messageId(incarnation, pipe.stats());
      const published = await publishUntilAcked(js, names, view.data, id, signal, counters, report);
      view.release(published);
      holding = false;
      if (!published) return;
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/**
 * The id of the message a held view shows: the pipe's incarnation, messagesOut and
 * (shared memory) the ring's read position. A reader killed as it consumes a message
 * may leave messagesOut one short of the records consumed (the format stores the
 * tail first), so messagesOut alone could give the next message the id of the one
 * consumed, and JetStream would drop it; the position tells them apart.
 */
export function messageId(incarnation: string, stats: Pick<RingStats, 'messagesOut' | 'readPosition'>): string {
  return stats.readPosition === undefined ? `${incarnation}/${stats.messagesOut}` : `${incarnation}/${stats.messagesOut}.${stats.readPosition}`;
}

/** true once JetStream has the message; false if the bridge was stopped first (the message stays in the ring). */
async function publishUntilAcked(
  js: JetStreamClient,
  names: BridgeNames,
  data: Uint8Array,
  id: string,
  signal: AbortSignal,
  counters: Counters,
  report: (why: string) => void,
): Promise<boolean> {
  let delay = 250;
  for (;;) {
    try {
      const ack = await js.publish(names.subject, data, { msgID: id, expect: { streamName: names.stream }, timeout: PUBLISH_TIMEOUT_MS });
      if (ack.duplicate) counters.duplicates++;
      counters.messages++;
      return true;
    } catch (err) {
      if (signal.aborted) return false;
      report(`publish to ${names.stream} failed: ${message(err)}; retrying in ${delay} ms`);
      await sleep(delay, signal);
      if (signal.aborted) return false;
      delay = Math.min(delay * 2, 5_000);
    }
  }
}
