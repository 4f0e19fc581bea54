/** A run of consecutive stream sequences, first to last. */
export interface Run {
  first: number;
  last: number;
}

/** The most messages a run may have: its length is kept in the cursor's low 12 bits. */
export const MAX_RUN = 4096;

/** How many numberings of the stream the cursor tells apart: its top 8 bits. */
export const EPOCHS = 256;

/** The largest last sequence a cursor holds: 44 bits between the epoch and the length. */
export const MAX_SEQUENCE = 2 ** 44 - 1;

const EPOCH_SHIFT = 56n;

/**
 * The pipe's cursor (an unsigned 64-bit value kept in the ring with the batch it
 * commits) for a run: `epoch * 2^56 + last * 4096 + (last - first)`. The epoch counts
 * (mod 256) the times the bridge saw the stream number new messages from a sequence it
 * had used already (a server that lost the end of its stream), so that a run of the new
 * numbering never has the cursor the ring holds for the old one: the ring does not write
 * a batch again whose cursor it holds. 0 (a new pipe) names no run.
 */
export function encodeRun(run: Run, epoch: number): bigint {
  if (run.last > MAX_SEQUENCE) throw new RangeError(`stream sequence ${run.last} is beyond the cursor's ${MAX_SEQUENCE}`);
  return (BigInt(epoch % EPOCHS) << EPOCH_SHIFT) + BigInt(run.last) * BigInt(MAX_RUN) + BigInt(run.last - run.first);
}

export function decodeRun(cursor: bigint): { run: Run; epoch: number } | undefined {
  if (cursor === 0n) return undefined;
  const epoch = Number(cursor >> EPOCH_SHIFT);
  const rest = cursor & ((1n << EPOCH_SHIFT) - 1n);
  const last = Number(rest / BigInt(MAX_RUN));
  return { run: { first: last - Number(rest % BigInt(MAX_RUN)), last }, epoch };
}
