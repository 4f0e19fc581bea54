#include "rp_status.h"

static const char *const rp_status_names[RP_STATUS_COUNT] = {
	[RP_OK] = "ok",
	[RP_EMPTY] = "empty",
	[RP_BUSY] = "busy",
	[RP_FULL] = "full",
	[RP_TOO_BIG] = "too_big",
	[RP_TOO_SMALL] = "too_small",
	[RP_CORRUPT] = "corrupt",
	[RP_LOCKED] = "locked",
	[RP_NOSLOT] = "noslot",
	[RP_INVAL] = "inval",
	[RP_BADNAME] = "badname",
	[RP_ENOENT] = "enoent",
	[RP_EEXIST] = "eexist",
	[RP_EACCES] = "eacces",
	[RP_ENOMEM] = "enomem",
};

const char *rp_status_name(int status)
{
	if (status < 0 || status >= RP_STATUS_COUNT)
		return "unknown";
	return rp_status_names[status];
}
