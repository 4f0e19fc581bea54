import { ErrorCode, RingPipeError } from '../../errors.js';
import { winError } from './errors.js';
import {
  CREATE_EVENT_MANUAL_RESET,
  ERROR_ALREADY_EXISTS,
  ERROR_FILE_NOT_FOUND,
  ERROR_INVALID_HANDLE,
  EVENT_USE,
  INVALID_HANDLE,
  MUTEX_USE,
  PAGE_READWRITE,
  SECTION_JOIN,
  WAIT_ABANDONED,
  WAIT_OBJECT_0,
  WAIT_TIMEOUT,
  closeHandle,
  k32,
} from './kernel32.js';
import { checkOwner, securityAttributes } from './security.js';

// The shm backend's named objects in the session's Local\ namespace. Every one is
// created with the owner-only (or `permissions`-widened) descriptor of security.ts,
// and every one that existed already is joined only if its owner is trusted.
//
//   Local\ringpipe.NAME               the name page: which incarnation G the name stands for
//                                     (backends/windows-shm/name-page.ts)
//   Local\ringpipe.NAME#lock          mutex around attaching, the last close, removing
//   Local\ringpipe.NAME#gG            the ring: a section over the pipe's kept file
//                                     (kept-files.ts), so what is unread outlives it
//   Local\ringpipe.NAME#gG#slotN      mutex held by the handle attached to slot N (liveness)
//   Local\ringpipe.NAME#gG#wait       one page: which slots sleep on data_seq / space_seq
//   Local\ringpipe.NAME#gG#slotN#data auto-reset event of slot N's sleeping reader
//   Local\ringpipe.NAME#gG#slotN#space ... and of its sleeping writer
//
// '#' is not a name character, so no pipe's objects can be another pipe's.

export const objectBase = (canonical: string): string => `Local\\ringpipe.${canonical}`;

export interface Trust {
  permissions: number;
  owners: readonly string[];
}

/** A failed Create*: ERROR_INVALID_HANDLE there means the name is held by an object of another type. */
/** A failed create or open of a named object: another type's object under the name is untrusted. */
export function createError(what: string, code: number = k32().GetLastError() as number): RingPipeError {
  if (code === ERROR_INVALID_HANDLE) return new RingPipeError(ErrorCode.Untrusted, `${what} is an object of another type, not ringpipe's`);
  return winError(what, code);
}

function joined(h: bigint, what: string, trust: Trust): bigint {
  const err = k32().GetLastError() as number;
  if (h === 0n) throw createError(what, err);
  const existed = err === ERROR_ALREADY_EXISTS;
  try {
    if (existed) checkOwner(h, trust.owners, what);
  } catch (err) {
    closeHandle(h);
    throw err;
  }
  return h;
}

export function createMutex(name: string, trust: Trust): bigint {
  return joined(k32().CreateMutexExW(securityAttributes('mutex', trust.permissions), name, 0, MUTEX_USE) as bigint, name, trust);
}

export function createEvent(name: string, manualReset: boolean, trust: Trust): bigint {
  const flags = manualReset ? CREATE_EVENT_MANUAL_RESET : 0;
  return joined(k32().CreateEventExW(securityAttributes('event', trust.permissions), name, flags, EVENT_USE) as bigint, name, trust);
}

/**
 * The section `name` of `size` bytes, ours or an existing one of a trusted owner.
 * An existing one is opened with the rights a member of the pipe needs (so that
 * a DACL that admits other users works for them), else it is created.
 */
export function createSection(name: string, size: number, trust: Trust): { h: bigint; existed: boolean } {
  for (let attempt = 0; attempt < 2; attempt++) {
    const opened = k32().OpenFileMappingW(SECTION_JOIN, 0, name) as bigint;
    if (opened !== 0n) {
      try {
        checkOwner(opened, trust.owners, name);
      } catch (err) {
        closeHandle(opened);
        throw err;
      }
      return { h: opened, existed: true };
    }
    const err = k32().GetLastError() as number;
    if (err !== ERROR_FILE_NOT_FOUND) throw createError(name, err);
    const sa = securityAttributes('section', trust.permissions);
    const h = k32().CreateFileMappingW(INVALID_HANDLE, sa, PAGE_READWRITE, 0, size, name) as bigint;
    const code = k32().GetLastError() as number;
    const existed = code === ERROR_ALREADY_EXISTS;
    if (h === 0n) {
      // Created by someone else between the two calls with a DACL that admits us only to open it.
      if (code === 5 && attempt === 0) continue;
      throw createError(name, code);
    }
    if (existed) {
      try {
        checkOwner(h, trust.owners, name);
      } catch (e) {
        closeHandle(h);
        throw e;
      }
    }
    return { h, existed };
  }
  throw winError(name, 5);
}

/**
 * Takes a mutex, waiting at most `ms`: true when we own it now (a holder that died
 * leaves it abandoned, which counts as ours), false when a live holder keeps it.
 */
export function takeMutex(h: bigint, ms: number, what: string): boolean {
  const got = k32().WaitForSingleObject(h, ms) as number;
  if (got === WAIT_OBJECT_0 || got === WAIT_ABANDONED) return true;
  if (got === WAIT_TIMEOUT) return false;
  throw winError(`waiting for ${what}`);
}

export function busy(what: string): RingPipeError {
  return new RingPipeError(ErrorCode.Busy, `${what} is held by a process that does not let go (stopped, or not a ringpipe peer); try again`);
}
