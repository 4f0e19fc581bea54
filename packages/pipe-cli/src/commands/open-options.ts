import type { PipeOptions, RingPipe } from '@ringpipe/client';

/** Options shared by `write` and `read`, as commander parses them. */
export interface OpenFlags {
  backend: 'auto' | 'shm' | 'driver';
  bytes?: boolean;
  capacity?: number;
  permissions?: number;
  owner?: number | string;
  ttl?: number;
}

/** A byte-mode pipe the CLI creates carries bulk data: a larger ring lets both ends run with fewer waits. */
export const BYTES_CAPACITY = 4 * 1024 * 1024;

export function pipeOptions(flags: OpenFlags, access: 'read' | 'write'): PipeOptions {
  const capacity = flags.capacity ?? (flags.bytes ? BYTES_CAPACITY : undefined);
  return {
    access,
    backend: flags.backend,
    ...(flags.bytes ? { mode: 'byte' as const } : {}),
    ...(capacity !== undefined ? { capacity } : {}),
    ...(flags.permissions !== undefined ? { permissions: flags.permissions } : {}),
    ...(flags.owner !== undefined ? { owner: flags.owner } : {}),
    ...(flags.ttl !== undefined ? { ttl: flags.ttl } : {}),
  };
}

/** A note on stderr for each flag that had no effect because the pipe existed already. */
export function noteIgnoredFlags(pipe: RingPipe, flags: OpenFlags): void {
  if (pipe.created) return;
  const ignored = [
    ...(flags.capacity !== undefined ? [`--capacity (its capacity is ${pipe.capacity} bytes)`] : []),
    ...(flags.permissions !== undefined ? ['--permissions'] : []),
  ];
  if (ignored.length > 0) process.stderr.write(`ringpipe: note: pipe ${pipe.name} exists already: ${ignored.join(' and ')} had no effect\n`);
}
