import type { JetStreamManager } from '@nats-io/jetstream';
import { AckPolicy, DeliverPolicy, DiscardPolicy, RetentionPolicy, StorageType, nanos } from './nats.js';
import { BridgeError, BridgeErrorCode } from './errors.js';
import { message } from './connection.js';
import type { BridgeNames } from './names.js';
import { isNotFound } from './nats-errors.js';
import type { ResolvedBridgeOptions } from './options.js';

/** How long the server waits for a `from` bridge's ack before it delivers the message again. */
export const ACK_WAIT_MS = 5_000;

/**
 * Creates the pipe's stream unless it exists (an existing stream is used as it is).
 * A work queue: a message leaves the stream once a `from` bridge acked it; when full,
 * the stream refuses new messages instead of dropping old ones.
 */
export async function ensureStream(jsm: JetStreamManager, names: BridgeNames, stream: ResolvedBridgeOptions['stream']): Promise<void> {
  try {
    await jsm.streams.info(names.stream);
    return;
  } catch (err) {
    if (!isNotFound(err)) throw streamError(`cannot look up stream ${names.stream}`, err);
  }
  try {
    await jsm.streams.add({
      name: names.stream,
      subjects: [names.subject],
      retention: RetentionPolicy.Workqueue,
      storage: stream.storage === 'memory' ? StorageType.Memory : StorageType.File,
      num_replicas: stream.replicas,
      max_age: nanos(stream.maxAge),
      max_bytes: stream.maxBytes,
      max_msgs: stream.maxMsgs,
      discard: DiscardPolicy.New,
      duplicate_window: nanos(stream.duplicateWindow),
    });
  } catch (err) {
    // Another bridge may have created it meanwhile.
    await jsm.streams.info(names.stream).catch(() => {
      throw streamError(`cannot create stream ${names.stream}`, err);
    });
  }
}

/**
 * The one durable pull consumer every `from` bridge of the pipe shares, so each
 * message reaches one of them. At most `maxAckPending` (a batch) unacknowledged at a
 * time: each bridge's share arrives in order.
 */
export async function ensureConsumer(jsm: JetStreamManager, names: BridgeNames, maxAckPending: number): Promise<void> {
  try {
    await jsm.consumers.info(names.stream, names.consumer);
    return;
  } catch (err) {
    if (!isNotFound(err)) throw streamError(`cannot look up consumer ${names.consumer} of ${names.stream}`, err);
  }
  try {
    await jsm.consumers.add(names.stream, {
      durable_name: names.consumer,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: nanos(ACK_WAIT_MS),
      max_ack_pending: maxAckPending,
      filter_subject: names.subject,
    });
  } catch (err) {
    await jsm.consumers.info(names.stream, names.consumer).catch(() => {
      throw streamError(`cannot create consumer ${names.consumer} of ${names.stream}`, err);
    });
  }
}

function streamError(what: string, err: unknown): BridgeError {
  return new BridgeError(BridgeErrorCode.Stream, `${what}: ${message(err)}`, { cause: err });
}
