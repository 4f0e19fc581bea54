import type { JetStreamManager } from '@nats-io/jetstream';
import { ensureConsumer } from './jetstream-setup.js';
import type { BridgeNames } from './names.js';
import { isNotFound } from './nats-errors.js';

/** A consumer found ahead of its stream, known by its creation time; false: not ahead; undefined: the server did not answer. */
type Ahead = { created: string } | false | undefined;

/** How long after a first look that found the consumer ahead the second one is made. */
const SECOND_LOOK_MS = 250;

/**
 * Whether the shared consumer is past sequences its stream gives to messages it never delivered: a server
 * killed with -9 may come back with the consumer's acks written but not the stream's last messages, and
 * numbers new messages from there, at or below what the consumer passed (nats-server 2.9 delivers them
 * never). In a work queue every message at or below the ack floor is gone once acked, and the stream's
 * last sequence is at or above what the consumer delivered: the consumer is asked first, so that what
 * happens between the two answers moves neither test. Ahead only when asked twice, a moment apart, about the
 * same consumer; undefined when the server does not answer.
 */
export async function consumerAhead(jsm: JetStreamManager, names: BridgeNames): Promise<Ahead> {
  const first = await lookAhead(jsm, names);
  if (!first) return first;
  // A replicated stream removes an acked message a moment after its consumer counts the ack: asked again, that has passed.
  await new Promise((resolve) => setTimeout(resolve, SECOND_LOOK_MS));
  const second = await lookAhead(jsm, names);
  if (second === undefined) return undefined;
  return second && second.created === first.created ? second : false;
}

async function lookAhead(jsm: JetStreamManager, names: BridgeNames): Promise<Ahead> {
  try {
    const consumer = await jsm.consumers.info(names.stream, names.consumer);
    const { state } = await jsm.streams.info(names.stream);
    const ahead = state.last_seq < consumer.delivered.stream_seq || (state.messages > 0 && state.first_seq <= consumer.ack_floor.stream_seq);
    return ahead ? { created: consumer.created } : false;
  } catch {
    return undefined;
  }
}

/**
 * Makes the shared consumer again, delivering the stream from its first message: unless another bridge did it
 * since `ahead` was seen (the consumer asked again has another creation time). Other bridges' consumers pick
 * the new one up under the same name.
 */
export async function recreateConsumer(jsm: JetStreamManager, names: BridgeNames, maxAckPending: number, ahead: { created: string }): Promise<void> {
  try {
    const now = await jsm.consumers.info(names.stream, names.consumer);
    if (now.created === ahead.created) await jsm.consumers.delete(names.stream, names.consumer);
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  await ensureConsumer(jsm, names, maxAckPending);
}
