// A ring in memory for tests of the ring itself (src/ring/): no segment file, no process.
import { expect } from 'vitest';
import { HEADER_SIZE, MODE_MESSAGE } from '../../src/ring/layout.js';
import { BUSY, EMPTY, Ring } from '../../src/ring/ring.js';
import { initHeader } from '../../src/ring/header.js';

/** A message ring in plain memory, with slots made live by attach() and dead by removing them from `live`. */
export function ringOf(capacity = 256): { ring: Ring; live: Set<number>; attach(): number } {
  const segment = new ArrayBuffer(HEADER_SIZE + capacity);
  initHeader(segment, capacity, MODE_MESSAGE);
  const live = new Set<number>();
  const ring = new Ring(segment, { alive: (slot) => live.has(slot), yieldCpu: () => {}, wake: () => {}, lockAttempts: 4 });
  return {
    ring,
    live,
    attach: () => {
      const slot = ring.firstFreeSlot();
      live.add(slot);
      ring.attach(slot, 100 + slot);
      return slot;
    },
  };
}

export const bytes = (...texts: string[]): Buffer[] => texts.map((t) => Buffer.from(t));

/** Every message a reader gets now, as text, checking dead writers' reservations. */
export function drain(ring: Ring, slot: number): string[] {
  const out: string[] = [];
  for (;;) {
    const got = ring.read(slot, Infinity, true);
    if (typeof got === 'number') {
      expect([EMPTY, BUSY]).toContain(got);
      return out;
    }
    out.push(got.toString());
  }
}
