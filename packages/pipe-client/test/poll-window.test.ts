// The adaptive poll before a sleep (src/wait/poll-window.ts): short waits keep a handle polling,
// long ones (sparse traffic) make it sleep at once.
import { describe, expect, it } from 'vitest';
import { PollWindow } from '../src/wait/poll-window.js';
import { POLL_AT_MOST_US } from '../src/wait/timing.js';

describe('PollWindow', () => {
  it('polls the least at first and after quick answers', () => {
    const window = new PollWindow(20);
    expect(window.nextUs()).toBe(20);
    window.ended(5);
    expect(window.nextUs()).toBe(20);
  });

  it('polls a little longer than a short wait took, so a peer that must be woken is still seen', () => {
    const window = new PollWindow(20);
    window.ended(100);
    expect(window.nextUs()).toBe(150);
    window.ended(150);
    expect(window.nextUs()).toBe(225);
    window.ended(200);
    expect(window.nextUs()).toBe(POLL_AT_MOST_US);
  });

  it('after polls that ran out in a row, sleeps at once for the next 1, 3, 7 ... waits; a poll that catches its peer ends that', () => {
    const window = new PollWindow(20);
    let lastUs = 0;
    /** The windows of `n` waits; a wait that polled takes 10 us longer than its window (the poll ran out), a sleep as long as the last. */
    const windows = (n: number, caught = false): number[] =>
      Array.from({ length: n }, () => {
        const us = window.nextUs();
        if (us > 0) lastUs = caught ? us - 10 : us + 10;
        window.ended(lastUs);
        return us;
      });
    expect(windows(2), 'a poll runs out: the next wait sleeps at once').toEqual([20, 0]);
    expect(windows(4), 'two in a row: three waits sleep').toEqual([45, 0, 0, 0]);
    expect(windows(8), 'three in a row: seven').toEqual([82.5, 0, 0, 0, 0, 0, 0, 0]);
    expect(windows(2, true), 'a poll that catches its peer: no sleep at once after it').toEqual([138.75, 193.125]);
    expect(windows(2), 'the next miss counts from one again').toEqual([250, 0]);
  });

  it('sleeps at once after a long wait, and polls again after the next short one', () => {
    const window = new PollWindow(20);
    window.ended(POLL_AT_MOST_US + 1);
    expect(window.nextUs()).toBe(0);
    window.ended(10);
    expect(window.nextUs()).toBe(20);
  });

  it('never polls when the transport says not to', () => {
    const window = new PollWindow(0);
    window.ended(10);
    expect(window.nextUs()).toBe(0);
  });
});
