/**
 * Looks at `ready()` on every turn of the event loop (setImmediate, so I/O goes
 * on in between) for up to `microseconds`, then calls `done` with whether it held.
 * A peer that answers within that time is seen without a wake. The returned
 * function stops the poll (`done` is then not called).
 */
export function pollBriefly(ready: () => boolean, microseconds: number, done: (isReady: boolean) => void): () => void {
  const deadline = performance.now() + microseconds / 1000;
  let timer: NodeJS.Immediate | undefined;
  const turn = (): void => {
    timer = undefined;
    if (ready()) return done(true);
    if (performance.now() >= deadline) return done(false);
    timer = setImmediate(turn);
  };
  turn();
  return () => {
    if (timer) clearImmediate(timer);
    timer = undefined;
  };
}
