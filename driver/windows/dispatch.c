/*
 * IRP_MJ_CREATE, CLEANUP, CLOSE, READ and WRITE.
 */
#include "ringpipe.h"

#if defined(ALLOC_PRAGMA) && defined(_MSC_VER)
#pragma alloc_text(PAGE, RpCreate)
#pragma alloc_text(PAGE, RpCleanup)
#pragma alloc_text(PAGE, RpClose)
#endif

/* The process that opened the handle: its id goes into the ring slot. */
static ULONG RpRequestorPid(PIRP Irp)
{
	PEPROCESS process = IoGetRequestorProcess(Irp);

	if (process == NULL)
		process = IoGetCurrentProcess();
	return (ULONG)(ULONG_PTR)PsGetProcessId(process);
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
		RP_BIND_REQUEST req = { canon, 0, RINGPIPE_BIND_CREATE, 0, 0, 0600, 0 };

		if (want & (FILE_READ_DATA | GENERIC_READ | GENERIC_ALL))
			req.Flags |= RINGPIPE_BIND_READ;
		if (want & (FILE_WRITE_DATA | FILE_APPEND_DATA | GENERIC_WRITE | GENERIC_ALL))
			req.Flags |= RINGPIPE_BIND_WRITE;
		if (rp_name_from_utf16((const uint16_t *)fo->FileName.Buffer,
				       fo->FileName.Length / sizeof(WCHAR), canon) != RP_NAME_OK) {
			status = STATUS_OBJECT_NAME_INVALID;
		} else {
			RpReapExpired(RpDeviceExtension(Device));
			req.NameLen = RpNameLen(canon);
			status = RpBind(RpDeviceExtension(Device), fo, file, &req, NULL);
		}
	}
	if (!NT_SUCCESS(status)) {
		RpPoolFree(file);
		return RpComplete(Irp, status, 0);
	}
	fo->FsContext2 = file;
	return RpComplete(Irp, STATUS_SUCCESS, FILE_OPENED);
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
		/* The last handle of a pipe with unread messages keeps it (lifetime.c). */
		if (file->Pipe != NULL)
			RpLifeRelease(RpDeviceExtension(Device), file->Pipe);
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
