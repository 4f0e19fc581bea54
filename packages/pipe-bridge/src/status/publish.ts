import { randomUUID } from 'node:crypto';
import { closeSync, constants, fchmodSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { processIdentity } from './process-identity.js';
import { STATUS_DIR, statusFileName, type BridgeStatus, type StatusRecord } from './record.js';

const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0);
const live = new Set<StatusFile>();
let serial = 0;
let exitHookInstalled = false;

/**
 * A bridge's status file: each write replaces it whole (a new file renamed over
 * it), so a reader sees one complete record; removed by remove() or at process exit.
 */
export class StatusFile {
  readonly path: string;
  private readonly identity = processIdentity('self') ?? {};
  private last = '';
  private written = false;

  constructor(name: string) {
    this.path = join(STATUS_DIR, statusFileName(name, process.pid, ++serial));
    live.add(this);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.on('exit', () => {
        for (const file of live) file.remove();
      });
    }
  }

  /** Writes `status` unless it is what the file holds already. Throws what the file system said. */
  write(status: BridgeStatus): void {
    if (!live.has(this)) return;
    const record: StatusRecord = { version: 1, ...status, ...this.identity };
    const json = JSON.stringify(record);
    if (json === this.last) return;
    const temporary = join(STATUS_DIR, `.ringpipe-bridge.${randomUUID()}.tmp`);
    const fd = openSync(temporary, CREATE_FLAGS, 0o644);
    try {
      // Readable by everyone whatever the umask: a root bridge shows in every user's `ls`. It holds no credentials.
      if (process.platform !== 'win32') fchmodSync(fd, 0o644);
      writeSync(fd, json);
    } catch (err) {
      closeSync(fd);
      unlinkQuietly(temporary);
      throw err;
    }
    closeSync(fd);
    try {
      renameSync(temporary, this.path);
    } catch (err) {
      unlinkQuietly(temporary);
      throw err;
    }
    this.last = json;
    this.written = true;
  }

  remove(): void {
    if (!live.delete(this)) return;
    if (this.written) unlinkQuietly(this.path);
  }
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}
