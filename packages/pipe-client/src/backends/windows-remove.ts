import { ErrorCode, RingPipeError } from '../errors.js';
import { IOCTL, STATUS } from './windows-driver/abi.js';
import { deviceIoControl, driverUnavailable, statusError, withDevice } from './windows-driver/device.js';
import { nameIn, notFound } from './windows-info.js';
import { removeShmPipe } from './windows-shm/inspect.js';

/**
 * `removePipe` on Windows, like mq_unlink on both backends: the driver takes the name
 * away (IOCTL_RINGPIPE_REMOVE), the shm backend stops its name page naming the open
 * incarnation and removes the kept file (windows-shm/inspect.ts). Open handles keep the
 * old pipe; a kept pipe's unread messages go. 'auto' asks the driver first, then shm.
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
