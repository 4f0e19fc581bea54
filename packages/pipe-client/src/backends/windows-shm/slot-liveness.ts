import { SLOT_COUNT } from '../../ring/layout.js';
import { MUTEX_USE, WAIT_ABANDONED, WAIT_OBJECT_0, closeHandle, k32 } from '../../platform/windows/kernel32.js';
import { createMutex, type Trust } from '../../platform/windows/named-objects.js';

// Slot liveness of the shm backend (docs/ring-format.md, "Liveness"): the handle
// attached to slot N holds the named mutex BASE#slotN, taken by this process's main
// thread. Windows releases a mutex whose owning thread ends, as abandoned, so a slot
// is live exactly while some thread holds its mutex: no pid, no PID reuse.

const slotMutexName = (base: string, slot: number): string => `${base}#slot${slot}`;

/** Slots this process holds, per pipe: a mutex is recursive, so our own wait would succeed. */
const held = new Map<string, Set<number>>();

/** Whether some live handle holds slot `slot` of the pipe at `base`. */
export function slotLive(base: string, slot: number): boolean {
  if (held.get(base)?.has(slot)) return true;
  const h = k32().OpenMutexW(MUTEX_USE, 0, slotMutexName(base, slot)) as bigint;
  // No such mutex: nobody holds the slot. One we may not open is someone else's: live.
  if (h === 0n) return (k32().GetLastError() as number) === 5;
  try {
    const got = k32().WaitForSingleObject(h, 0) as number;
    if (got !== WAIT_OBJECT_0 && got !== WAIT_ABANDONED) return true;
    k32().ReleaseMutex(h);
    return false;
  } finally {
    closeHandle(h);
  }
}

export function anySlotLive(base: string): boolean {
  for (let slot = 0; slot < SLOT_COUNT; slot++) if (slotLive(base, slot)) return true;
  return false;
}

export interface HeldSlot {
  readonly slot: number;
  release(): void;
}

/**
 * Makes the lowest slot nobody holds ours by taking its mutex; undefined when all
 * 128 are held. A peer that checks a free slot holds its mutex for a moment: that
 * slot is skipped, the next one taken.
 */
export function claimSlot(base: string, trust: Trust): HeldSlot | undefined {
  let mine = held.get(base);
  for (let slot = 0; slot < SLOT_COUNT; slot++) {
    if (mine?.has(slot)) continue;
    const h = createMutex(slotMutexName(base, slot), trust);
    const got = k32().WaitForSingleObject(h, 0) as number;
    if (got !== WAIT_OBJECT_0 && got !== WAIT_ABANDONED) {
      closeHandle(h);
      continue;
    }
    if (!mine) held.set(base, (mine = new Set()));
    mine.add(slot);
    const set = mine;
    return {
      slot,
      release() {
        k32().ReleaseMutex(h);
        closeHandle(h);
        set.delete(slot);
        if (set.size === 0 && held.get(base) === set) held.delete(base);
      },
    };
  }
  return undefined;
}
