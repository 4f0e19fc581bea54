import type { Endpoint } from '../../backend.js';
import { MappedEndpoint, type RingTransport } from '../../mapped-endpoint.js';
import { W } from '../../ring/layout.js';
import { PEER_CHECK_MS, POLL_BEFORE_SLEEP_US } from '../../wait/timing.js';
import { futexWaiter } from './futex-waiter.js';
import { Segment, type SegmentRequest } from './segment.js';

/** `backend: 'shm'` on Linux: the ring in /dev/shm, futex wake-ups through one process-wide waiter. */
export function openLinuxShmEndpoint(canonical: string, request: SegmentRequest, follow: boolean): Endpoint {
  const segment = Segment.open(canonical, request);
  const { address } = segment.mapping;
  const transport: RingTransport = {
    sleep: (which, words, seq) => futexWaiter.wait(words, W(which), address + BigInt(which), seq, PEER_CHECK_MS),
    countsWaiters: true,
    pollFirstUs: POLL_BEFORE_SLEEP_US,
    // The waiter may still be inside futex_waitv on our words: unmap only after it left.
    quiesce: () => futexWaiter.quiesce(),
    release: () => segment.close(),
  };
  return new MappedEndpoint(canonical, 'shm', segment.ring, segment.mapping.buffer, segment.slot, follow, transport);
}
