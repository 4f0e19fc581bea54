import { EventEmitter } from 'node:events';
import { createPipe, type RingPipe } from '@ringpipe/client';
import type { NatsConnection } from '@nats-io/transport-node';
import { connectWithRetry, message, sleep } from './connection.js';
import { jetstream } from './nats.js';
import { watchConsumerPending } from './consumer-pending.js';
import type { Counters } from './counters.js';
import { BridgeError, BridgeErrorCode } from './errors.js';
import { pumpFrom } from './from.js';
import { ensureConsumer, ensureStream } from './jetstream-setup.js';
import { bridgeNames, type BridgeNames } from './names.js';
import { resolveBridgeOptions, type BridgeOptions, type ResolvedBridgeOptions } from './options.js';
import { displayServers } from './servers.js';
import { StatusFile } from './status/publish.js';
import type { BridgeStatus } from './status/record.js';
import { pumpTo } from './to.js';
import { dropStaleAnchor } from './to-anchor.js';
import { isNotReady } from './nats-errors.js';

const STATUS_EVERY_MS = 1_000;

export type BridgeState = 'connecting' | 'running' | 'draining' | 'stopped' | 'error';

export interface BridgeEvents {
  /** The state changed; `detail` says why where there is something to say. */
  state: [state: BridgeState, detail: string | undefined];
  /** Something failed and is being retried (an unreachable server, a publish). */
  retry: [reason: string];
  /** The status file for `ringpipe ls` could not be written (the bridge runs on without it). */
  warning: [text: string];
}

/**
 * A running bridge between the local pipe `name` and its JetStream stream.
 * Created by bridge(); ends with stop(), the abort of `signal`, or an error.
 */
export class BridgeHandle extends EventEmitter<BridgeEvents> {
  readonly name: string;
  readonly direction: 'to' | 'from';
  readonly stream: string;
  readonly subject: string;
  /** Resolves once the bridge stopped; rejects with the error that ended it. */
  readonly done: Promise<void>;
  private current: BridgeState = 'connecting';
  private failure: Error | undefined;
  private readonly counters: Counters = { messages: 0, duplicates: 0, pending: 0 };
  private readonly abort = new AbortController();
  private readonly pipe: RingPipe;
  private nc: NatsConnection | undefined;
  private readonly servers: string;
  private lastRetry: { reason: string; messages: number } | undefined;
  private statusFile: StatusFile | undefined;
  private readonly statusTimer: NodeJS.Timeout | undefined;
  /** The messages moved by the start of the current rate interval, and the rate over the one before it. */
  private rateSample = { at: Date.now(), messages: 0 };
  private perSecond = 0;
  /** How often the connection was lost: a server back from a crash may have lost what it stored last. */
  private disconnects = 0;

  constructor(options: ResolvedBridgeOptions, names: BridgeNames, pipe: RingPipe) {
    super();
    this.name = names.pipe;
    this.direction = options.direction;
    this.stream = names.stream;
    this.subject = names.subject;
    this.pipe = pipe;
    this.servers = displayServers(options.servers);
    if (options.statusFile) {
      this.statusFile = new StatusFile(names.pipe);
      this.statusTimer = setInterval(() => this.publishStatus(), STATUS_EVERY_MS).unref();
    }
    // A write error also reaches the write callback, which ends the run.
    pipe.on('error', () => {});
    options.signal?.addEventListener('abort', () => void this.stop(), { once: true });
    this.done = this.run(options, names);
    this.done.catch(() => {}); // reported through `state` and `error`; awaiting `done` sees it too
  }

  get state(): BridgeState {
    return this.current;
  }

  /** The error that ended the bridge, in state 'error'. */
  get error(): Error | undefined {
    return this.failure;
  }

  /** Messages moved so far (published, or committed to the local pipe). */
  get messages(): number {
    return this.counters.messages;
  }

  /** Duplicates dropped: re-publishes JetStream recognised (to), redeliveries skipped (from). */
  get duplicates(): number {
    return this.counters.duplicates;
  }

  /**
   * How far behind the bridge is, in messages. to: the messages in the local pipe,
   * those in flight included (the read window leaves them in the ring until JetStream
   * acknowledged them; on the Linux driver's system-call path the one in hand is out
   * of the ring and not counted). from: the messages of the shared consumer that no `from`
   * bridge has acknowledged yet, as JetStream last said (asked every second).
   */
  get lag(): number {
    if (this.direction === 'from') return this.counters.pending;
    if (this.pipe.destroyed) return 0;
    const s = this.pipe.stats();
    return Math.max(0, s.messagesIn - s.abandoned - s.messagesOut);
  }

  /**
   * Messages moved per second over the last interval of about a second (STATUS_EVERY_MS): asked sooner,
   * the last figure; asked later, the average since it.
   */
  get rate(): number {
    const now = Date.now();
    const elapsed = now - this.rateSample.at;
    // Half an interval of slack: a status timer that fires a little early still starts a new interval.
    if (elapsed >= STATUS_EVERY_MS / 2) {
      this.perSecond = Math.round(((this.counters.messages - this.rateSample.messages) * 1000) / elapsed);
      this.rateSample = { at: now, messages: this.counters.messages };
    }
    return this.perSecond;
  }

  /** The server connected to (host:port) while running, else the servers it tries; never credentials. */
  get server(): string {
    return this.current === 'running' && this.nc && !this.nc.isClosed() ? this.nc.getServer() : this.servers;
  }

  /** Why the bridge is retrying, while the last attempt failed and nothing succeeded since; else undefined. */
  get retrying(): string | undefined {
    const last = this.lastRetry;
    return last && last.messages === this.counters.messages ? last.reason : undefined;
  }

  /** What `ringpipe ls` shows of this bridge (listBridges() reads it from the status file). */
  status(): BridgeStatus {
    const retry = this.retrying;
    const state = this.current === 'draining' ? 'draining' : retry !== undefined ? 'retrying' : this.current === 'running' ? 'running' : 'connecting';
    return {
      name: this.name,
      direction: this.direction,
      stream: this.stream,
      server: this.server,
      state,
      ...(state === 'retrying' ? { retry } : {}),
      lag: this.lag,
      rate: this.rate,
      messages: this.messages,
      duplicates: this.duplicates,
      pid: process.pid,
    };
  }

  /** Finishes the message in hand (its ack, or leaves it in the ring), closes the pipe and the connection. */
  async stop(): Promise<void> {
    if (this.current !== 'stopped' && this.current !== 'error' && !this.abort.signal.aborted) {
      this.setState('draining');
      this.abort.abort();
    }
    await this.done.catch(() => {});
  }

  private setState(state: BridgeState, detail?: string): void {
    if (state === this.current && detail === undefined) return;
    this.current = state;
    if (state === 'running') this.lastRetry = undefined;
    this.publishStatus();
    this.emit('state', state, detail);
  }

  private retry(reason: string): void {
    this.lastRetry = { reason, messages: this.counters.messages };
    this.publishStatus();
    this.emit('retry', reason);
  }

  private publishStatus(): void {
    const file = this.statusFile;
    if (!file || this.current === 'stopped' || this.current === 'error') return;
    try {
      file.write(this.status());
    } catch (err) {
      this.removeStatus();
      this.emit('warning', `cannot write the status file ${file.path} for ringpipe ls (${message(err)}); the bridge runs on without it`);
    }
  }

  private removeStatus(): void {
    clearInterval(this.statusTimer);
    this.statusFile?.remove();
    this.statusFile = undefined;
  }

  private async run(options: ResolvedBridgeOptions, names: BridgeNames): Promise<void> {
    const signal = this.abort.signal;
    const watching = new AbortController();
    this.publishStatus();
    try {
      const connected = await connectWithRetry(options, signal, (reason, delay) => {
        this.retry(`${reason}; retrying in ${delay} ms`);
      });
      if (!connected) return;
      this.nc = connected.nc;
      this.watchConnection(connected.nc);
      const js = jetstream(connected.nc);
      // A server lost right after the set-up (a request timing out) is retried here too, never fatal once running.
      const consumer = await this.untilSetUp(signal, async () => {
        await ensureStream(connected.jsm, names, options.stream);
        if (options.direction === 'to') return undefined;
        await ensureConsumer(connected.jsm, names, options.batch);
        return await js.consumers.get(names.stream, names.consumer);
      });
      if (signal.aborted) return;
      this.setState('running', `${options.direction === 'to' ? 'publishing to' : 'consuming from'} ${names.stream} at ${connected.nc.getServer()}`);
      const report = (why: string): void => this.retry(why);
      if (!consumer) {
        await pumpTo(this.pipe, js, connected.jsm, names, signal, this.counters, report, options.window);
      } else {
        void watchConsumerPending(connected.jsm, names, AbortSignal.any([signal, watching.signal]), (n) => (this.counters.pending = n));
        await pumpFrom(this.pipe, consumer, connected.jsm, names, signal, this.counters, options.batch, () => this.disconnects);
      }
    } catch (err) {
      this.failure = err instanceof Error ? err : new Error(String(err));
      throw this.failure;
    } finally {
      watching.abort();
      await this.close();
      this.removeStatus();
      if (this.failure) this.setState('error', this.failure.message);
      else this.setState('stopped');
    }
  }

  /** Runs `setUp`, again while JetStream is not ready yet (a cluster electing its leader, a timeout). */
  private async untilSetUp<T>(signal: AbortSignal, setUp: () => Promise<T>): Promise<T> {
    let delay = 250;
    for (;;) {
      try {
        return await setUp();
      } catch (err) {
        if (signal.aborted || !isNotReady(err)) throw err;
        this.retry(`JetStream is not ready: ${message(err)}; retrying in ${delay} ms`);
        await sleep(delay, signal);
        delay = Math.min(delay * 2, 5_000);
      }
    }
  }

  private watchConnection(nc: NatsConnection): void {
    void (async () => {
      for await (const status of nc.status()) {
        if (status.type === 'disconnect') this.disconnects++;
        if (this.current === 'draining' || this.current === 'stopped' || this.current === 'error') continue;
        if (status.type === 'disconnect') {
          this.lastRetry = { reason: 'lost the server; reconnecting', messages: this.counters.messages };
          this.setState('connecting', `lost the server; reconnecting`);
        } else if (status.type === 'reconnect') this.setState('running', `reconnected to ${nc.getServer()}`);
      }
    })().catch(() => {});
  }

  private async close(): Promise<void> {
    if (this.direction === 'from' && !this.pipe.destroyed) {
      // The writer's end: far readers see EOF once no other writer is left.
      this.pipe.end();
      await new Promise<void>((resolve) => this.pipe.once('finish', resolve).once('close', resolve));
    }
    if (!this.pipe.closed) {
      const closed = new Promise<void>((resolve) => this.pipe.once('close', resolve));
      this.pipe.destroy();
      await closed;
    }
    // The pipe disappears at its last close when nothing is left unread: so does the anchor of its ids.
    if (this.direction === 'to') dropStaleAnchor(this.name);
    if (this.nc && !this.nc.isClosed()) await this.nc.drain().catch(() => this.nc?.close());
  }
}

/**
 * Bridges the local pipe `name` with the JetStream stream `RINGPIPE_<NAME>`:
 * direction 'to' publishes the pipe's messages, 'from' writes the stream's
 * messages into the pipe. Throws for bad options, a name that is no subject
 * token, and a byte-mode pipe; everything later shows in `state` and `done`.
 */
export function bridge(options: BridgeOptions): BridgeHandle {
  const resolved = resolveBridgeOptions(options);
  const names = bridgeNames(resolved.name);
  const pipe = createPipe(names.pipe, {
    ...resolved.pipe,
    access: resolved.direction === 'to' ? 'read' : 'write',
    ...(resolved.direction === 'to' ? { follow: true } : {}),
  });
  if (pipe.mode !== 'message') {
    pipe.destroy();
    throw new BridgeError(BridgeErrorCode.ByteMode, `pipe ${names.pipe} is a byte-mode pipe; only message-mode pipes can be bridged`);
  }
  return new BridgeHandle(resolved, names, pipe);
}

export { message as errorMessage };
