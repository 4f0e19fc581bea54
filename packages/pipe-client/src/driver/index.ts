import type { RingStats } from '../ring/ring.js';
import { MODE_BYTE, MODE_MESSAGE } from '../ring/layout.js';
import { closeDevice, deviceExists, listOn, openDevice, statOn, unavailable } from './device.js';
import { DriverEndpoint } from './endpoint.js';
import { constants } from 'node:fs';
import { RingPipeError } from '../errors.js';

export { DriverEndpoint, type DriverIo } from './endpoint.js';
export { deviceExists as driverAvailable } from './device.js';

/** What openEndpoint passes: the resolved options of createPipe. */
export interface DriverOpenOptions {
  capacity: number;
  mode?: 'message' | 'byte';
  permissions: number;
  access: 'read' | 'write' | 'readwrite';
  follow: boolean;
  /** The uid an existing pipe must belong to (besides root); undefined: the caller's euid. */
  owner: number | undefined;
}

/** A handle on the pipe through /dev/ringpipe; BackendUnavailable when the module is not loaded. */
export function openDriverEndpoint(canonical: string, options: DriverOpenOptions): DriverEndpoint {
  if (!deviceExists()) throw unavailable();
  const mode = options.mode === undefined ? undefined : options.mode === 'byte' ? MODE_BYTE : MODE_MESSAGE;
  return new DriverEndpoint(canonical, { ...options, mode });
}

export interface DriverPipeInfo extends RingStats {
  name: string;
  backend: 'driver';
  /** The uid that owns the pipe (its creator). */
  owner: number;
}

/** Runs `use` on an unbound file of the device; undefined without a device this user may open. */
function withDevice<T>(use: (fd: number) => T): T | undefined {
  if (!deviceExists()) return undefined;
  let fd: number;
  try {
    fd = openDevice(constants.O_RDONLY);
  } catch (err) {
    if (err instanceof RingPipeError) return undefined; // unloaded meanwhile, or a node this user may not open
    throw err;
  }
  try {
    return use(fd);
  } finally {
    closeDevice(fd);
  }
}

function toPipeInfo(info: ReturnType<typeof listOn>[number]): DriverPipeInfo {
  const { name, uid, perm: _perm, refs: _refs, corrupt: _corrupt, ...stats } = info;
  return { name, backend: 'driver', owner: uid, ...stats };
}

/** The driver's statistics of the pipe, or undefined when the driver has no such pipe (or no driver). */
export function statDriverPipe(canonical: string): DriverPipeInfo | undefined {
  const info = withDevice((fd) => statOn(fd, canonical));
  return info && toPipeInfo(info);
}

/** The driver's pipes the caller owns or may read; none without the driver. */
export function listDriverPipes(): DriverPipeInfo[] {
  return (withDevice(listOn) ?? []).map(toPipeInfo);
}
