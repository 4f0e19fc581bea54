import { ERROR_ACCESS_DENIED, PROCESS_QUERY_LIMITED_INFORMATION, STILL_ACTIVE, closeHandle, k32 } from './kernel32.js';

/**
 * Whether a process exists and has not exited, on Windows: OpenProcess, then
 * GetExitCodeProcess (a process that exited but is still referenced has its exit
 * code instead of STILL_ACTIVE). One that exists but refuses us counts as alive.
 */
export function winProcessAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  if (pid === 0) return false;
  const h = k32().OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, 0, pid) as bigint;
  if (h === 0n) return k32().GetLastError() === ERROR_ACCESS_DENIED;
  const code = [0];
  const ok = k32().GetExitCodeProcess(h, code) as number;
  closeHandle(h);
  return !ok || code[0] === STILL_ACTIVE;
}
