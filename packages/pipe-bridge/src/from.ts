import type { RingPipe } from '@ringpipe/client';
import type { Consumer, ConsumerMessages, JetStreamManager, JsMsg } from '@nats-io/jetstream';
import { sleep } from './connection.js';
import { consumerAhead, recreateConsumer } from './consumer-ahead.js';
import type { Counters } from './counters.js';
import { IdsBySequence } from './ids-by-sequence.js';
import { messageIdOf } from './message-id-of.js';
import { RecentKeys } from './recent-keys.js';
import { ACK_WAIT_MS } from './jetstream-setup.js';
import type { BridgeNames } from './names.js';
import { decodeRun, encodeRun, MAX_RUN, type Run } from './run-cursor.js';

const STOP_GRACE_MS = 2_000;
/** How many message ids of committed messages a bridge remembers. */
const RECENT_IDS = 65_536;
const ACK_CONFIRM_TIMEOUT_MS = 5_000;
/** How often a run waiting for older messages asks the consumer's ack floor. */
const FLOOR_POLL_MS = 10;
/** A run waits at most this long for older messages (one another bridge holds, or one redelivered here). */
const FLOOR_WAIT_MS = 3 * ACK_WAIT_MS;
/** How soon an idle bridge, or one whose server does not answer, looks again whether its consumer is ahead of the stream. */
const RECHECK_MS = 1_000;
/** Test hook: `after-commit` makes the bridge kill itself (SIGKILL) between a run's ring commit and its acks. */
const TEST_KILL = process.env.RINGPIPE_BRIDGE_TEST_KILL;

/**
 * JetStream -> local pipe, through the pipe's shared durable consumer, in runs of
 * consecutive stream sequences. Each run is committed to the local ring with one
 * writeBatch whose cursor names it together with the runs before it whose acks the
 * server has not confirmed yet (they are consecutive, or the run waits for those
 * confirmations), then acknowledged. A run is committed only once every older message is
 * acknowledged (the consumer's ack floor) or committed here: so `floor`, the last
 * sequence committed here or the ack floor, whichever is higher, bounds everything
 * that is done, and a message at or below it is a redelivery, acked and skipped.
 * The ring's cursor keeps the floor across a crash between a commit and its acks.
 * At the start and after each lost connection, nothing is committed before the consumer is known not to
 * be ahead of its stream (consumer-ahead.ts); one that is, is made again to deliver the whole stream.
 */
export async function pumpFrom(
  pipe: RingPipe,
  consumer: Consumer,
  jsm: JetStreamManager,
  names: BridgeNames,
  signal: AbortSignal,
  counters: Counters,
  batch: number,
  disconnects: () => number,
): Promise<void> {
  const queue: JsMsg[] = [];
  let arrived: (() => void) | undefined;
  let ended = false;
  let messages: ConsumerMessages | undefined;
  // Which consume() is current: a consumer made again leaves the messages the one before delivered.
  let generation = 0;
  const consume = async (): Promise<void> => {
    const mine = ++generation;
    // Short pulls (heartbeats every 2.5 s): after a node or the consumer's leader is lost, pulling resumes within seconds.
    const current = await consumer.consume({
      max_messages: batch,
      expires: 5_000,
      callback: (m) => {
        if (mine !== generation) return;
        queue.push(m);
        arrived?.();
      },
    });
    messages = current;
    void current.closed().then(() => {
      if (mine !== generation) return;
      ended = true;
      arrived?.();
    });
  };
  await consume();
  // Every message received and not acknowledged yet: the server must not deliver it elsewhere meanwhile.
  const keepAlive = setInterval(() => {
    for (const m of queue) m.working();
  }, ACK_WAIT_MS / 3);
  // An idle bridge looks now and then: a consumer ahead of its stream delivers nothing, the loop's check has to find it.
  const recheck = setInterval(() => arrived?.(), RECHECK_MS);
  let giveUp: NodeJS.Timeout | undefined;
  const stop = (): void => {
    void messages?.stop();
    arrived?.();
    // A write waiting for room in a full ring would hold the stop forever: give it a moment, then drop the
    // write (its messages are not acked, so the server delivers them again).
    giveUp = setTimeout(() => pipe.destroy(), STOP_GRACE_MS);
  };
  signal.addEventListener('abort', stop, { once: true });
  const cursored = pipe.cursor() !== undefined;
  // The last run committed here (after a restart: the one the ring's cursor names).
  const saved = cursored ? decodeRun(pipe.cursor()!) : undefined;
  let own: Run | undefined = saved?.run;
  // The stream's numbering the runs are named in (see encodeRun).
  let epoch = saved?.epoch ?? 0;
  // Every message up to `floor` is acknowledged, or committed here.
  let floor = await ackFloor(jsm, names);
  const streamLast = await lastSequence(jsm, names);
  if (own !== undefined && streamLast !== undefined && streamLast < own.last) {
    // The stream lost sequences this ring committed (a server back on an older store, a stream made again)
    // while no bridge ran here: it gives their numbers to new messages, which the cursor must not name.
    epoch++;
    own = undefined;
  }
  // Whether every message before `own` is done: then the runs that follow it on move the floor.
  let anchored = own !== undefined && own.first - 1 <= floor;
  // The ids of the messages committed lately: a server killed with -9 may lose messages it had delivered
  // already (its file store writes after it answers), and store them again when the `to` bridge re-publishes.
  const committedIds = new RecentKeys<string>(RECENT_IDS);
  // The id committed at each stream sequence lately: such a server may also give the sequences it lost to new
  // messages, which are no redeliveries.
  const idAtSeq = new IdsBySequence(RECENT_IDS);
  const isDone = (m: JsMsg, id = messageIdOf(m)): boolean => {
    if (m.seq <= floor || (own !== undefined && m.seq >= own.first && m.seq <= own.last)) {
      const was = idAtSeq.get(m.seq);
      if (was === undefined || id === undefined || was === id) return true;
      // The stream lost its end and numbers new messages from there: sequences from here on tell nothing done.
      epoch++;
      floor = m.seq - 1;
      own = undefined;
      anchored = false;
      unconfirmed = undefined;
    }
    return id !== undefined && committedIds.has(id);
  };
  // The disconnects counted when the consumer was last found not ahead of its stream.
  let checked = -1;
  /** Whether the consumer is known not to be ahead of its stream since the last lost connection; makes it again if it is. */
  const consumerBehind = async (): Promise<boolean> => {
    const seen = disconnects();
    if (checked === seen) return true;
    const ahead = await consumerAhead(jsm, names);
    if (ahead === undefined) return false;
    if (ahead) {
      generation++;
      queue.length = 0;
      const old = messages;
      messages = undefined;
      await old?.stop();
      // What it delivers again is told from what is new by the ids, as any redelivery (isDone).
      await recreateConsumer(jsm, names, batch, ahead);
    }
    // After a failed attempt to make the consumer again, the next check consumes from whichever consumer is there.
    if (!messages) await consume();
    checked = seen;
    return true;
  };
  // Half the ring: a run is written whole, so the reader reads one while the next waits for room.
  const maxBytes = Math.max(1, Math.floor(pipe.capacity / 2));
  // The ids of the run in hand, found once per message (takeRun).
  const ids: (string | undefined)[] = [];
  let waitingSince: number | undefined;
  let gathered = false;
  // The runs the cursor names whose acks are not all confirmed: from `from`, with the confirmations awaited;
  // `unacked`: the last sequence of the run a crashed bridge committed and nobody acked yet.
  let unconfirmed: { from: number; confirmations: Promise<void>[]; unacked?: number } | undefined =
    own !== undefined && own.last > floor ? { from: own.first, confirmations: [], unacked: own.last } : undefined;
  try {
    while (!signal.aborted) {
      if (!(await consumerBehind().catch(() => false))) {
        // The server does not answer yet: nothing is committed meanwhile.
        await sleep(RECHECK_MS, signal);
        continue;
      }
      queue.sort((a, b) => a.seq - b.seq);
      const done: JsMsg[] = [];
      while (queue.length > 0 && isDone(queue[0]!)) done.push(queue.shift()!);
      if (done.length > 0) {
        counters.duplicates += done.length;
        await acknowledge(done);
        continue;
      }
      if (queue.length === 0) {
        if (ended) return;
        await new Promise<void>((resolve) => (arrived = resolve));
        arrived = undefined;
        continue;
      }
      const next = queue[0]!.seq;
      if (next - 1 > floor && next - 1 !== own?.last) {
        // Older messages are still out (another bridge's, or to be redelivered here after a crash): they go first.
        floor = Math.max(floor, await ackFloor(jsm, names));
        waitingSince ??= Date.now();
        // Past FLOOR_WAIT_MS the run goes on out of order (nothing is skipped for it: the floor stays).
        if (next - 1 > floor && Date.now() - waitingSince < FLOOR_WAIT_MS) {
          await Promise.race([sleep(FLOOR_POLL_MS, signal), new Promise<void>((resolve) => (arrived = resolve))]);
          arrived = undefined;
          continue;
        }
      }
      waitingSince = undefined;
      if (queue.length < batch && !ended && !gathered) {
        // Once round the event loop first: what the socket holds already joins this run (fewer commits, wakes and acks).
        gathered = true;
        await new Promise<void>((resolve) => setImmediate(resolve));
        continue;
      }
      gathered = false;
      const run = takeRun(queue, batch, maxBytes, isDone, ids);
      const committed: Run = { first: run[0]!.seq, last: run.at(-1)!.seq };
      // The cursor names every run since the oldest whose acks are not confirmed yet, while they are
      // consecutive; a run that cannot join them waits for those confirmations first.
      if (unconfirmed && !(own !== undefined && committed.first === own.last + 1 && committed.last - unconfirmed.from < batch)) {
        await Promise.all(unconfirmed.confirmations);
        // After a restart the cursor names a run nobody has acked yet: it stays named until the ack floor passes it.
        if (unconfirmed.unacked !== undefined && floor < unconfirmed.unacked) {
          floor = Math.max(floor, await ackFloor(jsm, names));
          if (floor < unconfirmed.unacked) {
            queue.unshift(...run);
            await Promise.race([sleep(FLOOR_POLL_MS, signal), new Promise<void>((resolve) => (arrived = resolve))]);
            arrived = undefined;
            continue;
          }
        }
        unconfirmed = undefined;
      }
      const naming: Run = { first: unconfirmed?.from ?? committed.first, last: committed.last };
      try {
        await pipe.writeBatch(
          run.map((m) => m.data),
          cursored ? { cursor: encodeRun(naming, epoch) } : undefined,
        );
      } catch (err) {
        if (signal.aborted) return;
        throw err;
      }
      if (TEST_KILL === 'after-commit') process.kill(process.pid, 'SIGKILL');
      // The acks go out first: a bridge that dies now and is not restarted leaves the run to the server, which
      // delivers what it has no ack for to another host (that host cannot see this ring's cursor). One turn of the
      // microtasks, and the client has written them to the socket.
      const confirmed = acknowledge(run);
      await Promise.resolve();
      for (let i = 0; i < run.length; i++) {
        const id = ids[i];
        if (id === undefined) continue;
        committedIds.add(id);
        idAtSeq.set(run[i]!.seq, id);
      }
      anchored = committed.first - 1 <= floor || (anchored && committed.first - 1 === own?.last);
      if (anchored) floor = Math.max(floor, committed.last);
      own = naming;
      counters.messages += run.length;
      unconfirmed = { ...unconfirmed, from: naming.first, confirmations: [...(unconfirmed?.confirmations ?? []), confirmed] };
    }
  } finally {
    signal.removeEventListener('abort', stop);
    // One made after the abort's stop (the consumer made again meanwhile) stops here.
    void messages?.stop();
    clearInterval(keepAlive);
    clearInterval(recheck);
    clearTimeout(giveUp);
  }
}

/**
 * The leading messages of the (sorted) queue with consecutive sequences, up to one already done: at most
 * `batch` and MAX_RUN, about `maxBytes`. Their message ids go to `ids`, in the same order.
 */
function takeRun(
  queue: JsMsg[],
  batch: number,
  maxBytes: number,
  isDone: (m: JsMsg, id: string | undefined) => boolean,
  ids: (string | undefined)[],
): JsMsg[] {
  ids.length = 0;
  ids.push(messageIdOf(queue[0]!));
  let n = 1;
  let bytes = queue[0]!.data.length;
  let seq = queue[0]!.seq;
  while (n < queue.length && n < batch && n < MAX_RUN) {
    const m = queue[n]!;
    const next = m.seq;
    if (next !== seq + 1 || bytes + m.data.length > maxBytes) break;
    const id = messageIdOf(m);
    if (isDone(m, id)) break;
    ids.push(id);
    bytes += m.data.length;
    seq = next;
    n++;
  }
  return queue.splice(0, n);
}

/** The consumer's ack floor: every message up to this stream sequence is acknowledged. 0 when the server does not answer. */
async function ackFloor(jsm: JetStreamManager, names: BridgeNames): Promise<number> {
  try {
    return (await jsm.consumers.info(names.stream, names.consumer)).ack_floor.stream_seq;
  } catch {
    return 0;
  }
}

/** The last sequence the stream gave a message (it never goes down while the stream keeps what it stored); undefined when the server does not answer. */
async function lastSequence(jsm: JetStreamManager, names: BridgeNames): Promise<number | undefined> {
  try {
    return (await jsm.streams.info(names.stream)).state.last_seq;
  } catch {
    return undefined;
  }
}

/** Acks each message; the last one's ack is confirmed by the server (so are those before it, which it handles in order). */
async function acknowledge(ms: JsMsg[]): Promise<void> {
  for (let i = 0; i < ms.length - 1; i++) ms[i]!.ack();
  // A server that does not confirm (gone meanwhile) may deliver the run again: it is at or below the floor then.
  await ms.at(-1)!.ackAck({ timeout: ACK_CONFIRM_TIMEOUT_MS }).catch(() => false);
}
