import { describe, expect, it } from 'vitest';
import { AckedLately, KEEP_ACKED_MS } from '../src/acked-lately.js';
import { CopyArena, type Copy } from '../src/copy-arena.js';

/** A message of `n` bytes that says which it is: byte i is (tag + i) mod 251. */
function message(tag: number, n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = (tag + i) % 251;
  return b;
}

describe('CopyArena: the --to bridge\'s copies of acknowledged messages, in reused slabs', () => {
  it('every copy keeps its bytes while others are made and freed in any order', () => {
    const arena = new CopyArena();
    const live = new Map<number, Copy>();
    let seed = 7;
    const random = (below: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % below);
    for (let tag = 0; tag < 20_000; tag++) {
      live.set(tag, arena.copy(message(tag, 1 + random(20_000))));
      // free a random one of the older copies now and then
      if (random(3) > 0) {
        const keys = [...live.keys()];
        const gone = keys[random(keys.length)]!;
        arena.free(live.get(gone)!);
        live.delete(gone);
      }
    }
    for (const [tag, copy] of live) expect(copy.data.equals(message(tag, copy.data.length)), `copy ${tag}`).toBe(true);
  });

  it('a slab whose copies are all freed is used again, so a steady stream takes no fresh memory', () => {
    const arena = new CopyArena();
    const slabs = new Set<ArrayBufferLike>();
    const window: Copy[] = [];
    for (let tag = 0; tag < 5_000; tag++) {
      const copy = arena.copy(message(tag, 16_384));
      slabs.add(copy.data.buffer);
      window.push(copy);
      // about 2 MiB kept at a time, as AckedLately keeps what was acknowledged lately
      if (window.length > 128) arena.free(window.shift()!);
    }
    // 80 MB copied through 1 MiB slabs, at most 2 MiB of copies alive: a handful of slabs
    expect(slabs.size).toBeLessThanOrEqual(5);
  });

  it('a message larger than a quarter of a slab gets a copy of its own', () => {
    const arena = new CopyArena();
    const big = message(3, 300_000);
    const copy = arena.copy(big);
    expect(copy.slab).toBeUndefined();
    expect(copy.data.equals(big)).toBe(true);
    arena.free(copy);
  });

  it('AckedLately gives the copies it forgets back to the arena', () => {
    const arena = new CopyArena();
    const acked = new AckedLately(arena);
    const first = arena.copy(message(1, 1000));
    acked.add(first, 'a/1', 1, 0);
    expect(first.slab?.live).toBe(1);
    acked.add(arena.copy(message(2, 1000)), 'a/2', 2, KEEP_ACKED_MS + 1);
    expect(first.slab?.live).toBe(1); // the first aged out; the second is alive in the same slab
    expect(acked.takeAfter(1).map((a) => a.id)).toEqual(['a/2']);
  });
});
