import type { Endpoint } from '../../endpoint.js';
import { MappedEndpoint, type RingTransport } from '../../mapped-endpoint.js';
import { BELL_WAITER, OS_WAITER, W } from '../../ring/layout.js';
import { yieldCpu } from '../../platform/linux/libc.js';
import { PEER_CHECK_MS, POLL_BEFORE_SLEEP_US } from '../../wait/timing.js';
import { futexWaiter } from './futex-waiter.js';
import { Segment, type SegmentRequest } from './segment.js';

/**
 * `backend: 'shm'` on Linux: the ring in /dev/shm. Sleepers wait on the pipe's bells, FIFOs
 * the event loop watches; without bells we trust, on the futex through one process-wide waiter.
 */
export function openLinuxShmEndpoint(canonical: string, request: SegmentRequest, follow: boolean): Endpoint {
  const segment = Segment.open(canonical, request);
  const { bells } = segment;
  const { address } = segment.mapping;
  const common = {
    pollFirstUs: POLL_BEFORE_SLEEP_US,
    yieldCpu,
    peersHeldSince: (since: number) => segment.peersHeldSince(since),
    release: () => segment.close(),
  };
  const transport: RingTransport = bells?.watchable
    ? { ...common, bells, waiterKind: BELL_WAITER, quiesce: () => Promise.resolve() }
    : {
        ...common,
        sleep: (which, words, seq) => futexWaiter.wait(words, W(which), address + BigInt(which), seq, PEER_CHECK_MS),
        waiterKind: OS_WAITER,
        // The waiter may still be inside futex_waitv on our words: unmap only after it left.
        quiesce: () => futexWaiter.quiesce(),
      };
  return Object.assign(new MappedEndpoint(canonical, 'shm', segment.ring, segment.mapping.buffer, segment.slot, follow, transport), {
    created: segment.created,
  });
}
