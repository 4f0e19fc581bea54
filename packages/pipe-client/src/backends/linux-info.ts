import { readdirSync } from 'node:fs';
import { ErrorCode, RingPipeError } from '../errors.js';
import type { RingStats } from '../ring/ring.js';
import { listDriverPipes, statDriverPipe } from './linux-driver/info.js';
import { SHM_DIR, SHM_PREFIX, removeIfLeftOver, withSegmentReadOnly } from './linux-shm/segment.js';

export interface LinuxPipeInfo extends RingStats {
  name: string;
  backend: 'shm' | 'driver';
  /** The uid that owns the pipe, where the backend says so cheaply (the driver does). */
  owner?: number;
}

/** A pipe's statistics without attaching: the shared-memory segment's, else the driver's. */
export function statLinuxPipe(canonical: string): LinuxPipeInfo {
  const info = withSegmentReadOnly(canonical, (ring) => ring.stats());
  if (info && info.handles > 0) return { name: canonical, backend: 'shm', ...info };
  const driverInfo = statDriverPipe(canonical);
  if (driverInfo) return driverInfo;
  throw new RingPipeError(ErrorCode.NotFound, `no pipe named ${canonical} is open`);
}

/** The driver's pipes and the shared-memory ones the caller may read; our left-over segments are removed on the way. */
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
    // Pipe names are upper case; a lower-case tail is a pipe's bell (bell.ts).
    if (name !== name.toUpperCase()) continue;
    try {
      pipes.push(statLinuxPipe(name));
    } catch (err) {
      // Closed meanwhile, another user's, or not a pipe of ours; one whose handles all died is removed.
      if ((err as RingPipeError).code === ErrorCode.NotFound) removeIfLeftOver(name);
    }
  }
  return pipes;
}
