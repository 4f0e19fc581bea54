import { readdirSync } from 'node:fs';
import { ErrorCode, RingPipeError } from '../errors.js';
import { isCanonicalName } from '../name.js';
import type { RingStats } from '../ring/ring.js';
import { listDriverPipes, statDriverPipe } from './linux-driver/info.js';
import { inspectShmPipe } from './linux-shm/inspect.js';
import { SHM_DIR, SHM_PREFIX } from './linux-shm/segment.js';

export interface LinuxPipeInfo extends RingStats {
  name: string;
  backend: 'shm' | 'driver';
  /** The uid that owns the pipe, where the backend says so cheaply (the driver does). */
  owner?: number;
  kept?: boolean;
  unreadMessages?: number;
  unreadBytes?: number;
  keptSince?: number;
  ttl?: number;
}

/** A pipe's statistics without attaching: the shared-memory segment's (open or kept), else the driver's. */
export function statLinuxPipe(canonical: string): LinuxPipeInfo {
  const info = inspectShmPipe(canonical);
  if (info) return { name: canonical, backend: 'shm', ...info };
  const driverInfo = statDriverPipe(canonical);
  if (driverInfo) return driverInfo;
  throw new RingPipeError(ErrorCode.NotFound, `no pipe named ${canonical} is open or kept`);
}

/** The driver's pipes and the shared-memory ones the caller may read (open or kept); nothing is removed but expired pipes. */
export function listLinuxPipes(): LinuxPipeInfo[] {
  let entries: string[];
  try {
    entries = readdirSync(SHM_DIR);
  } catch {
    entries = [];
  }
  const pipes: LinuxPipeInfo[] = listDriverPipes();
  for (const entry of entries.sort()) {
    if (!entry.startsWith(SHM_PREFIX)) continue;
    const name = entry.slice(SHM_PREFIX.length);
    // Anything but a canonical pipe name (a bell, a file someone named to forge a row) is skipped.
    if (!isCanonicalName(name)) continue;
    try {
      const info = inspectShmPipe(name);
      if (info) pipes.push({ name, backend: 'shm', ...info });
    } catch {
      // Closed meanwhile, another user's we may not read, or not a pipe.
    }
  }
  return pipes;
}
