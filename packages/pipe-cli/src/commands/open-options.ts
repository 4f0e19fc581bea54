import type { PipeOptions } from '@ringpipe/client';

/** Options shared by `write` and `read`, as commander parses them. */
export interface OpenFlags {
  backend: 'auto' | 'shm' | 'driver';
  bytes?: boolean;
  capacity?: number;
  permissions?: number;
  owner?: number | string;
}

export function pipeOptions(flags: OpenFlags, access: 'read' | 'write'): PipeOptions {
  return {
    access,
    backend: flags.backend,
    ...(flags.bytes ? { mode: 'byte' as const } : {}),
    ...(flags.capacity !== undefined ? { capacity: flags.capacity } : {}),
    ...(flags.permissions !== undefined ? { permissions: flags.permissions } : {}),
    ...(flags.owner !== undefined ? { owner: flags.owner } : {}),
  };
}
