// The mapped driver backend's WAIT when the driver fails every request at once (it was
// stopped under open handles): no busy loop, then a typed error. kernel32 is simulated:
// DeviceIoControl fails with ERROR_INVALID_HANDLE, WaitForMultipleObjects times out.
import { describe, expect, it, vi } from 'vitest';

vi.mock('../src/platform/windows/kernel32.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../src/platform/windows/kernel32.js')>();
  const waitForMultiple = (_n: number, _h: Buffer, _all: number, ms: number): number => ms;
  waitForMultiple.async = (_n: number, _h: Buffer, _all: number, ms: number, cb: (err: unknown, res: number) => void) =>
    setTimeout(() => cb(null, real.WAIT_TIMEOUT), ms);
  const k32 = {
    DeviceIoControl: () => 0,
    GetLastError: () => real.ERROR_INVALID_HANDLE,
    ResetEvent: () => 1,
    SetEvent: () => 1,
    CreateEventW: () => 7n,
    CancelIoEx: () => 1,
    GetOverlappedResult: () => 1,
    WaitForMultipleObjects: waitForMultiple,
  };
  return { ...real, k32: () => k32 };
});

const { DriverWait } = await import('../src/backends/windows-driver/wait.js');

describe('DriverWait on a driver that fails every WAIT at once', () => {
  it('backs off (1 ms doubling to 250 ms), then fails with ERR_RINGPIPE_BACKEND_UNAVAILABLE', async () => {
    const ov = { buf: Buffer.alloc(32), event: 9n };
    const wait = new DriverWait(1n, 1, ov);
    const words = new Int32Array(64);
    const start = Date.now();
    let sleeps = 0;
    while (!wait.failure() && Date.now() - start < 10_000) {
      await wait.sleep(words, 35, 0).promise;
      sleeps++;
    }
    const elapsed = Date.now() - start;
    expect(wait.failure()?.code).toBe('ERR_RINGPIPE_BACKEND_UNAVAILABLE');
    expect(elapsed).toBeGreaterThanOrEqual(2000);
    expect(elapsed).toBeLessThan(3000);
    // 1+2+...+128 ms, then 250 ms turns: about 16 sleeps in 2 s, never a spin.
    expect(sleeps).toBeLessThan(30);
  });
});
