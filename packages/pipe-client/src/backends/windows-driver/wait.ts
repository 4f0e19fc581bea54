import type { Wait } from '../../wait/wait.js';
import { ErrorCode, RingPipeError } from '../../errors.js';
import { PEER_CHECK_MS } from '../../wait/timing.js';
import { IOCTL, WaitIn } from './abi.js';
import { armOverlapped, failedAtOnce, overlappedDone, type Overlapped } from './device.js';
import { k32 } from '../../platform/windows/kernel32.js';
import { handleWaiter } from '../../platform/windows/waiter.js';

const FIRST_BACKOFF_MS = 1;
/** A WAIT that keeps failing at once for this long ends the handle. */
const GIVE_UP_MS = 2000;

/**
 * IOCTL_RINGPIPE_WAIT for one direction of a mapped driver handle. A request that
 * fails at once (the driver stopped, the handle is going) is no wake-up: the next
 * sleeps wait on a timer, 1 ms doubling to 250 ms, and after 2 s of nothing but
 * failures the handle fails with ERR_RINGPIPE_BACKEND_UNAVAILABLE.
 */
export class DriverWait {
  private readonly input = Buffer.alloc(WaitIn.size);
  private backoffMs = 0;
  private failingSince = 0;
  private lastError = 0;
  private failed?: RingPipeError;

  constructor(
    private readonly h: bigint,
    private readonly which: number,
    private readonly ov: Overlapped,
  ) {
    this.input.writeUInt32LE(which, WaitIn.which);
  }

  failure(): RingPipeError | undefined {
    return this.failed;
  }

  sleep(words: Int32Array, word: number, seq: number): Wait {
    const ov = this.ov;
    if (this.failed) return { promise: Promise.resolve(), cancel: () => {} };
    this.input.writeUInt32LE(seq >>> 0, WaitIn.seq);
    armOverlapped(ov);
    const ok = k32().DeviceIoControl(this.h, IOCTL.wait, this.input, this.input.length, null, 0, null, ov.buf) as number;
    const err = failedAtOnce(ok, ov);
    if (err !== undefined) return this.backOff(err, words, word, seq);
    this.backoffMs = 0;
    this.failingSince = 0;
    const pending = handleWaiter.wait(ov.event, () => overlappedDone(ov) || Atomics.load(words, word) !== seq, PEER_CHECK_MS);
    return {
      promise: pending.promise.then(() => {
        // The request must be over before its OVERLAPPED is reused.
        if (!overlappedDone(ov)) k32().CancelIoEx(this.h, ov.buf);
        k32().GetOverlappedResult(this.h, ov.buf, [0], 1);
      }),
      cancel: () => pending.cancel(),
    };
  }

  private backOff(err: number, words: Int32Array, word: number, seq: number): Wait {
    const now = Date.now();
    if (this.failingSince === 0) this.failingSince = now;
    this.lastError = err;
    if (now - this.failingSince >= GIVE_UP_MS) {
      this.failed ??= new RingPipeError(
        ErrorCode.BackendUnavailable,
        `the ringpipe driver stopped answering waits for ${GIVE_UP_MS} ms (Windows error ${this.lastError}, direction ${this.which})`,
      );
    }
    this.backoffMs = this.backoffMs === 0 ? FIRST_BACKOFF_MS : Math.min(this.backoffMs * 2, PEER_CHECK_MS);
    // No request holds the event: reset, it is a timer that also ends when the word moves.
    k32().ResetEvent(this.ov.event);
    return handleWaiter.wait(this.ov.event, () => this.failed !== undefined || Atomics.load(words, word) !== seq, this.backoffMs);
  }
}
