import type { ReadWindow, RingPipe, RingStats, ShownMessage } from '@ringpipe/client';
import type { JetStreamClient } from '@nats-io/jetstream';
import { message, sleep } from './connection.js';
import type { Counters } from './counters.js';
import { isWrongLastMessageId } from './nats-errors.js';
import { pipeIncarnation } from './incarnation.js';
import type { BridgeNames } from './names.js';

const PUBLISH_TIMEOUT_MS = 5_000;

/** A publish in flight: the message (still in the ring), its id, and how JetStream answered once it did. */
interface Publish {
  data: Buffer;
  id: string;
  answer?: { duplicate: boolean } | { error: unknown };
  settled: Promise<void>;
}

/**
 * Local pipe -> JetStream, with up to `window` publishes in flight. The messages
 * are shown by the pipe's read window (they stay in the ring) and released in ring
 * order as JetStream acknowledges them, each under messageId(): a bridge killed
 * before the release publishes them again under the same ids, and JetStream drops
 * those it has. Each publish but the oldest in flight expects the one before it
 * to be the stream's last message (Nats-Expected-Last-Msg-Id), so the stream
 * never stores a message before the one it follows: one lost on the way (a server
 * gone) makes the later ones fail, and they are published again, in order.
 */
export async function pumpTo(
  pipe: RingPipe,
  js: JetStreamClient,
  names: BridgeNames,
  signal: AbortSignal,
  counters: Counters,
  report: (why: string) => void,
  window: number,
): Promise<void> {
  const incarnation = pipeIncarnation(pipe).id;
  const ring = pipe.readWindow();
  const flight: Publish[] = [];
  let delay = 250;
  let ringWait: Promise<void> | undefined;
  let cancelRingWait = (): void => {};
  const aborted = new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));

  const send = (data: Buffer, id: string, after: string | undefined): Publish => {
    const p: Publish = { data, id, settled: Promise.resolve() };
    p.settled = js
      .publish(names.subject, data, { msgID: id, expect: { streamName: names.stream, ...(after !== undefined ? { lastMsgID: after } : {}) }, timeout: PUBLISH_TIMEOUT_MS })
      .then(
        (ack) => void (p.answer = { duplicate: ack.duplicate }),
        (error: unknown) => void (p.answer = { error }),
      );
    return p;
  };

  try {
    while (!signal.aborted) {
      if (flight.length < window) {
        for (const m of ring.more(window - flight.length)) {
          flight.push(send(m.data, messageId(incarnation, shownStats(m)), flight.at(-1)?.id));
        }
      }
      if (flight.length === 0 || flight.length < window) {
        if (!ringWait) {
          const wait = ring.wait();
          cancelRingWait = wait.cancel;
          ringWait = wait.promise.finally(() => (ringWait = undefined));
        }
      }
      if (flight.length === 0) {
        await Promise.race([ringWait, aborted]);
        continue;
      }
      await Promise.race([flight[0]!.settled, ringWait ?? flight[0]!.settled, aborted]);
      const acked = releaseAcked(flight, ring, counters);
      if (acked > 0) delay = 250;
      const oldest = flight[0];
      if (!oldest?.answer || !('error' in oldest.answer)) continue;
      // The oldest failed: everything before it is in the stream, so it goes again without an expectation.
      const error = oldest.answer.error;
      if (!isWrongLastMessageId(error)) {
        report(`publish to ${names.stream} failed: ${message(error)}; retrying in ${delay} ms`);
        await sleep(delay, signal);
        if (signal.aborted) break;
        delay = Math.min(delay * 2, 5_000);
      }
      resendFailed(flight, send);
    }
  } finally {
    cancelRingWait();
    releaseAcked(flight, ring, counters);
    // What JetStream has not acknowledged stays in the ring for the next bridge (same ids).
    ring.close();
  }
}

/** Releases the acknowledged messages at the front of the window, in order; returns how many. */
function releaseAcked(flight: Publish[], ring: ReadWindow, counters: Counters): number {
  let n = 0;
  for (const p of flight) {
    if (!p.answer || 'error' in p.answer) break;
    if (p.answer.duplicate) counters.duplicates++;
    n++;
  }
  if (n === 0) return 0;
  ring.release(n);
  flight.splice(0, n);
  counters.messages += n;
  return n;
}

/** Publishes again the oldest (without an expectation) and every later one that failed (expecting its predecessor). */
function resendFailed(flight: Publish[], send: (data: Buffer, id: string, after: string | undefined) => Publish): void {
  for (let i = 0; i < flight.length; i++) {
    const p = flight[i]!;
    if (i > 0 && !(p.answer && 'error' in p.answer)) continue;
    flight[i] = send(p.data, p.id, i === 0 ? undefined : flight[i - 1]!.id);
  }
}

function shownStats(m: ShownMessage): Pick<RingStats, 'messagesOut' | 'readPosition'> {
  return m.position === undefined ? { messagesOut: m.number } : { messagesOut: m.number, readPosition: m.position };
}

/**
 * The id of a message shown at `messagesOut` (the count once every message before
 * it is consumed) and, on shared memory, its position in the ring. A reader killed
 * as it consumes a message may leave messagesOut one short of the records consumed
 * (the format stores the tail first), so messagesOut alone could give the next
 * message the id of the one consumed, and JetStream would drop it; the position
 * tells them apart.
 */
export function messageId(incarnation: string, stats: Pick<RingStats, 'messagesOut' | 'readPosition'>): string {
  return stats.readPosition === undefined ? `${incarnation}/${stats.messagesOut}` : `${incarnation}/${stats.messagesOut}.${stats.readPosition}`;
}
