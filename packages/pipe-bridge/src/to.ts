import type { ReadWindow, RingPipe } from '@ringpipe/client';
import type { JetStreamClient } from '@nats-io/jetstream';
import { openSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { message, sleep } from './connection.js';
import type { Counters } from './counters.js';
import { isWrongLastMessageId } from './nats-errors.js';
import { pipeIncarnation } from './incarnation.js';
import { RingPositions } from './ring-positions.js';
import { STATUS_DIR } from './status/record.js';
import type { BridgeNames } from './names.js';

const PUBLISH_TIMEOUT_MS = 5_000;
/**
 * Test hook: `after-tail` makes the bridge, once it has moved 100 messages, release half
 * of the acknowledged messages, leave the ring as a reader killed between its tail store
 * and its counters would (msgs_out and bytes_out short by that release) and kill itself
 * (SIGKILL): the other half, published, stays in the ring for the next bridge.
 */
const TEST_KILL = process.env.RINGPIPE_BRIDGE_TEST_KILL;
/** Header offsets of `msgs_out` and `bytes_out` (docs/ring-format.md), for the test hook. */
const MSGS_OUT = 152;
const BYTES_OUT = 160;

/** A publish in flight: the message (still in the ring), its id, and how JetStream answered once it did. */
interface Publish {
  data: Buffer;
  id: string;
  /** Its 64-bit position in the ring (shared memory), for the anchor of the positions. */
  position?: number;
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
  const incarnation = pipeIncarnation(pipe);
  const positions = new RingPositions(incarnation.stable ? join(STATUS_DIR, `ringpipe-to-anchor.${pipe.name}`) : undefined, incarnation.id);
  const ring = pipe.readWindow();
  const flight: Publish[] = [];
  let delay = 250;
  let ringWait: Promise<void> | undefined;
  let cancelRingWait = (): void => {};
  const aborted = new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));

  const send = (data: Buffer, id: string, after: string | undefined, position?: number): Publish => {
    const p: Publish = { data, id, settled: Promise.resolve(), ...(position !== undefined ? { position } : {}) };
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
          // The first message shown while none is held is at the tail (which others may have moved meanwhile).
          const position = m.position === undefined ? undefined : flight.length === 0 ? positions.atTail(m.position, pipe.stats()) : positions.next(m.position);
          flight.push(send(m.data, messageId(incarnation.id, m.number, position), flight.at(-1)?.id, position));
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
      const acked = releaseAcked(flight, ring, counters, pipe, positions);
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
    releaseAcked(flight, ring, counters, pipe, positions);
    // What JetStream has not acknowledged stays in the ring for the next bridge (same ids).
    ring.close();
  }
}

/** Releases the acknowledged messages at the front of the window, in order; returns how many. */
function releaseAcked(flight: Publish[], ring: ReadWindow, counters: Counters, pipe: RingPipe, positions: RingPositions): number {
  let n = 0;
  for (const p of flight) {
    if (!p.answer || 'error' in p.answer) break;
    if (p.answer.duplicate) counters.duplicates++;
    n++;
  }
  if (n === 0) return 0;
  if (flight[0]!.position !== undefined) positions.consuming(flight[0]!.position, () => pipe.stats());
  if (TEST_KILL === 'after-tail' && counters.messages >= 100 && n >= 2) killAfterTail(pipe.name, ring, flight.slice(0, n >> 1));
  ring.release(n);
  flight.splice(0, n);
  counters.messages += n;
  return n;
}

/** Publishes again the oldest (without an expectation) and every later one that failed (expecting its predecessor). */
function resendFailed(flight: Publish[], send: (data: Buffer, id: string, after: string | undefined, position?: number) => Publish): void {
  for (let i = 0; i < flight.length; i++) {
    const p = flight[i]!;
    if (i > 0 && !(p.answer && 'error' in p.answer)) continue;
    flight[i] = send(p.data, p.id, i === 0 ? undefined : flight[i - 1]!.id, p.position);
  }
}

/** The TEST_KILL hook: releases `released` (published messages stay behind them) and leaves the counters short by them, as a crash between the stores does. */
function killAfterTail(name: string, ring: ReadWindow, released: Publish[]): void {
  ring.release(released.length);
  const fd = openSync(`/dev/shm/ringpipe.${name}`, 'r+');
  const word = Buffer.alloc(8);
  for (const [offset, by] of [
    [MSGS_OUT, released.length],
    [BYTES_OUT, released.reduce((sum, p) => sum + p.data.length, 0)],
  ] as const) {
    readSync(fd, word, 0, 8, offset);
    word.writeBigUInt64LE(word.readBigUInt64LE(0) - BigInt(by));
    writeSync(fd, word, 0, 8, offset);
  }
  process.kill(process.pid, 'SIGKILL');
}

/**
 * The id of a message: on shared memory its 64-bit position in the ring, which a
 * restarted bridge computes again exactly whatever instant the last one died at (see
 * RingPositions); elsewhere its number (the pipe's `messagesOut` once every message
 * before it is consumed), with an incarnation that is new for every bridge run.
 */
export function messageId(incarnation: string, number: number, position: number | undefined): string {
  return position === undefined ? `${incarnation}/${number}` : `${incarnation}/@${position}`;
}
