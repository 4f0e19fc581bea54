import type { JetStreamManager } from '@nats-io/jetstream';
import { sleep } from './connection.js';
import type { BridgeNames } from './names.js';

const EVERY_MS = 1_000;

/**
 * Until `signal` aborts, asks JetStream every second how many messages the shared
 * consumer has not had acknowledged yet (not delivered, plus delivered and awaiting
 * an ack), and hands the count to `update`. While the server does not answer, the
 * last count stays.
 */
export async function watchConsumerPending(jsm: JetStreamManager, names: BridgeNames, signal: AbortSignal, update: (pending: number) => void): Promise<void> {
  while (!signal.aborted) {
    try {
      const info = await jsm.consumers.info(names.stream, names.consumer);
      if (!signal.aborted) update(info.num_pending + info.num_ack_pending);
    } catch {
      // asked again in a second
    }
    await sleep(EVERY_MS, signal);
  }
}
