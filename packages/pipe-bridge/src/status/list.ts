import { closeSync, constants, fstatSync, openSync, readdirSync, readSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { liveness } from './process-identity.js';
import { parseStatusFileName, parseStatusRecord, STATUS_DIR, STATUS_MAX_BYTES, type BridgeStatus } from './record.js';

const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/**
 * The bridges running on this machine, as their status files say, sorted by name:
 * only files owned by the caller or root (others may write to /dev/shm too) whose
 * process still lives. The caller's files of processes that died are removed.
 */
export function listBridges(): BridgeStatus[] {
  let entries: string[];
  try {
    entries = readdirSync(STATUS_DIR);
  } catch {
    return [];
  }
  const found: BridgeStatus[] = [];
  for (const entry of entries) {
    const claimed = parseStatusFileName(entry);
    if (!claimed) continue;
    const path = join(STATUS_DIR, entry);
    const read = readTrusted(path);
    if (!read) continue;
    const record = parseStatusRecord(read.text, claimed);
    if (!record) continue;
    const { version: _version, started, pidNamespace, ...status } = record;
    const state = liveness(record.pid, { started, pidNamespace });
    if (state === 'alive') found.push(status);
    else if (state === 'dead' && read.ours) unlinkQuietly(path);
  }
  return found.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.pid - b.pid));
}

/** The file's text if it is a small regular file owned by the caller or root (any on Windows, whose directory is the user's). */
function readTrusted(path: string): { text: string; ours: boolean } | undefined {
  let fd: number;
  try {
    fd = openSync(path, OPEN_FLAGS);
  } catch {
    return undefined;
  }
  try {
    const stats = fstatSync(fd);
    const uid = process.geteuid?.();
    const ours = uid === undefined || stats.uid === uid;
    if (!stats.isFile() || stats.size > STATUS_MAX_BYTES || !(ours || stats.uid === 0)) return undefined;
    const buffer = Buffer.alloc(STATUS_MAX_BYTES + 1);
    let length = 0;
    for (let n; length < buffer.length && (n = readSync(fd, buffer, length, buffer.length - length, null)) > 0; ) length += n;
    if (length > STATUS_MAX_BYTES) return undefined;
    return { text: buffer.toString('utf8', 0, length), ours };
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // gone meanwhile
  }
}
