/*
 * Pending IRPs of a pipe and the pump that completes them.
 *
 * Reads that find the ring empty, writes that find it full, and waits of
 * mapped clients sit in three cancel-safe queues. Every dispatch routine
 * that may have changed the ring (a write, a read, a detach, a WAKE from a
 * mapped client) calls RpPump, which under the pipe's mutex retries the
 * queued IRPs until nothing moves. Because each caller pumps after its own
 * change, and the pump runs whole passes under the mutex, no change is ever
 * missed: there is no wake-up to lose. The one change no dispatch routine
 * reports is a ring lock that a mapped peer releases: an IRP that met the
 * lock held (RP_LOCKED, never an error) stays queued and the pipe's retry
 * timer pumps again, 1 ms later, doubling to 250 ms while the lock stays
 * held.
 *
 * Do not touch an IRP once it has been queued unless IoCsqRemoveNextIrp
 * handed it back: its cancel routine may complete it at any moment.
 */
#include "ringpipe.h"

/* The six CSQ callbacks (mingw-w64 declares only their pointer types). */
static IO_CSQ_INSERT_IRP_EX RpCsqInsert;

static PRP_QUEUE RpQueueOf(PIO_CSQ Csq)
{
	return CONTAINING_RECORD(Csq, RP_QUEUE, Csq);
}

#define RP_RETRY_FIRST_MS 1u
#define RP_RETRY_MAX_MS 250u

/* QueueLock is held by the CSQ around these callbacks. */
_Use_decl_annotations_
static NTSTATUS NTAPI RpCsqInsert(PIO_CSQ Csq, PIRP Irp, PVOID InsertContext)
{
	PRP_QUEUE q = RpQueueOf(Csq);

	if (InsertContext == RP_INSERT_HEAD)
		InsertHeadList(&q->Irps, &Irp->Tail.Overlay.ListEntry);
	else
		InsertTailList(&q->Irps, &Irp->Tail.Overlay.ListEntry);
	q->Count++;
	return STATUS_SUCCESS;
}

_Use_decl_annotations_
static VOID NTAPI RpCsqRemove(PIO_CSQ Csq, PIRP Irp)
{
	PRP_QUEUE q = RpQueueOf(Csq);

	RemoveEntryList(&Irp->Tail.Overlay.ListEntry);
	q->Count--;
}

/* Whether a queued WAIT IRP's word moved; values were read at PASSIVE_LEVEL. */
static BOOLEAN RpWaitSatisfied(PIRP Irp, PRP_PEEK Peek)
{
	ULONG which = (ULONG)(ULONG_PTR)RP_IRP_WHICH(Irp);
	ULONG seq = (ULONG)(ULONG_PTR)RP_IRP_SEQ(Irp);

	return (which == RINGPIPE_WAKE_DATA ? Peek->DataSeq : Peek->SpaceSeq) != seq;
}

_Use_decl_annotations_
static PIRP NTAPI RpCsqPeek(PIO_CSQ Csq, PIRP Irp, PVOID PeekContext)
{
	PRP_QUEUE q = RpQueueOf(Csq);
	PRP_PEEK peek = PeekContext;
	PLIST_ENTRY e = Irp == NULL ? q->Irps.Flink : Irp->Tail.Overlay.ListEntry.Flink;

	for (; e != &q->Irps; e = e->Flink) {
		PIRP next = CONTAINING_RECORD(e, IRP, Tail.Overlay.ListEntry);

		if (peek == NULL)
			return next;
		if (peek->File != NULL &&
		    IoGetCurrentIrpStackLocation(next)->FileObject != peek->File)
			continue;
		if (peek->Changed && !RpWaitSatisfied(next, peek))
			continue;
		return next;
	}
	return NULL;
}

_Use_decl_annotations_
static VOID NTAPI RpCsqAcquireLock(PIO_CSQ Csq, PKIRQL Irql)
{
	KeAcquireSpinLock(RpQueueOf(Csq)->Lock, Irql);
}

_Use_decl_annotations_
static VOID NTAPI RpCsqReleaseLock(PIO_CSQ Csq, KIRQL Irql)
{
	KeReleaseSpinLock(RpQueueOf(Csq)->Lock, Irql);
}

/* CancelIoEx, thread exit, or handle close: a byte-mode write reports what went in. */
_Use_decl_annotations_
static VOID NTAPI RpCsqCompleteCanceled(PIO_CSQ Csq, PIRP Irp)
{
	ULONG_PTR done = RpQueueOf(Csq)->Kind == RpQueueWrite ? (ULONG_PTR)RP_IRP_DONE(Irp) : 0;

	RpComplete(Irp, STATUS_CANCELLED, done);
}

static VOID RpQueueInit(PRP_QUEUE Q, PKSPIN_LOCK Lock, RP_QUEUE_KIND Kind)
{
	InitializeListHead(&Q->Irps);
	Q->Count = 0;
	Q->Lock = Lock;
	Q->Kind = Kind;
	IoCsqInitializeEx(&Q->Csq, RpCsqInsert, RpCsqRemove, RpCsqPeek, RpCsqAcquireLock,
			  RpCsqReleaseLock, RpCsqCompleteCanceled);
}

static IO_WORKITEM_ROUTINE RpRetryWork;
static KDEFERRED_ROUTINE RpRetryDpc;

NTSTATUS RpQueuesInit(PRP_PIPE_CTX Ctx, PDEVICE_OBJECT Device)
{
	Ctx->RetryItem = IoAllocateWorkItem(Device);
	if (Ctx->RetryItem == NULL)
		return STATUS_INSUFFICIENT_RESOURCES;
	KeInitializeTimer(&Ctx->RetryTimer);
	KeInitializeDpc(&Ctx->RetryDpc, RpRetryDpc, Ctx);
	Ctx->RetryDelayMs = RP_RETRY_FIRST_MS;
	KeInitializeSpinLock(&Ctx->QueueLock);
	RpQueueInit(&Ctx->Reads, &Ctx->QueueLock, RpQueueRead);
	RpQueueInit(&Ctx->Writes, &Ctx->QueueLock, RpQueueWrite);
	RpQueueInit(&Ctx->Waits, &Ctx->QueueLock, RpQueueWait);
	return STATUS_SUCCESS;
}

/* No timer is armed: an armed one holds a reference on the pipe. */
VOID RpQueuesFree(PRP_PIPE_CTX Ctx)
{
	IoFreeWorkItem(Ctx->RetryItem);
	Ctx->RetryItem = NULL;
}

ULONG RpQueueCount(PRP_QUEUE Queue)
{
	KIRQL irql;
	ULONG n;

	KeAcquireSpinLock(Queue->Lock, &irql);
	n = Queue->Count;
	KeReleaseSpinLock(Queue->Lock, irql);
	return n;
}

/* Queues an IRP (marking it pending); the caller then pumps and returns STATUS_PENDING. */
VOID RpQueuePend(PRP_QUEUE Queue, PIRP Irp)
{
	IoCsqInsertIrpEx(&Queue->Csq, Irp, NULL, NULL);
}

/* Cleanup of one handle: its queued IRPs complete with STATUS_CANCELLED. */
VOID RpCancelFileIrps(PRP_PIPE_CTX Ctx, PFILE_OBJECT File)
{
	PRP_QUEUE queues[3] = { &Ctx->Reads, &Ctx->Writes, &Ctx->Waits };
	RP_PEEK peek = { File, FALSE, 0, 0 };
	ULONG i;
	PIRP irp;

	for (i = 0; i < 3; i++)
		while ((irp = IoCsqRemoveNextIrp(&queues[i]->Csq, &peek)) != NULL)
			RpCsqCompleteCanceled(&queues[i]->Csq, irp);
}

typedef enum _RP_OUTCOME { RpKeep, RpDone } RP_OUTCOME;

static NTSTATUS RpRingError(int St)
{
	switch (St) {
	case RP_TOO_BIG:
		return STATUS_INVALID_BUFFER_SIZE;
	case RP_TOO_SMALL:
		return STATUS_BUFFER_TOO_SMALL;
	case RP_CORRUPT:
		return STATUS_FILE_CORRUPT_ERROR;
	default:
		return STATUS_INTERNAL_ERROR;
	}
}

/*
 * One queued read. Message mode gives one whole message or
 * STATUS_BUFFER_TOO_SMALL with the message left in the ring; byte mode gives
 * up to Length bytes of one record. EOF is STATUS_END_OF_FILE with 0 bytes,
 * so that it differs from an empty message.
 */
_Requires_lock_held_(Ctx->Mutex)
static RP_OUTCOME RpTryRead(PRP_PIPE_CTX Ctx, PIRP Irp)
{
	PRP_FILE file = RpFileOf(Irp);
	ULONG room = IoGetCurrentIrpStackLocation(Irp)->Parameters.Read.Length;
	struct rp_read_res res;
	unsigned wake = 0;
	int st;

	if (file->ShutDown) {
		RpComplete(Irp, STATUS_CANCELLED, 0);
		return RpDone;
	}
	st = rp_ring_read(&file->Handle, Irp->AssociatedIrp.SystemBuffer, room, &res, &wake);
	switch (st) {
	case RP_OK:
		RpComplete(Irp, STATUS_SUCCESS, res.n);
		return RpDone;
	case RP_EMPTY:
		if (!(file->Flags & RINGPIPE_BIND_FOLLOW) && rp_ring_eof(&file->Handle)) {
			RpComplete(Irp, STATUS_END_OF_FILE, 0);
			return RpDone;
		}
		return RpKeep;
	case RP_BUSY:
		return RpKeep;
	case RP_LOCKED:
		Ctx->SawLocked = TRUE;
		return RpKeep;
	default:
		RpComplete(Irp, RpRingError(st), 0);
		return RpDone;
	}
}

/* One queued write; byte mode keeps what went in (DriverContext[0]) across passes. */
_Requires_lock_held_(Ctx->Mutex)
static RP_OUTCOME RpTryWrite(PRP_PIPE_CTX Ctx, PIRP Irp)
{
	PRP_FILE file = RpFileOf(Irp);
	ULONG len = IoGetCurrentIrpStackLocation(Irp)->Parameters.Write.Length;
	ULONG done = (ULONG)(ULONG_PTR)RP_IRP_DONE(Irp);
	const UCHAR *buf = Irp->AssociatedIrp.SystemBuffer;
	uint32_t written = 0;
	unsigned wake = 0;
	int st;

	if (file->ShutDown) {
		RpComplete(Irp, STATUS_CANCELLED, done);
		return RpDone;
	}
	st = rp_ring_write(&file->Handle, buf + done, len - done, &written, &wake);
	done += written;
	RP_IRP_DONE(Irp) = (PVOID)(ULONG_PTR)done;
	if (st == RP_OK) {
		RpComplete(Irp, STATUS_SUCCESS, len);
		return RpDone;
	}
	if (st == RP_FULL)
		return RpKeep;
	if (st == RP_LOCKED) {
		Ctx->SawLocked = TRUE;
		return RpKeep;
	}
	RpComplete(Irp, RpRingError(st), done);
	return RpDone;
}

/*
 * Retries the IRPs of one queue. Reads are all tried (EOF is per handle,
 * and one that waits does not hold back one that may end); writes stop at
 * the first that does not fit, so one handle's messages keep their order.
 * IRPs that must wait go back to the head of the queue in their order.
 */
_Requires_lock_held_(Ctx->Mutex)
static BOOLEAN RpPumpQueue(PRP_PIPE_CTX Ctx, PRP_QUEUE Q)
{
	LIST_ENTRY keep;
	BOOLEAN progress = FALSE;
	PIRP irp;

	InitializeListHead(&keep);
	while ((irp = IoCsqRemoveNextIrp(&Q->Csq, NULL)) != NULL) {
		RP_OUTCOME outcome = Q->Kind == RpQueueRead ? RpTryRead(Ctx, irp)
							    : RpTryWrite(Ctx, irp);

		if (outcome == RpDone) {
			progress = TRUE;
			continue;
		}
		InsertTailList(&keep, &irp->Tail.Overlay.ListEntry);
		if (Q->Kind == RpQueueWrite)
			break;
	}
	while (!IsListEmpty(&keep)) {
		PLIST_ENTRY e = RemoveTailList(&keep);

		irp = CONTAINING_RECORD(e, IRP, Tail.Overlay.ListEntry);
		IoCsqInsertIrpEx(&Q->Csq, irp, NULL, RP_INSERT_HEAD);
	}
	return progress;
}

/* Completes the waits of mapped clients whose word moved. */
_Requires_lock_held_(Ctx->Mutex)
static VOID RpPumpWaits(PRP_PIPE_CTX Ctx)
{
	struct rp_ring *ring = &Ctx->Pipe->ring;
	RP_PEEK peek;
	PIRP irp;

	peek.File = NULL;
	peek.Changed = TRUE;
	peek.DataSeq = rp_ring_seq(ring, RP_WAKE_DATA);
	peek.SpaceSeq = rp_ring_seq(ring, RP_WAKE_SPACE);
	while ((irp = IoCsqRemoveNextIrp(&Ctx->Waits.Csq, &peek)) != NULL)
		RpComplete(irp, STATUS_SUCCESS, 0);
}

/*
 * While IRPs wait, the pipe counts itself in readers_waiting /
 * writers_waiting, so that mapped peers in user space bump the seq word and
 * send IOCTL_RINGPIPE_WAKE after they write or read. Returns TRUE when it
 * just started counting: the caller retries once, as the format's waiting
 * protocol asks (count, then re-check).
 */
_Requires_lock_held_(Ctx->Mutex)
static BOOLEAN RpUpdateWaitHints(PRP_PIPE_CTX Ctx)
{
	struct rp_ring *ring = &Ctx->Pipe->ring;
	BOOLEAN reads = RpQueueCount(&Ctx->Reads) != 0;
	BOOLEAN writes = RpQueueCount(&Ctx->Writes) != 0;
	BOOLEAN started = FALSE;

	if (reads && !Ctx->CountedRead) {
		rp_ring_wait_begin(ring, RP_WAKE_DATA);
		Ctx->CountedRead = started = TRUE;
	} else if (!reads && Ctx->CountedRead) {
		rp_ring_wait_end(ring, RP_WAKE_DATA);
		Ctx->CountedRead = FALSE;
	}
	if (writes && !Ctx->CountedWrite) {
		rp_ring_wait_begin(ring, RP_WAKE_SPACE);
		Ctx->CountedWrite = started = TRUE;
	} else if (!writes && Ctx->CountedWrite) {
		rp_ring_wait_end(ring, RP_WAKE_SPACE);
		Ctx->CountedWrite = FALSE;
	}
	return started;
}

/*
 * After a pump: arm the retry timer if an IRP met a held ring lock (the
 * timer takes a pipe reference), or disarm it when none did. Returns TRUE
 * when the caller must drop the reference of a timer it disarmed, which it
 * does once the mutex is released.
 */
_Requires_lock_held_(Ctx->Mutex)
static BOOLEAN RpRetryUpdate(PRP_PIPE_CTX Ctx)
{
	LARGE_INTEGER due;

	if (!Ctx->SawLocked) {
		Ctx->RetryDelayMs = RP_RETRY_FIRST_MS;
		if (Ctx->RetryArmed && KeCancelTimer(&Ctx->RetryTimer)) {
			Ctx->RetryArmed = FALSE;
			return TRUE;
		}
		return FALSE;
	}
	if (Ctx->RetryArmed || rp_registry_get(Ctx->Registry, Ctx->Pipe) != RP_OK)
		return FALSE;
	Ctx->RetryArmed = TRUE;
	due.QuadPart = -(LONGLONG)Ctx->RetryDelayMs * 10000; /* relative, 100 ns units */
	KeSetTimer(&Ctx->RetryTimer, due, &Ctx->RetryDpc);
	if (Ctx->RetryDelayMs < RP_RETRY_MAX_MS)
		Ctx->RetryDelayMs = min(Ctx->RetryDelayMs * 2, RP_RETRY_MAX_MS);
	return FALSE;
}

VOID RpPump(PRP_PIPE_CTX Ctx)
{
	BOOLEAN again, put;

	KeWaitForSingleObject(&Ctx->Mutex, Executive, KernelMode, FALSE, NULL);
	Ctx->SawLocked = FALSE;
	do {
		BOOLEAN progress = RpPumpQueue(Ctx, &Ctx->Reads);

		progress |= RpPumpQueue(Ctx, &Ctx->Writes);
		RpPumpWaits(Ctx);
		again = progress || RpUpdateWaitHints(Ctx);
	} while (again);
	put = RpRetryUpdate(Ctx);
	KeReleaseMutex(&Ctx->Mutex, FALSE);
	/* The caller holds its own reference: this one is never the last. */
	if (put)
		rp_registry_put(Ctx->Registry, Ctx->Pipe);
}

/* The retry timer fired (DISPATCH_LEVEL): the ring is touched at PASSIVE_LEVEL only. */
_Use_decl_annotations_
static VOID NTAPI RpRetryDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
	PRP_PIPE_CTX ctx = Context;

	UNREFERENCED_PARAMETER(Dpc);
	UNREFERENCED_PARAMETER(Arg1);
	UNREFERENCED_PARAMETER(Arg2);
	IoQueueWorkItem(ctx->RetryItem, RpRetryWork, DelayedWorkQueue, ctx);
}

/* Pumps again, then drops the timer's reference, which may be the pipe's last. */
_Use_decl_annotations_
static VOID NTAPI RpRetryWork(PDEVICE_OBJECT Device, PVOID Context)
{
	PRP_PIPE_CTX ctx = Context;
	struct rp_registry *registry = ctx->Registry;
	struct rp_pipe *pipe = ctx->Pipe;

	UNREFERENCED_PARAMETER(Device);
	KeWaitForSingleObject(&ctx->Mutex, Executive, KernelMode, FALSE, NULL);
	ctx->RetryArmed = FALSE;
	KeReleaseMutex(&ctx->Mutex, FALSE);
	RpPump(ctx);
	rp_registry_put(registry, pipe);
}
