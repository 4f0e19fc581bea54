import { listPipeInfos, openEndpoint, statPipeInfo, type PipeInfo } from './backends/choose.js';
import { canonicalName } from './name.js';
import { resolveOptions, type PipeOptions } from './options.js';
import { RingPipe } from './stream.js';

export { ErrorCode, RingPipeError } from './errors.js';
export { canonicalName, NAME_MAX } from './name.js';
export { DEFAULT_CAPACITY, MAX_CAPACITY, MIN_CAPACITY, type PipeOptions } from './options.js';
export type { RingStats } from './ring/ring.js';
export { RingPipe, type Access } from './stream.js';
export type { ReadWindow, ShownMessage } from './read-window.js';

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

/** Statistics of an open pipe, read without attaching to it. Throws NotFound when no live process has it open. */
export function statPipe(name: string): PipeInfo {
  return statPipeInfo(canonicalName(name));
}

/** Every pipe open on this machine that the caller may read, sorted by name. */
export function listPipes(): PipeInfo[] {
  return listPipeInfos();
}
