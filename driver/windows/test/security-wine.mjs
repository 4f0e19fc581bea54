// The shm backend's security under Wine, imported by client-wine.mjs: the descriptors
// read back from the objects, objects of another owner refused, a squatted lock that
// neither hangs nor hijacks an opener. Objects of another owner are made here with an
// explicit owner in their descriptor (O:BA, the Administrators group, which Wine lets
// a process set); a second user cannot be had under Wine.
import koffi from 'koffi';
import { existsSync, mkdirSync, rmdirSync, truncateSync, writeFileSync } from 'node:fs';
import { createPipe, statPipe } from '@ringpipe/client';

const READ_CONTROL = 0x20000;
const OWNER_AND_DACL = 0x1 | 0x4;
const ADMINISTRATORS = 'S-1-5-32-544';

const k32 = koffi.load('kernel32.dll');
const adv = koffi.load('advapi32.dll');
const api = {
  CreateFileW: k32.func('uintptr_t __stdcall CreateFileW(const char16_t *name, uint32_t access, uint32_t share, void *sa, uint32_t disposition, uint32_t flags, uintptr_t tmpl)'),
  OpenFileMappingW: k32.func('uintptr_t __stdcall OpenFileMappingW(uint32_t access, int inherit, const char16_t *name)'),
  OpenMutexW: k32.func('uintptr_t __stdcall OpenMutexW(uint32_t access, int inherit, const char16_t *name)'),
  OpenEventW: k32.func('uintptr_t __stdcall OpenEventW(uint32_t access, int inherit, const char16_t *name)'),
  CreateFileMappingW: k32.func('uintptr_t __stdcall CreateFileMappingW(uintptr_t file, void *sa, uint32_t protect, uint32_t hi, uint32_t lo, const char16_t *name)'),
  CreateMutexW: k32.func('uintptr_t __stdcall CreateMutexW(void *sa, int owner, const char16_t *name)'),
  MapViewOfFile: k32.func('uintptr_t __stdcall MapViewOfFile(uintptr_t h, uint32_t access, uint32_t hi, uint32_t lo, size_t n)'),
  UnmapViewOfFile: k32.func('int __stdcall UnmapViewOfFile(uintptr_t p)'),
  CloseHandle: k32.func('int __stdcall CloseHandle(uintptr_t h)'),
  GetLastError: k32.func('uint32_t __stdcall GetLastError(void)'),
  LocalFree: k32.func('uintptr_t __stdcall LocalFree(uintptr_t p)'),
  OpenProcessToken: adv.func('int __stdcall OpenProcessToken(uintptr_t process, uint32_t access, void *token)'),
  GetTokenInformation: adv.func('int __stdcall GetTokenInformation(uintptr_t token, int cls, void *info, uint32_t len, _Out_ uint32_t *needed)'),
  ConvertSidToStringSidW: adv.func('int __stdcall ConvertSidToStringSidW(uintptr_t sid, void *str)'),
  ConvertStringSecurityDescriptorToSecurityDescriptorW: adv.func(
    'int __stdcall ConvertStringSecurityDescriptorToSecurityDescriptorW(const char16_t *sddl, uint32_t revision, void *sd, void *size)',
  ),
  GetSecurityInfo: adv.func('uint32_t __stdcall GetSecurityInfo(uintptr_t h, int type, uint32_t info, void *owner, void *group, void *dacl, void *sacl, void *sd)'),
  ConvertSecurityDescriptorToStringSecurityDescriptorW: adv.func(
    'int __stdcall ConvertSecurityDescriptorToStringSecurityDescriptorW(uintptr_t sd, uint32_t revision, uint32_t info, void *str, void *len)',
  ),
};
const big = (x) => (typeof x === 'bigint' ? x : BigInt(x));
const ptrOut = () => Buffer.alloc(8);
const wideString = (buf) => {
  const p = buf.readBigUInt64LE(0);
  const s = koffi.decode.string16(p);
  api.LocalFree(p);
  return s;
};

export function userSid() {
  const tok = ptrOut();
  api.OpenProcessToken(-1n & 0xffffffffffffffffn, 0x8, tok);
  const info = Buffer.alloc(256);
  api.GetTokenInformation(tok.readBigUInt64LE(0), 1, info, info.length, [0]);
  const str = ptrOut();
  api.ConvertSidToStringSidW(info.readBigUInt64LE(0), str);
  api.CloseHandle(tok.readBigUInt64LE(0));
  return wideString(str);
}

/** Owner and DACL of an open kernel object, as SDDL. */
function sddlOf(h) {
  const sd = ptrOut();
  const err = api.GetSecurityInfo(h, 6, OWNER_AND_DACL, null, null, null, null, sd);
  if (err !== 0) return `GetSecurityInfo failed: ${err}`;
  const str = ptrOut();
  api.ConvertSecurityDescriptorToStringSecurityDescriptorW(sd.readBigUInt64LE(0), 1, OWNER_AND_DACL, str, null);
  api.LocalFree(sd.readBigUInt64LE(0));
  return wideString(str);
}

/** Owner and DACL of a named object, or (kind 'file') of a file or folder, as SDDL. */
function sddlOfNamed(kind, name) {
  const open = {
    section: () => api.OpenFileMappingW(READ_CONTROL, 0, name),
    mutex: () => api.OpenMutexW(READ_CONTROL, 0, name),
    event: () => api.OpenEventW(READ_CONTROL, 0, name),
    // OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS (folders too); INVALID_HANDLE_VALUE on failure.
    file: () => api.CreateFileW(name, READ_CONTROL, 7, null, 3, 0x02000000, 0),
  };
  const h = big(open[kind]());
  if (h === 0n || h === 0xffffffffffffffffn) return `cannot open ${name}: ${api.GetLastError()}`;
  try {
    return sddlOf(h);
  } finally {
    api.CloseHandle(h);
  }
}

/** The objects' base of the pipe's live incarnation: Local\ringpipe.NAME#gG, G from its name page. */
function incarnationBase(name) {
  const base = `Local\\ringpipe.${name}`;
  const h = big(api.OpenFileMappingW(4, 0, base));
  if (h === 0n) return `${base}#(no name page: ${api.GetLastError()})`;
  const view = big(api.MapViewOfFile(h, 4, 0, 0, 0));
  const generation = Buffer.from(koffi.view(view, 16)).readBigUInt64LE(8);
  api.UnmapViewOfFile(view);
  api.CloseHandle(h);
  return `${base}#g${generation.toString(16).padStart(16, '0')}`;
}

const keptFile = (name) => `${process.env.LOCALAPPDATA}\\ringpipe\\ringpipe.${name}.ring`;

/** SECURITY_ATTRIBUTES over an SDDL string (leaked: a test). */
export function attributes(sddl) {
  const sd = ptrOut();
  if (!api.ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl, 1, sd, null)) throw new Error(`SDDL ${sddl}: ${api.GetLastError()}`);
  const sa = Buffer.alloc(24);
  sa.writeUInt32LE(24, 0);
  sa.writeBigUInt64LE(sd.readBigUInt64LE(0), 8);
  return sa;
}

const aceTrustees = (sddl) => [...sddl.matchAll(/\(A;[^;]*;[^;]*;[^;]*;[^;]*;([^)]*)\)/g)].map((m) => m[1]).sort();
const ownerOfSddl = (sddl) => /^O:([^:]*?)(?=[GDS]:|$)/.exec(sddl)?.[1];
const errorCode = (fn) => {
  try {
    fn()?.destroy?.();
    return 'none';
  } catch (err) {
    return `${err.code ?? ''} ${err.message}`.trim();
  }
};

export async function securityTests({ check, test, startChild, readResult, until, tmp }) {
  const me = userSid();

  await test('the objects are owner-only (owner and DACL read back)', async () => {
    const pipe = createPipe('SECOWN', { backend: 'shm' });
    const base = incarnationBase('SECOWN');
    for (const [kind, name] of [
      ['section', 'Local\\ringpipe.SECOWN'],
      ['section', base],
      ['section', `${base}#wait`],
      ['mutex', `${base}#slot0`],
      ['event', `${base}#slot0#data`],
    ]) {
      const sddl = sddlOfNamed(kind, name);
      const owner = ownerOfSddl(sddl);
      const trustees = aceTrustees(sddl);
      const ok = owner === me && sddl.includes('D:P') && trustees.length === 2 && trustees.includes(me) && trustees.includes('SY');
      check(ok, `${name}: ${sddl} (owner ${me} and SYSTEM only)`);
    }
    for (const path of [keptFile('SECOWN'), `${process.env.LOCALAPPDATA}\\ringpipe`]) {
      const sddl = sddlOfNamed('file', path);
      check(ownerOfSddl(sddl) === me, `${path}: owned by ${ownerOfSddl(sddl)} (${sddl})`);
    }
    pipe.destroy();
  });

  await test('permissions 0o666 admit Authenticated Users', async () => {
    const pipe = createPipe('SECAU', { backend: 'shm', permissions: 0o666 });
    const sddl = sddlOfNamed('section', 'Local\\ringpipe.SECAU');
    check(aceTrustees(sddl).includes('AU'), `0o666: ${sddl}`);
    pipe.destroy();
  });

  await test('a section of another owner is refused, and joined with owner: its SID', async () => {
    const sa = attributes('O:BAD:(A;;GA;;;WD)');
    const h = big(api.CreateFileMappingW(0xffffffffffffffffn, sa, 4, 0, 8192, 'Local\\ringpipe.FOREIGN'));
    check(h !== 0n, `made a section owned by Administrators (error ${h === 0n ? api.GetLastError() : 0})`);
    if (h === 0n) return;
    const owner = ownerOfSddl(sddlOf(h));
    check(owner === 'BA' || owner === ADMINISTRATORS, `its owner reads back as ${owner} (Administrators)`);
    const t0 = Date.now();
    const code = errorCode(() => createPipe('FOREIGN', { backend: 'shm' }));
    check(code.startsWith('ERR_RINGPIPE_UNTRUSTED'), `opening it fails with ${code} (${Date.now() - t0} ms)`);
    const view = big(api.MapViewOfFile(h, 4, 0, 0, 0));
    const header = new Uint32Array(koffi.view(view, 4096), 0, 64);
    check(header.every((w) => w === 0), 'nothing was written into it');
    api.UnmapViewOfFile(view);
    const joined = errorCode(() => createPipe('FOREIGN', { backend: 'shm', owner: ADMINISTRATORS }));
    check(joined === 'none', `with owner: '${ADMINISTRATORS}' it is joined (${joined})`);
    const bad = errorCode(() => createPipe('FOREIGN', { backend: 'shm', owner: 1000 }));
    check(bad.startsWith('ERR_RINGPIPE_BAD_OPTION'), `a uid as owner on Windows: ${bad}`);
    api.CloseHandle(h);
  });

  await test('a lock mutex of another owner is refused', async () => {
    const h = big(api.CreateMutexW(attributes('O:BAD:(A;;GA;;;WD)'), 0, 'Local\\ringpipe.SQUATX#lock'));
    const code = errorCode(() => createPipe('SQUATX', { backend: 'shm' }));
    check(code.startsWith('ERR_RINGPIPE_UNTRUSTED'), `squatted lock of Administrators: ${code}`);
    api.CloseHandle(h);
  });

  await test('a lock held by a squatter does not hang the opener', async () => {
    const child = startChild(['squat', 'shm', 'Local\\ringpipe.SQUAT#lock', '8000', '0'], tmp);
    const holding = await until(() => readResult(tmp)?.holding === true, 20000);
    check(holding, 'a process holds Local\\ringpipe.SQUAT#lock');
    const t0 = Date.now();
    const code = errorCode(() => createPipe('SQUAT', { backend: 'shm' }));
    const ms = Date.now() - t0;
    check(code.startsWith('ERR_RINGPIPE_BUSY') && ms < 3000, `opening SQUAT: ${code} after ${ms} ms`);
    child.process.kill();
    await child.exited;
    const after = errorCode(() => createPipe('SQUAT', { backend: 'shm' }));
    check(after === 'none', `once the squatter is gone (its mutex abandoned) the pipe opens (${after})`);
  });

  // A kept file of another owner (refused by kept-files.ts) cannot be made here: Wine gives a
  // file its creator as owner, whatever the descriptor asks.
  await test('a forged or truncated kept file, or a folder under its name, gives a typed answer', async () => {
    // Junk under a kept file's name: no pipe, and the next open replaces it.
    writeFileSync(keptFile('FORGED'), Buffer.alloc(8192, 0x5a));
    check(errorCode(() => statPipe('FORGED')).startsWith('ERR_RINGPIPE_NOT_FOUND'), 'statPipe of a junk file: ERR_RINGPIPE_NOT_FOUND');
    const forged = createPipe('FORGED', { backend: 'shm' });
    check(forged.created === true, 'createPipe over a junk file makes a new pipe');
    forged.write('x');
    const [got] = await forged.readBatch(1);
    check(String(got) === 'x', 'which works');
    forged.destroy();
    // A kept pipe whose file was truncated.
    const kept = createPipe('TRUNC', { backend: 'shm', capacity: 8192 });
    kept.write('kept');
    kept.destroy();
    await new Promise((r) => (kept.closed ? r() : kept.once('close', r)));
    check(statPipe('TRUNC').kept === true, 'TRUNC is kept');
    truncateSync(keptFile('TRUNC'), 5000);
    check(errorCode(() => statPipe('TRUNC')).startsWith('ERR_RINGPIPE_NOT_FOUND'), 'truncated: statPipe gives ERR_RINGPIPE_NOT_FOUND');
    const again = createPipe('TRUNC', { backend: 'shm' });
    check(again.created === true && again.stats().messagesIn === 0, 'truncated: the next open makes a new pipe');
    again.destroy();
    // A folder under the name.
    mkdirSync(keptFile('DIRNAME'));
    const code = errorCode(() => createPipe('DIRNAME', { backend: 'shm' }));
    check(code.startsWith('ERR_RINGPIPE_UNTRUSTED'), `a folder under the kept file's name: ${code}`);
    const statCode = errorCode(() => statPipe('DIRNAME'));
    check(statCode.startsWith('ERR_RINGPIPE_UNTRUSTED'), `statPipe of it: ${statCode}`);
    rmdirSync(keptFile('DIRNAME'));
    check(!existsSync(keptFile('DIRNAME')), 'removed by hand');
  });
}
