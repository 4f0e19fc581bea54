/*
 * The driver's pool allocator (rp_alloc / rp_free of driver/core): zeroed
 * nonpaged pool under one tag, with a count of live allocations that
 * IOCTL_RINGPIPE_VERSION and DriverUnload report.
 */
#include "ringpipe.h"

static volatile LONG RpLiveAllocations;

void *RpPoolAlloc(size_t n)
{
	void *p = ExAllocatePoolWithTag(NonPagedPoolNx, n ? n : 1, RP_TAG);

	if (p == NULL)
		return NULL;
	RtlZeroMemory(p, n ? n : 1);
	InterlockedIncrement(&RpLiveAllocations);
	return p;
}

void RpPoolFree(void *p)
{
	if (p == NULL)
		return;
	ExFreePoolWithTag(p, RP_TAG);
	InterlockedDecrement(&RpLiveAllocations);
}

LONG RpPoolOutstanding(VOID)
{
	return InterlockedCompareExchange(&RpLiveAllocations, 0, 0);
}
