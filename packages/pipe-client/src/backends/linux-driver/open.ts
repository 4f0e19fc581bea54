import { constants } from 'node:fs';
import { constants as osConstants } from 'node:os';
import type { Endpoint } from '../../endpoint.js';
import { ErrorCode, RingPipeError } from '../../errors.js';
import { MappedEndpoint, type RingTransport } from '../../mapped-endpoint.js';
import { HEADER_SIZE, Off, wakeCode } from '../../ring/layout.js';
import { Ring } from '../../ring/ring.js';
import { mapShared, unmap, yieldCpu } from '../../platform/linux/libc.js';
import { PEER_CHECK_MS, POLL_BEFORE_SLEEP_US } from '../../wait/timing.js';
import { BIND_CREATE, BIND_FOLLOW, Bind, Ioctl, MODE_BYTE, MODE_MESSAGE } from './abi.js';
import { closeDevice, deviceExists, driverError, ioctl, ioctlU32, openDevice, putName, unavailable } from './device.js';
import type { Bound, DriverRequest } from './bind.js';
import { DriverIoEndpoint } from './io-endpoint.js';
import { POLLIN, POLLOUT, pollWaiter } from './poll-waiter.js';

const errno = osConstants.errno;

/**
 * How a handle moves messages: 'mapped' reads and writes the ring in the
 * mapping of the file (no system call per message), 'syscall' uses read and
 * write on the device. Mapping needs read and write permission on the pipe;
 * a handle allowed only one of them uses system calls. RINGPIPE_DRIVER_IO=syscall
 * forces system calls (tests, benchmarks).
 */
export type DriverIo = 'mapped' | 'syscall';

/** `backend: 'driver'` on Linux: /dev/ringpipe bound to the name, then mapped (or used through read and write). */
export function openLinuxDriverEndpoint(canonical: string, request: DriverRequest): Endpoint & { readonly io: DriverIo } {
  if (!deviceExists()) throw unavailable();
  const bound = openBound(canonical, request);
  if (process.env.RINGPIPE_DRIVER_IO === 'syscall' || !bound.readWrite) return new DriverIoEndpoint(canonical, bound, request);
  let mapping;
  try {
    mapping = mapShared(bound.fd, HEADER_SIZE + bound.capacity);
    const ring = new Ring(mapping.buffer, {
      // Slots live exactly as long as their files: the driver detaches them, so a slot is a live handle.
      alive: () => true,
      yieldCpu,
      wake: (which) => void ioctlU32(bound.fd, Ioctl.WAKE, wakeCode(which)),
    });
    const held = mapping;
    let wanted = -1;
    const transport: RingTransport = {
      // The driver counts a polling file as a waiter in the ring, and its writers wake it. The
      // time limit makes the reader look again at a writer that died mid-reservation (poll()
      // does not report a ring whose only record is one to skip).
      sleep: (which) => pollWaiter.wait(bound.fd, which === Off.dataSeq ? POLLIN : POLLOUT, PEER_CHECK_MS),
      waiterKind: 0,
      pollFirstUs: POLL_BEFORE_SLEEP_US,
      beforeWriteSleep(size) {
        if (size === wanted) return;
        // poll() reports POLLOUT once a record of this size fits.
        ioctlU32(bound.fd, Ioctl.WANT, size);
        wanted = size;
      },
      // The waiter's poll() may still hold our descriptor: close it only after the call returned.
      quiesce: () => pollWaiter.quiesce(),
      release() {
        unmap(held);
        // The driver detaches the slot (ending the writer role) when the file's last reference goes.
        closeDevice(bound.fd);
      },
    };
    return Object.assign(new MappedEndpoint(canonical, 'driver', ring, mapping.buffer, bound.slot, request.follow, transport), {
      io: 'mapped' as const,
      created: bound.created,
    });
  } catch (err) {
    if (mapping) unmap(mapping);
    closeDevice(bound.fd);
    throw err;
  }
}

/**
 * Opens the device with the access the pipe may allow and binds it. Read and
 * write first (the mapping needs both); a handle that uses one side only
 * falls back to that side when the pipe's permissions allow no more.
 */
function openBound(name: string, request: DriverRequest): Bound {
  const attempts: Array<[number, boolean]> = [[constants.O_RDWR, true]];
  if (request.access === 'read') attempts.push([constants.O_RDONLY, false]);
  if (request.access === 'write') attempts.push([constants.O_WRONLY, false]);
  let denied: number | undefined;
  for (const [access, readWrite] of attempts) {
    const fd = openDevice(access | constants.O_NONBLOCK);
    const arg = Buffer.alloc(Bind.size);
    putName(arg, Bind.name, Bind.nameLen, name);
    arg.writeUInt32LE(BIND_CREATE | (request.follow ? BIND_FOLLOW : 0), Bind.flags);
    // The driver keeps read and write bits only, like the shared-memory file's mode.
    arg.writeUInt32LE(request.permissions & 0o666, Bind.perm);
    arg.writeUInt32LE(request.capacity, Bind.capacity);
    arg.writeUInt32LE(request.mode ?? 0, Bind.mode);
    if (request.ttl !== undefined) arg.writeBigUInt64LE(BigInt(request.ttl), Bind.ttlMs);
    const r = ioctl(fd, Ioctl.BIND, arg);
    if (r === 0) {
      const created = arg.readUInt32LE(Bind.created) !== 0;
      const owner = arg.readUInt32LE(Bind.ownerUid);
      if (!created && !trustedOwner(owner, request.owner)) {
        // Nothing was read or written; closing the file detaches the handle the bind took.
        closeDevice(fd);
        throw untrusted(name, owner, request.owner);
      }
      return {
        fd,
        created,
        owner,
        readWrite,
        capacity: arg.readUInt32LE(Bind.capacity),
        mode: arg.readUInt32LE(Bind.mode) === MODE_BYTE ? MODE_BYTE : MODE_MESSAGE,
        slot: arg.readUInt32LE(Bind.slot),
        maxRecord: arg.readUInt32LE(Bind.maxRecord),
      };
    }
    closeDevice(fd);
    if (r === -errno.EINVAL && request.ttl !== undefined) {
      throw new RingPipeError(ErrorCode.BadOption, `invalid option "ttl": the loaded ringpipe module predates it (ABI 2): reload it`);
    }
    if (r !== -errno.EACCES) {
      if (r === -errno.EPROTOTYPE) {
        const [want, has] = request.mode === MODE_BYTE ? ['byte', 'message'] : ['message', 'byte'];
        throw new RingPipeError(ErrorCode.ModeMismatch, `pipe ${name} exists in ${has} mode, not ${want} mode`);
      }
      throw driverError(r, `pipe ${name}`);
    }
    denied = r;
  }
  throw driverError(denied ?? -errno.EACCES, `pipe ${name} (driver)`);
}

/**
 * Whether to join an existing pipe of `owner`: one's own (or the `owner` option's uid), or
 * root's. A name is first come, first served: anyone may create a pipe under a name another
 * user expects, with permissions that let that user in, and read what they write.
 */
function trustedOwner(owner: number, wanted: number | undefined): boolean {
  return owner === 0 || owner === (wanted ?? process.geteuid?.() ?? -1);
}

function untrusted(name: string, owner: number, wanted: number | undefined): RingPipeError {
  const expected = wanted ?? process.geteuid?.();
  return new RingPipeError(
    ErrorCode.Untrusted,
    `pipe ${name} (driver) belongs to uid ${owner}, not to uid ${expected} or root: not joined (pass the option "owner" to trust it)`,
  );
}
