/*
 * The cancel-safe queue contract (IoCsqInitializeEx, IoCsqInsertIrpEx,
 * IoCsqRemoveNextIrp) for the mingw-w64 build, because Wine exports those
 * routines as unimplemented stubs. Same callbacks, same guarantees: an IRP
 * is completed exactly once, either by whoever removes it from the queue or
 * by the cancel routine, decided by who clears Irp->CancelRoutine first.
 * The WDK build does not compile this file and uses the kernel's IoCsq*.
 */
#include "ringpipe.h"

#ifdef RP_OWN_CSQ

static DRIVER_CANCEL RpCsqCancelRoutine;

NTSTATUS NTAPI RpCsqInitializeEx(PIO_CSQ Csq, PIO_CSQ_INSERT_IRP_EX InsertIrp,
				 PIO_CSQ_REMOVE_IRP RemoveIrp,
				 PIO_CSQ_PEEK_NEXT_IRP PeekNextIrp,
				 PIO_CSQ_ACQUIRE_LOCK AcquireLock,
				 PIO_CSQ_RELEASE_LOCK ReleaseLock,
				 PIO_CSQ_COMPLETE_CANCELED_IRP CompleteCanceledIrp)
{
	Csq->Type = IO_TYPE_CSQ_EX;
	Csq->CsqInsertIrp = (PIO_CSQ_INSERT_IRP)(PVOID)InsertIrp;
	Csq->CsqRemoveIrp = RemoveIrp;
	Csq->CsqPeekNextIrp = PeekNextIrp;
	Csq->CsqAcquireLock = AcquireLock;
	Csq->CsqReleaseLock = ReleaseLock;
	Csq->CsqCompleteCanceledIrp = CompleteCanceledIrp;
	Csq->ReservePointer = NULL;
	return STATUS_SUCCESS;
}

/*
 * Called by the I/O manager with the cancel spin lock held. Whoever set
 * Irp->CancelRoutine to NULL first owns the IRP; IoCancelIrp did, so the
 * IRP is still in its queue (removers skip IRPs they could not claim).
 */
_Use_decl_annotations_
static VOID NTAPI RpCsqCancelRoutine(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
	PIO_CSQ csq = Irp->Tail.Overlay.DriverContext[3];
	KIRQL irql;

	UNREFERENCED_PARAMETER(DeviceObject);
	IoReleaseCancelSpinLock(Irp->CancelIrql);
	csq->CsqAcquireLock(csq, &irql);
	csq->CsqRemoveIrp(csq, Irp);
	csq->CsqReleaseLock(csq, irql);
	csq->CsqCompleteCanceledIrp(csq, Irp);
}

NTSTATUS NTAPI RpCsqInsertIrpEx(PIO_CSQ Csq, PIRP Irp, PIO_CSQ_IRP_CONTEXT Context,
				PVOID InsertContext)
{
	PIO_CSQ_INSERT_IRP_EX insert = (PIO_CSQ_INSERT_IRP_EX)(PVOID)Csq->CsqInsertIrp;
	NTSTATUS status;
	KIRQL irql;

	UNREFERENCED_PARAMETER(Context);
	Csq->CsqAcquireLock(Csq, &irql);
	status = insert(Csq, Irp, InsertContext);
	if (!NT_SUCCESS(status)) {
		Csq->CsqReleaseLock(Csq, irql);
		return status;
	}
	Irp->Tail.Overlay.DriverContext[3] = Csq;
	IoMarkIrpPending(Irp);
	IoSetCancelRoutine(Irp, RpCsqCancelRoutine);
	if (Irp->Cancel && IoSetCancelRoutine(Irp, NULL) != NULL) {
		/* Cancelled before the routine was set, and nobody else claimed
		 * it: take it back out and complete it here. */
		Csq->CsqRemoveIrp(Csq, Irp);
		Csq->CsqReleaseLock(Csq, irql);
		Csq->CsqCompleteCanceledIrp(Csq, Irp);
		return STATUS_SUCCESS;
	}
	Csq->CsqReleaseLock(Csq, irql);
	return STATUS_SUCCESS;
}

PIRP NTAPI RpCsqRemoveNextIrp(PIO_CSQ Csq, PVOID PeekContext)
{
	PIRP irp;
	KIRQL irql;

	Csq->CsqAcquireLock(Csq, &irql);
	irp = Csq->CsqPeekNextIrp(Csq, NULL, PeekContext);
	while (irp != NULL) {
		/* Claim it; an IRP whose cancel routine already runs stays for it. */
		if (IoSetCancelRoutine(irp, NULL) != NULL) {
			Csq->CsqRemoveIrp(Csq, irp);
			irp->Tail.Overlay.DriverContext[3] = NULL;
			break;
		}
		irp = Csq->CsqPeekNextIrp(Csq, irp, PeekContext);
	}
	Csq->CsqReleaseLock(Csq, irql);
	return irp;
}

#endif
