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
  wake(): void;
}

/** How often the watch's one timer runs; each tick visits one bucket of sleepers. */
const TICK_MS = 50;
/** Buckets: each sleeper's wake word is looked at once per BUCKETS ticks (250 ms). */
const BUCKETS = 5;
/**
 * The most looks at peers the watch takes a second, for all its sleepers: beyond this many
 * sleepers, each is looked at less often than its `everyMs` (a look is a system call).
 */
const LOOKS_PER_SECOND = 500;

interface Entry {
  readonly watched: Watched;
  readonly bucket: Set<Entry>;
  nextLook: number;
}

/**
 * One timer for the whole process, in place of one per sleeping handle. Sleepers are spread
 * over buckets and each tick visits one: it looks at the sleeper's wake word (a wake it
 * missed: another process took the bell's byte), every `everyMs` at its peers, and wakes only
 * those whose look says so. So a thousand idle pipes cost four thousand loads and at most
 * LOOKS_PER_SECOND system calls a second, rather than four thousand wake-ups. Each sleeper's
 * first look falls at a random point of its period, which spreads the looks. The timer holds
 * no reference: the sleepers' own waits keep the process alive.
 */
class PeerWatch {
  private readonly buckets = Array.from({ length: BUCKETS }, () => new Set<Entry>());
  private next = 0;
  private size = 0;
  private timer: NodeJS.Timeout | undefined;

  /** Starts watching; the returned function stops it (call it when the sleep ends, however). */
  watch(watched: Watched): () => void {
    const bucket = this.buckets[Math.floor(Math.random() * BUCKETS)]!;
    const entry: Entry = { watched, bucket, nextLook: performance.now() + this.periodMs(watched) * (0.5 + Math.random() * 0.5) };
    bucket.add(entry);
    this.size++;
    if (!this.timer) {
      this.timer = setInterval(() => this.tick(), TICK_MS);
      this.timer.unref();
    }
    // The timer stops at a tick with nothing to watch: a reader that sleeps and wakes at
    // every message does not make and clear a timer each time.
    return () => {
      if (bucket.delete(entry)) this.size--;
    };
  }

  private periodMs(watched: Watched): number {
    return Math.max(watched.everyMs, (this.size * 1000) / LOOKS_PER_SECOND);
  }

  private tick(): void {
    if (this.size === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
      return;
    }
    const bucket = this.buckets[this.next]!;
    this.next = (this.next + 1) % BUCKETS;
    const now = performance.now();
    const woken: Watched[] = [];
    for (const entry of bucket) {
      const { watched } = entry;
      let due: boolean;
      try {
        // A plain load: a hint, which the woken sleeper checks with its own.
        due = watched.words[watched.index] !== watched.seq;
        if (!due && entry.nextLook <= now) {
          entry.nextLook = now + this.periodMs(watched);
          due = watched.due();
        }
      } catch {
        due = true; // the sleeper's own look reports what broke
      }
      if (due) {
        bucket.delete(entry);
        this.size--;
        woken.push(watched);
      }
    }
    for (const watched of woken) watched.wake();
  }
}

export const peerWatch = new PeerWatch();
