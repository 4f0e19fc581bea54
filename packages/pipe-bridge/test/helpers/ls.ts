import type { BridgeStatus } from '../../src/status.js';
import type { Host } from './hosts.js';

export interface ListedPipe {
  name: string;
  messagesIn: number;
  messagesOut: number;
  bridges: BridgeStatus[];
}

/** `ringpipe ls [--json]` on `host`: its stdout, and its stderr (which must be empty). */
export async function ls(host: Host, json = true): Promise<string> {
  const p = host.ringpipe(json ? ['ls', '--json'] : ['ls']);
  const code = await p.exited;
  if (code !== 0 || p.stderr() !== '') throw new Error(`ringpipe ls exited ${code}: ${p.stderr()}`);
  return p.stdout();
}

/** The pipes `ringpipe ls --json` shows on `host`. */
export async function listed(host: Host): Promise<ListedPipe[]> {
  return JSON.parse(await ls(host)) as ListedPipe[];
}

/** The bridges `ringpipe ls --json` shows on the pipe `name` of `host`. */
export async function bridgesOf(host: Host, name: string): Promise<BridgeStatus[]> {
  return (await listed(host)).find((p) => p.name === name)?.bridges ?? [];
}
