import type { Endpoint } from '../endpoint.js';
import { ErrorCode, RingPipeError } from '../errors.js';
import { MappedEndpoint } from '../mapped-endpoint.js';
import type { ResolvedOptions, ResolvedRemoveOptions } from '../options.js';
import { MODE_BYTE, MODE_MESSAGE } from '../ring/layout.js';
import type { RingStats } from '../ring/ring.js';
import { listLinuxPipes, statLinuxPipe } from './linux-info.js';
import { deviceExists } from './linux-driver/device.js';
import { openLinuxDriverEndpoint } from './linux-driver/open.js';
import { removeLinuxDriverPipe } from './linux-driver/info.js';
import { removeShmPipe } from './linux-shm/inspect.js';
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
  /** No handle has the pipe open: it was kept for its unread messages (README, Lifetime). */
  kept: boolean;
  /** Messages a reader opening the pipe now would get (byte mode: the pieces of writes). */
  unreadMessages: number;
  /** Their bytes. */
  unreadBytes: number;
  /** When a kept pipe's last handle left, in ms since the epoch. */
  keptSince?: number;
  /** The pipe's time to live once kept, in ms, when its creator set one. */
  ttl?: number;
}

type BackendInfo = Omit<PipeInfo, 'kept' | 'unreadMessages' | 'unreadBytes'> & Partial<PipeInfo>;

/** A backend that does not tell what is unread yet: counted from its statistics (open pipes only). */
function complete(info: BackendInfo): PipeInfo {
  return {
    ...info,
    kept: info.kept ?? info.handles === 0,
    unreadMessages: info.unreadMessages ?? Math.max(0, info.messagesIn - info.messagesOut - info.abandoned),
    unreadBytes: info.unreadBytes ?? info.usedBytes,
  };
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
    const request = { capacity, mode, permissions, access, follow, ownerSid: options.ownerSid, ttl: options.ttl };
    const driver = options.backend === 'driver' || (options.backend === 'auto' && windowsDriverAvailable());
    return driver ? openWindowsDriverEndpoint(canonical, request) : openWindowsShmEndpoint(canonical, request);
  }
  if (process.platform !== 'linux') {
    throw new RingPipeError(ErrorCode.BackendUnavailable, `ringpipe runs on Linux and Windows, not on ${process.platform}`);
  }
  if (access !== 'write') tuneMallocForReading();
  const driver = options.backend === 'driver' || (options.backend === 'auto' && deviceExists());
  if (driver) return openLinuxDriverEndpoint(canonical, { capacity, mode, permissions, access, follow, owner: options.owner, ttl: options.ttl });
  return openLinuxShmEndpoint(canonical, { capacity, mode, permissions, owner: options.owner, ttl: options.ttl ?? 0 }, follow);
}

export function statPipeInfo(canonical: string): PipeInfo {
  return complete(process.platform === 'win32' ? statWindowsPipe(canonical) : statLinuxPipe(canonical));
}

export function listPipeInfos(): PipeInfo[] {
  const pipes: PipeInfo[] = (process.platform === 'win32' ? listWindowsPipes() : listLinuxPipes()).map(complete);
  return pipes.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.backend < b.backend ? -1 : 1));
}

/** Removes the name on the backend the options ask for ('auto': the shared-memory pipe of that name, else the driver's). */
export function removePipeOn(canonical: string, options: ResolvedRemoveOptions): void {
  if (process.platform === 'win32') return removeWindowsPipe(canonical, options.backend, options.ownerSid);
  if (process.platform !== 'linux') {
    throw new RingPipeError(ErrorCode.BackendUnavailable, `ringpipe runs on Linux and Windows, not on ${process.platform}`);
  }
  if (options.backend === 'driver') return removeLinuxDriverPipe(canonical);
  try {
    removeShmPipe(canonical, options.owner);
  } catch (err) {
    if (options.backend === 'shm' || (err as RingPipeError).code !== ErrorCode.NotFound || !deviceExists()) throw err;
    removeLinuxDriverPipe(canonical);
  }
}
