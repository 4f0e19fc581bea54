import { readFileSync, readlinkSync } from 'node:fs';

/** What identifies a live process beyond its pid: its start time and PID namespace (Linux), else nothing. */
export interface ProcessIdentity {
  started?: string;
  pidNamespace?: string;
}

export function processIdentity(pid: number | 'self'): ProcessIdentity | undefined {
  if (process.platform !== 'linux') return {};
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // Field 2 (the command) is in parentheses and may hold spaces and ')': the fields after the last ')' are 3, 4, ...
    const started = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[22 - 3];
    if (started === undefined || !/^\d+$/.test(started)) return undefined;
    return { started, pidNamespace: pidNamespace(pid) };
  } catch {
    return undefined;
  }
}

function pidNamespace(pid: number | 'self'): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/ns/pid`);
  } catch {
    return undefined;
  }
}

/** Whether a process with this pid runs (EPERM: it does, as another user's). */
function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * 'alive', 'dead', or 'unknown' when this process cannot tell: the record comes from
 * another PID namespace (a container sharing /dev/shm), where its pid means nothing here.
 */
export function liveness(pid: number, recorded: ProcessIdentity): 'alive' | 'dead' | 'unknown' {
  if (process.platform !== 'linux') return pidExists(pid) ? 'alive' : 'dead';
  const ours = pidNamespace('self');
  if (recorded.pidNamespace === undefined || ours === undefined || recorded.pidNamespace !== ours) return 'unknown';
  const now = processIdentity(pid);
  if (now === undefined) return pidExists(pid) ? 'unknown' : 'dead';
  return now.started === recorded.started ? 'alive' : 'dead';
}
