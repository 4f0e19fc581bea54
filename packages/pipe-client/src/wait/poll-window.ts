import { POLL_AT_MOST_US } from './timing.js';

/** Misses in a row that count: after 6, the next 63 waits sleep at once. */
const MAX_MISSES = 6;

/**
 * How long a wait looks at the ring before it sleeps, learnt from the last wait
 * (adaptive spinning): after a short wait (dense traffic, or a peer that answers
 * as soon as it is woken) it polls a little longer than that wait took, so that
 * two peers that keep answering each other stay awake; after a long one
 * (sparse traffic) it sleeps at once and costs no CPU.
 */
export class PollWindow {
  private lastUs = 0;
  /** The window the current wait was given. */
  private givenUs = 0;
  /** Polls in a row that ran out (the wait then slept), and waits left that sleep at once because of them. */
  private misses = 0;
  private skips = 0;

  /** `leastUs`: the window after short waits; 0 never polls. */
  constructor(private readonly leastUs: number) {}

  nextUs(): number {
    if (this.leastUs === 0 || this.lastUs > POLL_AT_MOST_US) return (this.givenUs = 0);
    if (this.skips > 0) {
      this.skips--;
      return (this.givenUs = 0);
    }
    return (this.givenUs = Math.min(POLL_AT_MOST_US, Math.max(this.leastUs, this.lastUs * 1.5)));
  }

  /**
   * A poll that ran out makes the next 1, 3, 7 ... (at most MAX_SKIPS) waits sleep at once: on a
   * busy machine a poll mostly takes the CPU its peer needs to answer (64 B ping-pong at load
   * average 7 on 2 vCPUs: one-way p50 120 us polling, 23 us not).
   */
  ended(waitedUs: number): void {
    this.lastUs = waitedUs;
    if (this.givenUs === 0) return;
    if (waitedUs > this.givenUs) {
      this.misses = Math.min(this.misses + 1, MAX_MISSES);
      this.skips = (1 << this.misses) - 1;
    } else {
      this.misses = 0;
    }
  }
}
