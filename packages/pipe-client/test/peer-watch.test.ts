// The process-wide peer watch (src/wait/peer-watch.ts): sleepers on bells are looked at by one
// timer, woken only when their word moved or their look says so. Judged by counts.
import { describe, expect, it } from 'vitest';
import { peerWatch } from '../src/wait/peer-watch.js';

const sleepMs = (ms: number): Promise<unknown> => new Promise((resolve) => setTimeout(resolve, ms));

describe('the peer watch', () => {
  it('looks at a quiet sleeper without waking it, wakes it when its word moves, and stops when told', async () => {
    const words = new Int32Array(2);
    let looks = 0;
    let wakes = 0;
    const stop = peerWatch.watch({ everyMs: 200, words, index: 1, seq: 0, due: () => (looks++, false), wake: () => wakes++ });
    await sleepMs(1300);
    expect(wakes, 'a quiet sleeper is not woken').toBe(0);
    expect(looks, 'its peers are looked at (every 200 ms, the first within the first period)').toBeGreaterThanOrEqual(2);
    words[1] = 1; // a wake it missed
    for (let i = 0; i < 100 && wakes === 0; i++) await sleepMs(20);
    expect(wakes, 'a moved word wakes it once').toBe(1);
    const looksBefore = looks;
    await sleepMs(600);
    expect(looks, 'a woken sleeper is no longer looked at').toBe(looksBefore);
    stop();
  });

  it('wakes a sleeper whose look says so, and never one that stopped', async () => {
    const words = new Int32Array(1);
    let wakesA = 0;
    let wakesB = 0;
    peerWatch.watch({ everyMs: 100, words, index: 0, seq: 0, due: () => true, wake: () => wakesA++ });
    const stopB = peerWatch.watch({ everyMs: 100, words, index: 0, seq: 0, due: () => true, wake: () => wakesB++ });
    stopB();
    for (let i = 0; i < 100 && wakesA === 0; i++) await sleepMs(20);
    expect(wakesA).toBe(1);
    expect(wakesB).toBe(0);
  });

  it('a look that throws wakes the sleeper, which then reports what broke', async () => {
    const words = new Int32Array(1);
    let wakes = 0;
    const broken = (): boolean => {
      throw new Error('broken');
    };
    peerWatch.watch({ everyMs: 100, words, index: 0, seq: 0, due: broken, wake: () => wakes++ });
    for (let i = 0; i < 100 && wakes === 0; i++) await sleepMs(20);
    expect(wakes).toBe(1);
  });

  it('spreads the looks of a tick over turns of the event loop, so that a wake waits behind few of them', async () => {
    const words = new Int32Array(1);
    const count = 100;
    let looks = 0;
    let wakes = 0;
    // Looks that ran in one go: microtasks run only between callbacks of the event loop.
    let inOneGo = 0;
    let mostInOneGo = 0;
    const due = (): boolean => {
      looks++;
      if (inOneGo++ === 0)
        queueMicrotask(() => {
          mostInOneGo = Math.max(mostInOneGo, inOneGo);
          inOneGo = 0;
        });
      return false;
    };
    const stops = Array.from({ length: count }, () => peerWatch.watch({ everyMs: 100, words, index: 0, seq: 0, due, wake: () => wakes++ }));
    // One timer and nothing else in the event loop meanwhile: the later batches of looks may not wait for one.
    await sleepMs(1000);
    for (const stop of stops) stop();
    expect(looks, 'every sleeper is looked at').toBeGreaterThanOrEqual(count);
    expect(wakes, 'quiet sleepers are not woken').toBe(0);
    expect(mostInOneGo, 'looks in one turn of the event loop').toBeLessThanOrEqual(16);
  });
});

describe('looks that hold', () => {
  it('a sleeper whose look holds is not looked at again until the watch hears news and the look stops holding', async () => {
    const words = new Int32Array(1);
    let newsAt = -Infinity;
    peerWatch.hearFrom(() => newsAt);
    let looks = 0;
    let asked = 0;
    let holds = true;
    const stop = peerWatch.watch({
      everyMs: 100,
      words,
      index: 0,
      seq: 0,
      due: () => (looks++, false),
      lookHolds: () => (asked++, holds),
      wake: () => {},
    });
    for (let i = 0; i < 100 && looks === 0; i++) await sleepMs(20);
    expect(looks, 'the first look, within its period').toBe(1);
    await sleepMs(1000);
    expect(looks, 'no look while the first holds (every 100 ms otherwise)').toBe(1);
    const askedBefore = asked;
    newsAt = performance.now(); // news, but this look still holds
    await sleepMs(600);
    expect(asked, 'asked again at the tick that heard the news').toBeGreaterThan(askedBefore);
    expect(looks, 'a look that still holds is not taken again').toBe(1);
    holds = false;
    newsAt = performance.now();
    for (let i = 0; i < 100 && looks === 1; i++) await sleepMs(20);
    expect(looks, 'a look that stopped holding is taken again').toBe(2);
    await sleepMs(600);
    expect(looks, 'and then every 100 ms (a tick of 250 ms), as a look that does not hold').toBeGreaterThanOrEqual(3);
    stop();
    peerWatch.hearFrom(() => -Infinity);
  });
});
