import koffi from 'koffi';
import { EOF, NO_ROOM, WROTE, settledWait, type Endpoint, type Wait } from '../backend.js';
import { LockBackoff } from '../wait/lock-backoff.js';
import { ErrorCode, RingPipeError, closedError } from '../errors.js';
import { closeAtExit, forgetAtExit } from '../exit-hook.js';
import { PEER_CHECK_MS } from '../wait/timing.js';
import { HEADER_SIZE, MODE_BYTE, MODE_MESSAGE, Off, W, recordSize } from '../ring/layout.js';
import { EMPTY, LOCKED, OK, Ring, TOO_BIG, type RingPlatform, type RingStats, type WriteCursor } from '../ring/ring.js';
import { ABI_VERSION, BIND, BindIn, DEVICE_PATH, IOCTL, MapOut, STATUS, WAKE_DATA, WAKE_SPACE, WaitIn } from './abi.js';
import {
  ERROR_ALREADY_EXISTS,
  ERROR_IO_PENDING,
  FILE_FLAG_OVERLAPPED,
  FILE_MAP_ALL_ACCESS,
  FILE_SHARE_READ,
  FILE_SHARE_WRITE,
  GENERIC_READ,
  GENERIC_WRITE,
  INFINITE,
  INVALID_HANDLE,
  OPEN_EXISTING,
  OVERLAPPED_SIZE,
  PAGE_READWRITE,
  STATUS_PENDING,
  closeHandle,
  k32,
} from './kernel32.js';
import { winProcessAlive } from './liveness.js';
import { handleWaiter } from './waiter.js';



export interface WinOpenRequest {
  capacity: number;
  mode: number | undefined;
  permissions: number;
  access: 'read' | 'write' | 'readwrite';
  follow: boolean;
}

/** What differs between the driver and the named-mapping backends: how to sleep, wake and let go. */
interface Transport {
  sleep(which: number, words: Int32Array, word: number, seq: number): { promise: Promise<void>; cancel(): void };
  wake(which: number): void;
  release(): void;
}

/**
 * The ring of docs/ring-format.md mapped into this process, on Windows: either
 * the driver's segment (IOCTL_RINGPIPE_MAP) or a named file mapping in the
 * `Local\` namespace. Reads and writes go straight to the mapping through the
 * TypeScript Ring; only sleeping and waking take a system call.
 */
class WinRingEndpoint implements Endpoint {
  readonly capacity: number;
  readonly mode: 'message' | 'byte';
  readonly maxRecord: number;
  private readonly words: Int32Array;
  private readonly waits = new Set<Wait>();
  private checkPeers = false;
  private closed = false;
  private readonly readBackoff = new LockBackoff();
  private readonly writeBackoff = new LockBackoff();
  private closing?: Promise<void>;

  constructor(
    readonly name: string,
    readonly backend: 'shm' | 'driver',
    private readonly ring: Ring,
    buffer: ArrayBuffer,
    private readonly slot: number,
    private readonly token: number,
    private readonly follow: boolean,
    private readonly transport: Transport,
  ) {
    this.words = new Int32Array(buffer, 0, HEADER_SIZE / 4);
    this.capacity = ring.capacity;
    this.mode = ring.mode === MODE_MESSAGE ? 'message' : 'byte';
    this.maxRecord = ring.maxRecord;
    closeAtExit(this);
  }

  write(chunks: readonly Uint8Array[], cursor: WriteCursor): typeof WROTE | typeof NO_ROOM {
    if (this.closed) throw closedError(this.name);
    const result = this.ring.write(this.slot, chunks, cursor);
    if (result === TOO_BIG) throw new RingPipeError(ErrorCode.MessageTooBig, `a message is larger than pipe ${this.name} can hold (${this.maxRecord} bytes)`);
    if (result === LOCKED) this.writeBackoff.locked();
    else this.writeBackoff.reset();
    return result === OK ? WROTE : NO_ROOM;
  }

  read(): Buffer | null | typeof EOF {
    if (this.closed) throw closedError(this.name);
    const checkPeers = this.checkPeers;
    this.checkPeers = false;
    const got = this.ring.read(this.slot, Infinity, checkPeers);
    if (got === LOCKED) {
      this.readBackoff.locked();
      return null;
    }
    this.readBackoff.reset();
    if (typeof got !== 'number') return got;
    if (got === EMPTY && !this.follow && this.ring.isEof(this.slot, checkPeers)) return EOF;
    return null;
  }

  waitReadable(): Wait {
    const backoff = this.readBackoff.wait();
    if (backoff) return backoff;
    const seq = this.ring.beginReadWait();
    if (this.ring.readyToRead() || (!this.follow && this.ring.isEof(this.slot, false))) {
      this.ring.endReadWait();
      return settledWait();
    }
    return this.sleep(WAKE_DATA, W(Off.dataSeq), seq, () => this.ring.endReadWait());
  }

  waitWritable(size: number): Wait {
    const backoff = this.writeBackoff.wait();
    if (backoff) return backoff;
    const seq = this.ring.beginWriteWait();
    if (this.ring.freeBytes() >= recordSize(size)) {
      this.ring.endWriteWait();
      return settledWait();
    }
    return this.sleep(WAKE_SPACE, W(Off.spaceSeq), seq, () => this.ring.endWriteWait());
  }

  private sleep(which: number, word: number, seq: number, done: () => void): Wait {
    const pending = this.transport.sleep(which, this.words, word, seq);
    const wait: Wait = {
      promise: pending.promise.then(() => {
        this.waits.delete(wait);
        if (this.closed) return;
        done();
        if (Atomics.load(this.words, word) === seq) this.checkPeers = true;
      }),
      cancel: () => pending.cancel(),
    };
    this.waits.add(wait);
    return wait;
  }

  startWriting(): void {
    if (!this.closed) this.ring.setWriter(this.slot);
  }

  endWriting(): void {
    if (!this.closed) this.ring.endWriting(this.slot);
  }

  startReading(): void {
    if (!this.closed) this.ring.setReader(this.slot);
  }

  stopReading(): void {
    if (!this.closed) this.ring.clearReader(this.slot);
  }

  stats(): RingStats {
    if (this.closed) throw closedError(this.name);
    return this.ring.stats();
  }

  close(): Promise<void> {
    return (this.closing ??= this.release());
  }

  private async release(): Promise<void> {
    for (const wait of this.waits) wait.cancel();
    await Promise.all([...this.waits].map((wait) => wait.promise));
    this.closeAtExit();
  }

  /** Synchronous, so that it also runs at process exit: peers see this handle gone at once. */
  closeAtExit(): void {
    if (this.closed) return;
    this.closed = true;
    forgetAtExit(this);
    this.transport.release();
  }
}

// ---- the driver: \\.\RingPipe, bound by IOCTL, ring mapped by IOCTL ----------------------

interface Overlapped {
  readonly buf: Buffer;
  readonly event: bigint;
}

function newOverlapped(): Overlapped {
  const event = k32().CreateEventW(null, 1, 0, null) as bigint;
  if (event === 0n) throw new Error('CreateEventW failed');
  const buf = Buffer.alloc(OVERLAPPED_SIZE);
  buf.writeBigUInt64LE(event, 24);
  return { buf, event };
}

function resetOverlapped(ov: Overlapped): void {
  ov.buf.fill(0, 0, 24);
}

/** DeviceIoControl, waited for; returns the request's NTSTATUS and byte count. */
export function deviceIoControl(
  h: bigint,
  code: number,
  input: Buffer | null,
  output: Buffer | null,
  ov: Overlapped,
): { status: number; bytes: number } {
  resetOverlapped(ov);
  // kernel32 stores STATUS_PENDING in Internal before it sends the request: anything
  // else after a failed call is a request that failed at once, maybe with no status
  // written (then the Win32 error tells which).
  ov.buf.writeUInt32LE(STATUS_PENDING, 0);
  const ok = k32().DeviceIoControl(h, code, input, input?.length ?? 0, output, output?.length ?? 0, null, ov.buf) as number;
  if (!ok && ov.buf.readUInt32LE(0) === STATUS_PENDING) {
    const err = k32().GetLastError() as number;
    if (err !== ERROR_IO_PENDING) return { status: statusFromWin32(err), bytes: 0 };
    k32().GetOverlappedResult(h, ov.buf, [0], 1);
  }
  return { status: ov.buf.readUInt32LE(0), bytes: Number(ov.buf.readBigUInt64LE(8)) };
}

/** The driver's NTSTATUS back from the Win32 error it became (see README's IOCTL table). */
function statusFromWin32(err: number): number {
  const map: Record<number, number> = {
    2: STATUS.objectNameNotFound,
    4: STATUS.tooManyOpenedFiles,
    5: STATUS.accessDenied,
    6: STATUS.objectTypeMismatch,
    123: STATUS.objectNameInvalid,
    183: STATUS.objectNameCollision,
    1392: STATUS.fileCorrupt,
  };
  return map[err] ?? (0xe0000000 | err) >>> 0;
}

export function openDevice(): bigint {
  const h = k32().CreateFileW(
    DEVICE_PATH,
    GENERIC_READ | GENERIC_WRITE,
    FILE_SHARE_READ | FILE_SHARE_WRITE,
    null,
    OPEN_EXISTING,
    FILE_FLAG_OVERLAPPED,
    0n,
  ) as bigint;
  return h === INVALID_HANDLE ? 0n : h;
}

function bindError(status: number, name: string): Error {
  switch (status) {
    case STATUS.objectNameInvalid:
      return new RingPipeError(ErrorCode.BadName, `the driver refused the name ${name}`);
    case STATUS.objectTypeMismatch:
      return new RingPipeError(ErrorCode.ModeMismatch, `pipe ${name} exists in the other mode`);
    case STATUS.accessDenied:
      return new RingPipeError(ErrorCode.PermissionDenied, `permission denied: pipe ${name}`);
    case STATUS.tooManyOpenedFiles:
      return new RingPipeError(ErrorCode.TooManyHandles, `pipe ${name} has all of its 128 handles open`);
    case STATUS.fileCorrupt:
      return new RingPipeError(ErrorCode.Corrupt, `pipe ${name} is corrupt`);
    default:
      return new Error(`ringpipe driver: binding ${name} failed with NTSTATUS 0x${(status >>> 0).toString(16)}`);
  }
}

export function openWindowsDriverEndpoint(canonical: string, request: WinOpenRequest): Endpoint {
  const h = openDevice();
  if (h === 0n) {
    throw new RingPipeError(ErrorCode.BackendUnavailable, `the ringpipe driver is not running (cannot open ${DEVICE_PATH})`);
  }
  const sync = newOverlapped();
  let view: { address: bigint; length: number } | undefined;
  try {
    const input = Buffer.alloc(BindIn.size);
    input.writeUInt32LE(ABI_VERSION, BindIn.abiVersion);
    const flags =
      BIND.create |
      (request.access !== 'write' ? BIND.read : 0) |
      (request.access !== 'read' ? BIND.write : 0) |
      (request.follow ? BIND.follow : 0);
    input.writeUInt32LE(flags, BindIn.flags);
    input.writeUInt32LE(request.capacity, BindIn.capacity);
    input.writeUInt32LE(request.mode ?? 0, BindIn.mode);
    input.writeUInt32LE(request.permissions & 0o666, BindIn.perm);
    input.writeUInt32LE(canonical.length, BindIn.nameLen);
    input.write(canonical, BindIn.name, 'latin1');
    const bound = deviceIoControl(h, IOCTL.bind, input, Buffer.alloc(104), sync);
    if (bound.status !== STATUS.success) throw bindError(bound.status, canonical);
    const out = Buffer.alloc(MapOut.size);
    const mapped = deviceIoControl(h, IOCTL.map, null, out, sync);
    if (mapped.status !== STATUS.success) {
      throw new Error(`ringpipe driver: mapping ${canonical} failed with NTSTATUS 0x${(mapped.status >>> 0).toString(16)}`);
    }
    view = { address: out.readBigUInt64LE(MapOut.address), length: Number(out.readBigUInt64LE(MapOut.length)) };
    const buffer = koffi.view(view.address, view.length) as ArrayBuffer;
    const waits = { [WAKE_DATA]: newOverlapped(), [WAKE_SPACE]: newOverlapped() } as Record<number, Overlapped>;
    const wakeIn = Buffer.alloc(4);
    const transport: Transport = {
      sleep(which, words, word, seq) {
        const ov = waits[which]!;
        const input = Buffer.alloc(WaitIn.size);
        input.writeUInt32LE(which, WaitIn.which);
        input.writeUInt32LE(seq >>> 0, WaitIn.seq);
        resetOverlapped(ov);
        ov.buf.writeUInt32LE(STATUS_PENDING, 0);
        const started = k32().DeviceIoControl(h, IOCTL.wait, input, input.length, null, 0, null, ov.buf) as number;
        // Failed at once (e.g. the handle is closing): nothing to wait for.
        if (!started && ov.buf.readUInt32LE(0) === STATUS_PENDING && k32().GetLastError() !== ERROR_IO_PENDING) {
          ov.buf.writeUInt32LE(STATUS.cancelled, 0);
        }
        const done = (): boolean => ov.buf.readUInt32LE(0) !== STATUS_PENDING;
        const pending = handleWaiter.wait(ov.event, () => done() || Atomics.load(words, word) !== seq, PEER_CHECK_MS);
        return {
          promise: pending.promise.then(() => {
            // The request must be over before its OVERLAPPED is reused.
            if (ov.buf.readUInt32LE(0) === STATUS.cancelled && !started) return;
            if (!done()) k32().CancelIoEx(h, ov.buf);
            k32().GetOverlappedResult(h, ov.buf, [0], 1);
            void input;
          }),
          cancel: () => pending.cancel(),
        };
      },
      wake(which) {
        wakeIn.writeUInt32LE(which, 0);
        deviceIoControl(h, IOCTL.wake, wakeIn, null, sync);
      },
      release() {
        // Closing the handle unmaps the view and detaches the slot in the driver.
        closeHandle(h);
        closeHandle(sync.event);
        closeHandle(waits[WAKE_DATA]!.event);
        closeHandle(waits[WAKE_SPACE]!.event);
      },
    };
    const ring = new Ring(buffer, platform((which) => transport.wake(which)));
    return new WinRingEndpoint(
      canonical,
      'driver',
      ring,
      buffer,
      out.readUInt32LE(MapOut.slot),
      out.readUInt32LE(MapOut.token),
      request.follow,
      transport,
    );
  } catch (err) {
    closeHandle(h);
    closeHandle(sync.event);
    throw err;
  }
}

// ---- shared memory: a named file mapping in Local\, named events for wake-ups --------------

export const mappingName = (canonical: string): string => `Local\\ringpipe.${canonical}`;

/** The size of the view at address (the whole mapping: views are mapped whole). */
export function viewSize(address: bigint): number {
  const info = Buffer.alloc(48);
  k32().VirtualQuery(address, info, info.length);
  return Number(info.readBigUInt64LE(24));
}

export function openWindowsShmEndpoint(canonical: string, request: WinOpenRequest): Endpoint {
  const base = mappingName(canonical);
  const lock = k32().CreateMutexW(null, 0, `${base}.lock`) as bigint;
  if (lock === 0n) throw new Error(`CreateMutexW failed for ${base} (Windows error ${k32().GetLastError()})`);
  k32().WaitForSingleObject(lock, INFINITE);
  let mapping = 0n;
  let address = 0n;
  try {
    const size = HEADER_SIZE + request.capacity;
    mapping = k32().CreateFileMappingW(INVALID_HANDLE, null, PAGE_READWRITE, 0, size, base) as bigint;
    const existed = k32().GetLastError() === ERROR_ALREADY_EXISTS;
    if (mapping === 0n) throw new Error(`CreateFileMappingW failed for ${base} (Windows error ${k32().GetLastError()})`);
    address = k32().MapViewOfFile(mapping, FILE_MAP_ALL_ACCESS, 0, 0, 0) as bigint;
    if (address === 0n) throw new Error(`MapViewOfFile failed for ${base}`);
    const length = existed ? viewSize(address) : size;
    const buffer = koffi.view(address, length) as ArrayBuffer;
    const events = {
      [WAKE_DATA]: k32().CreateEventW(null, 1, 0, `${base}.data`) as bigint,
      [WAKE_SPACE]: k32().CreateEventW(null, 1, 0, `${base}.space`) as bigint,
    } as Record<number, bigint>;
    const wake = (which: number): void => void k32().SetEvent(events[which]!);
    // A mapping whose slots hold no live process (every opener crashed) starts afresh, as on Linux.
    const magic = new Int32Array(buffer, 0, 1)[0];
    if (!existed || magic === 0 || new Ring(buffer, platform(wake)).stats().handles === 0) {
      Ring.init(buffer, length - HEADER_SIZE, request.mode ?? MODE_MESSAGE);
    }
    const ring = new Ring(buffer, platform(wake));
    if (request.mode !== undefined && request.mode !== ring.mode) {
      const want = request.mode === MODE_BYTE ? 'byte' : 'message';
      throw new RingPipeError(ErrorCode.ModeMismatch, `pipe ${canonical} exists in ${ring.stats().mode} mode, not ${want} mode`);
    }
    // Attaching claims a slot whose process is gone; the mutex keeps two openers off one slot.
    const slot = ring.firstFreeSlot();
    if (slot < 0) throw new RingPipeError(ErrorCode.TooManyHandles, `pipe ${canonical} has all of its 128 handles open`);
    ring.attach(slot, process.pid);
    k32().ReleaseMutex(lock);
    const held = { mapping, address };
    const transport: Transport = {
      sleep(which, words, word, seq) {
        const event = events[which]!;
        const pending = handleWaiter.wait(event, () => Atomics.load(words, word) !== seq, PEER_CHECK_MS);
        return { promise: pending.promise, cancel: () => pending.cancel() };
      },
      wake,
      release() {
        k32().WaitForSingleObject(lock, INFINITE);
        ring.detach(slot);
        k32().UnmapViewOfFile(held.address);
        closeHandle(held.mapping);
        k32().ReleaseMutex(lock);
        closeHandle(lock);
        closeHandle(events[WAKE_DATA]!);
        closeHandle(events[WAKE_SPACE]!);
      },
    };
    return new WinRingEndpoint(canonical, 'shm', ring, buffer, slot, ring.tokenOf(slot), request.follow, transport);
  } catch (err) {
    if (address !== 0n) k32().UnmapViewOfFile(address);
    closeHandle(mapping);
    k32().ReleaseMutex(lock);
    closeHandle(lock);
    throw err;
  }
}

function platform(wake: (which: number) => void): RingPlatform {
  return {
    alive: (_slot, pid) => pid !== 0 && winProcessAlive(pid),
    yieldCpu: () => void k32().SwitchToThread(),
    wake: (byteOffset) => wake(byteOffset === Off.spaceSeq ? WAKE_SPACE : WAKE_DATA),
  };
}
