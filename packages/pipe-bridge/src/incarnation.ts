import { randomUUID } from 'node:crypto';
import { statSync } from 'node:fs';
import { hostname } from 'node:os';
import type { RingPipe } from '@ringpipe/client';

/**
 * Who this pipe is, for message ids: the same for every handle while the pipe
 * lives, different for the next pipe of the same name and for a pipe of the same
 * name on another host. On the shared-memory backend, the host name and the
 * segment file's inode and birth time (nanoseconds); elsewhere a random id per
 * bridge run, so ids stay unique but a restarted bridge cannot repeat them.
 */
export function pipeIncarnation(pipe: RingPipe): { id: string; stable: boolean } {
  const id = pipe.backend === 'shm' ? segmentIncarnation(pipe.name) : undefined;
  return id !== undefined ? { id, stable: true } : { id: `${hostname()}/${randomUUID()}`, stable: false };
}

/** The incarnation of the shared-memory pipe `name` that exists now (Linux), or undefined when there is none. */
export function segmentIncarnation(name: string): string | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    const stat = statSync(`/dev/shm/ringpipe.${name}`, { bigint: true });
    const born = stat.birthtimeNs !== 0n ? stat.birthtimeNs : stat.ctimeNs;
    return `${hostname()}/${stat.ino}.${born}`;
  } catch {
    return undefined;
  }
}
