/** How long a sleeper waits before it checks whether its peers still live (dead writers, lock holders). */
export const PEER_CHECK_MS = 250;

/** How long a waiter polls the ring from the event loop before it sleeps in the OS, at least (after a short wait). */
export const POLL_BEFORE_SLEEP_US = 20;

/** The longest a waiter polls (PollWindow); after a longer wait the next one sleeps at once. */
export const POLL_AT_MOST_US = 250;
