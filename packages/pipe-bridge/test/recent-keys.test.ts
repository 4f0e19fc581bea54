import { describe, expect, it } from 'vitest';
import { RecentKeys } from '../src/recent-keys.js';

/** The obvious definition: a number is recent if it is among the last `limit` added. */
function naive(added: number[], limit: number, n: number): boolean {
  return added.slice(-limit).includes(n);
}

describe('RecentKeys', () => {
  it('remembers exactly the last `limit` numbers added', () => {
    const recent = new RecentKeys<number>(3);
    for (const n of [10, 11, 12]) recent.add(n);
    expect([10, 11, 12, 13].map((n) => recent.has(n))).toEqual([true, true, true, false]);
    recent.add(13);
    expect([10, 11, 12, 13].map((n) => recent.has(n))).toEqual([false, true, true, true]);
    recent.add(14);
    recent.add(15);
    expect([12, 13, 14, 15].map((n) => recent.has(n))).toEqual([false, true, true, true]);
  });

  it('a number added twice stays until its last copy leaves the window', () => {
    const recent = new RecentKeys<number>(2);
    recent.add(7);
    recent.add(7);
    expect(recent.has(7)).toBe(true);
    recent.add(8);
    expect(recent.has(7)).toBe(true);
    recent.add(9);
    expect(recent.has(7)).toBe(false);
    const one = new RecentKeys<number>(1);
    one.add(5);
    one.add(5);
    expect(one.has(5)).toBe(true);
  });

  it('agrees with the naive definition over many wraps of the window, repeats included', () => {
    const limit = 64;
    const recent = new RecentKeys<number>(limit);
    const added: number[] = [];
    let seed = 12345;
    const random = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % 200;
    for (let i = 0; i < 5_000; i++) {
      const n = random();
      recent.add(n);
      added.push(n);
      const probe = random();
      expect(recent.has(probe), `after ${i + 1} adds, has(${probe})`).toBe(naive(added, limit, probe));
    }
  });

  it('keeps the bridge size (65,536) across far more numbers than that', () => {
    const limit = 65_536;
    const recent = new RecentKeys<number>(limit);
    const total = 4 * limit + 123;
    for (let n = 1; n <= total; n++) recent.add(n);
    expect(recent.has(total - limit)).toBe(false);
    expect(recent.has(total - limit + 1)).toBe(true);
    expect(recent.has(total)).toBe(true);
    expect(recent.has(1)).toBe(false);
  });

  it('refuses a limit that is no positive integer', () => {
    expect(() => new RecentKeys<number>(0)).toThrow(RangeError);
    expect(() => new RecentKeys<number>(1.5)).toThrow(RangeError);
  });
});
