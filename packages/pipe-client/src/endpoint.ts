import { ErrorCode, RingPipeError } from './errors.js';
import type { RingStats, WriteCursor } from './ring/ring.js';
import type { Wait } from './wait/wait.js';

/** What `Endpoint.write` reports: something went in (the cursor moved), or nothing could. */
export const WROTE = 0;
/** No room for the next record: wait with `waitWritable`. */
export const NO_ROOM = 1;

/** Returned by `Endpoint.read` once every writer has left and the ring is drained. */
export const EOF = Symbol('ringpipe.eof');

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
  /** Whether this open created the pipe; false: it joined an existing one, whose capacity, mode and permissions stand. */
  readonly created: boolean;

  /**
   * Writes chunks from the cursor on while they fit (message mode: one record
   * each; byte mode: split into records of at most `maxRecord` bytes) and moves
   * the cursor. NO_ROOM when nothing went in: the caller waits with
   * `waitWritable` (which also covers a lock held by a stopped peer).
   */
  write(chunks: readonly Uint8Array[], cursor: WriteCursor): typeof WROTE | typeof NO_ROOM;
  /** One message (byte mode: some bytes), null when nothing is ready, EOF at end. */
  read(): Buffer | null | typeof EOF;
  waitReadable(): Wait;
  /** Waits until a record of `size` payload bytes may fit (or a peer's lock may be free). */
  waitWritable(size: number): Wait;

  startWriting(): void;
  endWriting(): void;
  startReading(): void;
  stopReading(): void;

  // Every endpoint has the paths below. A ring mapped into this process takes them in
  // place (mapped-endpoint.ts); an endpoint that moves messages by system calls makes
  // them of read and write (syscall-endpoint.ts). Each reports as read and write do:
  // null or NO_ROOM when the caller must wait.

  /** Message mode: every message ready, up to `max` (a syscall endpoint: one). */
  readBatch(max: number): Buffer[] | null | typeof EOF;
  /** The next message copied into `target`: its length; MESSAGE_TOO_BIG (the message stays next) when it does not fit. */
  readInto(target: Uint8Array): number | null | typeof EOF;
  /** The next message, held (on a mapped ring: in place, other readers wait) until `releasePeek`. */
  peek(): Buffer | null | typeof EOF;
  /** Ends a `peek`: consumes the message, or leaves it next for the following read. */
  releasePeek(consume: boolean): void;
  /** All `chunks` or none, committed with `cursor` (Ring.writeWithCursor); 'already' when that cursor is the ring's. A syscall endpoint throws ERR_RINGPIPE_BAD_OPTION. */
  writeWithCursor(chunks: readonly Uint8Array[], cursor: bigint): typeof WROTE | typeof NO_ROOM | 'already';
  /** The cursor of the last batch committed with one; undefined where there is no mapped ring. */
  cursor(): bigint | undefined;
  /** While a peek is held: more messages after it, still in the ring, with their positions (see Ring.peekMore); a syscall endpoint shows none. */
  peekMore(max: number): { data: Buffer; position: number }[];
  /** Consumes the held messages' first `count` (see Ring.releaseShown). */
  releaseShown(count: number): void;
  /** Waits until peekMore may show another message (a syscall endpoint: until cancelled). */
  waitShowable(): Wait;
  /**
   * One record of `length` bytes filled by `fill`: in place on a mapped ring, once there is room.
   * A syscall endpoint fills a buffer first and keeps it for the next call with the same `fill`.
   */
  writeInPlace(length: number, fill: (view: Buffer) => void): typeof WROTE | typeof NO_ROOM;

  /** The ring's count of messages in (`msgs_in`) right after this handle's last record was reserved, 0 before any (a syscall endpoint: `stats().messagesIn`, an upper bound). */
  writtenThrough(): number;
  /** Records taken from the ring so far (`msgs_out + abandoned`). */
  readThrough(): number;

  stats(): RingStats;
  /** Releases the handle; no other method may be called afterwards. */
  close(): Promise<void>;
}

/** A message larger than the pipe's largest record. */
export function recordTooBig(name: string, maxRecord: number): RingPipeError {
  return new RingPipeError(ErrorCode.MessageTooBig, `a message is larger than pipe ${name} can hold (${maxRecord} bytes)`);
}

/** readInto's target is too small for the next message, which stays next. */
export function nextTooBig(name: string): RingPipeError {
  return new RingPipeError(ErrorCode.MessageTooBig, `the next message of pipe ${name} does not fit the buffer given`);
}

/** writeBatch's `cursor` on a pipe whose ring this process does not map, or a byte-mode one. */
export function cursorNeedsMapping(name: string): RingPipeError {
  return new RingPipeError(ErrorCode.BadOption, `pipe ${name}: a cursor needs a message-mode pipe whose ring this process maps`);
}
