import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { ErrorCode, RingPipeError } from '../../errors.js';
import { winError } from './errors.js';
import {
  CREATE_NEW,
  DELETE,
  ERROR_ACCESS_DENIED,
  ERROR_ALREADY_EXISTS,
  ERROR_FILE_EXISTS,
  ERROR_FILE_NOT_FOUND,
  ERROR_PATH_NOT_FOUND,
  FILE_ATTRIBUTE_DIRECTORY,
  FILE_ATTRIBUTE_NORMAL,
  FILE_ATTRIBUTE_REPARSE_POINT,
  FILE_FLAG_BACKUP_SEMANTICS,
  FILE_FLAG_OPEN_REPARSE_POINT,
  FILE_SHARE_DELETE,
  FILE_SHARE_READ,
  FILE_SHARE_WRITE,
  GENERIC_READ,
  GENERIC_WRITE,
  INVALID_HANDLE,
  OPEN_EXISTING,
  READ_CONTROL,
  closeHandle,
  k32,
} from './kernel32.js';
import { checkOwner, currentUserSid, securityAttributes } from './security.js';

// The files that keep the shm backend's pipes past their last handle: one per pipe,
// %LOCALAPPDATA%\ringpipe\ringpipe.NAME.ring, in a folder of the user's own (owner-only,
// not a link). A ring section is mapped from the file, so what the last handle leaves
// unread stays in it. A file is removed by renaming it to NAME.ring#<random> (a
// tombstone: the name is free at once, even while mappings keep the file) and deleting
// that; a tombstone Windows will not delete yet (still mapped) goes at a later sweep.

const FILE_READ_ATTRIBUTES = 0x80;
const SHARE_ALL = FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE;
const RING_SUFFIX = '.ring';
const PREFIX = 'ringpipe.';

/** Where a file stands on its volume: the same file has the same identity under any name. */
export interface FileIdentity {
  volume: number;
  index: bigint;
}

export interface FileInfo extends FileIdentity {
  attributes: number;
  size: number;
}

/** BY_HANDLE_FILE_INFORMATION of an open file. */
export function fileInfo(h: bigint, what: string): FileInfo {
  const info = Buffer.alloc(52);
  if (!k32().GetFileInformationByHandle(h, info)) throw winError(`reading ${what}`);
  return {
    attributes: info.readUInt32LE(0),
    volume: info.readUInt32LE(28),
    size: info.readUInt32LE(32) * 2 ** 32 + info.readUInt32LE(36),
    index: (BigInt(info.readUInt32LE(44)) << 32n) | BigInt(info.readUInt32LE(48)),
  };
}

/** The identity of the file at `path`; undefined when there is none. */
export function identityAt(path: string): FileIdentity | undefined {
  const h = k32().CreateFileW(path, FILE_READ_ATTRIBUTES, SHARE_ALL, null, OPEN_EXISTING, FILE_FLAG_OPEN_REPARSE_POINT, 0n) as bigint;
  if (h === INVALID_HANDLE) return undefined;
  try {
    return fileInfo(h, path);
  } finally {
    closeHandle(h);
  }
}

export const sameFile = (a: FileIdentity, b: FileIdentity): boolean => a.volume === b.volume && a.index === b.index;

const untrusted = (path: string, why: string): RingPipeError =>
  new RingPipeError(ErrorCode.Untrusted, `${path} ${why}: refusing it (remove it, or use another name)`);

/**
 * The folder of this user's kept pipes (made owner-only when missing), as a \\?\ path.
 * A folder that is a link, or not this user's, is refused (ERR_RINGPIPE_UNTRUSTED).
 */
export function keptFolder(): string {
  const path = folderPath();
  if (!k32().CreateDirectoryW(path, securityAttributes('file', 0o600))) {
    const err = k32().GetLastError() as number;
    if (err !== ERROR_ALREADY_EXISTS) throw winError(`creating ${path}`, err);
  }
  if (!checkFolder(path)) throw winError(`opening ${path}`, ERROR_PATH_NOT_FOUND);
  return path;
}

/** The folder as keptFolder checks it, if there is one (looking makes nothing). */
export function existingKeptFolder(): string | undefined {
  const path = folderPath();
  return checkFolder(path) ? path : undefined;
}

function folderPath(): string {
  const local = process.env.LOCALAPPDATA;
  if (!local || !/^[A-Za-z]:\\/.test(local)) {
    throw new RingPipeError(ErrorCode.BackendUnavailable, 'LOCALAPPDATA is not set to a local folder: the shm backend keeps its pipes there');
  }
  return `\\\\?\\${local.replace(/[\\/]+$/, '')}\\ringpipe`;
}

/** False when there is no folder at `path`; throws when it is not a plain folder of ours. */
function checkFolder(path: string): boolean {
  const h = k32().CreateFileW(path, READ_CONTROL, SHARE_ALL, null, OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OPEN_REPARSE_POINT, 0n) as bigint;
  if (h === INVALID_HANDLE) {
    const err = k32().GetLastError() as number;
    if (err === ERROR_FILE_NOT_FOUND || err === ERROR_PATH_NOT_FOUND) return false;
    throw winError(`opening ${path}`, err);
  }
  try {
    const { attributes } = fileInfo(h, path);
    if (!(attributes & FILE_ATTRIBUTE_DIRECTORY) || attributes & FILE_ATTRIBUTE_REPARSE_POINT) throw untrusted(path, 'is not a plain folder');
    checkOwner(h, [currentUserSid()], path);
    return true;
  } finally {
    closeHandle(h);
  }
}

export const keptFilePath = (folder: string, canonical: string): string => `${folder}\\${PREFIX}${canonical}${RING_SUFFIX}`;

/** The pipe names whose files are in the folder (tombstones and other files left out). */
export function keptFileNames(folder: string): string[] {
  const names: string[] = [];
  for (const entry of readdirSync(folder)) {
    if (entry.startsWith(PREFIX) && entry.endsWith(RING_SUFFIX) && !entry.includes('#')) {
      names.push(entry.slice(PREFIX.length, -RING_SUFFIX.length));
    }
  }
  return names;
}

export interface OpenFile {
  h: bigint;
  info: FileInfo;
}

/**
 * Opens a pipe's file for mapping (read, write, delete; shared with every other opener),
 * or creates it (`create`: fails with undefined when the name is taken meanwhile). An
 * existing file must be a plain file of this user's. undefined when there is none.
 */
export function openKeptFile(path: string, create: boolean): OpenFile | undefined {
  const access = GENERIC_READ | GENERIC_WRITE | DELETE | READ_CONTROL;
  const sa = create ? securityAttributes('file', 0o600) : null;
  const flags = FILE_ATTRIBUTE_NORMAL | FILE_FLAG_OPEN_REPARSE_POINT;
  const h = k32().CreateFileW(path, access, SHARE_ALL, sa, create ? CREATE_NEW : OPEN_EXISTING, flags, 0n) as bigint;
  if (h === INVALID_HANDLE) {
    const err = k32().GetLastError() as number;
    if (err === ERROR_FILE_NOT_FOUND || err === ERROR_PATH_NOT_FOUND || err === ERROR_FILE_EXISTS) return undefined;
    // A folder under the name opens as access denied.
    if (err === ERROR_ACCESS_DENIED) throw untrusted(path, 'cannot be opened as a file');
    throw winError(`opening ${path}`, err);
  }
  try {
    const info = fileInfo(h, path);
    if (info.attributes & (FILE_ATTRIBUTE_DIRECTORY | FILE_ATTRIBUTE_REPARSE_POINT)) throw untrusted(path, 'is not a plain file');
    if (!create) checkOwner(h, [currentUserSid()], path);
    return { h, info };
  } catch (err) {
    closeHandle(h);
    throw err;
  }
}

/**
 * Takes the file's name away: renames it to a tombstone, then deletes that (Windows
 * deletes a mapped file only once its last mapping goes: sweepTombstones tries again).
 * False when there was no file under the name.
 */
export function removeKeptFile(path: string): boolean {
  const tombstone = `${path}#${randomBytes(8).toString('hex')}`;
  if (!k32().MoveFileExW(path, tombstone, 0)) {
    const err = k32().GetLastError() as number;
    if (err === ERROR_FILE_NOT_FOUND || err === ERROR_PATH_NOT_FOUND) return false;
    throw winError(`removing ${path}`, err);
  }
  k32().DeleteFileW(tombstone);
  return true;
}

/** Deletes the tombstones of a pipe's earlier files that nothing maps any more. */
export function sweepTombstones(folder: string, canonical: string): void {
  const prefix = `${PREFIX}${canonical}${RING_SUFFIX}#`;
  for (const entry of readdirSync(folder)) if (entry.startsWith(prefix)) k32().DeleteFileW(`${folder}\\${entry}`);
}
