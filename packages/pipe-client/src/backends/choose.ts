import type { Endpoint } from '../backend.js';
import { ErrorCode, RingPipeError } from '../errors.js';
import { MappedEndpoint } from '../mapped-endpoint.js';
import type { ResolvedOptions } from '../options.js';
import { MODE_BYTE, MODE_MESSAGE } from '../ring/layout.js';
import type { RingStats } from '../ring/ring.js';
import { listLinuxPipes, statLinuxPipe } from './linux-info.js';
import { deviceExists } from './linux-driver/device.js';
import { removeLinuxDriverPipe } from './linux-driver/info.js';
import { openLinuxDriverEndpoint } from './linux-driver/open.js';
import { openLinuxShmEndpoint } from './linux-shm/open.js';
import { listWindowsPipes, statWindowsPipe, windowsDriverAvailable } from './windows-info.js';
import { removeWindowsPipe } from './windows-remove.js';
import { openWindowsDriverEndpoint } from './windows-driver/open.js';
import { openWindowsShmEndpoint } from './windows-shm/open.js';
import { tuneMallocForReading } from '../platform/linux/malloc-tuning.js';

export interface PipeInfo extends RingStats {
  name: string;
  backend: 'shm' | 'driver';
  /** The uid that owns the pipe, where the backend says so cheaply (the Linux driver does). */
  owner?: number;
}

/**
 * Opens a handle on the backend the options ask for, on this platform: 'auto' is
 * the kernel driver when it is loaded, the shared memory otherwise, so every
 * process of a machine agrees.
 */
export function openEndpoint(canonical: string, options: ResolvedOptions): Endpoint {
  const endpoint = openOn(canonical, options);
  if (endpoint instanceof MappedEndpoint) endpoint.spinUs = options.spin;
  return endpoint;
}

function openOn(canonical: string, options: ResolvedOptions): Endpoint {
  const mode = options.mode === undefined ? undefined : options.mode === 'byte' ? MODE_BYTE : MODE_MESSAGE;
  const { capacity, permissions, access, follow } = options;
  if (process.platform === 'win32') {
    const ttl = (options as { ttl?: number }).ttl;
    const request = { capacity, mode, permissions, access, follow, ownerSid: options.ownerSid, ttl };
    const driver = options.backend === 'driver' || (options.backend === 'auto' && windowsDriverAvailable());
    return driver ? openWindowsDriverEndpoint(canonical, request) : openWindowsShmEndpoint(canonical, request);
  }
  if (process.platform !== 'linux') {
    throw new RingPipeError(ErrorCode.BackendUnavailable, `ringpipe runs on Linux and Windows, not on ${process.platform}`);
  }
  if (access !== 'write') tuneMallocForReading();
  const driver = options.backend === 'driver' || (options.backend === 'auto' && deviceExists());
  if (driver) {
    const ttl = (options as { ttl?: number }).ttl;
    return openLinuxDriverEndpoint(canonical, { capacity, mode, permissions, access, follow, owner: options.owner, ttl });
  }
  return openLinuxShmEndpoint(canonical, { capacity, mode, permissions, owner: options.owner }, follow);
}

export function statPipeInfo(canonical: string): PipeInfo {
  return process.platform === 'win32' ? statWindowsPipe(canonical) : statLinuxPipe(canonical);
}

/** removePipe on this platform's backends. */
export function removePipeNamed(canonical: string, options: ResolvedOptions): void {
  if (process.platform === 'win32') {
    removeWindowsPipe(canonical, options.backend, options.ownerSid);
    return;
  }
  if (process.platform === 'linux' && (options.backend === 'driver' || (options.backend === 'auto' && deviceExists()))) {
    removeLinuxDriverPipe(canonical);
    return;
  }
  throw new RingPipeError(ErrorCode.BackendUnavailable, `removePipe is not available on ${process.platform} yet`);
}

export function listPipeInfos(): PipeInfo[] {
  const pipes: PipeInfo[] = process.platform === 'win32' ? listWindowsPipes() : listLinuxPipes();
  return pipes.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.backend < b.backend ? -1 : 1));
}
