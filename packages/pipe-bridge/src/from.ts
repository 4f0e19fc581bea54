import type { RingPipe } from '@ringpipe/client';
import type { JetStreamClient, JsMsg } from '@nats-io/jetstream';
import type { Counters } from './counters.js';
import { RecentNumbers } from './counters.js';
import { ACK_WAIT_MS } from './jetstream-setup.js';
import type { BridgeNames } from './names.js';

const STOP_GRACE_MS = 2_000;

/**
 * JetStream -> local pipe, through the pipe's shared durable consumer. A message is
 * acked only once it is committed to the local ring (the write callback), so a crash
 * before that leaves it to be delivered again. Redeliveries of a message this
 * bridge already committed (an ack lost on the way) are acked and skipped.
 */
export async function pumpFrom(pipe: RingPipe, js: JetStreamClient, names: BridgeNames, signal: AbortSignal, counters: Counters): Promise<void> {
  const consumer = await js.consumers.get(names.stream, names.consumer);
  // Short pulls (heartbeats every 2.5 s): after a node or the consumer's leader is lost, pulling resumes within seconds.
  const messages = await consumer.consume({ max_messages: 1, expires: 5_000 });
  let giveUp: NodeJS.Timeout | undefined;
  const stop = (): void => {
    void messages.stop();
    // A write waiting for room in a full ring would hold the stop forever: give it a moment, then drop the
    // write (its message is not acked, so the server delivers it again).
    giveUp = setTimeout(() => pipe.destroy(), STOP_GRACE_MS);
  };
  signal.addEventListener('abort', stop, { once: true });
  const committed = new RecentNumbers(65_536);
  try {
    for await (const m of messages) {
      if (committed.has(m.seq)) {
        counters.duplicates++;
        m.ack();
        continue;
      }
      try {
        await commit(pipe, m);
      } catch (err) {
        if (signal.aborted) return;
        throw err;
      }
      committed.add(m.seq);
      m.ack();
      counters.messages++;
    }
  } finally {
    signal.removeEventListener('abort', stop);
    clearTimeout(giveUp);
  }
}

/** Writes the message into the ring; while the ring is full, tells the server the message is still being worked on. */
function commit(pipe: RingPipe, m: JsMsg): Promise<void> {
  return new Promise((resolve, reject) => {
    const keepAlive = setInterval(() => m.working(), ACK_WAIT_MS / 3);
    pipe.write(m.data, (err) => {
      clearInterval(keepAlive);
      if (err) reject(err);
      else resolve();
    });
  });
}
