/*
 * A pipe's lifetime beyond its handles, and what it costs its creator.
 *
 * Each bound file object holds a registry reference. When the last one
 * closes while the ring holds unread messages, that reference stays with
 * the pipe as the "kept" reference (the pipe goes on the device's Kept
 * list), so the next reader finds the messages, then EOF. Nothing unread:
 * the reference is dropped and the pipe goes, as before. A kept pipe goes
 * when a bind takes it over (and later closes with nothing unread), when
 * IOCTL_RINGPIPE_REMOVE removes its name, when its ttl runs out, or at
 * DriverUnload.
 *
 * Expiry is lazy: every BIND, STAT, LIST, REMOVE and VERSION first removes
 * the kept pipes whose ttl has run out (RpReapExpired), so an expired pipe
 * is never seen, and its memory is given back at the next request.
 *
 * Ring memory is charged to the creator's session (the driver's owner of a
 * pipe, as for the permission bits) before it is allocated, and given back
 * when the pipe is freed: a kept pipe stays charged. A session may be
 * charged at most MaxUserBytes (RP_MAX_USER_BYTES_DEFAULT, or the service's
 * Parameters\MaxUserBytes value in MiB); a create past it fails with
 * STATUS_QUOTA_EXCEEDED.
 *
 * Everything here is guarded by the device's LifeLock (a KMUTEX, taken
 * with no other lock held except where noted).
 */
#include "ringpipe.h"

typedef struct _RP_OWNER {
	LIST_ENTRY Link; /* RP_DEVICE_EXTENSION::Owners */
	ULONG Uid;
	ULONGLONG Bytes;
} RP_OWNER, *PRP_OWNER;

static VOID RpLifeLock(PRP_DEVICE_EXTENSION Dx)
{
	KeWaitForSingleObject(&Dx->LifeLock, Executive, KernelMode, FALSE, NULL);
}

static VOID RpLifeUnlock(PRP_DEVICE_EXTENSION Dx)
{
	KeReleaseMutex(&Dx->LifeLock, FALSE);
}

/* Milliseconds since 1970-01-01 (system time is 100 ns units since 1601). */
ULONGLONG RpNowMs(VOID)
{
	LARGE_INTEGER now;

	KeQuerySystemTime(&now);
	return ((ULONGLONG)now.QuadPart - 116444736000000000ull) / 10000u;
}

static PRP_OWNER RpOwnerFind(PRP_DEVICE_EXTENSION Dx, ULONG Uid)
{
	PLIST_ENTRY e;

	for (e = Dx->Owners.Flink; e != &Dx->Owners; e = e->Flink) {
		PRP_OWNER o = CONTAINING_RECORD(e, RP_OWNER, Link);

		if (o->Uid == Uid)
			return o;
	}
	return NULL;
}

/* Charges Bytes to the session Uid before they are allocated. */
NTSTATUS RpCharge(PRP_DEVICE_EXTENSION Dx, ULONG Uid, SIZE_T Bytes)
{
	NTSTATUS status = STATUS_SUCCESS;
	PRP_OWNER o, fresh = RpPoolAlloc(sizeof(*fresh));

	if (fresh == NULL)
		return STATUS_INSUFFICIENT_RESOURCES;
	RpLifeLock(Dx);
	o = RpOwnerFind(Dx, Uid);
	if (o == NULL) {
		o = fresh;
		fresh = NULL;
		o->Uid = Uid;
		InsertTailList(&Dx->Owners, &o->Link);
	}
	if (Bytes > Dx->MaxUserBytes || o->Bytes > Dx->MaxUserBytes - Bytes)
		status = STATUS_QUOTA_EXCEEDED;
	else
		o->Bytes += Bytes;
	if (o->Bytes == 0) {
		RemoveEntryList(&o->Link);
		fresh = o;
	}
	RpLifeUnlock(Dx);
	RpPoolFree(fresh);
	return status;
}

VOID RpUncharge(PRP_DEVICE_EXTENSION Dx, ULONG Uid, SIZE_T Bytes)
{
	PRP_OWNER o, gone = NULL;

	if (Bytes == 0)
		return;
	RpLifeLock(Dx);
	o = RpOwnerFind(Dx, Uid);
	if (o != NULL) {
		o->Bytes -= Bytes <= o->Bytes ? Bytes : o->Bytes;
		if (o->Bytes == 0) {
			RemoveEntryList(&o->Link);
			gone = o;
		}
	}
	RpLifeUnlock(Dx);
	RpPoolFree(gone);
}

ULONGLONG RpCharged(PRP_DEVICE_EXTENSION Dx, ULONG Uid)
{
	PRP_OWNER o;
	ULONGLONG bytes;

	RpLifeLock(Dx);
	o = RpOwnerFind(Dx, Uid);
	bytes = o != NULL ? o->Bytes : 0;
	RpLifeUnlock(Dx);
	return bytes;
}

/* Messages or bytes written and not read (a reservation nobody committed is none). */
static BOOLEAN RpHasUnread(struct rp_pipe *Pipe)
{
	struct rp_stats s;

	if (rp_ring_stats(&Pipe->ring, &s) != RP_OK)
		return FALSE; /* a corrupt ring holds nothing anyone could read */
	return s.msgs_in != s.msgs_out || s.bytes_in != s.bytes_out;
}

/* Off the Kept list; the caller then owns the kept reference. */
_Requires_lock_held_(Dx->LifeLock)
static VOID RpUnkeepLocked(PRP_DEVICE_EXTENSION Dx, PRP_PIPE_CTX Ctx)
{
	RemoveEntryList(&Ctx->KeptLink);
	InitializeListHead(&Ctx->KeptLink);
	Ctx->Kept = FALSE;
	Dx->KeptCount--;
}

/*
 * A handle is about to bind to Pipe (it holds a reference from the lookup).
 * Fails with STATUS_OBJECT_NAME_NOT_FOUND if the pipe was removed since the
 * lookup (the caller looks the name up again). A kept pipe stops being kept:
 * its kept reference is dropped, the caller's keeps it.
 */
NTSTATUS RpLifeBind(PRP_DEVICE_EXTENSION Dx, struct rp_pipe *Pipe)
{
	PRP_PIPE_CTX ctx = Pipe->os;
	BOOLEAN was_kept = FALSE;

	RpLifeLock(Dx);
	if (ctx->Removed) {
		RpLifeUnlock(Dx);
		return STATUS_OBJECT_NAME_NOT_FOUND;
	}
	ctx->Files++;
	if (ctx->Kept) {
		RpUnkeepLocked(Dx, ctx);
		was_kept = TRUE;
	}
	RpLifeUnlock(Dx);
	if (was_kept)
		rp_registry_put(&Dx->Registry, Pipe);
	return STATUS_SUCCESS;
}

/*
 * A bound handle lets go of Pipe (after RpShutdownFile detached it): the
 * last one keeps the pipe if anything is unread, handing its reference to
 * the Kept list; otherwise its reference is dropped.
 */
VOID RpLifeRelease(PRP_DEVICE_EXTENSION Dx, struct rp_pipe *Pipe)
{
	PRP_PIPE_CTX ctx = Pipe->os;
	BOOLEAN keep = FALSE;

	RpLifeLock(Dx);
	ASSERT(ctx->Files > 0);
	if (ctx->Files > 0)
		ctx->Files--;
	if (ctx->Files == 0 && !ctx->Removed && !ctx->Kept && RpHasUnread(Pipe)) {
		ctx->Kept = TRUE;
		ctx->KeptSinceMs = RpNowMs();
		InsertTailList(&Dx->Kept, &ctx->KeptLink);
		Dx->KeptCount++;
		keep = TRUE;
	}
	RpLifeUnlock(Dx);
	if (!keep)
		rp_registry_put(&Dx->Registry, Pipe);
}

/* Sets the ttl of a pipe this caller just created (before any handle lets go). */
VOID RpLifeSetTtl(PRP_DEVICE_EXTENSION Dx, struct rp_pipe *Pipe, ULONGLONG TtlMs)
{
	PRP_PIPE_CTX ctx = Pipe->os;

	RpLifeLock(Dx);
	ctx->TtlMs = TtlMs;
	RpLifeUnlock(Dx);
}

/* The kept state of a pipe for STAT/LIST. */
VOID RpLifeInfo(PRP_DEVICE_EXTENSION Dx, struct rp_pipe *Pipe, struct ringpipe_pipe_info *Out)
{
	PRP_PIPE_CTX ctx = Pipe->os;

	RpLifeLock(Dx);
	Out->kept = ctx->Kept ? 1 : 0;
	Out->ttl_ms = ctx->TtlMs;
	Out->kept_since_ms = ctx->Kept ? ctx->KeptSinceMs : 0;
	RpLifeUnlock(Dx);
}

ULONG RpKeptCount(PRP_DEVICE_EXTENSION Dx)
{
	ULONG n;

	RpLifeLock(Dx);
	n = Dx->KeptCount;
	RpLifeUnlock(Dx);
	return n;
}

/*
 * Takes the pipe's name away (LifeLock held): it is marked removed, leaves
 * the Kept list (its kept reference moves to Drop) and the registry's list.
 */
_Requires_lock_held_(Dx->LifeLock)
static VOID RpRemoveLocked(PRP_DEVICE_EXTENSION Dx, PRP_PIPE_CTX Ctx, PLIST_ENTRY Drop)
{
	Ctx->Removed = TRUE;
	if (Ctx->Kept) {
		RpUnkeepLocked(Dx, Ctx);
		InsertTailList(Drop, &Ctx->KeptLink);
	}
	rp_registry_unlink(&Dx->Registry, Ctx->Pipe);
}

/* Drops the kept references collected by RpRemoveLocked (LifeLock not held). */
static VOID RpPutDropped(PRP_DEVICE_EXTENSION Dx, PLIST_ENTRY Drop)
{
	while (!IsListEmpty(Drop)) {
		PLIST_ENTRY e = RemoveHeadList(Drop);
		PRP_PIPE_CTX ctx = CONTAINING_RECORD(e, RP_PIPE_CTX, KeptLink);

		InitializeListHead(&ctx->KeptLink);
		rp_registry_put(&Dx->Registry, ctx->Pipe);
	}
}

/* Removes every kept pipe whose ttl has run out. Bounded by the kept pipes. */
VOID RpReapExpired(PRP_DEVICE_EXTENSION Dx)
{
	LIST_ENTRY drop;
	PLIST_ENTRY e, next;
	ULONGLONG now = RpNowMs();

	InitializeListHead(&drop);
	RpLifeLock(Dx);
	for (e = Dx->Kept.Flink; e != &Dx->Kept; e = next) {
		PRP_PIPE_CTX ctx = CONTAINING_RECORD(e, RP_PIPE_CTX, KeptLink);

		next = e->Flink;
		if (ctx->TtlMs != 0 && now - ctx->KeptSinceMs >= ctx->TtlMs)
			RpRemoveLocked(Dx, ctx, &drop);
	}
	RpLifeUnlock(Dx);
	RpPutDropped(Dx, &drop);
}

/*
 * IOCTL_RINGPIPE_REMOVE: the caller holds a reference from the lookup.
 * Only the creator's session or an administrator (Admin) may remove.
 */
NTSTATUS RpLifeRemove(PRP_DEVICE_EXTENSION Dx, struct rp_pipe *Pipe, ULONG Uid, BOOLEAN Admin)
{
	PRP_PIPE_CTX ctx = Pipe->os;
	LIST_ENTRY drop;
	NTSTATUS status = STATUS_SUCCESS;

	if (Uid != Pipe->uid && !Admin)
		return STATUS_ACCESS_DENIED;
	InitializeListHead(&drop);
	RpLifeLock(Dx);
	if (ctx->Removed)
		status = STATUS_OBJECT_NAME_NOT_FOUND;
	else
		RpRemoveLocked(Dx, ctx, &drop);
	RpLifeUnlock(Dx);
	RpPutDropped(Dx, &drop);
	return status;
}

/* DriverUnload: no handle is open, so only kept pipes remain; free them. */
VOID RpDropAllKept(PRP_DEVICE_EXTENSION Dx)
{
	LIST_ENTRY drop;

	InitializeListHead(&drop);
	RpLifeLock(Dx);
	while (!IsListEmpty(&Dx->Kept)) {
		PRP_PIPE_CTX ctx = CONTAINING_RECORD(Dx->Kept.Flink, RP_PIPE_CTX, KeptLink);

		RpRemoveLocked(Dx, ctx, &drop);
	}
	RpLifeUnlock(Dx);
	RpPutDropped(Dx, &drop);
}

/* MaxUserBytes from HKLM\...\Services\ringpipe\Parameters (REG_DWORD, MiB), if set. */
VOID RpReadLimits(PRP_DEVICE_EXTENSION Dx, PUNICODE_STRING RegistryPath)
{
	static const WCHAR suffix[] = L"\\Parameters";
	UNICODE_STRING value = RTL_CONSTANT_STRING(L"MaxUserBytes");
	UNICODE_STRING params;
	OBJECT_ATTRIBUTES oa;
	WCHAR path[512];
	UCHAR buf[sizeof(KEY_VALUE_PARTIAL_INFORMATION) + sizeof(ULONG)];
	PKEY_VALUE_PARTIAL_INFORMATION info = (PKEY_VALUE_PARTIAL_INFORMATION)buf;
	HANDLE key;
	ULONG got, mib;

	Dx->MaxUserBytes = RP_MAX_USER_BYTES_DEFAULT;
	if (RegistryPath == NULL || RegistryPath->Buffer == NULL ||
	    RegistryPath->Length + sizeof(suffix) > sizeof(path))
		return;
	RtlCopyMemory(path, RegistryPath->Buffer, RegistryPath->Length);
	RtlCopyMemory((UCHAR *)path + RegistryPath->Length, suffix, sizeof(suffix));
	params.Buffer = path;
	params.Length = (USHORT)(RegistryPath->Length + sizeof(suffix) - sizeof(WCHAR));
	params.MaximumLength = sizeof(path);
	InitializeObjectAttributes(&oa, &params, OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE, NULL,
				   NULL);
	if (!NT_SUCCESS(ZwOpenKey(&key, KEY_READ, &oa)))
		return;
	if (NT_SUCCESS(ZwQueryValueKey(key, &value, KeyValuePartialInformation, info, sizeof(buf),
				       &got)) &&
	    info->Type == REG_DWORD && info->DataLength == sizeof(ULONG)) {
		RtlCopyMemory(&mib, info->Data, sizeof(mib));
		if (mib != 0)
			Dx->MaxUserBytes = (ULONGLONG)mib << 20;
	}
	ZwClose(key);
}

/* Whether the calling process's token is an administrator's. */
BOOLEAN RpCallerIsAdmin(VOID)
{
	PACCESS_TOKEN token = PsReferencePrimaryToken(IoGetCurrentProcess());
	BOOLEAN admin;

	if (token == NULL)
		return FALSE;
	admin = SeTokenIsAdmin(token);
	PsDereferencePrimaryToken(token);
	return admin;
}
