import { addAbortSignal } from 'node:stream';
import { listPipeInfos, openEndpoint, removePipeOn, statPipeInfo, type PipeInfo } from './backends/choose.js';
import { canonicalName } from './name.js';
import { resolveOptions, resolveRemoveOptions, type PipeOptions, type RemoveOptions } from './options.js';
import { ringPipeOn, type RingPipe } from './stream.js';

export { AbortError, BAD_INPUT_CODES, ErrorCode, RingPipeError } from './errors.js';
export { canonicalName, NAME_MAX } from './name.js';
export { DEFAULT_CAPACITY, MAX_CAPACITY, MIN_CAPACITY, type CallOptions, type PipeOptions, type RemoveOptions } from './options.js';
export type { NoReaders } from './reader-presence.js';
export type { RingStats } from './ring/ring.js';
export { RingPipe, type Access, type MessageView } from './stream.js';
export type { Wait } from './wait/wait.js';
export type { ReadWindow, ShownMessage } from './read-window.js';

/**
 * Opens the pipe `name` (case-insensitive), creating it if no process has it
 * open. Throws a RingPipeError for a bad name or bad options, and when the
 * pipe cannot be opened. Its option `signal` destroys the pipe with an
 * AbortError when aborted (at once, through 'error', when aborted already).
 */
export function createPipe(name: string, options?: PipeOptions): RingPipe {
  const canonical = canonicalName(name);
  const resolved = resolveOptions(options);
  const pipe = ringPipeOn({ endpoint: openEndpoint(canonical, resolved), access: resolved.access, noReaders: resolved.noReaders });
  if (resolved.signal) addAbortSignal(resolved.signal, pipe);
  return pipe;
}

export type { PipeInfo } from './backends/choose.js';

/** Statistics of an open or kept pipe, read without attaching to it. Throws NotFound when there is neither. */
export function statPipe(name: string): PipeInfo {
  return statPipeInfo(canonicalName(name));
}

/**
 * Removes the pipe `name`, like mq_unlink: handles already open keep working on the old pipe,
 * the next open creates a new one, and the unread messages of a kept pipe are discarded.
 * Throws NotFound when there is no such pipe, PermissionDenied for someone else's.
 */
export function removePipe(name: string, options?: RemoveOptions): void {
  const canonical = canonicalName(name);
  removePipeOn(canonical, resolveRemoveOptions(options));
}

/** Every pipe open or kept on this machine that the caller may read, sorted by name. */
export function listPipes(): PipeInfo[] {
  return listPipeInfos();
}
