/** Stable error codes of ringpipe. Each names one cause the caller can act on. */
export const ErrorCode = {
  /** The pipe name is empty, too long, or has characters outside `A-Z a-z 0-9 . _ -`. */
  BadName: 'ERR_RINGPIPE_BAD_NAME',
  /** An option failed validation; the message names the field. */
  BadOption: 'ERR_RINGPIPE_BAD_OPTION',
  /** A message is larger than the pipe can ever hold (capacity - 8 bytes). */
  MessageTooBig: 'ERR_RINGPIPE_MESSAGE_TOO_BIG',
  /** The OS refused access to the pipe (another user's pipe, or its permission bits). */
  PermissionDenied: 'ERR_RINGPIPE_PERMISSION_DENIED',
  /** The requested backend does not exist or cannot run on this machine. */
  BackendUnavailable: 'ERR_RINGPIPE_BACKEND_UNAVAILABLE',
  /** An existing pipe was opened with a mode different from the one it has. */
  ModeMismatch: 'ERR_RINGPIPE_MODE_MISMATCH',
  /** The shared segment is not a ringpipe ring of a version this library reads. */
  Corrupt: 'ERR_RINGPIPE_CORRUPT',
  /** Every slot of the pipe is taken (the format allows 128 open handles per name). */
  TooManyHandles: 'ERR_RINGPIPE_TOO_MANY_HANDLES',
  /** The pipe was closed while an operation waited. */
  Closed: 'ERR_RINGPIPE_CLOSED',
  /**
   * The name is held by something this handle must not trust: a pipe of another owner than the
   * one asked for (option `owner`), or a file that is no pipe of ours (a link, a directory, a FIFO).
   */
  Untrusted: 'ERR_RINGPIPE_UNTRUSTED',
  /** No room for the ring: the shared-memory file system (or the driver's limit) refused its size. */
  NoSpace: 'ERR_RINGPIPE_NO_SPACE',
  /** A peer that is stopped (Ctrl-Z, a debugger) is in the middle of opening or closing the pipe; try again. */
  Busy: 'ERR_RINGPIPE_BUSY',
  /** `ringpipe stat` or `statPipe` on a name that no process has open. */
  NotFound: 'ERR_RINGPIPE_NOT_FOUND',
  /**
   * A writer found the ring full and no reader attached, and its option `noReaders` says not to
   * wait for one (EPIPE's meaning): the message of the failed write was not written.
   */
  NoReaders: 'ERR_RINGPIPE_NO_READERS',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * The codes that mean the caller's input is wrong (a command line exits 2 on them), as opposed
 * to a failure at run time. `@ringpipe/bridge` adds its own to this list.
 */
export const BAD_INPUT_CODES: ReadonlySet<string> = new Set<ErrorCode>([
  ErrorCode.BadName,
  ErrorCode.BadOption,
  ErrorCode.MessageTooBig,
  ErrorCode.ModeMismatch,
]);

export class RingPipeError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RingPipeError';
    this.code = code;
  }
}

/** Maps an errno-style exception from fs or the OS to a RingPipeError where one fits. */
export function fromSystemError(err: unknown, what: string): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EACCES' || code === 'EPERM') {
    return new RingPipeError(ErrorCode.PermissionDenied, `permission denied: ${what}`, { cause: err });
  }
  if ((err as Error | undefined)?.name === 'NotCapable') {
    // Deno grants files under /dev (so /dev/shm) only to --allow-all.
    return new RingPipeError(ErrorCode.PermissionDenied, `permission denied: ${what} (Deno opens files under /dev only with --allow-all)`, { cause: err });
  }
  if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'ENOMEM') {
    return new RingPipeError(ErrorCode.NoSpace, `no room: ${what}`, { cause: err });
  }
  return err;
}

export function closedError(name: string): RingPipeError {
  return new RingPipeError(ErrorCode.Closed, `pipe ${name} is closed`);
}

/** What an aborted operation rejects with: an Error named AbortError with code ABORT_ERR, as Node's own APIs give. */
export class AbortError extends Error {
  readonly code = 'ABORT_ERR';

  constructor(message = 'The operation was aborted', options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AbortError';
  }
}

export function abortedBy(signal: AbortSignal): AbortError {
  return new AbortError('The operation was aborted', { cause: signal.reason });
}
