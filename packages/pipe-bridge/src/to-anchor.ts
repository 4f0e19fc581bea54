import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalName } from '@ringpipe/client';
import { STATUS_DIR } from './status/record.js';
import { segmentIncarnation } from './incarnation.js';

/** Where a `--to` bridge keeps the anchor of its ring positions (see RingPositions) for the next bridge of the pipe. */
export function anchorFile(name: string): string {
  return join(STATUS_DIR, `ringpipe-to-anchor.${name}`);
}

/** The incarnation an anchor file names, or undefined when there is none (or it is no anchor). */
export function anchorIncarnation(file: string): string | undefined {
  try {
    const { incarnation } = JSON.parse(readFileSync(file, 'utf8')) as { incarnation?: unknown };
    return typeof incarnation === 'string' ? incarnation : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Removes the anchor of the pipe `name` once the pipe it was written for is gone (the
 * pipe disappeared at its last close, or was removed): the file names that pipe's
 * incarnation, which no later pipe of the name has. An anchor of the pipe that lives
 * now stays.
 */
export function dropStaleAnchor(name: string): void {
  const file = anchorFile(name);
  const written = anchorIncarnation(file);
  if (written !== undefined && written !== segmentIncarnation(name)) rmSync(file, { force: true });
}

/**
 * Removes what bridges keep on this host for the pipe `name` beside the pipe itself (the anchor of a `--to`
 * bridge's message ids), once that pipe is gone: for `ringpipe rm` after removePipe(). What names a pipe that
 * lives stays; a file another user may not remove stays too (it names the removed pipe, which no later pipe is).
 * Throws ERR_RINGPIPE_BAD_NAME for an invalid name.
 */
export function forgetPipe(name: string): void {
  try {
    dropStaleAnchor(canonicalName(name));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EPERM' && code !== 'EACCES') throw err;
  }
}
