import { ErrorCode, RingPipeError } from '../errors.js';
import { IOCTL, ListHeader, ListIn, NameIn, PipeInfo, STATUS } from './windows-driver/abi.js';
import { deviceIoControl, infoFromDriver, openDevice, statusError, withDevice, type WinPipeInfo } from './windows-driver/device.js';
import { closeHandle } from '../platform/windows/kernel32.js';
import { existingKeptFolder, keptFileNames } from '../platform/windows/kept-files.js';
import { notFound, statShmPipe } from './windows-shm/inspect.js';
import { shmPipeNames } from './windows-shm/list.js';

export type { WinPipeInfo } from './windows-driver/device.js';

// Statistics of the Windows backends' pipes, read without attaching.

export function windowsDriverAvailable(): boolean {
  const h = openDevice();
  closeHandle(h);
  return h !== 0n;
}

export { notFound };

/** The driver's ringpipe_name for `canonical`. */
export function nameIn(canonical: string): Buffer {
  const input = Buffer.alloc(NameIn.size);
  input.writeUInt32LE(canonical.length, NameIn.nameLen);
  input.write(canonical, NameIn.name, 'latin1');
  return input;
}

/** A pipe's statistics without attaching: the driver's first, then a named mapping's. */
export function statWindowsPipe(canonical: string): WinPipeInfo {
  const fromDriver = withDevice((h, ov) => {
    const out = Buffer.alloc(PipeInfo.size);
    return deviceIoControl(h, IOCTL.stat, nameIn(canonical), out, ov).status === STATUS.success ? infoFromDriver(out, 0) : undefined;
  });
  return fromDriver ?? statShmPipe(canonical);
}

/** Attempts at a complete driver list while pipes come and go. */
const LIST_ATTEMPTS = 8;

/** Every pipe of the driver (IOCTL_RINGPIPE_LIST, the buffer grown to the count it reports). */
function listDriverPipes(): WinPipeInfo[] {
  return (
    withDevice((h, ov) => {
      let room = 64;
      const listIn = Buffer.alloc(ListIn.size);
      listIn.writeUInt32LE(PipeInfo.size, ListIn.entrySize);
      for (let attempt = 0; attempt < LIST_ATTEMPTS; attempt++) {
        const out = Buffer.alloc(ListHeader.size + room * PipeInfo.size);
        const got = deviceIoControl(h, IOCTL.list, listIn, out, ov);
        if (got.status !== STATUS.success) throw statusError(got.status, 'listing the driver pipes');
        const count = out.readUInt32LE(ListHeader.count);
        const returned = out.readUInt32LE(ListHeader.returned);
        if (returned >= count) {
          const pipes: WinPipeInfo[] = [];
          for (let i = 0; i < returned; i++) pipes.push(infoFromDriver(out, ListHeader.size + i * PipeInfo.size));
          return pipes;
        }
        room = Math.max(room * 2, count + (count >> 3) + 16);
      }
      throw new RingPipeError(ErrorCode.Busy, `pipes of the driver come and go too fast to list them (${LIST_ATTEMPTS} attempts)`);
    }) ?? []
  );
}

/**
 * The driver's pipes, then the shm pipes: those open in this session (their name pages,
 * found in the session's object directory) that belong to the caller, and those kept in
 * the caller's folder.
 */
export function listWindowsPipes(): WinPipeInfo[] {
  const pipes = listDriverPipes();
  const names = new Set(shmPipeNames() ?? []);
  try {
    const folder = existingKeptFolder();
    if (folder) for (const name of keptFileNames(folder)) names.add(name);
  } catch {
    // no folder of ours to look in (not ours, or LOCALAPPDATA unset): no kept pipes
  }
  for (const name of [...names].sort()) {
    try {
      pipes.push(statShmPipe(name));
    } catch {
      // closed meanwhile, another user's, or not a pipe of ours
    }
  }
  return pipes.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.backend < b.backend ? -1 : 1));
}
