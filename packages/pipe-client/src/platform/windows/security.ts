import koffi from 'koffi';
import { ErrorCode, RingPipeError } from '../../errors.js';
import {
  OWNER_SECURITY_INFORMATION,
  SDDL_REVISION_1,
  SE_KERNEL_OBJECT,
  TOKEN_QUERY,
  TOKEN_USER,
  advapi32,
} from './advapi32.js';
import { winError } from './errors.js';
import { EVENT_USE, INVALID_HANDLE, MUTEX_USE, SECTION_JOIN, SECTION_STAT, closeHandle, k32 } from './kernel32.js';

// Security of the shm backend's named objects (mapping, mutexes, events): who may open
// them is the DACL of the creator's security descriptor, built from the `permissions`
// bits; whom an opener trusts is the owner of an object that existed already.

/** 'file': the files and folder that keep shm pipes on disk, always owner-only (others reach a pipe through its section). */
export type ObjectKind = 'section' | 'mutex' | 'event' | 'file';

export const SYSTEM_SID = 'S-1-5-18';
const AUTHENTICATED_USERS = 'AU';
/** Full access of each kind, for the owner and SYSTEM. */
const ALL_ACCESS: Record<ObjectKind, number> = { section: 0x000f001f, mutex: 0x001f0001, event: 0x001f0003, file: 0x001f01ff };

const hex = (mask: number): string => `0x${mask.toString(16)}`;

/**
 * The SDDL of a new object: owned by `user`, full access for `user` and SYSTEM, and
 * for Authenticated Users what the group and other bits allow together (Windows has
 * no group of a pipe): read and write (some 0o044 bit and some 0o022 bit) lets them
 * join (map the ring read/write, wait on and set the events, take the mutexes); read
 * alone lets them read the statistics (map the ring read-only); write alone grants
 * nothing (a section cannot be mapped write-only). The owner bits are not looked at.
 */
export function sddlFor(kind: ObjectKind, permissions: number, user: string): string {
  const shared = kind === 'file' ? 0 : ((permissions >> 3) | permissions) & 0o7;
  let others = 0;
  if (shared & 0o4 && shared & 0o2) others = kind === 'section' ? SECTION_JOIN : kind === 'mutex' ? MUTEX_USE : EVENT_USE;
  else if (shared & 0o4 && kind === 'section') others = SECTION_STAT;
  const all = hex(ALL_ACCESS[kind]);
  const ace = others === 0 ? '' : `(A;;${hex(others)};;;${AUTHENTICATED_USERS})`;
  return `O:${user}D:P(A;;${all};;;${user})(A;;${all};;;SY)${ace}`;
}

let userSid: string | undefined;

/** The SID of the user this process runs as (TokenUser), e.g. S-1-5-21-...-1001. */
export function currentUserSid(): string {
  if (userSid !== undefined) return userSid;
  const tokenOut = Buffer.alloc(8);
  if (!advapi32().OpenProcessToken(INVALID_HANDLE, TOKEN_QUERY, tokenOut)) throw winError('OpenProcessToken');
  const token = tokenOut.readBigUInt64LE(0);
  try {
    const info = Buffer.alloc(256);
    if (!advapi32().GetTokenInformation(token, TOKEN_USER, info, info.length, [0])) throw winError('GetTokenInformation(TokenUser)');
    // TOKEN_USER starts with SID_AND_ATTRIBUTES, whose first field points at the SID (inside info).
    userSid = sidString(info.readBigUInt64LE(0));
    return userSid;
  } finally {
    closeHandle(token);
  }
}

function sidString(sid: bigint): string {
  const out = Buffer.alloc(8);
  if (!advapi32().ConvertSidToStringSidW(sid, out)) throw winError('ConvertSidToStringSidW');
  const str = out.readBigUInt64LE(0);
  try {
    return koffi.decode.string16(str) as string;
  } finally {
    k32().LocalFree(str);
  }
}

const attributes = new Map<string, Buffer>();

/**
 * SECURITY_ATTRIBUTES for a new object of `kind` with these permission bits. The
 * descriptor is made once per kind and bits and kept for the life of the process.
 */
export function securityAttributes(kind: ObjectKind, permissions: number): Buffer {
  const sddl = sddlFor(kind, permissions, currentUserSid());
  let sa = attributes.get(sddl);
  if (sa) return sa;
  const sdOut = Buffer.alloc(8);
  if (!advapi32().ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl, SDDL_REVISION_1, sdOut, null)) {
    throw winError(`the security descriptor ${sddl}`);
  }
  // SECURITY_ATTRIBUTES on x64: nLength, (padding), lpSecurityDescriptor, bInheritHandle.
  sa = Buffer.alloc(24);
  sa.writeUInt32LE(24, 0);
  sa.writeBigUInt64LE(sdOut.readBigUInt64LE(0), 8);
  attributes.set(sddl, sa);
  return sa;
}

/** The owner SID of a kernel object (the handle needs READ_CONTROL). */
export function ownerOf(h: bigint, what: string): string {
  const owner = Buffer.alloc(8);
  const sd = Buffer.alloc(8);
  const err = advapi32().GetSecurityInfo(h, SE_KERNEL_OBJECT, OWNER_SECURITY_INFORMATION, owner, null, null, null, sd) as number;
  if (err !== 0) throw winError(`reading the owner of ${what}`, err);
  try {
    // No owner (Wine gives objects made without a descriptor none; Windows always has one).
    const sid = owner.readBigUInt64LE(0);
    return sid === 0n ? '(none)' : sidString(sid);
  } finally {
    k32().LocalFree(sd.readBigUInt64LE(0));
  }
}

/** Owners whose objects an opener joins: the one it asked for (default itself), and SYSTEM. */
export function trustedOwners(ownerSid: string | undefined): readonly string[] {
  return [ownerSid ?? currentUserSid(), SYSTEM_SID];
}

/** Throws ERR_RINGPIPE_UNTRUSTED when the object's owner is not trusted. */
export function checkOwner(h: bigint, trusted: readonly string[], what: string): void {
  const owner = ownerOf(h, what);
  if (!trusted.includes(owner)) {
    throw new RingPipeError(ErrorCode.Untrusted, `${what} belongs to ${owner}, not to ${trusted.join(' or ')}: refusing it`);
  }
}
