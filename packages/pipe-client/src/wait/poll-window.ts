import { POLL_AT_MOST_US } from './timing.js';

/**
 * How long a wait looks at the ring before it sleeps, learnt from the last wait
 * (adaptive spinning): after a short wait (dense traffic, or a peer that answers
 * as soon as it is woken) it polls a little longer than that wait took, so that
 * two peers that keep answering each other stay awake; after a long one
 * (sparse traffic) it sleeps at once and costs no CPU.
 */
export class PollWindow {
  private lastUs = 0;

  /** `leastUs`: the window after short waits; 0 never polls. */
  constructor(private readonly leastUs: number) {}

  nextUs(): number {
    if (this.leastUs === 0 || this.lastUs > POLL_AT_MOST_US) return 0;
    return Math.min(POLL_AT_MOST_US, Math.max(this.leastUs, this.lastUs * 1.5));
  }

  ended(waitedUs: number): void {
    this.lastUs = waitedUs;
  }
}
