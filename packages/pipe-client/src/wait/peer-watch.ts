import { VOUCHED_LIVE_MS } from './timing.js';

/** A sleeper that the process-wide peer watch looks at for its wake. */
export interface Watched {
  /** How often to look at the peers (ms). */
  readonly everyMs: number;
  /** The sleeper's wake word, `words[index]`, and the value it sleeps on: a change is a wake it missed, looked for on every tick. */
  readonly words: Int32Array;
  readonly index: number;
  readonly seq: number;
  /** Whether the sleeper must wake to look at its peers (one it waits on may be gone); may take system calls. */
  due(): boolean;
  /**
   * Whether a look at its peers taken at `since` still holds without another: the
   * kernel would have told of any peer that left since (platform/linux/slot-liveness.ts). Such a
   * sleeper is asked again only when the watch hears of peers that may have left (hearFrom), and
   * looked at after VOUCHED_LIVE_MS.
   */
  lookHolds?(since: number): boolean;
  wake(): void;
  /**
   * The watch's own bookkeeping, kept on the sleeper so that a watch allocates nothing: when to
   * look next, where it is listed, and when its last look that holds was taken.
   */
  nextLook?: number;
  watchAt?: number | undefined;
  heldSince?: number | undefined;
}

/** How often the watch's one timer runs (each tick loads every sleeper's wake word): as often as one idle handle's timer did before. */
const TICK_MS = 250;
/**
 * The most looks at peers the watch takes a second, for all its sleepers: beyond this many
 * sleepers, each is looked at less often than its `everyMs` (a look is a system call).
 */
const LOOKS_PER_SECOND = 500;

/**
 * How many looks at peers run in one turn of the event loop: a tick's looks are spread over
 * turns, so that a wake (a bell's read callback) waits behind at most this many, not behind all
 * of them (a thousand idle pipes: 125 looks a tick, half a millisecond or more in one go).
 */
const LOOKS_PER_TURN = 16;

/**
 * One timer for the whole process, in place of one per sleeping handle. Each tick looks at
 * every sleeper's wake word (a wake it missed: another process took the bell's byte), every
 * `everyMs` at its peers, and wakes only those whose look says so. A look that holds until the
 * kernel tells otherwise (lookHolds) is taken again only when it stops holding, or after
 * VOUCHED_LIVE_MS; it is asked whether it still holds only at a tick that heard news. So a
 * thousand idle pipes cost four thousand loads and a few looks a second, at most
 * LOOKS_PER_SECOND, rather than four thousand wake-ups. Each sleeper's first look falls
 * at a random point of its period, which spreads the looks. The timer holds no reference: the
 * sleepers' own waits keep the process alive.
 */
class PeerWatch {
  private readonly sleepers: Watched[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** Sleepers due for a look at their peers, taken LOOKS_PER_TURN a turn from `lookAt` on. */
  private readonly looks: Watched[] = [];
  private lookAt = 0;
  private looking = false;
  /** Where the news of peers that may have left comes from, and when the last tick heard it. */
  private lastNewsAt: (now: number) => number = () => -Infinity;
  private heardAt = -Infinity;

  /**
   * Takes the news of peers that may have left (a close on a lock file): `lastNewsAt(now)` reads
   * what it must and returns when the last news came. A look that holds is asked again only at
   * a tick that heard news since the one before.
   */
  hearFrom(lastNewsAt: (now: number) => number): void {
    this.lastNewsAt = lastNewsAt;
  }

  /** Starts watching; the returned function stops it (call it when the sleep ends, however). */
  watch(watched: Watched): () => void {
    this.add(watched);
    return () => this.remove(watched);
  }

  /** Starts watching, as watch() does, with nothing to allocate: remove() stops it. */
  add(watched: Watched): void {
    watched.nextLook = performance.now() + this.periodMs(watched.everyMs) * (0.5 + Math.random() * 0.5);
    watched.heldSince = undefined;
    watched.watchAt = this.sleepers.length;
    this.sleepers.push(watched);
    if (!this.timer) {
      this.timer = setInterval(() => this.tick(), TICK_MS);
      this.timer.unref();
    }
    // The timer stops at a tick with nothing to watch: a reader that sleeps and wakes at
    // every message does not make and clear a timer each time.
  }

  remove(watched: Watched): void {
    const at = watched.watchAt;
    if (at === undefined || this.sleepers[at] !== watched) return;
    watched.watchAt = undefined;
    const last = this.sleepers.pop()!;
    if (last === watched) return;
    this.sleepers[at] = last;
    last.watchAt = at;
  }

  private periodMs(everyMs: number): number {
    return Math.max(everyMs, (this.sleepers.length * 1000) / LOOKS_PER_SECOND);
  }

  private tick(): void {
    if (this.sleepers.length === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
      return;
    }
    const now = performance.now();
    const newsAt = this.lastNewsAt(now);
    const news = newsAt > this.heardAt;
    this.heardAt = newsAt;
    const woken: Watched[] = [];
    for (const watched of this.sleepers) {
      try {
        // A plain load: a hint, which the woken sleeper checks with its own.
        if (watched.words[watched.index] !== watched.seq) woken.push(watched);
        // Half a tick early rather than a tick late: timers fire a little after their time.
        else if (watched.nextLook! <= now + TICK_MS / 2 || (news && watched.heldSince !== undefined && !watched.lookHolds!(watched.heldSince))) {
          watched.nextLook = now + this.periodMs(watched.everyMs);
          watched.heldSince = undefined;
          this.looks.push(watched);
        }
      } catch {
        woken.push(watched); // the sleeper's own look reports what broke
      }
    }
    this.wake(woken);
    if (!this.looking) this.lookSome();
  }

  /** Takes the next LOOKS_PER_TURN looks, and the rest in later turns of the event loop. */
  private readonly lookSome = (): void => {
    this.looking = false;
    const woken: Watched[] = [];
    const now = performance.now();
    const end = Math.min(this.looks.length, this.lookAt + LOOKS_PER_TURN);
    for (; this.lookAt < end; this.lookAt++) {
      const watched = this.looks[this.lookAt]!;
      // Woken meanwhile (its bell rang): no look.
      if (watched.watchAt === undefined || this.sleepers[watched.watchAt] !== watched) continue;
      let due: boolean;
      try {
        due = watched.due();
        if (!due && watched.lookHolds?.(now)) {
          watched.heldSince = now;
          // Spread over the period's second half, so that sleepers seen in one go are not all looked at again in one go.
          watched.nextLook = now + this.periodMs(VOUCHED_LIVE_MS) * (0.5 + Math.random() * 0.5);
        }
      } catch {
        due = true;
      }
      if (due) woken.push(watched);
    }
    if (this.lookAt < this.looks.length) {
      this.looking = true;
      setImmediate(this.lookSome);
    } else {
      this.looks.length = 0;
      this.lookAt = 0;
    }
    this.wake(woken);
  };

  private wake(woken: Watched[]): void {
    for (const watched of woken) this.remove(watched);
    for (const watched of woken) watched.wake();
  }
}

export const peerWatch = new PeerWatch();
