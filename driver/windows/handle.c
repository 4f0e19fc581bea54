/*
 * A handle's hold on a pipe: binding it (a registry reference and a ring
 * slot bound to its file object), its roles as a mapped client changes
 * them, its user view, and letting go of all of it.
 */
#include "ringpipe.h"

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

/* Removes the handle's user view of the ring, if it has one. */
_Requires_lock_held_(Ctx->Mutex)
VOID RpUnmapFile(PRP_PIPE_CTX Ctx, PRP_FILE File)
{
	if (File->MapAddress == NULL)
		return;
	RpRefreshRole(File);
	RpUnmapFromProcess(Ctx->Memory, File->MapProcess, File->MapAddress);
	ObDereferenceObject(File->MapProcess);
	File->MapAddress = NULL;
	File->MapProcess = NULL;
	InterlockedDecrement(&Ctx->Mapped);
}

/*
 * Finds or creates the pipe (the registry lock is held only inside
 * rp_registry_open). A create charges the ring to the caller's session
 * first; a lookup that found the pipe gives the charge back.
 */
static NTSTATUS RpOpenPipe(PRP_DEVICE_EXTENSION Dx, const RP_BIND_REQUEST *Req,
			   struct rp_pipe **Pipe, bool *Created)
{
	struct rp_open_req req;
	SIZE_T charge = 0;
	NTSTATUS status;
	int st;

	RtlZeroMemory(&req, sizeof(req));
	req.name = Req->Name;
	req.name_len = Req->NameLen;
	req.flags = ((Req->Flags & RINGPIPE_BIND_CREATE) ? RP_OPEN_CREATE : 0) |
		    ((Req->Flags & RINGPIPE_BIND_EXCL) ? RP_OPEN_EXCL : 0);
	/* Per-pipe permissions compare the caller's session with the creator's. */
	req.uid = PsGetCurrentProcessSessionId();
	req.access = ((Req->Flags & RINGPIPE_BIND_READ) ? RP_ACCESS_READ : 0) |
		     ((Req->Flags & RINGPIPE_BIND_WRITE) ? RP_ACCESS_WRITE : 0);
	req.perm = Req->Perm;
	req.capacity = Req->Capacity != 0 ? Req->Capacity : RINGPIPE_CAPACITY_DEFAULT;
	req.mode = Req->Mode != 0 ? Req->Mode : RINGPIPE_MODE_MESSAGE;
	if ((Req->Flags & RINGPIPE_BIND_CREATE) && rp_ring_capacity_ok(req.capacity)) {
		charge = rp_ring_segment_size(req.capacity);
		status = RpCharge(Dx, req.uid, charge);
		/* Over the limit: joining a pipe that exists is still fine. */
		if (status == STATUS_QUOTA_EXCEEDED && !(Req->Flags & RINGPIPE_BIND_EXCL)) {
			req.flags &= ~RP_OPEN_CREATE;
			charge = 0;
		} else if (!NT_SUCCESS(status)) {
			return status;
		}
	}
	st = rp_registry_open(&Dx->Registry, &req, Pipe, Created);
	if (st != RP_OK || !*Created) {
		RpUncharge(Dx, req.uid, charge);
		if (st == RP_ENOENT && (Req->Flags & RINGPIPE_BIND_CREATE))
			return STATUS_QUOTA_EXCEEDED;
		if (st != RP_OK)
			return RpStatusFromCore(st);
	} else {
		PRP_PIPE_CTX ctx = (*Pipe)->os;

		ctx->ChargeUid = req.uid;
		ctx->Charged = charge;
		RpLifeSetTtl(Dx, *Pipe, Req->TtlMs);
	}
	/* Opening an existing pipe with the other mode fails before it counts as a writer. */
	if (Req->Mode != 0 && (*Pipe)->mode != Req->Mode) {
		rp_registry_put(&Dx->Registry, *Pipe);
		return STATUS_OBJECT_TYPE_MISMATCH;
	}
	return STATUS_SUCCESS;
}

/*
 * RpOpenPipe, then the pipe's lifetime takes the handle (a kept pipe stops
 * being kept). A pipe removed between the lookup and here is looked up
 * again: the name now means a new pipe.
 */
static NTSTATUS RpOpenLive(PRP_DEVICE_EXTENSION Dx, const RP_BIND_REQUEST *Req,
			   struct rp_pipe **Pipe, bool *Created)
{
	NTSTATUS status = STATUS_OBJECT_NAME_NOT_FOUND;
	int attempt;

	for (attempt = 0; attempt < 4; attempt++) {
		status = RpOpenPipe(Dx, Req, Pipe, Created);
		if (!NT_SUCCESS(status))
			return status;
		status = RpLifeBind(Dx, *Pipe);
		if (NT_SUCCESS(status))
			return status;
		rp_registry_put(&Dx->Registry, *Pipe);
	}
	return status;
}

/* Binds the lowest free slot of the ring to the file object and attaches it. */
static NTSTATUS RpAttachSlot(PRP_PIPE_CTX Ctx, PFILE_OBJECT FileObject, PRP_FILE File)
{
	struct rp_ring *ring = &Ctx->Pipe->ring;
	uint32_t slot;
	int st;

	KeWaitForSingleObject(&Ctx->Mutex, Executive, KernelMode, FALSE, NULL);
	st = rp_ring_free_slot(ring, &slot);
	if (st != RP_OK)
		goto out_unlock;
	InterlockedExchangePointer((PVOID volatile *)&Ctx->Bound[slot], FileObject);
	st = rp_ring_attach(ring, slot, File->Pid, &File->Handle);
	if (st != RP_OK) {
		InterlockedExchangePointer((PVOID volatile *)&Ctx->Bound[slot], NULL);
		goto out_unlock;
	}
	if (File->Flags & RINGPIPE_BIND_WRITER_NOW)
		rp_ring_set_writer(&File->Handle);
out_unlock:
	KeReleaseMutex(&Ctx->Mutex, FALSE);
	return RpStatusFromCore(st);
}

/*
 * Finds or creates the pipe, attaches a slot of its ring for this handle,
 * and publishes the binding (FsContext = the pipe, the resource context).
 * One BIND per handle: a second, even a concurrent one, fails.
 */
NTSTATUS RpBind(PRP_DEVICE_EXTENSION Dx, PFILE_OBJECT FileObject, PRP_FILE File,
		const RP_BIND_REQUEST *Req, BOOLEAN *Created)
{
	struct rp_pipe *pipe;
	bool created = false;
	NTSTATUS status;

	if (InterlockedCompareExchange(&File->Binding, 1, 0) != 0)
		return STATUS_INVALID_DEVICE_STATE;
	status = RpOpenLive(Dx, Req, &pipe, &created);
	if (!NT_SUCCESS(status))
		goto out_unclaim;
	File->Flags = Req->Flags;
	status = RpAttachSlot(pipe->os, FileObject, File);
	if (!NT_SUCCESS(status))
		goto out_put;
	/* A full barrier: whoever sees the pipe sees the attach. */
	InterlockedExchangePointer((PVOID volatile *)&File->Pipe, pipe);
	FileObject->FsContext = pipe;
	if (Created != NULL)
		*Created = created;
	return STATUS_SUCCESS;

out_put:
	File->Flags = 0;
	RpLifeRelease(Dx, pipe);
out_unclaim:
	InterlockedExchange(&File->Binding, 0);
	return status;
}

/*
 * The handle's last user is gone: cancel its queued IRPs, remove its view
 * of the ring, and leave the ring (ending its writer role, which wakes
 * readers to re-check for EOF), which unbinds its slot. Runs at
 * IRP_MJ_CLEANUP, in the closing process's context, and again at
 * IRP_MJ_CLOSE where cleanup never came (Wine sends none); the second call
 * finds nothing to do.
 */
VOID RpShutdownFile(PRP_FILE File, PFILE_OBJECT FileObject)
{
	PRP_PIPE_CTX ctx = RpBoundCtx(File);
	unsigned wake = 0;
	uint32_t slot;

	if (ctx == NULL)
		return;
	KeWaitForSingleObject(&ctx->Mutex, Executive, KernelMode, FALSE, NULL);
	if (File->ShutDown) {
		KeReleaseMutex(&ctx->Mutex, FALSE);
		return;
	}
	/* Under the mutex the pump is not running: every IRP of the file is queued. */
	RpCancelFileIrps(ctx, FileObject);
	RpUnmapFile(ctx, File);
	slot = File->Handle.slot;
	rp_ring_detach(&File->Handle, &wake);
	InterlockedExchangePointer((PVOID volatile *)&ctx->Bound[slot], NULL);
	File->ShutDown = TRUE;
	KeReleaseMutex(&ctx->Mutex, FALSE);
	RpPump(ctx);
}
