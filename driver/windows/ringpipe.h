/*
 * ringpipe.sys: private declarations of the WDM driver.
 *
 * Contexts (as in the seeds' resource/instance contexts):
 *   device   RP_DEVICE_EXTENSION  the registry of pipes (driver/core), ring memory list
 *   resource struct rp_pipe       one named pipe, in FILE_OBJECT::FsContext;
 *            RP_PIPE_CTX          its driver part (rp_pipe::os): queues, mutex, memory
 *   instance RP_FILE              one open handle, in FILE_OBJECT::FsContext2
 *
 * Locks, outermost first:
 *   RP_PIPE_CTX::Mutex (KMUTEX, PASSIVE_LEVEL) serialises every ring operation
 *     the driver makes on the pipe and every change of a handle's ring state
 *     (attach, roles, detach, mapping). Ring memory may be pageable (a section
 *     view), so the ring is touched only under this mutex, never at DISPATCH.
 *   registry lock (KMUTEX inside struct rp_registry, driver/core): the name
 *     list and reference counts only. Never held while touching a caller's
 *     buffer: IOCTL output is built in a local copy first.
 *   RP_PIPE_CTX::QueueLock (spin lock) guards the three IRP lists and counts.
 *   RP_DEVICE_EXTENSION::MemoryLock (KMUTEX) guards the list of ring segments.
 *   RP_DEVICE_EXTENSION::LifeLock (KMUTEX, lifetime.c) guards the kept pipes,
 *     every pipe's Files/Kept/Removed/ttl, and the sessions' charges; taken
 *     with no other lock held, it may take the registry lock inside.
 */
#ifndef RINGPIPE_H
#define RINGPIPE_H

#include <ntifs.h>

#include "../core/rp_registry.h"
#include "../include/ringpipe_win_abi.h"

/* SAL and role annotations that mingw-w64's headers lack; the WDK has them. */
#ifndef _Dispatch_type_
#define _Dispatch_type_(x)
#endif
#ifndef _Acquires_lock_
#define _Acquires_lock_(x)
#endif
#ifndef _Releases_lock_
#define _Releases_lock_(x)
#endif
#ifndef _Requires_lock_held_
#define _Requires_lock_held_(x)
#endif
#ifndef _Use_decl_annotations_
#define _Use_decl_annotations_
#endif
#ifndef PROCESS_QUERY_LIMITED_INFORMATION
#define PROCESS_QUERY_LIMITED_INFORMATION 0x1000
#endif
#ifndef MdlMappingNoExecute
#define MdlMappingNoExecute 0x40000000
#endif

/* One pool tag for everything the driver allocates ("RiPe" in pool dumps). */
#define RP_TAG ((ULONG)0x65506952) /* 'ePiR' */

/*
 * Locked pages mapped with MmMapLockedPagesSpecifyCache(UserMode) raise an
 * exception when the mapping fails, which only a compiler with structured
 * exception handling (MSVC, the WDK build) can catch. The mingw-w64 build
 * compiles that path but allocates sections instead.
 */
#ifdef _MSC_VER
#define RP_HAVE_SEH 1
#else
#define RP_HAVE_SEH 0
#endif

/*
 * Wine implements IoCsqInitialize but leaves IoCsqInsertIrp, IoCsqRemoveIrp
 * and IoCsqRemoveNextIrp as stubs. The mingw-w64 build (RP_OWN_CSQ) links
 * csq_compat.c, the same contract built on IoSetCancelRoutine (what csq.lib
 * did for Windows 2000); the WDK build uses the kernel's routines.
 */
#ifdef RP_OWN_CSQ
NTSTATUS NTAPI RpCsqInitializeEx(PIO_CSQ Csq, PIO_CSQ_INSERT_IRP_EX InsertIrp,
				 PIO_CSQ_REMOVE_IRP RemoveIrp,
				 PIO_CSQ_PEEK_NEXT_IRP PeekNextIrp,
				 PIO_CSQ_ACQUIRE_LOCK AcquireLock,
				 PIO_CSQ_RELEASE_LOCK ReleaseLock,
				 PIO_CSQ_COMPLETE_CANCELED_IRP CompleteCanceledIrp);
NTSTATUS NTAPI RpCsqInsertIrpEx(PIO_CSQ Csq, PIRP Irp,
				PIO_CSQ_IRP_CONTEXT Context, PVOID InsertContext);
PIRP NTAPI RpCsqRemoveNextIrp(PIO_CSQ Csq, PVOID PeekContext);
#define IoCsqInitializeEx RpCsqInitializeEx
#define IoCsqInsertIrpEx RpCsqInsertIrpEx
#define IoCsqRemoveNextIrp RpCsqRemoveNextIrp
#endif

/* Not in mingw-w64's headers; exported by ntoskrnl since Vista. */
NTKERNELAPI ULONG NTAPI PsGetCurrentProcessSessionId(VOID);

/* IRP queues of one pipe. */
typedef enum _RP_QUEUE_KIND { RpQueueRead, RpQueueWrite, RpQueueWait } RP_QUEUE_KIND;

typedef struct _RP_QUEUE {
	IO_CSQ Csq;
	LIST_ENTRY Irps;       /* QueueLock */
	ULONG Count;           /* QueueLock */
	PKSPIN_LOCK Lock;      /* the pipe's QueueLock, shared by its three queues */
	RP_QUEUE_KIND Kind;
} RP_QUEUE, *PRP_QUEUE;

/* IoCsqInsertIrpEx InsertContext: put an IRP back at the head of its queue. */
#define RP_INSERT_HEAD ((PVOID)(ULONG_PTR)1)

/* PeekContext of IoCsqRemoveNextIrp: NULL takes the first IRP. */
typedef struct _RP_PEEK {
	PFILE_OBJECT File; /* non-NULL: only this file's IRPs */
	BOOLEAN Changed;   /* waits whose seq word moved (values below) */
	ULONG DataSeq, SpaceSeq;
} RP_PEEK, *PRP_PEEK;

/* Per-IRP state kept in Tail.Overlay.DriverContext (slot 3 is the CSQ's). */
#define RP_IRP_DONE(irp) ((irp)->Tail.Overlay.DriverContext[0])   /* write: bytes in */
#define RP_IRP_WHICH(irp) ((irp)->Tail.Overlay.DriverContext[1])  /* wait */
#define RP_IRP_SEQ(irp) ((irp)->Tail.Overlay.DriverContext[2])    /* wait */

/* A ring segment: header page and data area, as the kernel sees it. */
typedef struct _RP_MEMORY {
	LIST_ENTRY Link;      /* RP_DEVICE_EXTENSION::Memory, MemoryLock */
	PVOID KernelVa;
	SIZE_T Size;
	ULONG Kind;           /* RINGPIPE_MEMORY_MDL or _SECTION */
	PMDL Mdl;             /* MDL: the locked pages */
	HANDLE Section;       /* SECTION: kernel handle */
	PVOID SectionObject;  /* SECTION, system-space view: referenced object */
	BOOLEAN ProcessView;  /* SECTION: KernelVa is a view in the host process */
} RP_MEMORY, *PRP_MEMORY;

typedef struct _RP_PIPE_CTX {
	struct rp_pipe *Pipe;
	struct rp_registry *Registry; /* the device's: references for the retry timer */
	PRP_MEMORY Memory;
	KMUTEX Mutex;
	KSPIN_LOCK QueueLock;
	RP_QUEUE Reads, Writes, Waits;
	BOOLEAN CountedRead;  /* Mutex: this pipe counts in readers_waiting */
	BOOLEAN CountedWrite; /* Mutex: ... in writers_waiting */
	volatile LONG Mapped; /* handles with a user mapping */
	/*
	 * By ring slot: the file object bound to it, NULL for a free slot.
	 * Written under Mutex, read without it by Env.alive: a slot is live
	 * exactly while a file object holds it (never the slot's pid, which
	 * a mapped peer may write).
	 */
	PFILE_OBJECT volatile Bound[RP_SLOT_COUNT];
	struct rp_env Env;    /* the ring's env: alive() answers from Bound */
	/*
	 * An IRP that found a ring lock held (RP_LOCKED) stays queued and the
	 * pump runs again from this timer: 1 ms, doubling up to 250 ms while
	 * the lock stays held. An armed timer holds a pipe reference.
	 */
	KTIMER RetryTimer;
	KDPC RetryDpc;
	PIO_WORKITEM RetryItem;
	BOOLEAN RetryArmed;   /* Mutex */
	BOOLEAN SawLocked;    /* Mutex: the current pump met RP_LOCKED */
	ULONG RetryDelayMs;   /* Mutex */
	/* Lifetime (lifetime.c), under the device's LifeLock. */
	ULONG Files;          /* bound file objects, each holding a reference */
	BOOLEAN Kept;         /* no file object; the kept reference is on Kept */
	BOOLEAN Removed;      /* the name was taken away (REMOVE, ttl, unload) */
	LIST_ENTRY KeptLink;  /* RP_DEVICE_EXTENSION::Kept while Kept */
	ULONGLONG KeptSinceMs;
	ULONGLONG TtlMs;      /* 0: none */
	/* The charge made before the ring was allocated, given back when it is freed. */
	ULONG ChargeUid;
	SIZE_T Charged;
} RP_PIPE_CTX, *PRP_PIPE_CTX;

typedef struct _RP_FILE {
	struct rp_pipe *volatile Pipe; /* NULL until bound; set once */
	struct rp_handle Handle;       /* the pipe's Mutex */
	volatile LONG Binding;         /* a BIND claimed the handle */
	ULONG Flags;                   /* RINGPIPE_BIND_* */
	ULONG Pid;                     /* the opener's process id, the slot's pid */
	BOOLEAN ShutDown;              /* the pipe's Mutex: detached by cleanup */
	PVOID MapAddress;              /* the pipe's Mutex: user view, or NULL */
	PEPROCESS MapProcess;          /* referenced while MapAddress is set */
} RP_FILE, *PRP_FILE;

typedef struct _RP_DEVICE_EXTENSION {
	PDEVICE_OBJECT Device;
	struct rp_registry Registry;
	KMUTEX MemoryLock;
	LIST_ENTRY Memory;
	BOOLEAN HostedInProcess; /* the "kernel" is an ordinary process (Wine) */
	KMUTEX LifeLock;         /* lifetime.c */
	LIST_ENTRY Kept;         /* kept pipes: RP_PIPE_CTX::KeptLink */
	ULONG KeptCount;
	LIST_ENTRY Owners;       /* charges by session */
	ULONGLONG MaxUserBytes;
} RP_DEVICE_EXTENSION, *PRP_DEVICE_EXTENSION;

/* Ring bytes one session may be charged unless Parameters\MaxUserBytes says otherwise. */
#define RP_MAX_USER_BYTES_DEFAULT (256ull << 20)

/* What a handle asks for when it binds to a pipe (IOCTL_RINGPIPE_BIND or a path open). */
typedef struct _RP_BIND_REQUEST {
	const char *Name; /* NameLen bytes, any case */
	size_t NameLen;
	ULONG Flags;      /* RINGPIPE_BIND_* */
	ULONG Capacity;   /* 0: RINGPIPE_CAPACITY_DEFAULT when created */
	ULONG Mode;       /* 0: the existing pipe's, else message mode */
	ULONG Perm;       /* used when created */
	ULONGLONG TtlMs;  /* used when created; 0: none */
} RP_BIND_REQUEST, *PRP_BIND_REQUEST;

/* pipe.c: the registry's callbacks for a pipe's driver context */
extern const struct rp_env RpBootEnv;
int RpPipeInit(void *Ctx, struct rp_pipe *Pipe);
void RpPipeFree(void *Ctx, struct rp_pipe *Pipe);

/* lifetime.c: kept pipes, removal, expiry, charges */
ULONGLONG RpNowMs(VOID);
NTSTATUS RpCharge(PRP_DEVICE_EXTENSION Dx, ULONG Uid, SIZE_T Bytes);
VOID RpUncharge(PRP_DEVICE_EXTENSION Dx, ULONG Uid, SIZE_T Bytes);
ULONGLONG RpCharged(PRP_DEVICE_EXTENSION Dx, ULONG Uid);
NTSTATUS RpLifeBind(PRP_DEVICE_EXTENSION Dx, struct rp_pipe *Pipe);
VOID RpLifeRelease(PRP_DEVICE_EXTENSION Dx, struct rp_pipe *Pipe);
VOID RpLifeSetTtl(PRP_DEVICE_EXTENSION Dx, struct rp_pipe *Pipe, ULONGLONG TtlMs);
VOID RpLifeInfo(PRP_DEVICE_EXTENSION Dx, struct rp_pipe *Pipe, struct ringpipe_pipe_info *Out);
ULONG RpKeptCount(PRP_DEVICE_EXTENSION Dx);
VOID RpReapExpired(PRP_DEVICE_EXTENSION Dx);
NTSTATUS RpLifeRemove(PRP_DEVICE_EXTENSION Dx, struct rp_pipe *Pipe, ULONG Uid, BOOLEAN Admin);
VOID RpDropAllKept(PRP_DEVICE_EXTENSION Dx);
VOID RpReadLimits(PRP_DEVICE_EXTENSION Dx, PUNICODE_STRING RegistryPath);
BOOLEAN RpCallerIsAdmin(VOID);

/* memory.c */
PRP_MEMORY RpMemoryFind(PRP_DEVICE_EXTENSION Dx, PVOID KernelVa);
void *RpRingAlloc(void *Ctx, size_t Size);
void RpRingFree(void *Ctx, void *Mem, size_t Size);
NTSTATUS RpMapIntoCaller(PRP_MEMORY Mem, PVOID *UserVa);
VOID RpUnmapFromProcess(PRP_MEMORY Mem, PEPROCESS Process, PVOID UserVa);
ULONG RpPreferredMemory(VOID);

/* queue.c */
NTSTATUS RpQueuesInit(PRP_PIPE_CTX Ctx, PDEVICE_OBJECT Device);
VOID RpQueuesFree(PRP_PIPE_CTX Ctx);
VOID RpPump(PRP_PIPE_CTX Ctx);
VOID RpQueuePend(PRP_QUEUE Queue, PIRP Irp);
VOID RpCancelFileIrps(PRP_PIPE_CTX Ctx, PFILE_OBJECT File);
ULONG RpQueueCount(PRP_QUEUE Queue);

/* handle.c: a handle's hold on a pipe */
NTSTATUS RpBind(PRP_DEVICE_EXTENSION Dx, PFILE_OBJECT FileObject, PRP_FILE File,
		const RP_BIND_REQUEST *Req, BOOLEAN *Created);
VOID RpShutdownFile(PRP_FILE File, PFILE_OBJECT FileObject);
VOID RpRefreshRole(PRP_FILE File); /* the pipe's Mutex held */
_Requires_lock_held_(Ctx->Mutex)
VOID RpUnmapFile(PRP_PIPE_CTX Ctx, PRP_FILE File);

/* dispatch.c */
DRIVER_DISPATCH RpCreate, RpCleanup, RpClose, RpRead, RpWrite;

/* ioctl.c */
DRIVER_DISPATCH RpDeviceControl;

static inline PRP_DEVICE_EXTENSION RpDeviceExtension(PDEVICE_OBJECT Device)
{
	return (PRP_DEVICE_EXTENSION)Device->DeviceExtension;
}

static inline PRP_FILE RpFileOf(PIRP Irp)
{
	return IoGetCurrentIrpStackLocation(Irp)->FileObject->FsContext2;
}

/* The pipe context of a bound handle, or NULL. Pipe is published once, after the attach. */
static inline PRP_PIPE_CTX RpBoundCtx(PRP_FILE File)
{
	struct rp_pipe *pipe;

	if (File == NULL)
		return NULL;
	/* A full barrier: the attach done before publishing is visible. */
	pipe = InterlockedCompareExchangePointer((PVOID volatile *)&File->Pipe, NULL, NULL);
	return pipe == NULL ? NULL : pipe->os;
}

static inline NTSTATUS RpStatusFromCore(int St)
{
	switch (St) {
	case RP_OK:
		return STATUS_SUCCESS;
	case RP_BADNAME:
		return STATUS_OBJECT_NAME_INVALID;
	case RP_ENOENT:
		return STATUS_OBJECT_NAME_NOT_FOUND;
	case RP_EEXIST:
		return STATUS_OBJECT_NAME_COLLISION;
	case RP_EACCES:
		return STATUS_ACCESS_DENIED;
	case RP_ENOMEM:
		return STATUS_INSUFFICIENT_RESOURCES;
	case RP_NOSLOT:
		return STATUS_TOO_MANY_OPENED_FILES;
	case RP_INVAL:
		return STATUS_INVALID_PARAMETER;
	case RP_CORRUPT:
		return STATUS_FILE_CORRUPT_ERROR;
	default:
		return STATUS_INTERNAL_ERROR;
	}
}

/* Completes an IRP: the one place the driver hands an IRP back. */
static inline NTSTATUS RpComplete(PIRP Irp, NTSTATUS Status, ULONG_PTR Information)
{
	Irp->IoStatus.Status = Status;
	Irp->IoStatus.Information = Information;
	IoCompleteRequest(Irp, IO_NO_INCREMENT);
	return Status;
}

#endif
