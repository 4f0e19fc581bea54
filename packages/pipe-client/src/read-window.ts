import { EOF, type Endpoint } from './endpoint.js';
import { bound, type Wait } from './wait/wait.js';

/** A message a ReadWindow shows: still in the ring until released. */
export interface ShownMessage {
  data: Buffer;
  /** The pipe's `messagesOut` once every message before this one is consumed. */
  number: number;
  /** Where the message lies in the ring (the format's position, modulo 2^32); shared memory only. */
  position?: number;
}

/**
 * Messages from the oldest on, shown without being consumed, for a forwarder
 * that keeps several in flight (`@ringpipe/bridge --to`) and consumes each once
 * it is delivered. See RingPipe.readWindow().
 */
export interface ReadWindow {
  /** Up to `max` messages after those shown so far (the first call starts at the oldest); [] when none is ready. */
  more(max: number): ShownMessage[];
  /** Consumes the oldest `count` messages shown, in order. */
  release(count: number): void;
  /** Resolves when `more` may show another message, or after a while (then look again). */
  wait(): Wait;
  /** Lets go of the ring: messages shown and not released stay for the next reader. */
  close(): void;
  /** Every writer left and the ring is drained (never with `follow`). */
  readonly ended: boolean;
}

/**
 * A ReadWindow over an endpoint. A ring mapped into this process keeps the shown
 * messages in place under its reader lock (other readers wait meanwhile); an
 * endpoint doing its I/O by system calls takes each message out as it shows it,
 * one at a time.
 */
export class EndpointWindow implements ReadWindow {
  private held = 0;
  private nextNumber = 0;
  ended = false;

  constructor(private readonly endpoint: Endpoint) {}

  more(max: number): ShownMessage[] {
    const endpoint = this.endpoint;
    const out: ShownMessage[] = [];
    if (max < 1 || this.ended) return out;
    if (this.held === 0) {
      const first = endpoint.peek();
      if (first === EOF) this.ended = true;
      if (first === null || first === EOF) return out;
      const stats = endpoint.stats();
      this.nextNumber = stats.messagesOut;
      out.push({ data: first, number: this.nextNumber++, ...(stats.readPosition !== undefined ? { position: stats.readPosition } : {}) });
    }
    if (out.length < max) {
      for (const m of endpoint.peekMore(max - out.length)) out.push({ data: m.data, number: this.nextNumber++, position: m.position });
    }
    this.held += out.length;
    return out;
  }

  release(count: number): void {
    const n = Math.min(count, this.held);
    if (n < 1) return;
    this.endpoint.releaseShown(n);
    this.held -= n;
  }

  wait(): Wait {
    return bound(this.held === 0 ? this.endpoint.waitReadable() : this.endpoint.waitShowable());
  }

  close(): void {
    if (this.held > 0) this.endpoint.releasePeek(false);
    this.held = 0;
  }
}
