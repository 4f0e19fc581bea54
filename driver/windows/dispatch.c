/*
 * IRP_MJ_CREATE, CLEANUP, CLOSE, READ and WRITE, and binding a handle to a
 * named pipe.
 */
#include "ringpipe.h"

#if defined(ALLOC_PRAGMA) && defined(_MSC_VER)
#pragma alloc_text(PAGE, RpCreate)
#pragma alloc_text(PAGE, RpCleanup)
#pragma alloc_text(PAGE, RpClose)
#endif

PRP_FILE RpFileOf(PIRP Irp)
{
	return IoGetCurrentIrpStackLocation(Irp)->FileObject->FsContext2;
}

/* The pipe context of a bound handle, or NULL. Pipe is published once, after the attach. */
PRP_PIPE_CTX RpBoundCtx(PRP_FILE File)
{
	struct rp_pipe *pipe;

	if (File == NULL)
		return NULL;
	/* A full barrier: the attach done before publishing is visible. */
	pipe = InterlockedCompareExchangePointer((PVOID volatile *)&File->Pipe, NULL, NULL);
	return pipe == NULL ? NULL : pipe->os;
}

NTSTATUS RpStatusFromCore(int St)
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

/* The process that opened the handle: its id goes into the ring slot. */
static ULONG RpRequestorPid(PIRP Irp)
{
	PEPROCESS process = IoGetRequestorProcess(Irp);

	if (process == NULL)
		process = IoGetCurrentProcess();
	return (ULONG)(ULONG_PTR)PsGetProcessId(process);
}

/*
 * A mapped client sets and clears its slot's roles itself; the kernel's
 * cached copy must follow before it ends writing or detaches, or readers
 * would miss the wake that tells them to re-check for EOF.
 */
_Requires_lock_held_(pipe Mutex)
VOID RpRefreshRole(PRP_FILE File)
{
	struct rp_handle *h = &File->Handle;

	if (h->token == 0 || File->MapAddress == NULL)
		return;
	if (rp_ring_slot_role(h) & RP_ROLE_WRITER)
		h->role |= RP_ROLE_WRITER;
}

/*
 * Finds or creates the pipe, attaches a slot of its ring for this handle,
 * and publishes the binding (FsContext = the pipe, the resource context).
 * The registry lock is held only inside rp_registry_open.
 */
NTSTATUS RpBind(PRP_DEVICE_EXTENSION Dx, PFILE_OBJECT FileObject, PRP_FILE File,
		const char *Name, size_t NameLen, ULONG Flags, ULONG Capacity, ULONG Mode,
		ULONG Perm, BOOLEAN *Created)
{
	struct rp_open_req req;
	struct rp_pipe *pipe;
	PRP_PIPE_CTX ctx;
	bool created = false;
	unsigned wake = 0;
	uint32_t slot;
	NTSTATUS status;
	int st;

	RtlZeroMemory(&req, sizeof(req));
	req.name = Name;
	req.name_len = NameLen;
	req.flags = ((Flags & RINGPIPE_BIND_CREATE) ? RP_OPEN_CREATE : 0) |
		    ((Flags & RINGPIPE_BIND_EXCL) ? RP_OPEN_EXCL : 0);
	/* Per-pipe permissions compare the caller's session with the creator's. */
	req.uid = PsGetCurrentProcessSessionId();
	req.access = ((Flags & RINGPIPE_BIND_READ) ? RP_ACCESS_READ : 0) |
		     ((Flags & RINGPIPE_BIND_WRITE) ? RP_ACCESS_WRITE : 0);
	req.perm = Perm;
	req.capacity = Capacity != 0 ? Capacity : RINGPIPE_CAPACITY_DEFAULT;
	req.mode = Mode != 0 ? Mode : RINGPIPE_MODE_MESSAGE;
	st = rp_registry_open(&Dx->Registry, &req, &pipe, &created);
	if (st != RP_OK)
		return RpStatusFromCore(st);
	/* Opening an existing pipe with the other mode fails before it counts as a writer. */
	if (Mode != 0 && pipe->mode != Mode) {
		status = STATUS_OBJECT_TYPE_MISMATCH;
		goto out_put;
	}
	ctx = pipe->os;
	KeWaitForSingleObject(&ctx->Mutex, Executive, KernelMode, FALSE, NULL);
	st = rp_ring_free_slot(&pipe->ring, &slot);
	if (st == RP_OK)
		st = rp_ring_attach(&pipe->ring, slot, File->Pid, &File->Handle);
	if (st == RP_OK && (Flags & RINGPIPE_BIND_WRITER_NOW))
		rp_ring_set_writer(&File->Handle);
	KeReleaseMutex(&ctx->Mutex, FALSE);
	if (st != RP_OK) {
		status = RpStatusFromCore(st);
		goto out_put;
	}
	File->Flags = Flags;
	if (InterlockedCompareExchangePointer((PVOID volatile *)&File->Pipe, pipe, NULL) != NULL) {
		/* Another thread bound this handle first. */
		KeWaitForSingleObject(&ctx->Mutex, Executive, KernelMode, FALSE, NULL);
		rp_ring_detach(&File->Handle, &wake);
		KeReleaseMutex(&ctx->Mutex, FALSE);
		RpPump(ctx);
		status = STATUS_INVALID_DEVICE_STATE;
		goto out_put;
	}
	FileObject->FsContext = pipe;
	if (Created != NULL)
		*Created = created;
	return STATUS_SUCCESS;

out_put:
	rp_registry_put(&Dx->Registry, pipe);
	return status;
}

static size_t RpNameLen(const char *Canon)
{
	size_t n = 0;

	while (n < RP_NAME_MAX && Canon[n] != '\0')
		n++;
	return n;
}

/*
 * \\.\RingPipe opens an unbound handle; \\.\RingPipe\NAME (FileName
 * "\NAME") binds it at once, creating the pipe with the defaults (1 MiB,
 * message mode, owner-only) and the access the caller asked for.
 */
_Use_decl_annotations_
NTSTATUS RpCreate(PDEVICE_OBJECT Device, PIRP Irp)
{
	PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);
	PFILE_OBJECT fo = sp->FileObject;
	PRP_FILE file;
	char canon[RP_NAME_MAX + 1];
	NTSTATUS status = STATUS_SUCCESS;

	PAGED_CODE();
	ASSERT(fo->FsContext == NULL && fo->FsContext2 == NULL);
	file = RpPoolAlloc(sizeof(*file));
	if (file == NULL)
		return RpComplete(Irp, STATUS_INSUFFICIENT_RESOURCES, 0);
	file->Pid = RpRequestorPid(Irp);
	if (fo->FileName.Length != 0) {
		ACCESS_MASK want = sp->Parameters.Create.SecurityContext != NULL
					   ? sp->Parameters.Create.SecurityContext->DesiredAccess
					   : 0;
		ULONG flags = RINGPIPE_BIND_CREATE;

		if (want & (FILE_READ_DATA | GENERIC_READ | GENERIC_ALL))
			flags |= RINGPIPE_BIND_READ;
		if (want & (FILE_WRITE_DATA | FILE_APPEND_DATA | GENERIC_WRITE | GENERIC_ALL))
			flags |= RINGPIPE_BIND_WRITE;
		if (rp_name_from_utf16((const uint16_t *)fo->FileName.Buffer,
				       fo->FileName.Length / sizeof(WCHAR), canon) != RP_NAME_OK)
			status = STATUS_OBJECT_NAME_INVALID;
		else
			status = RpBind(RpDeviceExtension(Device), fo, file, canon,
					RpNameLen(canon), flags, 0, 0, 0600, NULL);
	}
	if (!NT_SUCCESS(status)) {
		RpPoolFree(file);
		return RpComplete(Irp, status, 0);
	}
	fo->FsContext2 = file;
	return RpComplete(Irp, STATUS_SUCCESS, FILE_OPENED);
}

/*
 * The handle's last user is gone: cancel its queued IRPs, remove its view
 * of the ring, and leave the ring (ending its writer role, which wakes
 * readers to re-check for EOF). Runs at IRP_MJ_CLEANUP, in the closing
 * process's context, and again at IRP_MJ_CLOSE where cleanup never came
 * (Wine sends none); the second call finds nothing to do.
 */
static VOID RpShutdownFile(PRP_FILE File, PFILE_OBJECT FileObject)
{
	PRP_PIPE_CTX ctx = RpBoundCtx(File);
	unsigned wake = 0;

	if (ctx == NULL)
		return;
	KeWaitForSingleObject(&ctx->Mutex, Executive, KernelMode, FALSE, NULL);
	if (File->ShutDown) {
		KeReleaseMutex(&ctx->Mutex, FALSE);
		return;
	}
	/* Under the mutex the pump is not running: every IRP of the file is queued. */
	RpCancelFileIrps(ctx, FileObject);
	RpRefreshRole(File);
	if (File->MapAddress != NULL) {
		RpUnmapFromProcess(ctx->Memory, File->MapProcess, File->MapAddress);
		ObDereferenceObject(File->MapProcess);
		File->MapAddress = NULL;
		File->MapProcess = NULL;
		InterlockedDecrement(&ctx->Mapped);
	}
	rp_ring_detach(&File->Handle, &wake);
	File->ShutDown = TRUE;
	KeReleaseMutex(&ctx->Mutex, FALSE);
	RpPump(ctx);
}

_Use_decl_annotations_
NTSTATUS RpCleanup(PDEVICE_OBJECT Device, PIRP Irp)
{
	PRP_FILE file = RpFileOf(Irp);

	PAGED_CODE();
	UNREFERENCED_PARAMETER(Device);
	if (file != NULL)
		RpShutdownFile(file, IoGetCurrentIrpStackLocation(Irp)->FileObject);
	return RpComplete(Irp, STATUS_SUCCESS, 0);
}

/* No IRP of the file is outstanding any more: drop the pipe reference and the context. */
_Use_decl_annotations_
NTSTATUS RpClose(PDEVICE_OBJECT Device, PIRP Irp)
{
	PFILE_OBJECT fo = IoGetCurrentIrpStackLocation(Irp)->FileObject;
	PRP_FILE file = fo->FsContext2;

	PAGED_CODE();
	if (file != NULL) {
		RpShutdownFile(file, fo);
		if (file->Pipe != NULL)
			rp_registry_put(&RpDeviceExtension(Device)->Registry, file->Pipe);
		fo->FsContext = NULL;
		fo->FsContext2 = NULL;
		RpPoolFree(file);
	}
	return RpComplete(Irp, STATUS_SUCCESS, 0);
}

/* Read and write queue the IRP and pump: the pump completes it now or later. */
static NTSTATUS RpQueueIo(PIRP Irp, BOOLEAN Write)
{
	PRP_FILE file = RpFileOf(Irp);
	PRP_PIPE_CTX ctx = RpBoundCtx(file);

	if (ctx == NULL)
		return RpComplete(Irp, STATUS_INVALID_DEVICE_STATE, 0);
	if (Write) {
		ULONG len = IoGetCurrentIrpStackLocation(Irp)->Parameters.Write.Length;

		/* A message that could never fit fails now instead of waiting. */
		if (ctx->Pipe->mode == RP_MODE_MESSAGE &&
		    len > rp_ring_max_record(&ctx->Pipe->ring))
			return RpComplete(Irp, STATUS_INVALID_BUFFER_SIZE, 0);
		RP_IRP_DONE(Irp) = NULL;
	}
	RpQueuePend(Write ? &ctx->Writes : &ctx->Reads, Irp);
	RpPump(ctx);
	return STATUS_PENDING;
}

_Use_decl_annotations_
NTSTATUS RpRead(PDEVICE_OBJECT Device, PIRP Irp)
{
	UNREFERENCED_PARAMETER(Device);
	return RpQueueIo(Irp, FALSE);
}

_Use_decl_annotations_
NTSTATUS RpWrite(PDEVICE_OBJECT Device, PIRP Irp)
{
	UNREFERENCED_PARAMETER(Device);
	return RpQueueIo(Irp, TRUE);
}
