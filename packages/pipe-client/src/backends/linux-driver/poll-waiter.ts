import type { Wait } from '../../wait/wait.js';
import { ProcessWaiter } from '../../wait/process-waiter.js';
import { eventFd, pollAsync, readFd, writeFd } from './device.js';

export const POLLIN = 0x001;
export const POLLOUT = 0x004;
const POLLERR = 0x008;
const POLLHUP = 0x010;
const POLLNVAL = 0x020;
const POLLFD_SIZE = 8; // struct pollfd: int fd; short events; short revents
const NEVER = 2n ** 63n;

interface FdWait {
  readonly fd: number;
  readonly events: number;
  /** process.hrtime.bigint() after which the wait resolves anyway (the caller looks at its peers). */
  readonly deadline: bigint;
  readonly resolve: () => void;
}

/**
 * The driver backend's waiter: poll() over every waiting driver descriptor plus
 * an eventfd that interrupts the call. The driver counts a polling descriptor as
 * a waiter in the ring, so peers writing through the mapping wake it.
 */
class PollWaiter extends ProcessWaiter<FdWait> {
  private wakeFd = -1;
  private fds = Buffer.alloc(POLLFD_SIZE * 16);
  private readonly one = Buffer.from([1, 0, 0, 0, 0, 0, 0, 0]);
  private readonly drain = Buffer.alloc(8);

  /**
   * Resolves once `fd` may be ready for `events` (POLLIN / POLLOUT), or after
   * `timeoutMs` (none: no limit). Spurious resolutions are allowed.
   */
  wait(fd: number, events: number, timeoutMs?: number): Wait {
    const deadline = timeoutMs === undefined ? NEVER : process.hrtime.bigint() + BigInt(Math.round(timeoutMs * 1e6));
    return this.add((resolve) => ({ fd, events, deadline, resolve }));
  }

  protected override settleBeforeCall(): void {
    const now = process.hrtime.bigint();
    this.settle((w) => w.deadline <= now);
  }

  protected override interrupt(): void {
    writeFd(this.wakeFd, this.one);
  }

  protected override call(done: (retryAfterMs?: number) => void): void {
    if (this.wakeFd < 0) this.wakeFd = eventFd();
    const wanted = new Map<number, number>();
    for (const w of this.interests) wanted.set(w.fd, (wanted.get(w.fd) ?? 0) | w.events);
    const count = wanted.size + 1;
    if (this.fds.length < count * POLLFD_SIZE) this.fds = Buffer.alloc(count * POLLFD_SIZE * 2);
    const fds = this.fds;
    let at = 0;
    const put = (fd: number, events: number): void => {
      fds.writeInt32LE(fd, at);
      fds.writeInt16LE(events, at + 4);
      fds.writeInt16LE(0, at + 6);
      at += POLLFD_SIZE;
    };
    put(this.wakeFd, POLLIN);
    for (const [fd, events] of wanted) put(fd, events);
    let deadline = NEVER;
    for (const w of this.interests) if (w.deadline < deadline) deadline = w.deadline;
    const timeoutMs = deadline === NEVER ? -1 : Math.max(0, Math.ceil(Number(deadline - process.hrtime.bigint()) / 1e6));
    pollAsync(fds, count, timeoutMs, (result) => {
      const ready = new Map<number, number>();
      for (let i = 1; i < count; i++) {
        const revents = fds.readInt16LE(i * POLLFD_SIZE + 6);
        if (revents !== 0) ready.set(fds.readInt32LE(i * POLLFD_SIZE), revents);
      }
      if (fds.readInt16LE(6) !== 0) readFd(this.wakeFd, this.drain);
      // Ready or broken descriptors end their waits; a failed poll ends them all.
      const failed = result < 0;
      this.settle((w) => failed || ((ready.get(w.fd) ?? 0) & (w.events | POLLERR | POLLHUP | POLLNVAL)) !== 0);
      done(failed ? 10 : undefined);
    });
  }
}

export const pollWaiter = new PollWaiter();
