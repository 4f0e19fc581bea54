import { ErrorCode, RingPipeError } from '../../errors.js';
import { k32 } from './kernel32.js';

/** Win32 errors as the README's codes; `what` names the object or the step. */
export function winError(what: string, code: number = k32().GetLastError() as number): RingPipeError {
  const detail = `${what} (Windows error ${code})`;
  switch (code) {
    case 5: // ERROR_ACCESS_DENIED
    case 1307: // ERROR_INVALID_OWNER
      return new RingPipeError(ErrorCode.PermissionDenied, `permission denied: ${detail}`);
    case 6: // ERROR_INVALID_HANDLE
      return new RingPipeError(ErrorCode.Closed, `the handle is closed: ${detail}`);
    case 8: // ERROR_NOT_ENOUGH_MEMORY
    case 14: // ERROR_OUTOFMEMORY
    case 112: // ERROR_DISK_FULL
    case 1450: // ERROR_NO_SYSTEM_RESOURCES
    case 1455: // ERROR_COMMITMENT_LIMIT
      return new RingPipeError(ErrorCode.NoSpace, `no room for the ring: ${detail}`);
    case 1392: // ERROR_FILE_CORRUPT
      return new RingPipeError(ErrorCode.Corrupt, `corrupt ring: ${detail}`);
    case 995: // ERROR_OPERATION_ABORTED
      return new RingPipeError(ErrorCode.Closed, `closed: ${detail}`);
    default:
      // Anything else means the OS refused the backend something it needs to run.
      return new RingPipeError(ErrorCode.BackendUnavailable, `${detail} failed`);
  }
}
