/**
 * The message id committed at each of the last `size` stream sequences (by number): one slot per
 * sequence modulo `size`, so that remembering one costs no allocation and forgetting the oldest no search.
 */
export class IdsBySequence {
  private readonly sequences: Float64Array;
  private readonly ids: (string | undefined)[];

  constructor(private readonly size: number) {
    if (!Number.isSafeInteger(size) || size < 1) throw new RangeError(`IdsBySequence: size must be a positive integer, not ${size}`);
    this.sequences = new Float64Array(size);
    this.ids = new Array<string | undefined>(size).fill(undefined);
  }

  set(sequence: number, id: string): void {
    const slot = sequence % this.size;
    this.sequences[slot] = sequence;
    this.ids[slot] = id;
  }

  /** The id set at `sequence`, while no sequence `size` apart took its slot. */
  get(sequence: number): string | undefined {
    const slot = sequence % this.size;
    return this.sequences[slot] === sequence ? this.ids[slot] : undefined;
  }
}
