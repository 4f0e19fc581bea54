import koffi from 'koffi';
import type { Endpoint } from '../../endpoint.js';
import { ErrorCode, RingPipeError } from '../../errors.js';
import { MODE_BYTE, OS_WAITER, W, wakeCode } from '../../ring/layout.js';
import { Ring } from '../../ring/ring.js';
import type { WinOpenRequest } from '../windows-driver/open.js';
import { existingKeptFolder, identityAt, keptFilePath, removeKeptFile, sameFile, type FileIdentity } from '../../platform/windows/kept-files.js';
import { closeHandle, k32 } from '../../platform/windows/kernel32.js';
import { busy, createMutex, objectBase, takeMutex, type Trust } from '../../platform/windows/named-objects.js';
import { MappedEndpoint, type RingTransport } from '../../mapped-endpoint.js';
import { ringPlatform } from '../windows-ring-platform.js';
import { handleWaiter } from '../../platform/windows/waiter.js';
import { trustedOwners } from '../../platform/windows/security.js';
import { ShmWaker } from './wake.js';
import { anySlotLive, claimSlot, type HeldSlot } from './slot-liveness.js';
import { findIncarnation, shmAlive, unmapIncarnation, type Incarnation } from './incarnation.js';
import { NamePage } from './name-page.js';

/** How long an opener waits for BASE#lock before it reports BUSY (a holder attaches in milliseconds). */
const LOCK_WAIT_MS = 1000;
/** How long a closer waits for it; without it the closer leaves the decision to the next opener. */
const CLOSE_LOCK_WAIT_MS = 250;

/**
 * `backend: 'shm'`: under the mutex BASE#lock (waited for at most 1 s), the ring of the
 * incarnation the name page Local\ringpipe.NAME names (name-page.ts), or the pipe kept in
 * the user's file, or a new one (incarnation.ts); the slot held through its mutex, and
 * wake-ups through ShmWaker. The lock stays open: the last closer decides under it whether
 * the pipe is kept (something unread) or its file removed. See named-objects.ts.
 */
export function openWindowsShmEndpoint(canonical: string, request: WinOpenRequest): Endpoint {
  const base = objectBase(canonical);
  const trust: Trust = { permissions: request.permissions, owners: trustedOwners(request.ownerSid) };
  const lock = createMutex(`${base}#lock`, trust);
  if (!takeMutex(lock, LOCK_WAIT_MS, `${base}#lock`)) {
    closeHandle(lock);
    throw busy(`pipe ${canonical}'s lock (${base}#lock)`);
  }
  let page: NamePage | undefined;
  let inc: Incarnation | undefined;
  let held: HeldSlot | undefined;
  let waker: ShmWaker | undefined;
  try {
    page = NamePage.open(base, trust);
    inc = findIncarnation(canonical, base, page, { ...request, ttl: request.ttl ?? 0 }, trust);
    const { base: ringBase, generation } = inc;
    const buffer = koffi.view(inc.address, inc.length) as ArrayBuffer;
    let wake = (_code: number): void => {};
    const ring = new Ring(buffer, ringPlatform(shmAlive(ringBase), (code) => wake(code)));
    if (request.mode !== undefined && request.mode !== ring.mode) {
      const want = request.mode === MODE_BYTE ? 'byte' : 'message';
      throw new RingPipeError(ErrorCode.ModeMismatch, `pipe ${canonical} exists in ${ring.stats().mode} mode, not ${want} mode`);
    }
    held = claimSlot(ringBase, trust);
    if (!held) throw new RingPipeError(ErrorCode.TooManyHandles, `pipe ${canonical} has all of its 128 handles open`);
    const slot = held.slot;
    const shmWaker = (waker = ShmWaker.open(ringBase, slot, trust));
    wake = (code) => shmWaker.wake(code);
    ring.attach(slot, process.pid);
    ring.keptSinceMs = 0;
    if (inc.file) page.set(generation, inc.file);
    k32().ReleaseMutex(lock);
    const mine = { inc, page, held };
    const transport: RingTransport = {
      sleep: (which, words, seq) => shmWaker.sleep(wakeCode(which), words, W(which), seq),
      waiterKind: OS_WAITER,
      pollFirstUs: 0,
      // The process-wide wait may still hold our events: close them only once it let go.
      quiesce: () => handleWaiter.quiesce(),
      release() {
        // The slot stops being live when its mutex is released, after the detach.
        ring.detach(slot);
        mine.held.release();
        shmWaker.close();
        lastCloser(canonical, lock, mine.page, mine.inc, ring);
      },
    };
    return Object.assign(new MappedEndpoint(canonical, 'shm', ring, buffer, slot, request.follow, transport), { created: inc.created });
  } catch (err) {
    waker?.close();
    held?.release();
    if (inc) {
      unmapIncarnation(inc);
      if (inc.madeFile) removeKeptFile(inc.madeFile);
    }
    page?.close();
    k32().ReleaseMutex(lock);
    closeHandle(lock);
    throw err;
  }
}

/**
 * Lets go of the ring. A closer that finds, under BASE#lock, no live handle left on its
 * incarnation (still the name's) keeps the pipe when something is unread (stamping when)
 * and else removes its kept file (when it is the user's own: another user's closer leaves
 * it to its owner's next open, which replaces a file with nothing unread). Never waits long,
 * so it also runs at exit.
 */
function lastCloser(canonical: string, lock: bigint, page: NamePage, inc: Incarnation, ring: Ring): void {
  let locked = false;
  let mapped = true;
  const unmap = (): void => {
    if (mapped) unmapIncarnation(inc);
    mapped = false;
  };
  try {
    locked = takeMutex(lock, CLOSE_LOCK_WAIT_MS, 'the pipe lock');
    if (locked && page.generation === inc.generation && !anySlotLive(inc.base)) {
      const file = page.file;
      if (unreadOrBroken(ring)) {
        ring.keptSinceMs = Date.now();
      } else {
        unmap();
        page.set(0n);
        removeOwnFile(canonical, file);
      }
    }
  } catch {
    // the lock failed us: the section goes as it is, the next opener decides
  } finally {
    unmap();
    page.close();
    if (locked) k32().ReleaseMutex(lock);
    closeHandle(lock);
  }
}

/** Whether the ring has something unread, or cannot say (a ring a peer broke is kept for a look, never removed unasked). */
function unreadOrBroken(ring: Ring): boolean {
  try {
    return ring.unread().messages > 0;
  } catch {
    return true;
  }
}

/** Removes the pipe's file in our folder if it is `file` (not a newer incarnation's, not another user's). */
function removeOwnFile(canonical: string, file: FileIdentity): void {
  try {
    const folder = existingKeptFolder();
    if (!folder) return;
    const path = keptFilePath(folder, canonical);
    const at = identityAt(path);
    if (at && sameFile(at, file)) removeKeptFile(path);
  } catch {
    // not ours to remove: the next open of the name replaces a file with nothing unread
  }
}
