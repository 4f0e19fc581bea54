import type { Copy, CopyArena } from './copy-arena.js';

/** A message JetStream acknowledged: its copy, id and stream sequence, and when the acknowledgement came. */
export interface Acked extends Copy {
  id: string;
  seq: number;
  at: number;
}

/** How long an acknowledged message is kept: a single server stores to disk shortly after it acknowledges. */
export const KEEP_ACKED_MS = 2_000;
/** At most this many bytes of them (the oldest go first). */
export const KEEP_ACKED_BYTES = 64 << 20;

/**
 * The messages JetStream acknowledged lately, kept (their copies: they left the ring) so
 * that the `--to` bridge can publish again those a server killed right after its
 * acknowledgement did not store. Only new acknowledgements age the old ones out:
 * while the server is away nothing is forgotten.
 */
export class AckedLately {
  private readonly items: Acked[] = [];
  private head = 0;
  private bytes = 0;
  /** The id of the last message acknowledged (as far as the server kept it), if any. */
  lastId: string | undefined;

  /** `arena` made the copies: those forgotten go back to it. */
  constructor(private readonly arena: CopyArena) {}

  /** Keeps `copy` (made by the arena) until it ages out. */
  add(copy: Copy, id: string, seq: number, at: number): void {
    this.items.push({ data: copy.data, ...(copy.slab ? { slab: copy.slab } : {}), id, seq, at });
    this.lastId = id;
    this.bytes += copy.data.length;
    while (this.head < this.items.length && (at - this.items[this.head]!.at > KEEP_ACKED_MS || this.bytes > KEEP_ACKED_BYTES)) {
      const old = this.items[this.head]!;
      this.bytes -= old.data.length;
      this.arena.free(old);
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.items.length) this.items.splice(0, this.head), (this.head = 0);
  }

  /** Takes out, in order, the messages acknowledged with a stream sequence after `seq` (those a server lost). */
  takeAfter(seq: number): Acked[] {
    const lost = this.items.slice(this.head).filter((a) => a.seq > seq);
    if (lost.length === 0) return lost;
    const kept = this.items.slice(this.head).filter((a) => a.seq <= seq);
    this.items.length = 0;
    this.items.push(...kept);
    this.head = 0;
    this.bytes = kept.reduce((sum, a) => sum + a.data.length, 0);
    this.lastId = kept.at(-1)?.id;
    return lost;
  }
}
