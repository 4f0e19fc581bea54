import koffi from 'koffi';
import type { Endpoint } from '../../endpoint.js';
import { ErrorCode, RingPipeError } from '../../errors.js';
import { HEADER_SIZE, MODE_BYTE, MODE_MESSAGE, OS_WAITER, W, wakeCode } from '../../ring/layout.js';
import { Ring } from '../../ring/ring.js';
import { initHeader } from '../../ring/header.js';
import { MAX_CAPACITY, MIN_CAPACITY } from '../../options.js';
import type { WinOpenRequest } from '../windows-driver/open.js';
import { winError } from '../../platform/windows/errors.js';
import { FILE_MAP_READ, FILE_MAP_WRITE, closeHandle, k32 } from '../../platform/windows/kernel32.js';
import { busy, createMutex, createSection, objectBase, takeMutex, type Trust } from '../../platform/windows/named-objects.js';
import { MappedEndpoint, type RingTransport } from '../../mapped-endpoint.js';
import { ringPlatform } from '../windows-ring-platform.js';
import { handleWaiter } from '../../platform/windows/waiter.js';
import { trustedOwners } from '../../platform/windows/security.js';
import { ShmWaker } from './wake.js';
import { anySlotLive, claimSlot, slotLive, type HeldSlot } from './slot-liveness.js';

/** How long an opener waits for BASE#lock before it reports BUSY (a holder attaches in milliseconds). */
const LOCK_WAIT_MS = 1000;

/** The size of the view at address (the whole mapping: views are mapped whole). */
export function viewSize(address: bigint): number {
  const info = Buffer.alloc(48);
  k32().VirtualQuery(address, info, info.length);
  return Number(info.readBigUInt64LE(24));
}

/** Slot liveness of the ring at `base` (pid 0: never attached, or detached). */
export const shmAlive =
  (base: string) =>
  (slot: number, pid: number): boolean =>
    pid !== 0 && slotLive(base, slot);

/**
 * `backend: 'shm'`: the ring in the section Local\ringpipe.NAME, joined under the
 * mutex BASE#lock (waited for at most 1 s), the slot held through its mutex, and
 * wake-ups through ShmWaker. See named-objects.ts for the objects.
 */
export function openWindowsShmEndpoint(canonical: string, request: WinOpenRequest): Endpoint {
  const base = objectBase(canonical);
  const trust: Trust = { permissions: request.permissions, owners: trustedOwners(request.ownerSid) };
  const lock = createMutex(`${base}#lock`, trust);
  if (!takeMutex(lock, LOCK_WAIT_MS, `${base}#lock`)) {
    closeHandle(lock);
    throw busy(`pipe ${canonical}'s lock (${base}#lock)`);
  }
  let section = 0n;
  let address = 0n;
  let held: HeldSlot | undefined;
  let waker: ShmWaker | undefined;
  try {
    const size = HEADER_SIZE + request.capacity;
    const created = createSection(base, size, trust);
    section = created.h;
    address = k32().MapViewOfFile(section, FILE_MAP_READ | FILE_MAP_WRITE, 0, 0, 0) as bigint;
    if (address === 0n) throw winError(`MapViewOfFile of ${base}`);
    const length = created.existed ? viewSize(address) : size;
    const buffer = koffi.view(address, length) as ArrayBuffer;
    // A section whose slots nobody holds (every handle crashed, or it was just made) starts afresh.
    const fresh = !created.existed || !anySlotLive(base);
    if (fresh) initialise(buffer, length, request.mode ?? MODE_MESSAGE, canonical);
    let wake = (_code: number): void => {};
    const ring = new Ring(buffer, ringPlatform(shmAlive(base), (code) => wake(code)));
    if (request.mode !== undefined && request.mode !== ring.mode) {
      const want = request.mode === MODE_BYTE ? 'byte' : 'message';
      throw new RingPipeError(ErrorCode.ModeMismatch, `pipe ${canonical} exists in ${ring.stats().mode} mode, not ${want} mode`);
    }
    held = claimSlot(base, trust);
    if (!held) throw new RingPipeError(ErrorCode.TooManyHandles, `pipe ${canonical} has all of its 128 handles open`);
    const slot = held.slot;
    const shmWaker = (waker = ShmWaker.open(base, slot, trust));
    wake = (code) => shmWaker.wake(code);
    ring.attach(slot, process.pid);
    k32().ReleaseMutex(lock);
    closeHandle(lock);
    const mine = { section, address, held };
    const transport: RingTransport = {
      sleep: (which, words, seq) => shmWaker.sleep(wakeCode(which), words, W(which), seq),
      waiterKind: OS_WAITER,
      pollFirstUs: 0,
      // The process-wide wait may still hold our events: close them only once it let go.
      quiesce: () => handleWaiter.quiesce(),
      release() {
        // No lock needed: the slot stops being live when its mutex is released, after the detach.
        ring.detach(slot);
        mine.held.release();
        shmWaker.close();
        k32().UnmapViewOfFile(mine.address);
        closeHandle(mine.section);
      },
    };
    return Object.assign(new MappedEndpoint(canonical, 'shm', ring, buffer, slot, request.follow, transport), { created: fresh });
  } catch (err) {
    waker?.close();
    held?.release();
    if (address !== 0n) k32().UnmapViewOfFile(address);
    closeHandle(section);
    k32().ReleaseMutex(lock);
    closeHandle(lock);
    throw err;
  }
}

/** A fresh header over a section of `length` bytes, which must be a header page and a ring a power of two long. */
function initialise(buffer: ArrayBuffer, length: number, mode: number, canonical: string): void {
  const capacity = length - HEADER_SIZE;
  if (capacity < MIN_CAPACITY || capacity > MAX_CAPACITY || (capacity & (capacity - 1)) !== 0) {
    throw new RingPipeError(ErrorCode.Corrupt, `the section of pipe ${canonical} is ${length} bytes long, not a ringpipe segment`);
  }
  initHeader(buffer, capacity, mode);
}
