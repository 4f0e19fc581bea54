/** A wait for the ring or a peer: its promise resolves when it is over (possibly spuriously: the caller looks again), `cancel` ends it early. */
export interface Wait {
  readonly promise: Promise<void>;
  cancel(): void;
}

/** A wait that is over already: the caller tries again at once. */
export function settledWait(): Wait {
  return { promise: Promise.resolve(), cancel: () => {} };
}
