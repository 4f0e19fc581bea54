import { createRequire } from 'node:module';
import type { BridgeStatus } from '@ringpipe/bridge/status';

// @ringpipe/bridge is an optional peer dependency: `ringpipe bridge` needs it, the other commands do not.

const load = createRequire(import.meta.url);

export const BRIDGE_MISSING =
  'ringpipe bridge needs the @ringpipe/bridge package, which is not installed: npm install @ringpipe/bridge ' +
  '(beside @ringpipe/cli; with a global ringpipe: npm install --global @ringpipe/bridge)';

/** Whether @ringpipe/bridge is installed where this CLI can import it. */
export function bridgeInstalled(): boolean {
  try {
    // As import() resolves it (require would also look in NODE_PATH, which import() ignores).
    import.meta.resolve('@ringpipe/bridge/package.json');
    return true;
  } catch {
    return false;
  }
}

/** The bridges running on this host, as their status files tell; none when the bridge package is not installed. */
export function runningBridges(): BridgeStatus[] {
  if (!bridgeInstalled()) return [];
  return (load('@ringpipe/bridge/status') as typeof import('@ringpipe/bridge/status')).listBridges();
}

/** Removes what bridges kept on this host for the removed pipe `name` (@ringpipe/bridge's forgetPipe); nothing without the bridge package. */
export function forgetBridgedPipe(name: string): void {
  if (!bridgeInstalled()) return;
  (load('@ringpipe/bridge/status') as typeof import('@ringpipe/bridge/status')).forgetPipe(name);
}
