/** How long a sleeper waits before it checks whether its peers still live (dead writers, lock holders). */
export const PEER_CHECK_MS = 250;

/**
 * How often the process-wide peer watch looks at a reader sleeping on a bell (a dead writer,
 * a stolen ring): a look costs a system call per writer, so that a thousand idle pipes cost
 * a thousand looks a second, not four thousand wake-ups.
 */
export const IDLE_READER_CHECK_MS = 1000;

/**
 * How long a peer seen live is taken as live without another system call, where the kernel
 * would have told of its leaving (inotify on the lock files, platform/linux/slot-liveness.ts);
 * so also how often the peer watch looks at a sleeper whose last look holds so.
 */
export const VOUCHED_LIVE_MS = 30_000;

/** How long a waiter polls the ring from the event loop before it sleeps in the OS, at least (after a short wait). */
export const POLL_BEFORE_SLEEP_US = 20;

/**
 * How long a poll looks at the ring in one turn of the event loop before it lets I/O in: a turn
 * costs an epoll_wait and an Immediate (allocated, so collected), about 2 us when the loop is idle.
 */
export const POLL_TURN_US = 5;

/** The longest a waiter polls (PollWindow); after a longer wait the next one sleeps at once. */
export const POLL_AT_MOST_US = 250;
