import koffi from 'koffi';
import type { Endpoint } from '../../endpoint.js';
import { ErrorCode, RingPipeError } from '../../errors.js';
import { Ring } from '../../ring/ring.js';
import { ABI_VERSION, BIND, BindIn, BindOut, IOCTL, MapOut, STATUS, WAKE_DATA, WAKE_SPACE } from './abi.js';
import { bindError, deviceIoControl, driverUnavailable, newOverlapped, openDevice, type Overlapped } from './device.js';
import { DriverIoEndpoint } from './io-endpoint.js';
import { DriverWait } from './wait.js';
import { closeHandle } from '../../platform/windows/kernel32.js';
import { MappedEndpoint, type RingTransport } from '../../mapped-endpoint.js';
import { OS_WAITER, W, wakeCode } from '../../ring/layout.js';
import { ringPlatform } from '../windows-ring-platform.js';
import { handleWaiter } from '../../platform/windows/waiter.js';

export interface WinOpenRequest {
  capacity: number;
  mode: number | undefined;
  permissions: number;
  access: 'read' | 'write' | 'readwrite';
  follow: boolean;
  /** shm: the SID an existing pipe's objects must belong to; undefined: our own. */
  ownerSid: string | undefined;
  /** driver: ms a pipe may stay kept (no handle, messages unread) before it is removed; set by its creator. */
  ttl?: number | undefined;
}

/**
 * How a driver handle moves messages: 'mapped' reads and writes the ring in the
 * mapping IOCTL_RINGPIPE_MAP gives (no system call per message), 'syscall' uses
 * ReadFile and WriteFile. 'syscall' is taken when the mapping is refused or its
 * ring is of a format this client does not read; RINGPIPE_DRIVER_IO=syscall
 * forces it (tests).
 */
export type DriverIo = 'mapped' | 'syscall';

/** `backend: 'driver'`: \\.\RingPipe bound to the name, then mapped (or used through ReadFile/WriteFile). */
export function openWindowsDriverEndpoint(canonical: string, request: WinOpenRequest): Endpoint {
  const h = openDevice();
  if (h === 0n) throw driverUnavailable();
  let sync: Overlapped | undefined;
  try {
    sync = newOverlapped();
    const bound = bind(h, canonical, request, sync);
    const created = bound.readUInt32LE(BindOut.created) !== 0;
    const mapped = process.env.RINGPIPE_DRIVER_IO === 'syscall' ? undefined : mapRing(h, canonical, request, sync);
    if (mapped) return Object.assign(mapped, { created });
    const maxRecord = bound.readUInt32LE(BindOut.maxRecord);
    const capacity = bound.readUInt32LE(BindOut.capacity);
    const mode = bound.readUInt32LE(BindOut.mode);
    return new DriverIoEndpoint(canonical, h, sync, { capacity, mode, maxRecord, access: request.access, created });
  } catch (err) {
    closeHandle(h);
    if (sync) closeHandle(sync.event);
    throw err;
  }
}

function bind(h: bigint, canonical: string, request: WinOpenRequest, sync: Overlapped): Buffer {
  const input = Buffer.alloc(BindIn.size);
  input.writeUInt32LE(ABI_VERSION, BindIn.abiVersion);
  const flags =
    BIND.create |
    (request.access !== 'write' ? BIND.read : 0) |
    (request.access !== 'read' ? BIND.write : 0) |
    (request.access === 'write' ? BIND.writerNow : 0) |
    (request.follow ? BIND.follow : 0);
  input.writeUInt32LE(flags, BindIn.flags);
  input.writeUInt32LE(request.capacity, BindIn.capacity);
  input.writeUInt32LE(request.mode ?? 0, BindIn.mode);
  input.writeUInt32LE(request.permissions & 0o666, BindIn.perm);
  input.writeUInt32LE(canonical.length, BindIn.nameLen);
  input.write(canonical, BindIn.name, 'latin1');
  input.writeBigUInt64LE(BigInt(request.ttl ?? 0), BindIn.ttlMs);
  const out = Buffer.alloc(BindOut.size);
  const bound = deviceIoControl(h, IOCTL.bind, input, out, sync);
  if (bound.status !== STATUS.success) throw bindError(bound.status, canonical);
  return out;
}

/** The mapped endpoint, or undefined when the driver gives no usable mapping (then ReadFile/WriteFile). */
function mapRing(h: bigint, canonical: string, request: WinOpenRequest, sync: Overlapped): Endpoint | undefined {
  const out = Buffer.alloc(MapOut.size);
  if (deviceIoControl(h, IOCTL.map, null, out, sync).status !== STATUS.success) return undefined;
  const buffer = koffi.view(out.readBigUInt64LE(MapOut.address), Number(out.readBigUInt64LE(MapOut.length))) as ArrayBuffer;
  const waits: Record<number, DriverWait> = {};
  const events: Overlapped[] = [];
  const wakeIn = Buffer.alloc(4);
  const wake = (which: number): void => {
    wakeIn.writeUInt32LE(which, 0);
    deviceIoControl(h, IOCTL.wake, wakeIn, null, sync);
  };
  let ring: Ring;
  try {
    // Slots live exactly as long as their file objects: the driver detaches them.
    ring = new Ring(buffer, ringPlatform(() => true, wake));
    for (const which of [WAKE_DATA, WAKE_SPACE]) {
      const ov = newOverlapped();
      events.push(ov);
      waits[which] = new DriverWait(h, which, ov);
    }
  } catch (err) {
    for (const ov of events) closeHandle(ov.event);
    deviceIoControl(h, IOCTL.unmap, null, null, sync);
    // A ring of another format version (an older or newer driver): the driver still reads and writes it.
    if (err instanceof RingPipeError && err.code === ErrorCode.Corrupt) return undefined;
    throw err;
  }
  const transport: RingTransport = {
    sleep: (which, words, seq) => waits[wakeCode(which)]!.sleep(words, W(which), seq),
    waiterKind: OS_WAITER,
    pollFirstUs: 0,
    failure: () => waits[WAKE_DATA]!.failure() ?? waits[WAKE_SPACE]!.failure(),
    // The process-wide wait may still hold our events: close them only once it let go.
    quiesce: () => handleWaiter.quiesce(),
    release() {
      // Closing the handle unmaps the view and detaches the slot in the driver.
      closeHandle(h);
      closeHandle(sync.event);
      for (const ov of events) closeHandle(ov.event);
    },
  };
  return new MappedEndpoint(canonical, 'driver', ring, buffer, out.readUInt32LE(MapOut.slot), request.follow, transport);
}
