import { constants } from 'node:fs';
import { RingPipeError } from '../../errors.js';
import type { RingStats } from '../../ring/ring.js';
import { closeDevice, deviceExists, listOn, openDevice, statOn } from './device.js';

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
