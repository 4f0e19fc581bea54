import { closeSync, constants, fchmodSync, fstatSync, lstatSync, openSync, unlinkSync } from 'node:fs';
import { ErrorCode, RingPipeError, fromSystemError } from '../../errors.js';
import { linkUnnamed } from '../../platform/linux/libc.js';

// The pipe's lock file (docs/ring-format.md, Lifetime): the OFD locks that vouch for live slots
// and the lifetime lock L live in it, not in the segment, and only those whom the pipe's
// permissions let write may open it. A user who may only read the pipe cannot open it, so
// cannot take, hold or fake any lock that others need.

const O_TMPFILE = 0o20000000 | constants.O_DIRECTORY;
const O_CLOEXEC = 0o2000000;
const OPEN_FLAGS = constants.O_NOFOLLOW | constants.O_NONBLOCK | O_CLOEXEC;

/** Named after the segment's inode (each incarnation its own), ending in lower case so no pipe name can take it. */
export const lockFilePath = (segmentPath: string, inode: number): string => `${segmentPath}.${inode}.lock`;

/** The lock file's mode: read and write for each class (user, group, other) the pipe lets write, nothing for the rest. */
export function lockFileMode(permissions: number): number {
  let mode = 0o600;
  if (permissions & 0o020) mode |= 0o060;
  if (permissions & 0o002) mode |= 0o006;
  return mode;
}

/**
 * Makes the lock file of a segment not linked yet; undefined when its name is taken by a file
 * we may not remove (then make another segment: another inode, another name).
 */
export function createLockFile(dir: string, segmentPath: string, inode: number, permissions: number): number | undefined {
  const path = lockFilePath(segmentPath, inode);
  const fd = openSync(dir, O_TMPFILE | constants.O_RDWR | O_CLOEXEC, 0o600);
  try {
    fchmodSync(fd, lockFileMode(permissions));
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        linkUnnamed(fd, path);
        return fd;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0 || !removeOwnStale(path)) break;
      }
    }
    closeSync(fd);
    return undefined;
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

/**
 * A lock file under this name left by an earlier segment of the same inode (a closer killed
 * between its unlinks): no handle of that segment can remain, so ours to remove.
 */
function removeOwnStale(path: string): boolean {
  try {
    const stats = lstatSync(path);
    if (!stats.isFile() || stats.uid !== process.geteuid!()) return false;
    unlinkSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Opens the lock file of the segment whose `fstat` is `segment`: a regular file of the same
 * owner (or root) that grants no one the pipe does not let write. undefined when there is none
 * (the segment was removed meanwhile, or never had one).
 */
export function openLockFile(segmentPath: string, segment: { ino: number; uid: number; mode: number }, write: boolean): number | undefined {
  const path = lockFilePath(segmentPath, segment.ino);
  let fd: number;
  try {
    fd = openSync(path, (write ? constants.O_RDWR : constants.O_RDONLY) | OPEN_FLAGS);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP' || code === 'EISDIR' || code === 'ENXIO') {
      throw new RingPipeError(ErrorCode.Untrusted, `${path} is not a ringpipe lock file (${code})`, { cause: err });
    }
    throw fromSystemError(err, path);
  }
  const stats = fstatSync(fd);
  const extra = stats.mode & 0o777 & ~lockFileMode(segment.mode);
  if (!stats.isFile() || (stats.uid !== segment.uid && stats.uid !== 0) || extra !== 0) {
    closeSync(fd);
    throw new RingPipeError(
      ErrorCode.Untrusted,
      `${path} is not a lock file we may trust (${stats.isFile() ? `owner ${stats.uid}, mode ${(stats.mode & 0o777).toString(8)}` : 'not a regular file'})`,
    );
  }
  return fd;
}

export function removeLockFile(segmentPath: string, inode: number): void {
  try {
    unlinkSync(lockFilePath(segmentPath, inode));
  } catch {
    // never made, or already gone
  }
}
