// The permissions option between users: owner-only keeps another uid out, 0o666 lets it in.
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { killChildren, skipLoudly, uniqueName } from '../../../tests/support/index.js';
import { createPipe, ErrorCode, statPipe } from '../src/index.js';
import { peerAsUser } from './helpers/peer-as-user.js';

afterEach(killChildren);

describe('between real processes', () => {
  it('denies another user a pipe with owner-only permissions', async (ctx) => {
    const peer = peerAsUser(65534);
    if (!peer.ok) return skipLoudly(ctx, peer.reason);
    const name = uniqueName('PRIVATE');
    const mine = createPipe(name);
    const other = peer.start(['try-open', name]);
    expect((await other.done).result).toEqual({ error: ErrorCode.PermissionDenied });
    mine.destroy();
    await once(mine, 'close');
  });

  it('lets another user in when the permissions say so', async (ctx) => {
    const peer = peerAsUser(65534);
    if (!peer.ok) return skipLoudly(ctx, peer.reason);
    const name = uniqueName('SHARED');
    const mine = createPipe(name, { permissions: 0o666 });
    const other = peer.start(['try-open', name]);
    expect((await other.done).result).toEqual({ ok: true });
    expect(statPipe(name).handles).toBe(1);
    mine.destroy();
    await once(mine, 'close');
  });
});
