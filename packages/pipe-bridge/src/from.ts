import type { RingPipe } from '@ringpipe/client';
import type { ConsumerMessages, JetStreamClient, JsMsg } from '@nats-io/jetstream';
import type { Counters } from './counters.js';
import { RecentNumbers } from './counters.js';
import { ACK_WAIT_MS } from './jetstream-setup.js';
import type { BridgeNames } from './names.js';
import { decodeRun, encodeRun, MAX_RUN, type Run } from './run-cursor.js';

const STOP_GRACE_MS = 2_000;
const ACK_CONFIRM_TIMEOUT_MS = 5_000;
/** Test hook: `after-commit` makes the bridge kill itself (SIGKILL) between a batch's ring commit and its acks. */
const TEST_KILL = process.env.RINGPIPE_BRIDGE_TEST_KILL;

/**
 * JetStream -> local pipe, through the pipe's shared durable consumer, in batches.
 * Each run of consecutive stream sequences is committed to the local ring with one
 * writeBatch, together with a cursor naming the run (first and last sequence), and
 * only then acknowledged; the acks of a run reach the server before the next run is
 * committed. So a bridge killed between a commit and its acks left exactly the run
 * the cursor names unacknowledged: when it is delivered here again it is acked and
 * skipped. Redeliveries of runs this process committed (an ack lost with a server)
 * are skipped too.
 */
export async function pumpFrom(pipe: RingPipe, js: JetStreamClient, names: BridgeNames, signal: AbortSignal, counters: Counters, batch: number): Promise<void> {
  const consumer = await js.consumers.get(names.stream, names.consumer);
  const queue: JsMsg[] = [];
  let arrived: (() => void) | undefined;
  // Short pulls (heartbeats every 2.5 s): after a node or the consumer's leader is lost, pulling resumes within seconds.
  const messages: ConsumerMessages = await consumer.consume({
    max_messages: batch,
    expires: 5_000,
    callback: (m) => {
      queue.push(m);
      arrived?.();
    },
  });
  const held = new Set<JsMsg>();
  // Every message received and not acknowledged yet: the server must not deliver it elsewhere meanwhile.
  const keepAlive = setInterval(() => {
    for (const m of queue) m.working();
    for (const m of held) m.working();
  }, ACK_WAIT_MS / 3);
  let giveUp: NodeJS.Timeout | undefined;
  const stop = (): void => {
    void messages.stop();
    arrived?.();
    // A write waiting for room in a full ring would hold the stop forever: give it a moment, then drop the
    // write (its messages are not acked, so the server delivers them again).
    giveUp = setTimeout(() => pipe.destroy(), STOP_GRACE_MS);
  };
  signal.addEventListener('abort', stop, { once: true });
  let ended = false;
  void messages.closed().then(() => {
    ended = true;
    arrived?.();
  });
  const cursored = pipe.cursor() !== undefined;
  const committed = new RecentNumbers(65_536);
  let last: Run | undefined = cursored ? decodeRun(pipe.cursor()!) : undefined;
  const maxBytes = Math.max(1, Math.floor(pipe.capacity / 4));
  try {
    while (!signal.aborted) {
      if (queue.length === 0) {
        if (ended) return;
        await new Promise<void>((resolve) => (arrived = resolve));
        arrived = undefined;
        continue;
      }
      const taken = queue.splice(0, batch);
      for (const m of taken) held.add(m);
      for (const run of runs(taken, (m) => committed.has(m.seq) || (last !== undefined && m.seq >= last.first && m.seq <= last.last), maxBytes)) {
        if (run.fresh.length > 0) {
          const first = run.fresh[0]!.seq;
          const end = run.fresh.at(-1)!.seq;
          try {
            await pipe.writeBatch(
              run.fresh.map((m) => m.data),
              cursored ? { cursor: encodeRun({ first, last: end }) } : undefined,
            );
          } catch (err) {
            if (signal.aborted) return;
            throw err;
          }
          if (cursored) last = { first, last: end };
          if (TEST_KILL === 'after-commit') process.kill(process.pid, 'SIGKILL');
          for (const m of run.fresh) committed.add(m.seq);
          counters.messages += run.fresh.length;
        }
        counters.duplicates += run.skipped.length;
        await acknowledge([...run.skipped, ...run.fresh]);
        for (const m of [...run.skipped, ...run.fresh]) held.delete(m);
      }
    }
  } finally {
    signal.removeEventListener('abort', stop);
    clearInterval(keepAlive);
    clearTimeout(giveUp);
  }
}

/** Acks each message; the last one's ack is confirmed by the server (so are those before it, which it handles in order). */
async function acknowledge(ms: JsMsg[]): Promise<void> {
  if (ms.length === 0) return;
  for (let i = 0; i < ms.length - 1; i++) ms[i]!.ack();
  // A server that does not confirm (gone meanwhile) may deliver the run again: this process skips it then.
  await ms.at(-1)!.ackAck({ timeout: ACK_CONFIRM_TIMEOUT_MS }).catch(() => false);
}

interface RunOfMessages {
  /** Messages to commit: consecutive stream sequences, at most MAX_RUN, about `maxBytes` at most. */
  fresh: JsMsg[];
  /** Redeliveries of messages committed already, met before the next fresh one: acked, not written. */
  skipped: JsMsg[];
}

/** Splits a batch, in order, into runs of consecutive sequences that a cursor can name. */
function runs(batch: JsMsg[], isCommitted: (m: JsMsg) => boolean, maxBytes: number): RunOfMessages[] {
  const out: RunOfMessages[] = [];
  let current: RunOfMessages = { fresh: [], skipped: [] };
  let bytes = 0;
  for (const m of batch) {
    if (isCommitted(m)) {
      current.skipped.push(m);
      continue;
    }
    const previous = current.fresh.at(-1);
    if (previous && (m.seq !== previous.seq + 1 || current.fresh.length >= MAX_RUN || bytes + m.data.length > maxBytes)) {
      out.push(current);
      current = { fresh: [], skipped: [] };
      bytes = 0;
    }
    current.fresh.push(m);
    bytes += m.data.length;
  }
  if (current.fresh.length > 0 || current.skipped.length > 0) out.push(current);
  return out;
}
