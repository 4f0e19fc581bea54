import type { Endpoint } from './endpoint.js';
import { ErrorCode, RingPipeError } from './errors.js';

/** What a writer does when the ring is full and no reader is attached (option `noReaders`). */
export type NoReaders = 'wait' | 'fail' | 'wait-first';

/**
 * Answers a writer that found the ring full: wait, or fail because its readers are gone.
 * Liveness comes from the slots (stats' `readers`: live handles with the reader role); a
 * reader that came and went between two looks shows in the read counters having moved.
 */
export class ReaderPresence {
  private sawReader = false;
  private lastReads: number;

  constructor(
    private readonly endpoint: Endpoint,
    private readonly policy: NoReaders,
  ) {
    this.lastReads = policy === 'wait' ? 0 : endpoint.readThrough();
  }

  /** The error a writer facing a full ring fails with now, or undefined when it waits. */
  gone(): RingPipeError | undefined {
    if (this.policy === 'wait') return undefined;
    // Records taken since the last look: some reader is (or was just) there; the next look decides.
    const reads = this.endpoint.readThrough();
    if (reads !== this.lastReads) {
      this.lastReads = reads;
      this.sawReader = true;
      return undefined;
    }
    if (this.endpoint.stats().readers > 0) {
      this.sawReader = true;
      return undefined;
    }
    if (this.policy === 'wait-first' && !this.sawReader) return undefined;
    return new RingPipeError(ErrorCode.NoReaders, `pipe ${this.endpoint.name} is full and no reader is attached`);
  }
}
