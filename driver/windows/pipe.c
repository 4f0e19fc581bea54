/*
 * A pipe's driver context (rp_pipe::os), made and freed through the
 * registry's callbacks, and the liveness of its ring slots.
 */
#include "ringpipe.h"

/*
 * A slot is live while a file object is bound to it (docs/ring-format.md,
 * "Liveness"): the driver binds and unbinds under the pipe's mutex, so the
 * answer never depends on anything a mapped peer can write. Called at
 * PASSIVE_LEVEL under the pipe's mutex, or under the registry lock
 * (rp_registry_list), which is why it reads Bound without the mutex.
 */
static bool RpSlotBound(void *Ctx, uint32_t Slot, uint32_t Pid)
{
	PRP_PIPE_CTX pctx = Ctx;

	UNREFERENCED_PARAMETER(Pid);
	return Slot < RP_SLOT_COUNT &&
	       InterlockedCompareExchangePointer((PVOID volatile *)&pctx->Bound[Slot], NULL,
						 NULL) != NULL;
}

static bool RpNeverBound(void *Ctx, uint32_t Slot, uint32_t Pid)
{
	UNREFERENCED_PARAMETER(Ctx);
	UNREFERENCED_PARAMETER(Slot);
	UNREFERENCED_PARAMETER(Pid);
	return false;
}

/* A ring lock held by a live peer: give up the processor once. */
static void RpYield(void *Ctx)
{
	UNREFERENCED_PARAMETER(Ctx);
	ZwYieldExecution();
}

/*
 * A user-space mapped peer may hold a ring lock: the kernel spins a bounded
 * number of times (yielding each time), then leaves the IRP queued and
 * retries it from the pipe's timer rather than wait on memory user space
 * controls.
 */
#define RP_KERNEL_LOCK_SPINS 20000u

/* The registry's env, seen only by rp_ring_init: a new ring has no bound slot. */
const struct rp_env RpBootEnv = {
	.alive = RpNeverBound,
	.yield = RpYield,
	.lock_spins = RP_KERNEL_LOCK_SPINS,
};

/* ctx_init of the registry: the driver part of a new pipe, before it is published. */
int RpPipeInit(void *Ctx, struct rp_pipe *Pipe)
{
	PRP_DEVICE_EXTENSION dx = Ctx;
	PRP_PIPE_CTX pctx;
	int st = RP_OK;

	pctx = RpPoolAlloc(sizeof(*pctx));
	if (pctx == NULL) {
		st = RP_ENOMEM;
		goto out;
	}
	pctx->Pipe = Pipe;
	pctx->Registry = &dx->Registry;
	pctx->Memory = RpMemoryFind(dx, Pipe->mem);
	if (pctx->Memory == NULL) {
		st = RP_INVAL;
		goto out_free;
	}
	KeInitializeMutex(&pctx->Mutex, 0);
	InitializeListHead(&pctx->KeptLink);
	if (!NT_SUCCESS(RpQueuesInit(pctx, dx->Device))) {
		st = RP_ENOMEM;
		goto out_free;
	}
	pctx->Env.alive = RpSlotBound;
	pctx->Env.yield = RpYield;
	pctx->Env.ctx = pctx;
	pctx->Env.lock_spins = RP_KERNEL_LOCK_SPINS;
	/* From now on the ring asks this pipe whether a slot is live. */
	Pipe->ring.env = &pctx->Env;
	Pipe->os = pctx;
	return RP_OK;

out_free:
	RpPoolFree(pctx);
out:
	return st;
}

/* ctx_free: the last reference is gone, so no IRP is queued and no timer armed. */
void RpPipeFree(void *Ctx, struct rp_pipe *Pipe)
{
	PRP_PIPE_CTX pctx = Pipe->os;

	if (pctx == NULL)
		return;
	ASSERT(!pctx->Kept && pctx->Files == 0);
	/* The ring is freed right after this: its charge goes with it. */
	RpUncharge(Ctx, pctx->ChargeUid, pctx->Charged);
	ASSERT(RpQueueCount(&pctx->Reads) == 0 && RpQueueCount(&pctx->Writes) == 0 &&
	       RpQueueCount(&pctx->Waits) == 0);
	RpQueuesFree(pctx);
	Pipe->os = NULL;
	RpPoolFree(pctx);
}
