import { readdirSync } from 'node:fs';
import type { Endpoint } from './backend.js';
import { ErrorCode, RingPipeError } from './errors.js';
import { canonicalName } from './name.js';
import { resolveOptions, type PipeOptions, type ResolvedOptions } from './options.js';
import { MODE_BYTE, MODE_MESSAGE } from './ring/layout.js';
import type { RingStats } from './ring/ring.js';
import { ShmEndpoint } from './shm/endpoint.js';
import { processAlive } from './shm/liveness.js';
import { SHM_DIR, SHM_PREFIX, withSegmentReadOnly } from './shm/segment.js';
import { RingPipe } from './stream.js';
import { driverAvailable, listDriverPipes, openDriverEndpoint, statDriverPipe } from './driver/index.js';
import { listWindowsPipes, openWindowsEndpoint, statWindowsPipe } from './windows/index.js';

export { ErrorCode, RingPipeError } from './errors.js';
export { canonicalName, NAME_MAX } from './name.js';
export { DEFAULT_CAPACITY, MAX_CAPACITY, MIN_CAPACITY, type PipeOptions } from './options.js';
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

function openEndpoint(canonical: string, options: ResolvedOptions): Endpoint {
  if (process.platform === 'win32') return openWindowsEndpoint(canonical, options);
  const backend = options.backend === 'auto' ? (driverAvailable() ? 'driver' : 'shm') : options.backend;
  if (backend === 'driver' && process.platform === 'linux') return openDriverEndpoint(canonical, options);
  if (backend === 'driver') {
    throw new RingPipeError(
      ErrorCode.BackendUnavailable,
      'the driver backend needs the ringpipe kernel driver, which this version of @ringpipe/client does not support yet; use backend "shm" or "auto"',
    );
  }
  if (process.platform !== 'linux') {
    throw new RingPipeError(ErrorCode.BackendUnavailable, `the shm backend does not run on ${process.platform} yet`);
  }
  const mode = options.mode === undefined ? undefined : options.mode === 'byte' ? MODE_BYTE : MODE_MESSAGE;
  return new ShmEndpoint(canonical, { capacity: options.capacity, mode, permissions: options.permissions }, options.follow);
}

export interface PipeInfo extends RingStats {
  name: string;
  backend: 'shm' | 'driver';
}

/** Statistics of an open pipe, read without attaching to it. Throws NotFound when no live process has it open. */
export function statPipe(name: string): PipeInfo {
  const canonical = canonicalName(name);
  if (process.platform === 'win32') return statWindowsPipe(canonical);
  const info = withSegmentReadOnly(canonical, (ring) => ring.stats(processAlive));
  // A segment whose processes all died is no open pipe: the next open reclaims it.
  if (!info || info.handles === 0) {
    const driverInfo = statDriverPipe(canonical);
    if (driverInfo) return driverInfo;
    throw new RingPipeError(ErrorCode.NotFound, `no pipe named ${canonical} is open`);
  }
  return { name: canonical, backend: 'shm', ...info };
}

/** Every pipe open on this machine that the caller may read, sorted by name. */
export function listPipes(): PipeInfo[] {
  if (process.platform === 'win32') return listWindowsPipes();
  let entries: string[];
  try {
    entries = readdirSync(SHM_DIR);
  } catch {
    entries = [];
  }
  const pipes: PipeInfo[] = listDriverPipes();
  for (const entry of entries.sort()) {
    if (!entry.startsWith(SHM_PREFIX)) continue;
    try {
      pipes.push(statPipe(entry.slice(SHM_PREFIX.length)));
    } catch {
      // closed meanwhile, another user's, or not a pipe of ours
    }
  }
  return pipes.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
