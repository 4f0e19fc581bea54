import { peerWatch } from '../../wait/peer-watch.js';
import { VOUCHED_LIVE_MS } from '../../wait/timing.js';
import { closeFd, inotifyOpen, inotifyUnwatch, inotifyWatch, ofdLocked, readOrNothing } from './libc.js';

// Whether a slot of a pipe is live (docs/ring-format.md, Liveness: another open file description
// holds the OFD lock on the slot's byte of the lock file), remembered between looks in a process
// that holds many pipes, where the peer watch looks at up to 500 slots a second.
//
// A slot's lock goes only when its holder unlocks it or when the holder's open file description
// closes (its process dying included). A write lock needs a description opened for writing, and
// the close of such a description raises IN_CLOSE_WRITE on the lock file's inotify watches (the
// looks of listPipes and statPipe open it read-only: IN_CLOSE_NOWRITE, not watched). A holder
// unlocks without closing only when it detaches, after it cleared its slot's token and role, so
// nobody asks about that slot until someone attaches to it again. So a slot seen live is taken as
// live, without another F_OFD_GETLK, until a writable description of its lock file closes. The
// kernel raises the event a moment before it drops the closed description's locks: a lock file
// with such a close is looked at with the system call for UNSURE_MS after the event is read. And
// no answer is kept longer than VOUCHED_LIVE_MS (what a peer outside the format, holding a read lock
// through a read-only descriptor, may cost).

/** Lock files this process must hold before it takes an inotify instance (each user has 128 of them, fs.watch needs them too). */
const WATCH_FROM = 64;
const UNSURE_MS = 1000;
/** How stale the view of closes may be: events are read at most this often, at a look. */
const READ_EVENTS_EVERY_MS = 20;
/** After the kernel refused an inotify instance, when to ask again. */
const RETRY_MS = 60_000;

const IN_CLOSE_WRITE = 0x08;
const IN_Q_OVERFLOW = 0x4000;
const IN_IGNORED = 0x8000;
const EVENT_HEADER = 16;

/** One handle's view of its lock file's slots. */
export class SlotLiveness {
  /** The inotify watch on the lock file; -1: none (every look takes the system call). */
  wd = -1;
  private readonly seen = new Map<number, number>();
  private unsureUntil = 0;

  constructor(private readonly lockFd: number) {
    closes.add(this);
  }

  get path(): string {
    return `/proc/self/fd/${this.lockFd}`;
  }

  alive(slot: number): boolean {
    const now = performance.now();
    closes.readEvents(now);
    const trusted = this.wd >= 0 && now >= this.unsureUntil;
    if (trusted) {
      const at = this.seen.get(slot);
      if (at !== undefined && now - at < VOUCHED_LIVE_MS) return true;
    }
    const live = ofdLocked(this.lockFd, slot);
    if (live && trusted) this.seen.set(slot, now);
    else this.seen.delete(slot);
    return live;
  }

  /**
   * Whether the answers given at `since` still hold: closes are watched, and none was read from
   * a second before `since` on (a look in the unsure time after a close may have run before the
   * kernel dropped the closed description's locks). A close read later tells the peer watch.
   */
  heldSince(since: number): boolean {
    return this.wd >= 0 && since >= this.unsureUntil;
  }

  /** A description of the lock file closed (or closes may have been missed): look again, with the system call for a while. */
  forget(now: number): void {
    this.seen.clear();
    this.unsureUntil = now + UNSURE_MS;
    closes.forgotAt = now;
  }

  /** Call before the lock file's descriptor closes. */
  close(): void {
    closes.delete(this);
  }
}

/** The process's inotify instance on the lock files of its handles, while it holds WATCH_FROM or more. */
class Closes {
  private fd = -1;
  private readonly all = new Set<SlotLiveness>();
  private readonly byWatch = new Map<number, Set<SlotLiveness>>();
  private lastRead = 0;
  private retryAt = 0;
  private readonly events = Buffer.alloc(4096);
  /** When a handle last forgot what it saw: the peer watch's news (wait/peer-watch.ts, hearFrom). */
  forgotAt = -Infinity;

  constructor() {
    peerWatch.hearFrom((now) => {
      this.readEvents(now);
      return this.forgotAt;
    });
  }

  add(handle: SlotLiveness): void {
    this.all.add(handle);
    if (this.fd >= 0) this.watch(handle);
    else if (this.all.size >= WATCH_FROM && performance.now() >= this.retryAt) this.start();
  }

  delete(handle: SlotLiveness): void {
    this.all.delete(handle);
    const sharing = this.byWatch.get(handle.wd);
    if (sharing) {
      sharing.delete(handle);
      if (sharing.size === 0) {
        this.byWatch.delete(handle.wd);
        inotifyUnwatch(this.fd, handle.wd);
      }
    }
    handle.wd = -1;
    if (this.all.size === 0 && this.fd >= 0) {
      closeFd(this.fd);
      this.fd = -1;
      this.byWatch.clear();
    }
  }

  private start(): void {
    this.fd = inotifyOpen();
    if (this.fd < 0) {
      this.retryAt = performance.now() + RETRY_MS;
      return;
    }
    this.lastRead = performance.now();
    for (const handle of this.all) this.watch(handle);
  }

  /** Watches a handle's lock file; its descriptors of one file share one watch. */
  private watch(handle: SlotLiveness): void {
    const wd = inotifyWatch(this.fd, handle.path, IN_CLOSE_WRITE);
    if (wd < 0) return;
    handle.wd = wd;
    let sharing = this.byWatch.get(wd);
    if (!sharing) this.byWatch.set(wd, (sharing = new Set()));
    sharing.add(handle);
    // What it saw before the watch was in place is not to be kept.
    handle.forget(performance.now());
  }

  /** Takes the closes reported since the last read (at most every READ_EVENTS_EVERY_MS). */
  readEvents(now: number): void {
    if (this.fd < 0 || now - this.lastRead < READ_EVENTS_EVERY_MS) return;
    this.lastRead = now;
    for (;;) {
      const n = readOrNothing(this.fd, this.events);
      if (n < EVENT_HEADER) return;
      for (let at = 0; at + EVENT_HEADER <= n; at += EVENT_HEADER + this.events.readUInt32LE(at + 12)) {
        const wd = this.events.readInt32LE(at);
        const mask = this.events.readUInt32LE(at + 4);
        if ((mask & IN_Q_OVERFLOW) !== 0) {
          for (const handle of this.all) handle.forget(now);
          continue;
        }
        const sharing = this.byWatch.get(wd);
        if (!sharing) continue;
        for (const handle of sharing) handle.forget(now);
        if ((mask & IN_IGNORED) !== 0) {
          // The watch is gone (the file system went away): no more events, so nothing kept.
          for (const handle of sharing) handle.wd = -1;
          this.byWatch.delete(wd);
        }
      }
      if (n < this.events.length - 256) return;
    }
  }
}

const closes = new Closes();
