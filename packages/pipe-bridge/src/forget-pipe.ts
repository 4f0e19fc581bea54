import { createRequire } from 'node:module';
import { dropStaleAnchor } from './to-anchor.js';

// The client is loaded when forgetPipe() is called: @ringpipe/bridge/status loads nothing else until then.
const load = createRequire(import.meta.url);

/**
 * Removes what bridges keep on this host for the pipe `name` beside the pipe itself (the anchor of a `--to`
 * bridge's message ids), once that pipe is gone: for `ringpipe rm` after removePipe(). What names a pipe that
 * lives stays; a file another user may not remove stays too (it names the removed pipe, which no later pipe is).
 * Throws ERR_RINGPIPE_BAD_NAME for an invalid name.
 */
export function forgetPipe(name: string): void {
  try {
    dropStaleAnchor((load('@ringpipe/client') as typeof import('@ringpipe/client')).canonicalName(name));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EPERM' && code !== 'EACCES') throw err;
  }
}
