export interface Poll {
  /** true once `ready()` held, false when the time ran out or the poll was cancelled. */
  readonly promise: Promise<boolean>;
  cancel(): void;
}

const READY: Poll = { promise: Promise.resolve(true), cancel: () => {} };
const NOT_READY: Poll = { promise: Promise.resolve(false), cancel: () => {} };

/**
 * Looks at `ready()` on every turn of the event loop (setImmediate, so I/O goes
 * on in between) for up to `microseconds`. A peer that answers within that
 * time is seen without a futex wake and a threadpool hop.
 */
export function pollBriefly(ready: () => boolean, microseconds: number): Poll {
  // No window (a sparse reader after a long wait): one look, and nothing allocated for it.
  if (microseconds <= 0) return ready() ? READY : NOT_READY;
  const deadline = performance.now() + microseconds / 1000;
  let timer: NodeJS.Immediate | undefined;
  let finish!: (value: boolean) => void;
  const promise = new Promise<boolean>((resolve) => (finish = resolve));
  const turn = (): void => {
    if (ready()) return finish(true);
    if (performance.now() >= deadline) return finish(false);
    timer = setImmediate(turn);
  };
  turn();
  return {
    promise,
    cancel: () => {
      if (timer) clearImmediate(timer);
      finish(false);
    },
  };
}
