import { closeSync, constants, fchmodSync, fstatSync, openSync, unlinkSync } from 'node:fs';
import { Socket } from 'node:net';
import type { Waiting } from '../../wait/wait.js';
import { RunList } from '../../wait/run-list.js';
import { turnEnd, type AtTurnEnd } from '../../wait/turn-end.js';
import type { WakeWord } from '../../ring/layout.js';
import { makeFifo, readOrNothing, writeOrNothing } from '../../platform/linux/libc.js';
import { Off } from '../../ring/layout.js';

const OPEN_FLAGS = constants.O_RDWR | constants.O_NOFOLLOW | constants.O_NONBLOCK | 0o2000000; /* O_CLOEXEC */
const RING = Buffer.from([1]);
/** Where a woken bell's leftover bytes go: one buffer for every bell of the process. */
const DRAIN = Buffer.alloc(64 * 1024);
/** What one read of the event loop takes from a bell, into one buffer for every bell (the bytes mean nothing). */
const ONREAD_BYTES = 256;
const ONREAD_BUFFER = Buffer.alloc(ONREAD_BYTES);
/** A FIFO holds at most 1 MiB (an unprivileged F_SETPIPE_SZ's limit): 16 reads drain it, a peer that keeps writing costs no more. */
const DRAIN_READS = 16;

/**
 * The FIFOs beside a segment that libuv watches for sleepers (docs/ring-format.md, Bells), one
 * for readers (data) and one for writers (space): their names carry the segment's inode, so each
 * incarnation of a pipe has its own, and end in lower case, so no canonical pipe name can take them.
 */
const bellPath = (segmentPath: string, inode: number, word: 'data' | 'space'): string => `${segmentPath}.${inode}.${word}.bell`;

/** A handle's two bells; undefined where the pipe has not both, made or owned as they must be. */
export class Bells {
  private constructor(
    private readonly data: Bell,
    private readonly space: Bell,
  ) {}

  /** Makes the bells of a segment not linked yet, with the segment's permissions. */
  static create(segmentPath: string, inode: number, permissions: number): Bells | undefined {
    const owner = process.geteuid!();
    return Bells.pair(
      Bell.create(bellPath(segmentPath, inode, 'data'), permissions, owner),
      Bell.create(bellPath(segmentPath, inode, 'space'), permissions, owner),
    );
  }

  /** Opens an existing segment's bells: FIFOs of the segment's owner (or root). */
  static open(segmentPath: string, inode: number, owner: number): Bells | undefined {
    return Bells.pair(Bell.open(bellPath(segmentPath, inode, 'data'), owner), Bell.open(bellPath(segmentPath, inode, 'space'), owner));
  }

  private static pair(data: Bell | undefined, space: Bell | undefined): Bells | undefined {
    if (data && space) return new Bells(data, space);
    data?.close();
    space?.close();
    return undefined;
  }

  /** Whether this handle's sleepers may wait on the bells (else on the futex). */
  get watchable(): boolean {
    return this.data.watchable && this.space.watchable;
  }

  /** The bell of the sleepers on a wake word. */
  of(word: WakeWord): Bell {
    return word === Off.dataSeq ? this.data : this.space;
  }

  close(): void {
    this.data.close();
    this.space.close();
  }
}

/** Removes an incarnation's bells (with its segment, by whoever removes that). */
export function removeBells(segmentPath: string, inode: number): void {
  for (const word of ['data', 'space'] as const) {
    try {
      unlinkSync(bellPath(segmentPath, inode, word));
    } catch {
      // never made, or already gone
    }
  }
}

/**
 * A handle's descriptor on one bell. Sleepers read it (only while some wait of
 * this handle sleeps on it, so an idle handle takes no peer's ring); wakers
 * write one byte to it. A wake runs the sleepers' next steps in the read callback itself, and
 * a sleeper that sleeps again from there finds the descriptor still watched: a reader that
 * wakes, reads and sleeps costs the event loop no change of its watch (no epoll_ctl).
 */
class Bell implements AtTurnEnd {
  /**
   * Whether net.Socket takes a FIFO's descriptor here (not in Deno, where handles only ring):
   * learnt from the first bell the process opens, for all of them.
   */
  private static socketsWork: boolean | undefined;
  /** What the event loop watches: made at the first sleep, so that a bell this handle only rings costs no Socket. */
  private socket: Socket | undefined;
  private readonly sleepers = new RunList<Waiting>();
  /** Whether the event loop reads the FIFO (the socket is resumed). */
  private watching = false;
  /** Rung in this turn of the event loop; rung again meanwhile: one more ring is due at its end (ring()). */
  private rungThisTurn = false;
  private ringAtTurnEnd = false;
  private closed = false;

  private constructor(private readonly fd: number) {
    Bell.socketsWork ??= this.watched() !== undefined;
  }

  /** Whether a handle may sleep on this bell (else it sleeps on the futex, and still rings). */
  get watchable(): boolean {
    return Bell.socketsWork === true;
  }

  /** The socket the event loop reads the FIFO through, made on first use; undefined if net.Socket refuses the descriptor. */
  private watched(): Socket | undefined {
    if (this.socket || this.closed) return this.socket;
    const onread = {
      buffer: ONREAD_BUFFER,
      // Fewer bytes than asked for: the FIFO is empty now.
      callback: (nread: number) => {
        if (nread >= ONREAD_BYTES) this.drain();
        this.wakeAll();
      },
    };
    let socket: Socket;
    try {
      socket = new Socket({ fd: this.fd, readable: true, writable: false, onread } as ConstructorParameters<typeof Socket>[0]);
    } catch {
      return undefined;
    }
    socket.pause();
    socket.on('error', () => this.wakeAll());
    return (this.socket = socket);
  }

  /** Makes the bell of a segment not linked yet; undefined when the name is taken by something we do not trust. */
  static create(path: string, permissions: number, owner: number): Bell | undefined {
    try {
      makeFifo(path, 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') return undefined;
    }
    const bell = Bell.open(path, owner);
    if (bell) fchmodSync(bell.fd, permissions);
    return bell;
  }

  /** Opens an existing bell; undefined when there is none, or it is not a FIFO of `owner` (or root). */
  static open(path: string, owner: number): Bell | undefined {
    let fd: number;
    try {
      fd = openSync(path, OPEN_FLAGS);
    } catch {
      return undefined;
    }
    const stats = fstatSync(fd);
    if (!stats.isFIFO() || (stats.uid !== owner && stats.uid !== 0)) {
      closeSync(fd);
      return undefined;
    }
    return new Bell(fd);
  }

  /**
   * Wakes the sleepers of every handle on the pipe; a full FIFO (EAGAIN: nobody read its rings
   * yet) already rings. At most one ring at once and one more at the end of the event loop's
   * turn: a reader that takes a thousand messages in one turn while its writer sleeps for room
   * rings twice, not a thousand times (a sleeper that began waiting after the first ring is woken
   * by the second, at the end of the turn, so no wake is lost; it only comes up to a turn later).
   */
  ring(): void {
    if (this.rungThisTurn) {
      this.ringAtTurnEnd = true;
      return;
    }
    writeOrNothing(this.fd, RING);
    this.rungThisTurn = true;
    turnEnd.add(this);
  }

  turnEnded(): void {
    this.rungThisTurn = false;
    if (!this.ringAtTurnEnd || this.closed) return;
    this.ringAtTurnEnd = false;
    this.ring();
  }

  /**
   * Puts `sleeper` to sleep until the next ring (or one left from before): the read callback of
   * the event loop finishes it. The bell makes nothing for it: a cancelled sleeper takes itself
   * off with forget(), and the process-wide peer watch (wait/peer-watch.ts) cancels it when the
   * sleeper's peers need a look.
   */
  sleep(sleeper: Waiting): void {
    this.sleepers.add(sleeper);
    if (!this.watching) {
      this.watching = true;
      // Should the socket be refused here after all, the sleeper is still woken by the peer watch's ticks (a moved word).
      this.watched()?.resume();
    }
  }

  /** A sleeper cancelled: it no longer reads the FIFO. */
  forget(sleeper: Waiting): void {
    if (this.sleepers.remove(sleeper)) this.idleIfNoSleeper();
  }

  /** Closes the descriptor now; synchronous, so that it also runs at exit: its sleepers end later, as cancelled. */
  close(): void {
    // A ring still due goes now: the process may be exiting.
    if (this.ringAtTurnEnd) writeOrNothing(this.fd, RING);
    this.closed = true;
    for (const sleeper of this.sleepers.toArray()) sleeper.cancel();
    if (this.socket) this.socket.destroy();
    else closeSync(this.fd);
  }

  /** Reads what is left in the FIFO, so that a full bell costs one wake, not one per 256 bytes. */
  private drain(): void {
    for (let i = 0; i < DRAIN_READS; i++) if (readOrNothing(this.fd, DRAIN) < DRAIN.length) return;
  }

  /** Ends every sleep and runs what waited on it; what sleeps again meanwhile sleeps on, watched without a pause. */
  private wakeAll(): void {
    try {
      this.sleepers.runAll(finish);
    } finally {
      this.idleIfNoSleeper();
    }
  }

  /** Stops reading the FIFO (its rings are for whoever sleeps) and lets the process exit. */
  private idleIfNoSleeper(): void {
    if (this.sleepers.size === 0 && this.watching) {
      this.watching = false;
      this.socket?.pause();
    }
  }
}

const finish = (sleeper: Waiting): void => sleeper.finish();
