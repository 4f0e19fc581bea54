/**
 * Whether this process woke a sleeping peer since a poll last let the CPU go. The kernel often
 * runs a woken process on its waker's CPU; a waker that then polls for the answer keeps that CPU
 * while the peer waits behind it, until the poll runs out (2 vCPUs, a 64 B ping-pong with idle
 * gaps: one-way p99 65-84 us; 45-62 with a yield at the first poll turn after each wake).
 */
let peerWoken = false;

/** Called by a waker that woke sleepers (a bell rung, a futex woken). */
export function wokePeer(): void {
  peerWoken = true;
}

/** A poll's turn: lets the CPU go (sched_yield) if a peer was woken since, so that it runs now if it waits for this CPU. */
export function yieldAfterWake(yieldCpu: (() => void) | undefined): void {
  if (!peerWoken || !yieldCpu) return;
  peerWoken = false;
  yieldCpu();
}
