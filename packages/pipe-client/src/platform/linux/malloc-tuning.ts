import { setMallocOption } from './libc.js';

const M_TRIM_THRESHOLD = -1;
const M_MMAP_THRESHOLD = -3;
/** The highest values glibc's own dynamic thresholds reach: after a process frees a 32 MiB block. */
const MMAP_THRESHOLD = 32 << 20;
const TRIM_THRESHOLD = 64 << 20;

let tuned = false;

/**
 * Once per process, for a handle that reads: sets glibc's malloc to the thresholds it
 * moves to by itself once a 32 MiB block was freed. At its start values (128 KiB) a
 * GC that frees the Buffers of large messages gets the heap trimmed, and the next
 * messages fault it back in: 8 page faults per 64 KiB message, two thirds of a Duplex
 * reader's time. RINGPIPE_MALLOC=default leaves malloc as it is.
 */
export function tuneMallocForReading(): void {
  if (tuned) return;
  tuned = true;
  if (process.env.RINGPIPE_MALLOC === 'default') return;
  try {
    setMallocOption(M_MMAP_THRESHOLD, MMAP_THRESHOLD);
    setMallocOption(M_TRIM_THRESHOLD, TRIM_THRESHOLD);
  } catch {
    // Not glibc: its malloc keeps its own ways.
  }
}
