/*
 * IRP_MJ_DEVICE_CONTROL: the IOCTLs of driver/include/ringpipe_win_abi.h.
 *
 * Every code is METHOD_BUFFERED: input and output share SystemBuffer, so
 * each handler copies its input to a local first, builds its output in a
 * local, checks the output length, and copies it out last. Lengths are
 * checked before anything else; unknown codes get
 * STATUS_INVALID_DEVICE_REQUEST. Each IRP is completed at the one exit
 * label, except WAIT, which is queued and completed by the pump or its
 * cancel routine.
 */
#include "ringpipe.h"

static VOID RpCopyName(char Dst[RINGPIPE_NAME_FIELD], const char *Src)
{
	ULONG i;

	RtlZeroMemory(Dst, RINGPIPE_NAME_FIELD);
	for (i = 0; i < RP_NAME_MAX && Src[i] != '\0'; i++)
		Dst[i] = Src[i];
}

static VOID RpInfoFromStats(struct ringpipe_pipe_info *Out, const struct rp_stats *S)
{
	Out->capacity = S->capacity;
	Out->mode = S->mode;
	Out->used = S->used;
	Out->head = S->head;
	Out->tail = S->tail;
	Out->attached = S->attached;
	Out->readers = S->readers;
	Out->writers = S->writers;
	Out->writers_ever = S->writers_ever;
	Out->abandoned = S->abandoned;
	Out->readers_waiting = S->readers_waiting;
	Out->writers_waiting = S->writers_waiting;
	Out->data_seq = S->data_seq;
	Out->space_seq = S->space_seq;
	Out->msgs_in = S->msgs_in;
	Out->bytes_in = S->bytes_in;
	Out->msgs_out = S->msgs_out;
	Out->bytes_out = S->bytes_out;
}

/* Statistics of one pipe the caller holds a reference on (not subtracted). */
static VOID RpPipeInfo(PRP_DEVICE_EXTENSION Dx, struct rp_pipe *Pipe,
		       struct ringpipe_pipe_info *Out)
{
	PRP_PIPE_CTX ctx = Pipe->os;
	struct rp_stats stats;

	RtlZeroMemory(Out, sizeof(*Out));
	RpCopyName(Out->name, Pipe->name);
	rp_lock_lock(&Dx->Registry.lock);
	Out->refs = Pipe->refs;
	rp_lock_unlock(&Dx->Registry.lock);
	Out->owner = Pipe->uid;
	Out->perm = Pipe->perm;
	Out->ring_status = (uint32_t)rp_ring_stats(&Pipe->ring, &stats);
	RpInfoFromStats(Out, &stats);
	Out->pending_reads = RpQueueCount(&ctx->Reads);
	Out->pending_writes = RpQueueCount(&ctx->Writes);
	Out->pending_waits = RpQueueCount(&ctx->Waits);
	Out->memory = ctx->Memory->Kind;
	Out->mapped = (uint32_t)ctx->Mapped;
	RpLifeInfo(Dx, Pipe, Out);
}

/* A reference on the pipe of that name (not created, no access asked). */
static NTSTATUS RpLookup(PRP_DEVICE_EXTENSION Dx, const char *Name, ULONG NameLen,
			 struct rp_pipe **Pipe)
{
	struct rp_open_req req;

	if (NameLen > RINGPIPE_NAME_MAX)
		return STATUS_OBJECT_NAME_INVALID;
	RtlZeroMemory(&req, sizeof(req));
	req.name = Name;
	req.name_len = NameLen;
	req.uid = PsGetCurrentProcessSessionId();
	return RpStatusFromCore(rp_registry_open(&Dx->Registry, &req, Pipe, NULL));
}

/* The lifetime fields of a listed pipe, looked up by name (it may have gone since). */
static VOID RpListedLifeInfo(PRP_DEVICE_EXTENSION Dx, struct ringpipe_pipe_info *Entry)
{
	struct rp_pipe *pipe;
	ULONG len = 0;

	while (len < RINGPIPE_NAME_MAX && Entry->name[len] != '\0')
		len++;
	if (!NT_SUCCESS(RpLookup(Dx, Entry->name, len, &pipe)))
		return;
	RpLifeInfo(Dx, pipe, Entry);
	rp_registry_put(&Dx->Registry, pipe);
}

/* The size of ringpipe_pipe_info a caller gets for an output of OutLen bytes. */
static ULONG RpInfoSize(ULONG OutLen)
{
	return OutLen >= sizeof(struct ringpipe_pipe_info) ? sizeof(struct ringpipe_pipe_info)
							    : RINGPIPE_PIPE_INFO_V1_SIZE;
}

static NTSTATUS RpIoctlBind(PRP_DEVICE_EXTENSION Dx, PIRP Irp, ULONG InLen, ULONG OutLen,
			    ULONG_PTR *Info)
{
	PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);
	PRP_FILE file = RpFileOf(Irp);
	struct ringpipe_bind_in in;
	struct ringpipe_bind_out out;
	RP_BIND_REQUEST req;
	BOOLEAN created = FALSE;
	NTSTATUS status;

	/* Version 1 callers send the 88 bytes before ttl_ms. */
	if (InLen != sizeof(in) && InLen != RINGPIPE_BIND_IN_V1_SIZE)
		return STATUS_INFO_LENGTH_MISMATCH;
	if (OutLen < sizeof(out))
		return STATUS_BUFFER_TOO_SMALL;
	RtlZeroMemory(&in, sizeof(in));
	RtlCopyMemory(&in, Irp->AssociatedIrp.SystemBuffer, InLen);
	if (in.abi_version < RINGPIPE_ABI_VERSION_MIN || in.abi_version > RINGPIPE_ABI_VERSION ||
	    (InLen == sizeof(in)) != (in.abi_version >= 2) ||
	    (in.flags & ~RINGPIPE_BIND_ALL) != 0 || in.mode > RINGPIPE_MODE_BYTE)
		return STATUS_INVALID_PARAMETER;
	if (in.name_len > RINGPIPE_NAME_MAX)
		return STATUS_OBJECT_NAME_INVALID;
	if (file == NULL || file->Pipe != NULL)
		return STATUS_INVALID_DEVICE_STATE;
	req.Name = in.name;
	req.NameLen = in.name_len;
	req.Flags = in.flags;
	req.Capacity = in.capacity;
	req.Mode = in.mode;
	req.Perm = in.perm;
	req.TtlMs = in.ttl_ms;
	RpReapExpired(Dx);
	status = RpBind(Dx, sp->FileObject, file, &req, &created);
	if (!NT_SUCCESS(status))
		return status;
	RtlZeroMemory(&out, sizeof(out));
	out.abi_version = in.abi_version;
	out.capacity = file->Pipe->capacity;
	out.mode = file->Pipe->mode;
	out.slot = file->Handle.slot;
	out.token = file->Handle.token;
	out.created = created ? 1 : 0;
	out.max_record = rp_ring_max_record(&file->Pipe->ring);
	RpCopyName(out.name, file->Pipe->name);
	RtlCopyMemory(Irp->AssociatedIrp.SystemBuffer, &out, sizeof(out));
	*Info = sizeof(out);
	return STATUS_SUCCESS;
}

/* STAT: this handle's pipe, or a named one without attaching to it. */
static NTSTATUS RpIoctlStat(PRP_DEVICE_EXTENSION Dx, PIRP Irp, ULONG InLen, ULONG OutLen,
			    ULONG_PTR *Info)
{
	PRP_FILE file = RpFileOf(Irp);
	struct ringpipe_pipe_info out;
	struct ringpipe_name in;
	struct rp_pipe *pipe;
	NTSTATUS status;

	if (InLen != 0 && InLen != sizeof(in))
		return STATUS_INFO_LENGTH_MISMATCH;
	if (OutLen < RINGPIPE_PIPE_INFO_V1_SIZE)
		return STATUS_BUFFER_TOO_SMALL;
	RpReapExpired(Dx);
	if (InLen == 0) {
		if (RpBoundCtx(file) == NULL)
			return STATUS_INVALID_DEVICE_STATE;
		RpPipeInfo(Dx, file->Pipe, &out);
	} else {
		RtlCopyMemory(&in, Irp->AssociatedIrp.SystemBuffer, sizeof(in));
		status = RpLookup(Dx, in.name, in.name_len, &pipe);
		if (!NT_SUCCESS(status))
			return status;
		RpPipeInfo(Dx, pipe, &out);
		out.refs--; /* our own, taken for the lookup */
		rp_registry_put(&Dx->Registry, pipe);
	}
	RtlCopyMemory(Irp->AssociatedIrp.SystemBuffer, &out, RpInfoSize(OutLen));
	*Info = RpInfoSize(OutLen);
	return STATUS_SUCCESS;
}

/*
 * LIST: as many pipes as the buffer holds; header.count tells how many exist,
 * so a caller whose buffer was short grows it to the count and asks again.
 * The pool copy is bounded by the pipes that exist, whatever the buffer size.
 */
static NTSTATUS RpIoctlList(PRP_DEVICE_EXTENSION Dx, PIRP Irp, ULONG InLen, ULONG OutLen,
			    ULONG_PTR *Info)
{
	struct ringpipe_list_header header;
	struct rp_pipe_info *infos = NULL;
	struct ringpipe_pipe_info entry;
	struct ringpipe_list_in in = { RINGPIPE_PIPE_INFO_V1_SIZE };
	UCHAR *dst = Irp->AssociatedIrp.SystemBuffer;
	ULONG max, exist, i, size;

	if (InLen != 0 && InLen != sizeof(in))
		return STATUS_INFO_LENGTH_MISMATCH;
	if (InLen != 0)
		RtlCopyMemory(&in, Irp->AssociatedIrp.SystemBuffer, sizeof(in));
	if (in.entry_size != RINGPIPE_PIPE_INFO_V1_SIZE && in.entry_size != sizeof(entry))
		return STATUS_INVALID_PARAMETER;
	size = in.entry_size;
	if (OutLen < sizeof(header))
		return STATUS_BUFFER_TOO_SMALL;
	RpReapExpired(Dx);
	max = (OutLen - sizeof(header)) / size;
	exist = rp_registry_count(&Dx->Registry);
	if (max > exist)
		max = exist;
	if (max != 0) {
		infos = RpPoolAlloc(max * sizeof(*infos));
		if (infos == NULL)
			return STATUS_INSUFFICIENT_RESOURCES;
	}
	/* The registry lock is held inside, while it fills our pool array. */
	header.count = rp_registry_list(&Dx->Registry, infos, max);
	header.returned = header.count < max ? header.count : max;
	for (i = 0; i < header.returned; i++) {
		RtlZeroMemory(&entry, sizeof(entry));
		RpCopyName(entry.name, infos[i].name);
		entry.refs = infos[i].refs;
		entry.owner = infos[i].uid;
		entry.perm = infos[i].perm;
		entry.ring_status = (uint32_t)infos[i].ring_status;
		RpInfoFromStats(&entry, &infos[i].stats);
		if (size == sizeof(entry))
			RpListedLifeInfo(Dx, &entry);
		RtlCopyMemory(dst + sizeof(header) + i * size, &entry, size);
	}
	RtlCopyMemory(dst, &header, sizeof(header));
	RpPoolFree(infos);
	*Info = sizeof(header) + header.returned * size;
	return STATUS_SUCCESS;
}

/* MAP: the ring into the calling process, once per handle. */
static NTSTATUS RpIoctlMap(PIRP Irp, ULONG OutLen, ULONG_PTR *Info)
{
	PRP_FILE file = RpFileOf(Irp);
	PRP_PIPE_CTX ctx = RpBoundCtx(file);
	struct ringpipe_map_out out;
	NTSTATUS status = STATUS_SUCCESS;
	PVOID va;

	if (OutLen < sizeof(out))
		return STATUS_BUFFER_TOO_SMALL;
	if (ctx == NULL)
		return STATUS_INVALID_DEVICE_STATE;
	KeWaitForSingleObject(&ctx->Mutex, Executive, KernelMode, FALSE, NULL);
	if (file->ShutDown) {
		status = STATUS_INVALID_DEVICE_STATE;
	} else if (file->MapAddress != NULL) {
		if (file->MapProcess != IoGetCurrentProcess())
			status = STATUS_INVALID_DEVICE_STATE;
	} else {
		status = RpMapIntoCaller(ctx->Memory, &va);
		if (NT_SUCCESS(status)) {
			file->MapAddress = va;
			file->MapProcess = IoGetCurrentProcess();
			ObReferenceObject(file->MapProcess);
			InterlockedIncrement(&ctx->Mapped);
		}
	}
	if (NT_SUCCESS(status)) {
		RtlZeroMemory(&out, sizeof(out));
		out.address = (uint64_t)(ULONG_PTR)file->MapAddress;
		out.size = ctx->Memory->Size;
		out.memory = ctx->Memory->Kind;
		out.slot = file->Handle.slot;
		out.token = file->Handle.token;
		out.capacity = ctx->Pipe->capacity;
		out.mode = ctx->Pipe->mode;
	}
	KeReleaseMutex(&ctx->Mutex, FALSE);
	if (!NT_SUCCESS(status))
		return status;
	RtlCopyMemory(Irp->AssociatedIrp.SystemBuffer, &out, sizeof(out));
	*Info = sizeof(out);
	return STATUS_SUCCESS;
}

static NTSTATUS RpIoctlUnmap(PIRP Irp)
{
	PRP_FILE file = RpFileOf(Irp);
	PRP_PIPE_CTX ctx = RpBoundCtx(file);
	NTSTATUS status = STATUS_SUCCESS;

	if (ctx == NULL)
		return STATUS_INVALID_DEVICE_STATE;
	KeWaitForSingleObject(&ctx->Mutex, Executive, KernelMode, FALSE, NULL);
	if (file->MapAddress == NULL || file->MapProcess != IoGetCurrentProcess())
		status = STATUS_INVALID_DEVICE_STATE;
	else
		RpUnmapFile(ctx, file);
	KeReleaseMutex(&ctx->Mutex, FALSE);
	return status;
}

static NTSTATUS RpIoctlEndWrite(PIRP Irp)
{
	PRP_FILE file = RpFileOf(Irp);
	PRP_PIPE_CTX ctx = RpBoundCtx(file);
	unsigned wake = 0;

	if (ctx == NULL)
		return STATUS_INVALID_DEVICE_STATE;
	KeWaitForSingleObject(&ctx->Mutex, Executive, KernelMode, FALSE, NULL);
	RpRefreshRole(file);
	rp_ring_end_writing(&file->Handle, &wake);
	KeReleaseMutex(&ctx->Mutex, FALSE);
	RpPump(ctx);
	return STATUS_SUCCESS;
}

static NTSTATUS RpIoctlWake(PIRP Irp, ULONG InLen)
{
	PRP_PIPE_CTX ctx = RpBoundCtx(RpFileOf(Irp));
	uint32_t which;

	if (InLen != sizeof(which))
		return STATUS_INFO_LENGTH_MISMATCH;
	RtlCopyMemory(&which, Irp->AssociatedIrp.SystemBuffer, sizeof(which));
	if (which == 0 || (which & ~(RINGPIPE_WAKE_DATA | RINGPIPE_WAKE_SPACE)) != 0)
		return STATUS_INVALID_PARAMETER;
	if (ctx == NULL)
		return STATUS_INVALID_DEVICE_STATE;
	RpPump(ctx);
	return STATUS_SUCCESS;
}

static NTSTATUS RpIoctlVersion(PRP_DEVICE_EXTENSION Dx, PIRP Irp, ULONG OutLen,
			       ULONG_PTR *Info)
{
	struct ringpipe_version out;

	ULONG size = OutLen >= sizeof(out) ? sizeof(out) : RINGPIPE_VERSION_V1_SIZE;

	if (OutLen < RINGPIPE_VERSION_V1_SIZE)
		return STATUS_BUFFER_TOO_SMALL;
	RpReapExpired(Dx);
	RtlZeroMemory(&out, sizeof(out));
	out.abi_version = RINGPIPE_ABI_VERSION;
	out.pipes = rp_registry_count(&Dx->Registry);
	out.allocations = (uint32_t)RpPoolOutstanding();
	out.memory = RpPreferredMemory();
	out.kept = RpKeptCount(Dx);
	out.charged = RpCharged(Dx, PsGetCurrentProcessSessionId());
	out.limit = Dx->MaxUserBytes;
	RtlCopyMemory(Irp->AssociatedIrp.SystemBuffer, &out, size);
	*Info = size;
	return STATUS_SUCCESS;
}

/* REMOVE: the name goes (mq_unlink); open handles keep the old pipe. */
static NTSTATUS RpIoctlRemove(PRP_DEVICE_EXTENSION Dx, PIRP Irp, ULONG InLen)
{
	struct ringpipe_name in;
	struct rp_pipe *pipe;
	NTSTATUS status;
	ULONG uid;

	if (InLen != sizeof(in))
		return STATUS_INFO_LENGTH_MISMATCH;
	RtlCopyMemory(&in, Irp->AssociatedIrp.SystemBuffer, sizeof(in));
	RpReapExpired(Dx);
	status = RpLookup(Dx, in.name, in.name_len, &pipe);
	if (!NT_SUCCESS(status))
		return status;
	uid = PsGetCurrentProcessSessionId();
	status = RpLifeRemove(Dx, pipe, uid, uid != pipe->uid ? RpCallerIsAdmin() : FALSE);
	rp_registry_put(&Dx->Registry, pipe);
	return status;
}

/* WAIT is queued (its IRP completes when the seq word moves, or is cancelled). */
static NTSTATUS RpIoctlWait(PIRP Irp, ULONG InLen)
{
	PRP_PIPE_CTX ctx = RpBoundCtx(RpFileOf(Irp));
	struct ringpipe_wait_in in;

	if (InLen != sizeof(in))
		return RpComplete(Irp, STATUS_INFO_LENGTH_MISMATCH, 0);
	RtlCopyMemory(&in, Irp->AssociatedIrp.SystemBuffer, sizeof(in));
	if (in.which != RINGPIPE_WAKE_DATA && in.which != RINGPIPE_WAKE_SPACE)
		return RpComplete(Irp, STATUS_INVALID_PARAMETER, 0);
	if (ctx == NULL)
		return RpComplete(Irp, STATUS_INVALID_DEVICE_STATE, 0);
	RP_IRP_WHICH(Irp) = (PVOID)(ULONG_PTR)in.which;
	RP_IRP_SEQ(Irp) = (PVOID)(ULONG_PTR)in.seq;
	RpQueuePend(&ctx->Waits, Irp);
	RpPump(ctx);
	return STATUS_PENDING;
}

_Use_decl_annotations_
NTSTATUS RpDeviceControl(PDEVICE_OBJECT Device, PIRP Irp)
{
	PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);
	PRP_DEVICE_EXTENSION dx = RpDeviceExtension(Device);
	ULONG in = sp->Parameters.DeviceIoControl.InputBufferLength;
	ULONG out = sp->Parameters.DeviceIoControl.OutputBufferLength;
	ULONG_PTR info = 0;
	NTSTATUS status;

	switch (sp->Parameters.DeviceIoControl.IoControlCode) {
	case IOCTL_RINGPIPE_WAIT:
		return RpIoctlWait(Irp, in);
	case IOCTL_RINGPIPE_BIND:
		status = RpIoctlBind(dx, Irp, in, out, &info);
		break;
	case IOCTL_RINGPIPE_STAT:
		status = RpIoctlStat(dx, Irp, in, out, &info);
		break;
	case IOCTL_RINGPIPE_LIST:
		status = RpIoctlList(dx, Irp, in, out, &info);
		break;
	case IOCTL_RINGPIPE_MAP:
		status = RpIoctlMap(Irp, out, &info);
		break;
	case IOCTL_RINGPIPE_UNMAP:
		status = RpIoctlUnmap(Irp);
		break;
	case IOCTL_RINGPIPE_END_WRITE:
		status = RpIoctlEndWrite(Irp);
		break;
	case IOCTL_RINGPIPE_WAKE:
		status = RpIoctlWake(Irp, in);
		break;
	case IOCTL_RINGPIPE_VERSION:
		status = RpIoctlVersion(dx, Irp, out, &info);
		break;
	case IOCTL_RINGPIPE_REMOVE:
		status = RpIoctlRemove(dx, Irp, in);
		break;
	default:
		status = STATUS_INVALID_DEVICE_REQUEST;
		break;
	}
	return RpComplete(Irp, status, info);
}
