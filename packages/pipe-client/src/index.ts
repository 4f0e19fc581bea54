import { listPipeInfos, openEndpoint, removePipeOn, statPipeInfo, type PipeInfo } from './backends/choose.js';
import { canonicalName } from './name.js';
import { resolveOptions, resolveRemoveOptions, type PipeOptions, type RemoveOptions } from './options.js';
import { RingPipe } from './stream.js';

export { ErrorCode, RingPipeError } from './errors.js';
export { canonicalName, NAME_MAX } from './name.js';
export { DEFAULT_CAPACITY, MAX_CAPACITY, MIN_CAPACITY, type PipeOptions, type RemoveOptions } from './options.js';
export type { RingStats } from './ring/ring.js';
export { RingPipe, type Access } from './stream.js';

/**
 * Opens the pipe `name` (case-insensitive), creating it if no process has it
 * open. Throws a RingPipeError for a bad name or bad options, and when the
 * pipe cannot be opened.
 */
export function createPipe(name: string, options?: PipeOptions): RingPipe {
  const canonical = canonicalName(name);
  const resolved = resolveOptions(options);
  return new RingPipe(openEndpoint(canonical, resolved), resolved.access);
}

export type { PipeInfo } from './backends/choose.js';

/** Statistics of an open or kept pipe, read without attaching to it. Throws NotFound when there is neither. */
export function statPipe(name: string): PipeInfo {
  return statPipeInfo(canonicalName(name));
}

/** Every pipe open or kept on this machine that the caller may read, sorted by name. */
export function listPipes(): PipeInfo[] {
  return listPipeInfos();
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
