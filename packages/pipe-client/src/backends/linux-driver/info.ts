import { constants } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { ErrorCode, RingPipeError } from '../../errors.js';
import type { RingStats } from '../../ring/ring.js';
import { Ioctl, Remove } from './abi.js';
import { type DriverLifetime, closeDevice, deviceExists, driverError, ioctl, listOn, openDevice, putName, statOn } from './device.js';

export interface DriverPipeInfo extends RingStats, DriverLifetime {
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

/**
 * removePipe() for the driver: RINGPIPE_IOC_REMOVE takes the name away (like mq_unlink):
 * handles already open keep the pipe, a kept pipe goes with its unread messages.
 * ERR_RINGPIPE_NOT_FOUND without such a pipe (or without the driver),
 * ERR_RINGPIPE_PERMISSION_DENIED for another user's.
 */
export function removeLinuxDriverPipe(canonical: string): void {
  const r = withDevice((fd) => {
    const arg = Buffer.alloc(Remove.size);
    putName(arg, Remove.name, Remove.nameLen, canonical);
    return ioctl(fd, Ioctl.REMOVE, arg);
  });
  if (r === undefined || r === -osConstants.errno.ENOENT) {
    throw new RingPipeError(ErrorCode.NotFound, `no pipe named ${canonical} (driver)`);
  }
  if (r === -osConstants.errno.ENOTTY) {
    throw new RingPipeError(ErrorCode.BackendUnavailable, `the loaded ringpipe module predates removing pipes (ABI 2): reload it`);
  }
  if (r < 0) throw driverError(r, `removing pipe ${canonical}`);
}
