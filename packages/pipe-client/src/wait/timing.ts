/** How long a sleeper waits before it checks whether its peers still live (dead writers, lock holders). */
export const PEER_CHECK_MS = 250;

/** How long a waiter polls the ring from the event loop before it sleeps in the OS. */
export const POLL_BEFORE_SLEEP_US = 20;

/** A wait that ended within this time says traffic is dense: the next wait polls first again. */
export const POLL_PAYS_WITHIN_MS = 0.2;
