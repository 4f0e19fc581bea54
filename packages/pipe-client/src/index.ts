import { addAbortSignal } from 'node:stream';
import { listPipeInfos, openEndpoint, removePipeNamed, statPipeInfo, type PipeInfo } from './backends/choose.js';
import { canonicalName } from './name.js';
import { resolveOptions, type PipeOptions } from './options.js';
import { RingPipe } from './stream.js';

export { AbortError, BAD_INPUT_CODES, ErrorCode, RingPipeError } from './errors.js';
export { canonicalName, NAME_MAX } from './name.js';
export { DEFAULT_CAPACITY, MAX_CAPACITY, MIN_CAPACITY, type CallOptions, type PipeOptions } from './options.js';
export type { NoReaders } from './reader-presence.js';
export type { RingStats } from './ring/ring.js';
export { RingPipe, type Access } from './stream.js';
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
  const pipe = new RingPipe(openEndpoint(canonical, resolved), resolved.access, { noReaders: resolved.noReaders });
  if (resolved.signal) addAbortSignal(resolved.signal, pipe);
  return pipe;
}

export type { PipeInfo } from './backends/choose.js';

/** Statistics of an open pipe, read without attaching to it. Throws NotFound when no live process has it open. */
export function statPipe(name: string): PipeInfo {
  return statPipeInfo(canonicalName(name));
}

/**
 * Removes the pipe `name` like mq_unlink: handles open keep the old pipe, the next
 * open creates a new one, a kept pipe's unread messages are discarded.
 */
export function removePipe(name: string, options?: Pick<PipeOptions, 'backend' | 'owner'>): void {
  removePipeNamed(canonicalName(name), resolveOptions(options));
}

/** Every pipe open on this machine that the caller may read, sorted by name. */
export function listPipes(): PipeInfo[] {
  return listPipeInfos();
}
