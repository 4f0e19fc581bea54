import type { RingStats } from './ring/ring.js';

/** Returned by `Endpoint.read` once every writer has left and the ring is drained. */
export const EOF = Symbol('ringpipe.eof');

export interface Wait {
  readonly promise: Promise<void>;
  cancel(): void;
}

/** A wait that is over already: the caller tries again at once. */
export function settledWait(): Wait {
  return { promise: Promise.resolve(), cancel: () => {} };
}

/**
 * One open handle on a named pipe, whatever holds the ring (shared memory or a
 * driver). Reads and writes never block: they report that nothing could be
 * done, and the caller waits with `waitReadable` / `waitWritable`, whose
 * promises may resolve spuriously (the caller tries again). The Duplex in
 * stream.ts maps these onto stream semantics and is the only user.
 */
export interface Endpoint {
  readonly name: string;
  readonly backend: 'shm' | 'driver';
  readonly capacity: number;
  readonly mode: 'message' | 'byte';
  /** Largest message a write may carry (message mode), or largest record (byte mode). */
  readonly maxRecord: number;

  /** Writes chunks[from..] as one record each while they fit; returns how many, 0 when the ring is full. */
  write(chunks: readonly Uint8Array[], from: number): number;
  /** One message (byte mode: some bytes), null when nothing is ready, EOF at end. */
  read(): Buffer | null | typeof EOF;
  waitReadable(): Wait;
  /** Waits until a record of `size` payload bytes may fit. */
  waitWritable(size: number): Wait;

  startWriting(): void;
  endWriting(): void;
  startReading(): void;
  stopReading(): void;

  stats(): RingStats;
  /** Releases the handle; no other method may be called afterwards. */
  close(): Promise<void>;
}
