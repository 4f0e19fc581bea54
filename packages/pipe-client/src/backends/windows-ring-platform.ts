import { wakeCode } from '../ring/layout.js';
import type { RingPlatform } from '../ring/ring.js';
import { k32 } from '../platform/windows/kernel32.js';

/** The ring's platform for the two Windows backends: liveness by their rule, wakes by the wake word's code (WAKE_DATA, WAKE_SPACE). */
export function ringPlatform(alive: RingPlatform['alive'], wake: (code: number) => void): RingPlatform {
  return {
    alive,
    yieldCpu: () => void k32().SwitchToThread(),
    wake: (which) => wake(wakeCode(which)),
  };
}
