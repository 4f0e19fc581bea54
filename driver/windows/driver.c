/*
 * ringpipe.sys: DriverEntry and DriverUnload, the device object and its
 * registry of pipes.
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

_Use_decl_annotations_
VOID RpUnload(PDRIVER_OBJECT DriverObject)
{
	UNICODE_STRING dos = RTL_CONSTANT_STRING(RINGPIPE_DOS_DEVICE_NAME);
	PDEVICE_OBJECT device = DriverObject->DeviceObject;

	PAGED_CODE();
	/*
	 * The I/O manager unloads only once every handle is closed, so the
	 * only pipes left are kept ones (unread messages, no handle).
	 */
	if (device != NULL) {
		PRP_DEVICE_EXTENSION dx = RpDeviceExtension(device);

		/* No handle is open; what remains are kept pipes: free them. */
		RpDropAllKept(dx);
		if (rp_registry_destroy(&dx->Registry) != RP_OK)
			DbgPrint("ringpipe: unload with pipes still open\n");
		if (!IsListEmpty(&dx->Memory))
			DbgPrint("ringpipe: unload with ring memory still allocated\n");
	}
	IoDeleteSymbolicLink(&dos);
	if (device != NULL)
		IoDeleteDevice(device);
	DbgPrint("ringpipe: unloaded, %ld allocations outstanding\n", RpPoolOutstanding());
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
	dx->HostedInProcess = (ULONG_PTR)&DriverEntry < 0x800000000000ull;
	KeInitializeMutex(&dx->MemoryLock, 0);
	InitializeListHead(&dx->Memory);
	KeInitializeMutex(&dx->LifeLock, 0);
	InitializeListHead(&dx->Kept);
	InitializeListHead(&dx->Owners);
	RpReadLimits(dx, RegistryPath);
	ops.ctx = dx;
	ops.ring_alloc = RpRingAlloc;
	ops.ring_free = RpRingFree;
	ops.ctx_init = RpPipeInit;
	ops.ctx_free = RpPipeFree;
	rp_registry_init(&dx->Registry, &ops, &RpBootEnv);

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
