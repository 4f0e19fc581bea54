import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startNode, type Peer } from './processes.js';

/**
 * Peers that run as another user, wherever the checkout is (their fixtures run from the
 * world-readable copy of readable-copy.ts), and why they cannot run when they cannot (for skipLoudly
 * of tests/support):
 *
 *   const peer = peerAsUser(65534);
 *   if (!peer.ok) return skipLoudly(ctx, peer.reason);
 *   const other = peer.start(['try-open', name]);   // test/fixtures/peer.mjs as uid 65534
 */
export type UserPeer =
  | {
      ok: true;
      uid: number;
      gid: number;
      /** Starts test/fixtures/peer.mjs with these arguments as this user. */
      start(args: string[]): Peer;
      /** Starts another file of test/fixtures as this user. */
      startFixture(file: string, args: string[]): Peer;
    }
  | { ok: false; reason: string };

const FIXTURES = fileURLToPath(new URL('../fixtures', import.meta.url));

export function peerAsUser(uid: number, gid: number = uid): UserPeer {
  if (process.getuid?.() !== 0) {
    return { ok: false, reason: `needs root to start a process as uid ${uid} (running as uid ${process.getuid?.() ?? 'unknown'})` };
  }
  const startFixture = (file: string, args: string[]): Peer => startNode(join(FIXTURES, file), args, { uid, gid });
  return { ok: true, uid, gid, start: (args) => startFixture('peer.mjs', args), startFixture };
}
