import { eventFd, pollAsync, readFd, writeFd } from './device.js';

export const POLLIN = 0x001;
export const POLLOUT = 0x004;
const POLLERR = 0x008;
const POLLHUP = 0x010;
const POLLNVAL = 0x020;
const POLLFD_SIZE = 8; // struct pollfd: int fd; short events; short revents

interface Interest {
  readonly fd: number;
  readonly events: number;
  readonly resolve: () => void;
}

export interface PendingWait {
  readonly promise: Promise<void>;
  cancel(): void;
}

/**
 * One poll() call at a time for the whole process, on libuv's threadpool,
 * covering every driver descriptor that waits: idle pipes hold one pool
 * thread together, never one each. An eventfd in the set lets a new or
 * cancelled wait interrupt the call. The driver counts a polling descriptor
 * as a waiter in the ring, so peers writing through the mapping wake it.
 */
class PollWaiter {
  private readonly interests = new Set<Interest>();
  private inFlight = false;
  private wakeFd = -1;
  private fds = Buffer.alloc(POLLFD_SIZE * 16);
  private readonly one = Buffer.from([1, 0, 0, 0, 0, 0, 0, 0]);
  private readonly drain = Buffer.alloc(8);
  private afterFlight: Array<() => void> = [];

  /** Resolves once `fd` may be ready for `events` (POLLIN / POLLOUT). Spurious resolutions are allowed. */
  wait(fd: number, events: number): PendingWait {
    let interest!: Interest;
    const promise = new Promise<void>((resolve) => {
      interest = { fd, events, resolve };
    });
    this.interests.add(interest);
    this.reschedule();
    return {
      promise,
      cancel: () => {
        if (this.interests.delete(interest)) {
          interest.resolve();
          this.reschedule();
        }
      },
    };
  }

  /** Resolves when no poll() call still holds descriptors of waits cancelled before this call. */
  quiesce(): Promise<void> {
    if (!this.inFlight) return Promise.resolve();
    return new Promise((resolve) => this.afterFlight.push(resolve));
  }

  private reschedule(): void {
    if (this.inFlight) writeFd(this.wakeFd, this.one);
    else this.issue();
  }

  private issue(): void {
    if (this.interests.size === 0) return;
    if (this.wakeFd < 0) this.wakeFd = eventFd();
    const wanted = new Map<number, number>();
    for (const interest of this.interests) wanted.set(interest.fd, (wanted.get(interest.fd) ?? 0) | interest.events);
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
    this.inFlight = true;
    pollAsync(fds, count, -1, (result) => {
      this.inFlight = false;
      const ready = new Map<number, number>();
      for (let i = 1; i < count; i++) {
        const revents = fds.readInt16LE(i * POLLFD_SIZE + 6);
        if (revents !== 0) ready.set(fds.readInt32LE(i * POLLFD_SIZE), revents);
      }
      if (fds.readInt16LE(6) !== 0) readFd(this.wakeFd, this.drain);
      const waiting = this.afterFlight;
      this.afterFlight = [];
      for (const resolve of waiting) resolve();
      this.settle(ready, result < 0);
      if (result < 0) setTimeout(() => this.issue(), 10);
      else this.issue();
    });
  }

  /** Resolves the waits whose descriptor is ready (or broken), all of them after a failed poll. */
  private settle(ready: Map<number, number>, failed: boolean): void {
    for (const interest of this.interests) {
      const revents = ready.get(interest.fd) ?? 0;
      if (failed || (revents & (interest.events | POLLERR | POLLHUP | POLLNVAL)) !== 0) {
        this.interests.delete(interest);
        interest.resolve();
      }
    }
  }
}

export const pollWaiter = new PollWaiter();
