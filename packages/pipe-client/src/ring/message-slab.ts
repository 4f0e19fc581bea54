/** Messages up to this size are copied out a word at a time; larger ones with one TypedArray set. */
export const SLAB_MESSAGE_MAX = 256;
/** One ArrayBuffer per this many bytes of small messages (Node's Buffer pool makes one per 8 KiB). */
const SLAB_BYTES = 64 * 1024;

/**
 * Where a reader puts the small messages it copies out of the ring: each message a Buffer over
 * a slab of this process, copied word by word from the ring's words (no view of the ring made per
 * message). Like Node's Buffer pool, a message kept keeps its slab.
 */
export class MessageSlab {
  private buffer = new ArrayBuffer(SLAB_BYTES);
  private words = new Int32Array(this.buffer);
  private used = 0;

  /** `len` (at most SLAB_MESSAGE_MAX) bytes from word `from` of `source` on, which holds them with their padding to 8 bytes. */
  copy(source: Int32Array, from: number, len: number): Buffer {
    const size = (len + 7) & ~7;
    if (this.used + size > SLAB_BYTES) {
      this.buffer = new ArrayBuffer(SLAB_BYTES);
      this.words = new Int32Array(this.buffer);
      this.used = 0;
    }
    const words = this.words;
    const to = this.used >> 2;
    for (let i = 0, n = size >> 2; i < n; i++) words[to + i] = source[from + i]!;
    const message = Buffer.from(this.buffer, this.used, len);
    this.used += size;
    return message;
  }
}
