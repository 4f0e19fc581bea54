/* Result codes shared by the ringpipe core. RP_OK is 0; all others are > 0. */
#ifndef RP_STATUS_H
#define RP_STATUS_H

enum rp_status {
	RP_OK = 0,
	RP_EMPTY,     /* read: nothing to read */
	RP_BUSY,      /* read: oldest record still being copied by a live writer */
	RP_FULL,      /* write: not enough free space now */
	RP_TOO_BIG,   /* write: message can never fit */
	RP_TOO_SMALL, /* read: caller's buffer shorter than the message */
	RP_CORRUPT,   /* shared memory breaks the format */
	RP_LOCKED,    /* a live peer kept a ring lock past the spin limit */
	RP_NOSLOT,    /* all 128 slots are taken */
	RP_INVAL,     /* bad argument */
	RP_BADNAME,   /* name fails rp_name validation */
	RP_ENOENT,    /* registry: no such pipe */
	RP_EEXIST,    /* registry: pipe exists (exclusive create) */
	RP_EACCES,    /* registry: permission denied */
	RP_ENOMEM,    /* allocation failed */
	RP_STATUS_COUNT
};

/* Stable lower-case name ("ok", "full", ...); "unknown" if out of range. */
const char *rp_status_name(int status);

#endif
