/** Something holding OS resources that must be let go synchronously if the process exits with it open. */
export interface ClosesAtExit {
  closeAtExit(): void;
}

const open = new Set<ClosesAtExit>();
let installed = false;

/** Detaches `handle` at process exit, so peers see it gone at once, unless `forgetAtExit` is called first. */
export function closeAtExit(handle: ClosesAtExit): void {
  open.add(handle);
  if (installed) return;
  installed = true;
  process.on('exit', () => {
    for (const h of open) h.closeAtExit();
    open.clear();
  });
}

export function forgetAtExit(handle: ClosesAtExit): void {
  open.delete(handle);
}
