// Results of the ring's operations, as driver/core/rp_status.h names them; negative, so that
// a length or a count tells itself from them. A broken ring throws ERR_RINGPIPE_CORRUPT instead.

/** Progress: something went in (a write's cursor moved). */
export const OK = 0;
export const EMPTY = -1;
/** The oldest record is a live writer's reservation: wait for its commit. */
export const BUSY = -2;
export const TOO_SMALL = -3;
export const FULL = -4;
/** A live handle holds the side's lock: it is stopped or descheduled; wait without blocking and try again. */
export const LOCKED = -5;
export const TOO_BIG = -6;
/** A request the format has no record for (a byte-mode reservation of 0 bytes). */
export const INVAL = -7;
/** writeWithCursor: the batch's cursor is the ring's already (that batch was committed); nothing written. */
export const ALREADY = -8;
