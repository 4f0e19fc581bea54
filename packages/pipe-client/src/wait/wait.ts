/** A wait for the ring or a peer: its promise resolves when it is over (possibly spuriously: the caller looks again), `cancel` ends it early. */
export interface Wait {
  readonly promise: Promise<void>;
  cancel(): void;
  /**
   * Calls `callback` when the wait is over, without a promise: a Waiting's waker (a bell's
   * read callback) runs it in its own turn. Plain waits have none: see `whenOver`.
   */
  onDone?(callback: () => void): void;
}

/** A wait that is over already: the caller tries again at once. */
export function settledWait(): Wait {
  return { promise: Promise.resolve(), cancel: () => {} };
}

/** Runs `callback` once `wait` is over: straight from its waker where it has one, else after its promise. */
export function whenOver(wait: Wait, callback: () => void): void {
  if (wait.onDone) wait.onDone(callback);
  else void wait.promise.then(callback);
}

/**
 * A wait over which its waker calls `finish()`, and which runs what waits on it right then,
 * in the waker's turn of the event loop: a bell's wake goes to the stream with no promise in
 * between. Its promise is made only for a caller that asks for one. A cancel, and a look at a
 * wait that is over, run the callbacks later (a microtask), as a promise would.
 */
export class Waiting implements Wait {
  private over = false;
  /** What waits on it, in order: usually one or two callbacks, held without an array. */
  private first: (() => void) | undefined;
  private second: (() => void) | undefined;
  private more: Array<() => void> | undefined;
  private made: Promise<void> | undefined;

  /** `stopWith` is what cancel() does before the wait ends (it lets go of what the wait holds); a subclass may override stop(). */
  constructor(private readonly stopWith?: () => void) {}

  protected stop(): void {
    this.stopWith?.();
  }

  /** Runs first when the wait ends, however (a subclass's bookkeeping). */
  protected ended(): void {}

  get promise(): Promise<void> {
    return (this.made ??= this.over ? Promise.resolve() : new Promise<void>((resolve) => this.onDone(resolve)));
  }

  get done(): boolean {
    return this.over;
  }

  onDone(callback: () => void): void {
    if (this.over) queueMicrotask(callback);
    else if (!this.first) this.first = callback;
    else if (!this.second) this.second = callback;
    else (this.more ??= []).push(callback);
  }

  /** A method, not a bound function: a wait allocates no closure of its own (bound(): for a caller that takes it out). */
  cancel(): void {
    if (this.over) return;
    this.stop();
    this.end(false);
  }

  /** Ends the wait and runs its callbacks now, in order; the first exception is thrown after all of them ran. */
  finish(): void {
    if (!this.over) this.end(true);
  }

  private end(now: boolean): void {
    this.over = true;
    this.ended();
    const { first, second, more } = this;
    this.first = this.second = this.more = undefined;
    if (!first) return;
    if (!now) {
      queueMicrotask(first);
      if (second) queueMicrotask(second);
      if (more) for (const callback of more) queueMicrotask(callback);
      return;
    }
    if (!second) return first();
    // Every callback runs even if one throws; the first exception goes on after them.
    let failed = false;
    let failure: unknown;
    try {
      first();
    } catch (err) {
      failed = true;
      failure = err;
    }
    try {
      second();
    } catch (err) {
      if (!failed) failure = err;
      failed = true;
    }
    if (more) {
      try {
        runAll(more, call);
      } catch (err) {
        if (!failed) failure = err;
        failed = true;
      }
    }
    if (failed) throw failure;
  }
}

const call = (callback: () => void): void => callback();

/** `wait` with a `cancel` that may be taken out of it (a Waiting's is a method): what the public API hands out. */
export function bound(wait: Wait): Wait {
  return {
    get promise() {
      return wait.promise;
    },
    cancel: () => wait.cancel(),
    ...(wait.onDone ? { onDone: (callback: () => void) => wait.onDone!(callback) } : {}),
  };
}

/** Runs `run` on the first `count` items in order; the first exception is thrown after all of them ran, so that none is left waiting. */
export function runAll<T>(items: readonly T[], run: (item: T) => void, count = items.length): void {
  let failed = false;
  let failure: unknown;
  for (let i = 0; i < count; i++) {
    try {
      run(items[i]!);
    } catch (err) {
      if (!failed) failure = err;
      failed = true;
    }
  }
  if (failed) throw failure;
}
