import type { WakeWord } from '../../mapped-endpoint.js';
import { Off } from '../../ring/layout.js';
import type { RingPlatform } from '../../ring/ring.js';
import { WAKE_DATA, WAKE_SPACE } from '../../backends/windows-driver/abi.js';
import { k32 } from './kernel32.js';

/** The driver ABI's name of a wake word (WAKE_DATA or WAKE_SPACE), which the shm backend uses too. */
export const wakeCode = (which: WakeWord | number): number => (which === Off.spaceSeq ? WAKE_SPACE : WAKE_DATA);

export function ringPlatform(alive: RingPlatform['alive'], wake: (code: number) => void): RingPlatform {
  return {
    alive,
    yieldCpu: () => void k32().SwitchToThread(),
    wake: (byteOffset) => wake(wakeCode(byteOffset)),
  };
}
