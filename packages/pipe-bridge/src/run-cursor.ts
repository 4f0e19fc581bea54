/** A run of consecutive stream sequences, first to last. */
export interface Run {
  first: number;
  last: number;
}

/** The most messages a run may have: its length is kept in the cursor's low 12 bits. */
export const MAX_RUN = 4096;

/**
 * The pipe's cursor (an unsigned 64-bit value kept in the ring with the batch it
 * commits) for a run: `last * 4096 + (last - first)`. 0 (a new pipe) names no run.
 */
export function encodeRun(run: Run): bigint {
  return BigInt(run.last) * BigInt(MAX_RUN) + BigInt(run.last - run.first);
}

export function decodeRun(cursor: bigint): Run | undefined {
  if (cursor === 0n) return undefined;
  const last = Number(cursor / BigInt(MAX_RUN));
  return { first: last - Number(cursor % BigInt(MAX_RUN)), last };
}
