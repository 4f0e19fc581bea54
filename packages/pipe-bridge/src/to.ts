import type { ReadWindow, RingPipe } from '@ringpipe/client';
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import { AckedLately } from './acked-lately.js';
import { CopyArena, type Copy } from './copy-arena.js';
import { writeSync } from 'node:fs';
import { message, sleep } from './connection.js';
import type { Counters } from './counters.js';
import { isWrongLastMessageId } from './nats-errors.js';
import { pipeIncarnation } from './incarnation.js';
import { RingPositions } from './ring-positions.js';
import { anchorFile } from './to-anchor.js';
import type { BridgeNames } from './names.js';

const PUBLISH_TIMEOUT_MS = 5_000;
/** The failure a message lost by the server starts with: it is published again. */
const LOST = new Error('acknowledged, then lost by the server');
/**
 * Test hook: `after-tail` makes the bridge, once it has moved 100 messages, release half
 * of the acknowledged messages, say on stderr how many (`after-tail: released N messages,
 * B bytes`) and kill itself (SIGKILL): the other half, published, stays in the ring for the
 * next bridge. The test then leaves the ring's counters short by that release, as a reader
 * killed between its tail store and its counters would.
 */
const TEST_KILL = process.env.RINGPIPE_BRIDGE_TEST_KILL;

/**
 * A publish in flight: a copy of the message (which stays in the ring until acknowledged; AckedLately keeps
 * the copy then), its id, and how JetStream answered once it did.
 */
interface Publish extends Copy {
  id: string;
  /** Its 64-bit position in the ring (shared memory), for the anchor of the positions. */
  position?: number;
  /** Acknowledged before and lost by the server: out of the ring already. */
  replay?: boolean;
  answer?: { duplicate: boolean; seq: number } | { error: unknown };
  settled: Promise<void>;
}

/**
 * Local pipe -> JetStream, with up to `window` publishes in flight. The messages
 * are shown by the pipe's read window (they stay in the ring) and released in ring
 * order as JetStream acknowledges them, each under messageId(): a bridge killed
 * before the release publishes them again under the same ids, and JetStream drops
 * those it has. Each publish expects the one before it (for the oldest in flight,
 * the last one acknowledged) to be the stream's last message
 * (Nats-Expected-Last-Msg-Id), so the stream never stores a message before the one
 * it follows: one lost on the way (a server gone) makes the later ones fail, and
 * they are published again, in order; acknowledged ones the server lost go first.
 */
export async function pumpTo(
  pipe: RingPipe,
  js: JetStreamClient,
  jsm: JetStreamManager,
  names: BridgeNames,
  signal: AbortSignal,
  counters: Counters,
  report: (why: string) => void,
  window: number,
): Promise<void> {
  const incarnation = pipeIncarnation(pipe);
  const positions = new RingPositions(incarnation.stable ? anchorFile(pipe.name) : undefined, incarnation.id);
  const ring = pipe.readWindow();
  const flight: Publish[] = [];
  const arena = new CopyArena();
  const acked = new AckedLately(arena);
  let delay = 250;
  let ringWait: Promise<void> | undefined;
  let cancelRingWait = (): void => {};
  // Waits until `promise` settles or the bridge stops. (A race with one promise of the abort, pending for the
  // bridge's life, kept a reaction of every wait: 312 bytes each, for as long as the bridge runs.)
  let wake = (): void => {};
  signal.addEventListener('abort', () => wake(), { once: true });
  const until = (promise: Promise<unknown>): Promise<void> =>
    new Promise<void>((resolve) => {
      if (signal.aborted) return resolve();
      wake = resolve;
      promise.then(() => resolve(), () => resolve());
    });

  const send = (what: Pick<Publish, 'data' | 'slab' | 'id' | 'position' | 'replay'>, after: string | undefined): Publish => {
    const { data, slab, id, position, replay } = what;
    const p: Publish = { data, id, settled: Promise.resolve(), ...(slab ? { slab } : {}), ...(position !== undefined ? { position } : {}), ...(replay ? { replay } : {}) };
    p.settled = js
      .publish(names.subject, data, { msgID: id, expect: { streamName: names.stream, ...(after !== undefined ? { lastMsgID: after } : {}) }, timeout: PUBLISH_TIMEOUT_MS })
      .then(
        (ack) => void (p.answer = { duplicate: ack.duplicate, seq: ack.seq }),
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
          flight.push(send({ ...arena.copy(m.data), id: messageId(incarnation.id, m.number, position), ...(position !== undefined ? { position } : {}) }, flight.at(-1)?.id ?? acked.lastId));
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
        await until(ringWait!);
        continue;
      }
      await until(ringWait ? Promise.race([flight[0]!.settled, ringWait]) : flight[0]!.settled);
      if (releaseAcked(flight, ring, counters, pipe, positions, acked) > 0) delay = 250;
      const oldest = flight[0];
      if (!oldest?.answer || !('error' in oldest.answer)) continue;
      const error = oldest.answer.error;
      let after = acked.lastId;
      if (isWrongLastMessageId(error)) {
        // The stream's last message is not the last one acknowledged here: another host published since, or a
        // server killed right after its acknowledgements did not store them. Those go again first, in order.
        const end = await streamEnd(jsm, names);
        if (end === undefined) {
          report(`cannot look up stream ${names.stream}; retrying in ${delay} ms`);
          await sleep(delay, signal);
          delay = Math.min(delay * 2, 5_000);
          continue;
        }
        const lost = acked.takeAfter(end);
        if (lost.length > 0) {
          report(`the server lost ${lost.length} acknowledged messages (its stream ends at ${end}); publishing them again`);
          flight.unshift(...lost.map((a): Publish => ({ data: a.data, ...(a.slab ? { slab: a.slab } : {}), id: a.id, replay: true, answer: { error: LOST }, settled: Promise.resolve() })));
        }
        after = undefined;
      } else {
        report(`publish to ${names.stream} failed: ${message(error)}; retrying in ${delay} ms`);
        await sleep(delay, signal);
        if (signal.aborted) break;
        delay = Math.min(delay * 2, 5_000);
      }
      resendFailed(flight, send, after);
    }
  } finally {
    cancelRingWait();
    releaseAcked(flight, ring, counters, pipe, positions, acked);
    // What JetStream has not acknowledged stays in the ring for the next bridge (same ids).
    ring.close();
  }
}

/** Releases the acknowledged messages at the front of the window, in order, keeping copies in `acked`; returns how many. */
function releaseAcked(flight: Publish[], ring: ReadWindow, counters: Counters, pipe: RingPipe, positions: RingPositions, acked: AckedLately): number {
  let n = 0;
  let inRing = 0;
  const now = Date.now();
  for (const p of flight) {
    if (!p.answer || 'error' in p.answer) break;
    if (p.answer.duplicate) counters.duplicates++;
    acked.add(p, p.id, p.answer.seq, now);
    n++;
    if (!p.replay) inRing++;
  }
  if (n === 0) return 0;
  const first = flight.find((p) => !p.replay);
  if (inRing > 0 && first?.position !== undefined) positions.consuming(first.position, () => pipe.stats());
  if (TEST_KILL === 'after-tail' && counters.messages >= 100 && inRing >= 2 && inRing === n) killAfterTail(ring, flight.slice(0, n >> 1));
  ring.release(inRing);
  flight.splice(0, n);
  counters.messages += inRing;
  return n;
}

/** The stream's last sequence, or undefined when the server does not answer. */
async function streamEnd(jsm: JetStreamManager, names: BridgeNames): Promise<number | undefined> {
  try {
    return (await jsm.streams.info(names.stream)).state.last_seq;
  } catch {
    return undefined;
  }
}

/** Publishes again the oldest (expecting `after`) and every later one that failed (expecting its predecessor). */
function resendFailed(flight: Publish[], send: (what: Publish, after: string | undefined) => Publish, after: string | undefined): void {
  for (let i = 0; i < flight.length; i++) {
    const p = flight[i]!;
    if (i > 0 && !(p.answer && 'error' in p.answer)) continue;
    flight[i] = send(p, i === 0 ? after : flight[i - 1]!.id);
  }
}

/** The TEST_KILL hook: releases `released` (published messages stay behind them), says how many, and dies. */
function killAfterTail(ring: ReadWindow, released: Publish[]): void {
  ring.release(released.length);
  writeSync(2, `after-tail: released ${released.length} messages, ${released.reduce((sum, p) => sum + p.data.length, 0)} bytes\n`);
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
