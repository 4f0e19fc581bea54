import { ErrorCode, RingPipeError } from '../errors.js';

/** `removePipe` on Windows (its driver, or its named shared memory). */
export function removeWindowsPipe(canonical: string, backend: 'auto' | 'shm' | 'driver', ownerSid: string | undefined): void {
  void canonical;
  void backend;
  void ownerSid;
  throw new RingPipeError(ErrorCode.BackendUnavailable, 'not supported on this backend yet');
}
