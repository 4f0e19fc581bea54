import { write } from 'node:fs';

/**
 * Writes filled buffers to a file descriptor in order, one write at a time in
 * Node's thread pool, and takes each buffer back for filling once written: the
 * caller fills the next while the last is written.
 */
export class OrderedWrites {
  private readonly free: Buffer[];
  private readonly queue: Array<{ buffer: Buffer; length: number }> = [];
  private writing = false;
  private failure: Error | undefined;
  private changed: (() => void) | undefined;

  constructor(
    private readonly fd: number,
    buffers: number,
    size: number,
  ) {
    this.free = Array.from({ length: buffers }, () => Buffer.allocUnsafe(size));
  }

  /** A buffer to fill, once one is free; rejects with the error of a write that failed. */
  async take(): Promise<Buffer> {
    while (this.free.length === 0 && !this.failure) await this.nextChange();
    if (this.failure) throw this.failure;
    return this.free.pop()!;
  }

  /** Queues the first `length` bytes of a buffer from take(). */
  put(buffer: Buffer, length: number): void {
    this.queue.push({ buffer, length });
    this.writeNext();
  }

  /** Resolves once everything queued is written; rejects with the error of a write that failed. */
  async flush(): Promise<void> {
    while ((this.writing || this.queue.length > 0) && !this.failure) await this.nextChange();
    if (this.failure) throw this.failure;
  }

  private nextChange(): Promise<void> {
    return new Promise((resolve) => (this.changed = resolve));
  }

  private notify(): void {
    const changed = this.changed;
    this.changed = undefined;
    changed?.();
  }

  private writeNext(): void {
    if (this.writing) return;
    const next = this.queue.shift();
    if (!next) return;
    this.writing = true;
    const { buffer, length } = next;
    const from = (offset: number): void => {
      write(this.fd, buffer, offset, length - offset, null, (err, written) => {
        if (err) {
          this.failure = err;
          this.notify();
          return;
        }
        if (offset + written < length) return from(offset + written);
        this.writing = false;
        this.free.push(buffer);
        this.notify();
        this.writeNext();
      });
    };
    from(0);
  }
}
