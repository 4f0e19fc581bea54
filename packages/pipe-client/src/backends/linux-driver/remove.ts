import { ErrorCode, RingPipeError } from '../../errors.js';

/** `removePipe` on the Linux driver: drops the driver's kept ring of that name. */
export function removeLinuxDriverPipe(canonical: string, owner: number | undefined): void {
  void canonical;
  void owner;
  throw new RingPipeError(ErrorCode.BackendUnavailable, 'not supported on this backend yet');
}
