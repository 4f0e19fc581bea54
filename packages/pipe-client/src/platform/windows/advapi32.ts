import koffi from 'koffi';

// The advapi32 entry points of the shm backend's security: the caller's SID, security
// descriptors from SDDL, and the owner of an existing kernel object. Bound on first use.

export const TOKEN_QUERY = 0x0008;
export const TOKEN_USER = 1;
export const SE_KERNEL_OBJECT = 6;
export const OWNER_SECURITY_INFORMATION = 0x1;
export const DACL_SECURITY_INFORMATION = 0x4;
export const SDDL_REVISION_1 = 1;

let bound: ReturnType<typeof bind> | undefined;
export const advapi32 = (): ReturnType<typeof bind> => (bound ??= bind());

function bind() {
  const lib = koffi.load('advapi32.dll');
  return {
    OpenProcessToken: lib.func('int __stdcall OpenProcessToken(uintptr_t process, uint32_t access, void *token)'),
    GetTokenInformation: lib.func('int __stdcall GetTokenInformation(uintptr_t token, int cls, void *info, uint32_t len, _Out_ uint32_t *needed)'),
    ConvertSidToStringSidW: lib.func('int __stdcall ConvertSidToStringSidW(uintptr_t sid, void *str)'),
    ConvertStringSecurityDescriptorToSecurityDescriptorW: lib.func(
      'int __stdcall ConvertStringSecurityDescriptorToSecurityDescriptorW(const char16_t *sddl, uint32_t revision, void *sd, void *size)',
    ),
    ConvertSecurityDescriptorToStringSecurityDescriptorW: lib.func(
      'int __stdcall ConvertSecurityDescriptorToStringSecurityDescriptorW(uintptr_t sd, uint32_t revision, uint32_t info, void *str, void *len)',
    ),
    GetSecurityInfo: lib.func(
      'uint32_t __stdcall GetSecurityInfo(uintptr_t h, int type, uint32_t info, void *owner, void *group, void *dacl, void *sacl, void *sd)',
    ),
  };
}
