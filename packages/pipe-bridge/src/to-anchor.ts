import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
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
