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
    window.ended(POLL_AT_MOST_US);
    expect(window.nextUs()).toBe(POLL_AT_MOST_US);
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
