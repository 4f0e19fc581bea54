/*
 * ringpipe.sys: DriverEntry and DriverUnload, the device object, and the
 * callbacks that bind driver/core to the Windows kernel.
 */
#include "ringpipe.h"
#include <wdmsec.h>

DRIVER_INITIALIZE DriverEntry;
DRIVER_UNLOAD RpUnload;

#if defined(ALLOC_PRAGMA) && defined(_MSC_VER)
#pragma alloc_text(INIT, DriverEntry)
#pragma alloc_text(PAGE, RpUnload)
#endif

/*
 * Who may open \Device\RingPipe (and, with FILE_DEVICE_SECURE_OPEN, any
 * name below it): SYSTEM and the Administrators group with all access;
 * Authenticated Users with read and write (open, ReadFile, WriteFile,
 * DeviceIoControl). Anonymous and Guest logons get nothing. Per-pipe
 * permission bits (ringpipe_bind_in.perm) then apply between sessions.
 */
static const UNICODE_STRING RpSddl =
	RTL_CONSTANT_STRING(L"D:P(A;;GA;;;SY)(A;;GA;;;BA)(A;;GRGW;;;AU)");

/* Device class for IoCreateDeviceSecure: {5A1B7C2E-8F4D-4E61-9C3B-52494E475049}. */
static const GUID RpClassGuid = { 0x5a1b7c2e, 0x8f4d, 0x4e61,
				  { 0x9c, 0x3b, 0x52, 0x49, 0x4e, 0x47, 0x50, 0x49 } };

volatile LONG RpLiveAllocations;

RP_DEVICE_EXTENSION *RpDeviceExtension(PDEVICE_OBJECT Device)
{
	return (RP_DEVICE_EXTENSION *)Device->DeviceExtension;
}

/*
 * Liveness of a slot's process for driver/core (dead writers' reservations,
 * stale ring locks, EOF). Called at PASSIVE_LEVEL under the pipe's mutex or
 * the registry lock, both KMUTEXes. A pid that cannot be opened is gone; a
 * process that has exited but is still referenced has an exit status other
 * than STATUS_PENDING.
 */
static bool RpAlive(void *Ctx, uint32_t Slot, uint32_t Pid)
{
	OBJECT_ATTRIBUTES oa;
	CLIENT_ID cid;
	PROCESS_BASIC_INFORMATION pbi;
	HANDLE process;
	NTSTATUS status;

	UNREFERENCED_PARAMETER(Ctx);
	UNREFERENCED_PARAMETER(Slot);
	if (Pid == 0)
		return false;
	InitializeObjectAttributes(&oa, NULL, OBJ_KERNEL_HANDLE, NULL, NULL);
	cid.UniqueProcess = (HANDLE)(ULONG_PTR)Pid;
	cid.UniqueThread = NULL;
	status = ZwOpenProcess(&process, PROCESS_QUERY_LIMITED_INFORMATION, &oa, &cid);
	if (!NT_SUCCESS(status))
		return false;
	status = ZwQueryInformationProcess(process, ProcessBasicInformation, &pbi,
					   sizeof(pbi), NULL);
	ZwClose(process);
	return !NT_SUCCESS(status) || pbi.ExitStatus == STATUS_PENDING;
}

/* A ring lock held by a live peer: give up the processor once. */
static void RpYield(void *Ctx)
{
	UNREFERENCED_PARAMETER(Ctx);
	ZwYieldExecution();
}

/* ctx_init of the registry: the driver part of a new pipe, before it is published. */
static int RpPipeInit(void *Ctx, struct rp_pipe *Pipe)
{
	PRP_DEVICE_EXTENSION dx = Ctx;
	PRP_PIPE_CTX pctx = RpPoolAlloc(sizeof(*pctx));

	if (pctx == NULL)
		return RP_ENOMEM;
	pctx->Pipe = Pipe;
	pctx->Memory = RpMemoryFind(dx, Pipe->mem);
	if (pctx->Memory == NULL) {
		RpPoolFree(pctx);
		return RP_INVAL;
	}
	KeInitializeMutex(&pctx->Mutex, 0);
	RpQueuesInit(pctx);
	Pipe->os = pctx;
	return RP_OK;
}

/* ctx_free: the last handle is closed, so no IRP can be queued any more. */
static void RpPipeFree(void *Ctx, struct rp_pipe *Pipe)
{
	PRP_PIPE_CTX pctx = Pipe->os;

	UNREFERENCED_PARAMETER(Ctx);
	if (pctx == NULL)
		return;
	ASSERT(RpQueueCount(&pctx->Reads) == 0 && RpQueueCount(&pctx->Writes) == 0 &&
	       RpQueueCount(&pctx->Waits) == 0);
	Pipe->os = NULL;
	RpPoolFree(pctx);
}

/*
 * A user-space mapped peer may hold a ring lock: the kernel spins a bounded
 * number of times (yielding each time) and then fails the request with
 * STATUS_IO_TIMEOUT rather than wait on memory user space controls.
 */
#define RP_KERNEL_LOCK_SPINS 20000u

_Use_decl_annotations_
VOID RpUnload(PDRIVER_OBJECT DriverObject)
{
	UNICODE_STRING dos = RTL_CONSTANT_STRING(RINGPIPE_DOS_DEVICE_NAME);
	PDEVICE_OBJECT device = DriverObject->DeviceObject;

	PAGED_CODE();
	/*
	 * The I/O manager unloads only once every handle is closed, so every
	 * pipe is gone: the registry is empty and holds no memory.
	 */
	if (device != NULL) {
		PRP_DEVICE_EXTENSION dx = RpDeviceExtension(device);

		if (rp_registry_destroy(&dx->Registry) != RP_OK)
			DbgPrint("ringpipe: unload with pipes still open\n");
		if (!IsListEmpty(&dx->Memory))
			DbgPrint("ringpipe: unload with ring memory still allocated\n");
	}
	IoDeleteSymbolicLink(&dos);
	if (device != NULL)
		IoDeleteDevice(device);
	DbgPrint("ringpipe: unloaded, %ld allocations outstanding\n", RpLiveAllocations);
}

/* Undo happens in reverse order at the one exit label. */
_Use_decl_annotations_
NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
	UNICODE_STRING name = RTL_CONSTANT_STRING(RINGPIPE_NT_DEVICE_NAME);
	UNICODE_STRING dos = RTL_CONSTANT_STRING(RINGPIPE_DOS_DEVICE_NAME);
	struct rp_registry_ops ops;
	PDEVICE_OBJECT device = NULL;
	PRP_DEVICE_EXTENSION dx;
	NTSTATUS status;

	UNREFERENCED_PARAMETER(RegistryPath);

	status = IoCreateDeviceSecure(DriverObject, sizeof(RP_DEVICE_EXTENSION), &name,
				      RINGPIPE_DEVICE_TYPE, FILE_DEVICE_SECURE_OPEN, FALSE,
				      &RpSddl, &RpClassGuid, &device);
	if (!NT_SUCCESS(status))
		goto out;

	dx = RpDeviceExtension(device);
	RtlZeroMemory(dx, sizeof(*dx));
	dx->Device = device;
	/* Our own code lies in the user half of the address space only when an
	 * ordinary process hosts the driver (Wine's winedevice.exe). */
	dx->HostedInProcess = (ULONG_PTR)&RpDeviceExtension < 0x800000000000ull;
	KeInitializeMutex(&dx->MemoryLock, 0);
	InitializeListHead(&dx->Memory);
	dx->Env.alive = RpAlive;
	dx->Env.yield = RpYield;
	dx->Env.ctx = dx;
	dx->Env.lock_spins = RP_KERNEL_LOCK_SPINS;
	ops.ctx = dx;
	ops.ring_alloc = RpRingAlloc;
	ops.ring_free = RpRingFree;
	ops.ctx_init = RpPipeInit;
	ops.ctx_free = RpPipeFree;
	rp_registry_init(&dx->Registry, &ops, &dx->Env);

	status = IoCreateSymbolicLink(&dos, &name);
	if (!NT_SUCCESS(status))
		goto out_delete_device;

	DriverObject->MajorFunction[IRP_MJ_CREATE] = RpCreate;
	DriverObject->MajorFunction[IRP_MJ_CLEANUP] = RpCleanup;
	DriverObject->MajorFunction[IRP_MJ_CLOSE] = RpClose;
	DriverObject->MajorFunction[IRP_MJ_READ] = RpRead;
	DriverObject->MajorFunction[IRP_MJ_WRITE] = RpWrite;
	DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = RpDeviceControl;
	DriverObject->DriverUnload = RpUnload;

	/* Buffered I/O: reads and writes reach us in system buffers, so ring
	 * copies never touch a caller's pages. */
	device->Flags |= DO_BUFFERED_IO;
	device->Flags &= ~DO_DEVICE_INITIALIZING;
	DbgPrint("ringpipe: loaded (ABI %u, %s)\n", RINGPIPE_ABI_VERSION,
		 dx->HostedInProcess ? "hosted in a process" : "kernel");
	return STATUS_SUCCESS;

out_delete_device:
	rp_registry_destroy(&dx->Registry);
	IoDeleteDevice(device);
out:
	return status;
}
