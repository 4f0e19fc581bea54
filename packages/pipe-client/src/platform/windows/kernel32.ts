import koffi from 'koffi';

// The kernel32 entry points the Windows backends need, bound on first use so that
// importing the client costs nothing elsewhere. Handles and pointers are BigInt (koffi 3).

export const INVALID_HANDLE = (1n << 64n) - 1n;
export const GENERIC_READ = 0x80000000;
export const GENERIC_WRITE = 0x40000000;
export const FILE_SHARE_READ = 1;
export const FILE_SHARE_WRITE = 2;
export const FILE_SHARE_DELETE = 4;
export const CREATE_NEW = 1;
export const OPEN_EXISTING = 3;
export const DELETE = 0x00010000;
export const FILE_ATTRIBUTE_DIRECTORY = 0x10;
export const FILE_ATTRIBUTE_NORMAL = 0x80;
export const FILE_ATTRIBUTE_REPARSE_POINT = 0x400;
export const FILE_FLAG_BACKUP_SEMANTICS = 0x02000000;
export const FILE_FLAG_OPEN_REPARSE_POINT = 0x00200000;
export const FILE_FLAG_OVERLAPPED = 0x40000000;
export const PAGE_READWRITE = 4;
export const FILE_MAP_READ = 4;
export const FILE_MAP_WRITE = 2;
export const READ_CONTROL = 0x00020000;
/** What an opener of a ring mapping asks for: query its size, map it read and write, read its owner. */
export const SECTION_JOIN = READ_CONTROL | 0x0007;
export const SECTION_STAT = READ_CONTROL | 0x0005;
/** Mutexes: wait, query, read the owner. */
export const MUTEX_USE = READ_CONTROL | 0x00100001;
/** Events: wait, set and reset, query, read the owner. */
export const EVENT_USE = READ_CONTROL | 0x00100003;
export const CREATE_EVENT_MANUAL_RESET = 1;
export const SYNCHRONIZE = 0x00100000;
export const PROCESS_QUERY_LIMITED_INFORMATION = 0x1000;
export const STILL_ACTIVE = 259;
export const WAIT_OBJECT_0 = 0;
export const WAIT_ABANDONED = 0x80;
export const WAIT_TIMEOUT = 0x102;
export const WAIT_FAILED = 0xffffffff;
export const INFINITE = 0xffffffff;
export const ERROR_ALREADY_EXISTS = 183;
export const ERROR_IO_PENDING = 997;
export const ERROR_ACCESS_DENIED = 5;
export const ERROR_FILE_NOT_FOUND = 2;
export const ERROR_PATH_NOT_FOUND = 3;
export const ERROR_FILE_EXISTS = 80;
export const ERROR_INVALID_HANDLE = 6;
export const ERROR_HANDLE_EOF = 38;
export const ERROR_INSUFFICIENT_BUFFER = 122;
export const ERROR_OPERATION_ABORTED = 995;
export const STATUS_PENDING = 0x103;
/** Handles one WaitForMultipleObjects call takes. */
export const MAXIMUM_WAIT_OBJECTS = 64;
/** OVERLAPPED on x64: Internal (the NTSTATUS), InternalHigh (bytes), Offset, OffsetHigh, hEvent. */
export const OVERLAPPED_SIZE = 32;

let bound: ReturnType<typeof bind> | undefined;
export const k32 = (): ReturnType<typeof bind> => (bound ??= bind());

/** koffi gives a uintptr_t as a Number when it fits: handles and addresses are BigInt here. */
function toHandle(x: unknown): bigint {
  if (typeof x === 'bigint') return x;
  const n = Number(x);
  return n >= 2 ** 63 ? INVALID_HANDLE : BigInt(n);
}

type AnyFn = (...args: unknown[]) => unknown;
const handleResult =
  (fn: unknown) =>
  (...args: unknown[]): bigint =>
    toHandle((fn as AnyFn)(...args));

function bind() {
  const raw = bindRaw();
  return {
    ...raw,
    CreateFileW: handleResult(raw.CreateFileW),
    CreateEventW: handleResult(raw.CreateEventW),
    CreateMutexExW: handleResult(raw.CreateMutexExW),
    CreateEventExW: handleResult(raw.CreateEventExW),
    OpenMutexW: handleResult(raw.OpenMutexW),
    OpenEventW: handleResult(raw.OpenEventW),
    CreateFileMappingW: handleResult(raw.CreateFileMappingW),
    OpenFileMappingW: handleResult(raw.OpenFileMappingW),
    MapViewOfFile: handleResult(raw.MapViewOfFile),
    OpenProcess: handleResult(raw.OpenProcess),
  };
}

function bindRaw() {
  const lib = koffi.load('kernel32.dll');
  const ntdll = koffi.load('ntdll.dll');
  return {
    CreateFileW: lib.func(
      'uintptr_t __stdcall CreateFileW(const char16_t *name, uint32_t access, uint32_t share, void *sa, uint32_t disposition, uint32_t flags, uintptr_t tmpl)',
    ),
    CloseHandle: lib.func('int __stdcall CloseHandle(uintptr_t h)'),
    CreateDirectoryW: lib.func('int __stdcall CreateDirectoryW(const char16_t *name, void *sa)'),
    GetFileInformationByHandle: lib.func('int __stdcall GetFileInformationByHandle(uintptr_t h, void *info)'),
    MoveFileExW: lib.func('int __stdcall MoveFileExW(const char16_t *from, const char16_t *to, uint32_t flags)'),
    DeleteFileW: lib.func('int __stdcall DeleteFileW(const char16_t *name)'),
    DeviceIoControl: lib.func(
      'int __stdcall DeviceIoControl(uintptr_t h, uint32_t code, void *inBuf, uint32_t inLen, void *outBuf, uint32_t outLen, void *returned, void *ov)',
    ),
    GetOverlappedResult: lib.func('int __stdcall GetOverlappedResult(uintptr_t h, void *ov, _Out_ uint32_t *n, int wait)'),
    CancelIoEx: lib.func('int __stdcall CancelIoEx(uintptr_t h, void *ov)'),
    CreateEventW: lib.func('uintptr_t __stdcall CreateEventW(void *sa, int manual, int initial, const char16_t *name)'),
    SetEvent: lib.func('int __stdcall SetEvent(uintptr_t h)'),
    ResetEvent: lib.func('int __stdcall ResetEvent(uintptr_t h)'),
    WaitForSingleObject: lib.func('uint32_t __stdcall WaitForSingleObject(uintptr_t h, uint32_t ms)'),
    WaitForMultipleObjects: lib.func('uint32_t __stdcall WaitForMultipleObjects(uint32_t n, void *handles, int all, uint32_t ms)'),
    CreateMutexExW: lib.func('uintptr_t __stdcall CreateMutexExW(void *sa, const char16_t *name, uint32_t flags, uint32_t access)'),
    CreateEventExW: lib.func('uintptr_t __stdcall CreateEventExW(void *sa, const char16_t *name, uint32_t flags, uint32_t access)'),
    OpenMutexW: lib.func('uintptr_t __stdcall OpenMutexW(uint32_t access, int inherit, const char16_t *name)'),
    OpenEventW: lib.func('uintptr_t __stdcall OpenEventW(uint32_t access, int inherit, const char16_t *name)'),
    ReadFile: lib.func('int __stdcall ReadFile(uintptr_t h, void *buf, uint32_t len, void *read, void *ov)'),
    WriteFile: lib.func('int __stdcall WriteFile(uintptr_t h, const void *buf, uint32_t len, void *written, void *ov)'),
    ProcessIdToSessionId: lib.func('int __stdcall ProcessIdToSessionId(uint32_t pid, _Out_ uint32_t *session)'),
    LocalFree: lib.func('uintptr_t __stdcall LocalFree(uintptr_t p)'),
    ReleaseMutex: lib.func('int __stdcall ReleaseMutex(uintptr_t h)'),
    CreateFileMappingW: lib.func(
      'uintptr_t __stdcall CreateFileMappingW(uintptr_t file, void *sa, uint32_t protect, uint32_t sizeHigh, uint32_t sizeLow, const char16_t *name)',
    ),
    OpenFileMappingW: lib.func('uintptr_t __stdcall OpenFileMappingW(uint32_t access, int inherit, const char16_t *name)'),
    MapViewOfFile: lib.func('uintptr_t __stdcall MapViewOfFile(uintptr_t h, uint32_t access, uint32_t offHigh, uint32_t offLow, size_t n)'),
    UnmapViewOfFile: lib.func('int __stdcall UnmapViewOfFile(uintptr_t p)'),
    VirtualQuery: lib.func('size_t __stdcall VirtualQuery(uintptr_t p, void *info, size_t len)'),
    OpenProcess: lib.func('uintptr_t __stdcall OpenProcess(uint32_t access, int inherit, uint32_t pid)'),
    GetExitCodeProcess: lib.func('int __stdcall GetExitCodeProcess(uintptr_t h, _Out_ uint32_t *code)'),
    GetLastError: lib.func('uint32_t __stdcall GetLastError(void)'),
    SwitchToThread: lib.func('int __stdcall SwitchToThread(void)'),
    RtlNtStatusToDosError: ntdll.func('uint32_t __stdcall RtlNtStatusToDosError(uint32_t status)'),
    RtlGetLastNtStatus: ntdll.func('uint32_t __stdcall RtlGetLastNtStatus(void)'),
    NtOpenDirectoryObject: ntdll.func('uint32_t __stdcall NtOpenDirectoryObject(void *handle, uint32_t access, void *attributes)'),
    NtQueryDirectoryObject: ntdll.func(
      'uint32_t __stdcall NtQueryDirectoryObject(uintptr_t h, void *buf, uint32_t len, int single, int restart, void *context, void *returned)',
    ),
  };
}

export function closeHandle(h: bigint): void {
  if (h !== 0n && h !== INVALID_HANDLE) k32().CloseHandle(h);
}
