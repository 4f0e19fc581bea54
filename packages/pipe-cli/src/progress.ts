/** A one-line transfer meter on stderr, shown only when stderr is a terminal. */
export class Progress {
  private messages = 0;
  private bytes = 0;
  private readonly started = process.hrtime.bigint();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly verb: string) {
    if (process.stderr.isTTY) {
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
    const seconds = Number(process.hrtime.bigint() - this.started) / 1e9;
    const rate = seconds > 0 ? this.bytes / seconds / 1e6 : 0;
    process.stderr.write(`\r${this.verb} ${this.messages} messages, ${(this.bytes / 1e6).toFixed(1)} MB, ${rate.toFixed(1)} MB/s  `);
  }
}
