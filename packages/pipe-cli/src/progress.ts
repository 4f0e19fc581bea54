/** What a progress line counts: messages (and their bytes), or the bytes of a byte stream. */
export type Counting = 'message' | 'byte';

/**
 * Whether a transfer gets a progress line: only when stderr is a terminal and the data side
 * (a writer's stdin, a reader's stdout) is not, so it never draws over typing or printed messages.
 */
export function progressWanted(data: { isTTY?: boolean }): boolean {
  return process.stderr.isTTY === true && data.isTTY !== true;
}

/** A one-line transfer meter on stderr, redrawn in place twice a second; its last drawing, the totals, stays. */
export class Progress {
  private messages = 0;
  private bytes = 0;
  private readonly started = process.hrtime.bigint();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly verb: string,
    private readonly counting: Counting,
    show: boolean,
  ) {
    if (show) {
      this.timer = setInterval(() => this.draw(), 500);
      this.timer.unref();
    }
  }

  add(bytes: number): void {
    this.messages++;
    this.bytes += bytes;
  }

  stop(): void {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.draw();
    process.stderr.write('\n');
  }

  private draw(): void {
    // \r\x1b[K: back to the line's start and erase it, so a shorter line leaves nothing behind.
    process.stderr.write(`\r\x1b[K${this.line()}`);
  }

  private line(): string {
    const seconds = Number(process.hrtime.bigint() - this.started) / 1e9;
    const rate = seconds > 0 ? this.bytes / seconds / 1e6 : 0;
    const amount = `${(this.bytes / 1e6).toFixed(1)} MB, ${rate.toFixed(1)} MB/s`;
    return this.counting === 'byte' ? `${this.verb} ${amount}` : `${this.verb} ${this.messages} messages, ${amount}`;
  }
}
