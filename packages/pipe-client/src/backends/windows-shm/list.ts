import koffi from 'koffi';
import { canonicalName } from '../../name.js';
import { closeHandle, k32 } from '../../platform/windows/kernel32.js';

const DIRECTORY_QUERY = 0x0001;
const OBJ_CASE_INSENSITIVE = 0x40;
const STATUS_NO_MORE_ENTRIES = 0x8000001a;
const PREFIX = 'ringpipe.';
/** A directory of this many objects is read no further (a bound on the walk, not a limit in practice). */
const MAX_ENTRIES = 1 << 20;

/** A UNICODE_STRING over `text` (kept alive by the returned buffers). */
function unicodeString(text: string): { us: Buffer; chars: Buffer } {
  const chars = Buffer.from(text + '\0', 'utf16le');
  const us = Buffer.alloc(16);
  us.writeUInt16LE(chars.length - 2, 0);
  us.writeUInt16LE(chars.length, 2);
  us.writeBigUInt64LE(koffi.address(chars) as bigint, 8);
  return { us, chars };
}

/** The object directory of this session's named objects (what Local\ names). */
function sessionDirectory(): string {
  const session = [0];
  if (!k32().ProcessIdToSessionId(process.pid, session) || session[0] === 0) return '\\BaseNamedObjects';
  return `\\Sessions\\${session[0]}\\BaseNamedObjects`;
}

/**
 * The names of the shm pipes whose ring sections exist in this session
 * (NtQueryDirectoryObject over the session's BaseNamedObjects, one entry per call),
 * or undefined when the directory cannot be read. Other sessions' pipes are not in it.
 */
export function shmPipeNames(): string[] | undefined {
  const path = unicodeString(sessionDirectory());
  const attributes = Buffer.alloc(48);
  attributes.writeUInt32LE(48, 0);
  attributes.writeBigUInt64LE(koffi.address(path.us) as bigint, 16);
  attributes.writeUInt32LE(OBJ_CASE_INSENSITIVE, 24);
  const out = Buffer.alloc(8);
  if ((k32().NtOpenDirectoryObject(out, DIRECTORY_QUERY, attributes) as number) !== 0) return undefined;
  const dir = out.readBigUInt64LE(0);
  try {
    const names: string[] = [];
    const buf = Buffer.alloc(4096);
    const at = koffi.address(buf) as bigint;
    const context = Buffer.alloc(4);
    const str = (off: number): string => {
      const len = buf.readUInt16LE(off);
      const ptr = buf.readBigUInt64LE(off + 8);
      const start = Number(ptr - at);
      return ptr === 0n || start < 0 || start + len > buf.length ? '' : buf.toString('utf16le', start, start + len);
    };
    for (let i = 0; i < MAX_ENTRIES; i++) {
      const status = (k32().NtQueryDirectoryObject(dir, buf, buf.length, 1, i === 0 ? 1 : 0, context, null) as number) >>> 0;
      if (status === STATUS_NO_MORE_ENTRIES) break;
      // A failure part-way: the list so far is all we can tell.
      if (status !== 0) return i === 0 ? undefined : names;
      const name = str(0);
      if (str(16) !== 'Section' || !name.startsWith(PREFIX) || name.includes('#')) continue;
      try {
        const canonical = canonicalName(name.slice(PREFIX.length));
        if (canonical === name.slice(PREFIX.length)) names.push(canonical);
      } catch {
        // not a name a pipe can have: someone else's section
      }
    }
    return names;
  } finally {
    closeHandle(dir);
  }
}
