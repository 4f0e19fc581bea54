export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface Polling {
  /** How long to keep looking before giving up (default 10 s). */
  timeoutMs?: number;
  /** The pause between two looks (default 20 ms). */
  everyMs?: number;
}

/** Looks at `check` until it holds; true, or false once `timeoutMs` has passed without it holding. */
export async function becomes(check: () => boolean | Promise<boolean>, { timeoutMs = 10_000, everyMs = 20 }: Polling = {}): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > end) return false;
    await sleep(everyMs);
  }
}

/** Looks at `check` until it holds; throws naming `what` once `timeoutMs` has passed without it holding. */
export async function until(what: string, check: () => boolean | Promise<boolean>, polling: Polling = {}): Promise<void> {
  if (!(await becomes(check, polling))) throw new Error(`timed out after ${polling.timeoutMs ?? 10_000} ms waiting for ${what}`);
}
