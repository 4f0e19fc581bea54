import { ErrorCode, RingPipeError } from '../errors.js';
import { IOCTL, STATUS } from './windows-driver/abi.js';
import { deviceIoControl, driverUnavailable, statusError, withDevice } from './windows-driver/device.js';
import { nameIn, notFound, openShmSection } from './windows-info.js';
import { closeHandle } from '../platform/windows/kernel32.js';
import { objectBase } from '../platform/windows/named-objects.js';
import { checkOwner, trustedOwners } from '../platform/windows/security.js';

/**
 * `removePipe` on Windows. The driver takes the name away (IOCTL_RINGPIPE_REMOVE:
 * open handles keep the old pipe, a kept pipe's unread messages go). An shm pipe's
 * section keeps its name while any handle has it and goes with the last one (it
 * keeps nothing unread), so an shm pipe that exists is open, and removing it is
 * ERR_RINGPIPE_BUSY; no section is ERR_RINGPIPE_NOT_FOUND. 'auto' asks the driver
 * first (only its pipes can be kept), then shm.
 */
export function removeWindowsPipe(canonical: string, backend: 'auto' | 'shm' | 'driver', ownerSid: string | undefined): void {
  if (backend !== 'shm') {
    const status = withDevice((h, ov) => deviceIoControl(h, IOCTL.remove, nameIn(canonical), null, ov).status);
    if (status === STATUS.success) return;
    if (status === STATUS.accessDenied) {
      throw new RingPipeError(ErrorCode.PermissionDenied, `pipe ${canonical} belongs to another session; only its creator or an administrator may remove it`);
    }
    if (status === STATUS.objectNameInvalid) throw new RingPipeError(ErrorCode.BadName, `the driver refused the name ${canonical}`);
    if (status !== undefined && status !== STATUS.objectNameNotFound) throw statusError(status, `removing ${canonical}`);
    if (backend === 'driver') throw status === undefined ? driverUnavailable() : notFound(canonical);
  }
  removeShmPipe(canonical, ownerSid);
}

function removeShmPipe(canonical: string, ownerSid: string | undefined): void {
  const base = objectBase(canonical);
  const mapping = openShmSection(canonical, base);
  try {
    try {
      checkOwner(mapping, trustedOwners(ownerSid), base);
    } catch {
      throw new RingPipeError(ErrorCode.PermissionDenied, `pipe ${canonical} (${base}) belongs to another user: not removed`);
    }
    throw new RingPipeError(
      ErrorCode.Busy,
      `shm pipe ${canonical} is open: on Windows its section goes with its last handle (nothing unread is kept), and cannot be removed while open`,
    );
  } finally {
    closeHandle(mapping);
  }
}
