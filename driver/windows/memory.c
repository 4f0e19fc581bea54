/*
 * Ring segments shared with user mode.
 *
 * A ring segment (4096-byte header page + data area) is allocated one of two
 * ways, as in the seeds:
 *
 *   MDL      MmAllocatePagesForMdl, mapped into system space with
 *            MmGetSystemAddressForMdlSafe and into a caller with
 *            MmMapLockedPagesSpecifyCache(UserMode) inside __try.
 *   SECTION  ZwCreateSection (pagefile-backed), viewed by the kernel with
 *            MmMapViewInSystemSpace and by a caller with ZwMapViewOfSection.
 *
 * The MDL path needs structured exception handling (the WDK build) and a
 * kernel that implements it; otherwise, and whenever it fails, the section
 * path is used. Under Wine the "kernel" is winedevice.exe, an ordinary
 * process, whose own view of the section (ZwMapViewOfSection into the
 * current process) stands in for the system-space view that Wine leaves
 * unimplemented.
 */
#include "ringpipe.h"

ULONG RpPreferredMemory(VOID)
{
	return RP_HAVE_SEH ? RINGPIPE_MEMORY_MDL : RINGPIPE_MEMORY_SECTION;
}

static NTSTATUS RpMemoryAllocMdl(PRP_MEMORY Mem)
{
	PHYSICAL_ADDRESS low, high, skip;

	low.QuadPart = 0;
	high.QuadPart = -1;
	skip.QuadPart = 0;
	Mem->Mdl = MmAllocatePagesForMdl(low, high, skip, Mem->Size);
	if (Mem->Mdl == NULL)
		return STATUS_INSUFFICIENT_RESOURCES;
	/* It may return fewer pages than asked for. */
	if (MmGetMdlByteCount(Mem->Mdl) != Mem->Size)
		goto out_free_pages;
	Mem->KernelVa = MmGetSystemAddressForMdlSafe(Mem->Mdl,
						     NormalPagePriority | MdlMappingNoExecute);
	if (Mem->KernelVa == NULL)
		goto out_free_pages;
	Mem->Kind = RINGPIPE_MEMORY_MDL;
	return STATUS_SUCCESS;

out_free_pages:
	MmFreePagesFromMdl(Mem->Mdl);
	ExFreePool(Mem->Mdl);
	Mem->Mdl = NULL;
	return STATUS_INSUFFICIENT_RESOURCES;
}

static NTSTATUS RpMemoryAllocSection(PRP_MEMORY Mem, BOOLEAN HostedInProcess)
{
	OBJECT_ATTRIBUTES oa;
	LARGE_INTEGER max;
	SIZE_T view = 0;
	NTSTATUS status;

	InitializeObjectAttributes(&oa, NULL, OBJ_KERNEL_HANDLE, NULL, NULL);
	max.QuadPart = (LONGLONG)Mem->Size;
	status = ZwCreateSection(&Mem->Section, SECTION_ALL_ACCESS, &oa, &max,
				 PAGE_READWRITE, SEC_COMMIT, NULL);
	if (!NT_SUCCESS(status))
		return status;
	if (HostedInProcess) {
		status = ZwMapViewOfSection(Mem->Section, NtCurrentProcess(), &Mem->KernelVa, 0,
					    0, NULL, &view, ViewUnmap, 0, PAGE_READWRITE);
		if (!NT_SUCCESS(status))
			goto out_close;
		Mem->ProcessView = TRUE;
	} else {
		status = ObReferenceObjectByHandle(Mem->Section, SECTION_MAP_READ | SECTION_MAP_WRITE,
						   NULL, KernelMode, &Mem->SectionObject, NULL);
		if (!NT_SUCCESS(status))
			goto out_close;
		status = MmMapViewInSystemSpace(Mem->SectionObject, &Mem->KernelVa, &view);
		if (!NT_SUCCESS(status))
			goto out_deref;
	}
	if (view < Mem->Size) {
		status = STATUS_INVALID_VIEW_SIZE;
		goto out_unmap;
	}
	Mem->Kind = RINGPIPE_MEMORY_SECTION;
	return STATUS_SUCCESS;

out_unmap:
	if (Mem->ProcessView)
		ZwUnmapViewOfSection(NtCurrentProcess(), Mem->KernelVa);
	else
		MmUnmapViewInSystemSpace(Mem->KernelVa);
out_deref:
	if (Mem->SectionObject != NULL)
		ObDereferenceObject(Mem->SectionObject);
out_close:
	ZwClose(Mem->Section);
	RtlZeroMemory(Mem, sizeof(*Mem));
	return status;
}

static VOID RpMemoryRelease(PRP_MEMORY Mem)
{
	if (Mem->Kind == RINGPIPE_MEMORY_MDL) {
		MmFreePagesFromMdl(Mem->Mdl);
		ExFreePool(Mem->Mdl);
		return;
	}
	if (Mem->ProcessView) {
		ZwUnmapViewOfSection(NtCurrentProcess(), Mem->KernelVa);
	} else {
		MmUnmapViewInSystemSpace(Mem->KernelVa);
		ObDereferenceObject(Mem->SectionObject);
	}
	ZwClose(Mem->Section);
}

/* ring_alloc of the registry (PASSIVE_LEVEL, no lock held): a zeroed segment. */
void *RpRingAlloc(void *Ctx, size_t Size)
{
	PRP_DEVICE_EXTENSION dx = Ctx;
	PRP_MEMORY mem = RpPoolAlloc(sizeof(*mem));
	NTSTATUS status = STATUS_UNSUCCESSFUL;

	if (mem == NULL)
		return NULL;
	mem->Size = Size;
	if (RP_HAVE_SEH)
		status = RpMemoryAllocMdl(mem);
	if (!NT_SUCCESS(status))
		status = RpMemoryAllocSection(mem, dx->HostedInProcess);
	if (!NT_SUCCESS(status)) {
		RpPoolFree(mem);
		return NULL;
	}
	KeWaitForSingleObject(&dx->MemoryLock, Executive, KernelMode, FALSE, NULL);
	InsertTailList(&dx->Memory, &mem->Link);
	KeReleaseMutex(&dx->MemoryLock, FALSE);
	return mem->KernelVa;
}

PRP_MEMORY RpMemoryFind(PRP_DEVICE_EXTENSION Dx, PVOID KernelVa)
{
	PLIST_ENTRY e;
	PRP_MEMORY found = NULL;

	KeWaitForSingleObject(&Dx->MemoryLock, Executive, KernelMode, FALSE, NULL);
	for (e = Dx->Memory.Flink; e != &Dx->Memory; e = e->Flink) {
		PRP_MEMORY mem = CONTAINING_RECORD(e, RP_MEMORY, Link);

		if (mem->KernelVa == KernelVa) {
			found = mem;
			break;
		}
	}
	KeReleaseMutex(&Dx->MemoryLock, FALSE);
	return found;
}

void RpRingFree(void *Ctx, void *KernelVa, size_t Size)
{
	PRP_DEVICE_EXTENSION dx = Ctx;
	PRP_MEMORY mem = RpMemoryFind(dx, KernelVa);

	UNREFERENCED_PARAMETER(Size);
	if (mem == NULL)
		return;
	KeWaitForSingleObject(&dx->MemoryLock, Executive, KernelMode, FALSE, NULL);
	RemoveEntryList(&mem->Link);
	KeReleaseMutex(&dx->MemoryLock, FALSE);
	RpMemoryRelease(mem);
	RpPoolFree(mem);
}

static PVOID RpMapLockedPagesToUser(PMDL Mdl)
{
	PVOID va = NULL;

#ifdef _MSC_VER
	__try {
		va = MmMapLockedPagesSpecifyCache(Mdl, UserMode, MmCached, NULL, FALSE,
						  NormalPagePriority | MdlMappingNoExecute);
	} __except (EXCEPTION_EXECUTE_HANDLER) {
		va = NULL;
	}
#else
	/* Never reached: RpRingAlloc makes no MDL segment without SEH. */
	va = MmMapLockedPagesSpecifyCache(Mdl, UserMode, MmCached, NULL, FALSE,
					  NormalPagePriority | MdlMappingNoExecute);
#endif
	return va;
}

/* Maps the segment into the calling process; runs in its context (MAP IOCTL). */
NTSTATUS RpMapIntoCaller(PRP_MEMORY Mem, PVOID *UserVa)
{
	HANDLE process;
	SIZE_T view = 0;
	NTSTATUS status;

	*UserVa = NULL;
	if (Mem->Kind == RINGPIPE_MEMORY_MDL) {
		*UserVa = RpMapLockedPagesToUser(Mem->Mdl);
		return *UserVa != NULL ? STATUS_SUCCESS : STATUS_INSUFFICIENT_RESOURCES;
	}
	/* Under Wine the dispatch thread belongs to winedevice.exe while
	 * IoGetCurrentProcess() names the client: map through a handle to it. */
	status = ObOpenObjectByPointer(IoGetCurrentProcess(), OBJ_KERNEL_HANDLE, NULL,
				       PROCESS_ALL_ACCESS, NULL, KernelMode, &process);
	if (!NT_SUCCESS(status)) {
		DbgPrint("ringpipe: MAP: no handle to the caller's process (%08lx)\n", status);
		return status;
	}
	status = ZwMapViewOfSection(Mem->Section, process, UserVa, 0, 0, NULL, &view,
				    ViewUnmap, 0, PAGE_READWRITE);
	ZwClose(process);
	if (!NT_SUCCESS(status))
		DbgPrint("ringpipe: MAP: ZwMapViewOfSection failed (%08lx)\n", status);
	if (NT_SUCCESS(status) && view < Mem->Size) {
		RpUnmapFromProcess(Mem, IoGetCurrentProcess(), *UserVa);
		*UserVa = NULL;
		status = STATUS_INVALID_VIEW_SIZE;
	}
	return status;
}

/*
 * Removes a user view. Locked pages must be unmapped in the mapping
 * process's context (attach to it when cleanup runs elsewhere); a section
 * view goes through a handle to the process, and simply fails once the
 * process has ended (its address space went with it).
 */
VOID RpUnmapFromProcess(PRP_MEMORY Mem, PEPROCESS Process, PVOID UserVa)
{
	HANDLE process;

	if (Mem->Kind == RINGPIPE_MEMORY_MDL) {
		KAPC_STATE apc;
		BOOLEAN attach = Process != IoGetCurrentProcess();

		if (attach)
			KeStackAttachProcess((PKPROCESS)Process, &apc);
		MmUnmapLockedPages(UserVa, Mem->Mdl);
		if (attach)
			KeUnstackDetachProcess(&apc);
		return;
	}
	if (NT_SUCCESS(ObOpenObjectByPointer(Process, OBJ_KERNEL_HANDLE, NULL, PROCESS_ALL_ACCESS,
					     NULL, KernelMode, &process))) {
		ZwUnmapViewOfSection(process, UserVa);
		ZwClose(process);
	}
}
