/*
 * Per-device registry of named pipes: canonical name -> refcounted
 * struct rp_pipe owning one ring segment. Used by both kernel drivers.
 *
 * Permissions are Unix-style bits restricted to 0666: the owner bits
 * (0600) apply when the caller's uid is the creator's, the other bits
 * (0006) to everyone else; read (4) and write (2) are checked, the group
 * bits are ignored. Privileged callers (root, administrators) are the OS
 * layer's business: it skips rp_pipe_access or passes the owner's uid.
 */
#ifndef RP_REGISTRY_H
#define RP_REGISTRY_H

#include "rp_name.h"
#include "rp_ring.h"

#define RP_OPEN_CREATE 1u /* create the pipe if it does not exist */
#define RP_OPEN_EXCL 2u   /* with RP_OPEN_CREATE: RP_EEXIST if it exists */

#define RP_ACCESS_READ 4u
#define RP_ACCESS_WRITE 2u

#define RP_PERM_MASK 0666u

struct rp_pipe;

/*
 * How the OS allocates. ring_alloc returns zeroed memory aligned to 8 bytes
 * at least (Linux: __vmalloc charged to the memcg; Windows: a mapped section) or NULL.
 * ctx_init (optional) sets up pipe->os (wait queues, events) and returns
 * RP_OK or an error; ctx_free (optional) releases it. None of them is
 * called with the registry lock held.
 */
struct rp_registry_ops {
	void *ctx;
	void *(*ring_alloc)(void *ctx, size_t size);
	void (*ring_free)(void *ctx, void *mem, size_t size);
	int (*ctx_init)(void *ctx, struct rp_pipe *pipe);
	void (*ctx_free)(void *ctx, struct rp_pipe *pipe);
};

struct rp_pipe {
	/* Guarded by the registry lock. */
	struct rp_pipe *next;
	uint32_t refs;

	/* Set before the pipe is published, constant afterwards. */
	char name[RP_NAME_MAX + 1]; /* canonical */
	uint32_t uid;
	uint32_t perm; /* RP_PERM_MASK bits */
	uint32_t mode;
	uint32_t capacity;
	void *mem;
	size_t mem_size;
	struct rp_ring ring; /* operations lock through the ring's own words */

	/* The OS layer's; the core never touches it. */
	void *os;
};

/*
 * Locking: `lock` (a sleeping lock from rp_os.h) guards `head`, `count` and
 * every pipe's `next` and `refs`; it is held only for list walks and
 * counter updates, plus the copy into the caller's array in
 * rp_registry_list (which must therefore be memory that cannot fault, e.g.
 * a kernel buffer copied to user space after the call) and the liveness
 * callbacks of rp_ring_stats made from there (which must not take this
 * lock). The OS allocation callbacks run without it. Ring operations never
 * take it: each ring is locked by its own wlock / rlock words.
 */
struct rp_registry {
	rp_lock_t lock;
	struct rp_pipe *head;
	uint32_t count;
	struct rp_registry_ops ops;
	const struct rp_env *env;
};

struct rp_open_req {
	const char *name; /* name_len bytes, any case; no terminator needed */
	size_t name_len;
	uint32_t flags;  /* RP_OPEN_* */
	uint32_t uid;    /* the caller */
	uint32_t access; /* RP_ACCESS_* wanted; not checked for the creator */
	/* Used only when the pipe is created: */
	uint32_t perm;
	uint32_t capacity;
	uint32_t mode;
};

struct rp_pipe_info {
	char name[RP_NAME_MAX + 1];
	uint32_t uid, perm, refs;
	int ring_status; /* result of rp_ring_stats */
	struct rp_stats stats;
};

void rp_registry_init(struct rp_registry *reg,
		      const struct rp_registry_ops *ops,
		      const struct rp_env *env);
/* RP_BUSY (and nothing done) while pipes remain. */
int rp_registry_destroy(struct rp_registry *reg);

/*
 * Finds or creates the pipe and takes a reference on it. Errors:
 * RP_BADNAME, RP_INVAL (capacity, mode or perm when creating), RP_ENOENT,
 * RP_EEXIST, RP_EACCES, RP_ENOMEM or a ctx_init error. *created (may be
 * NULL) tells whether this call created it.
 */
int rp_registry_open(struct rp_registry *reg, const struct rp_open_req *req,
		     struct rp_pipe **out, bool *created);
bool rp_pipe_access(const struct rp_pipe *p, uint32_t uid, uint32_t access);
/* RP_INVAL if the reference count would overflow. */
int rp_registry_get(struct rp_registry *reg, struct rp_pipe *p);
/* The last put unlists the pipe and frees it through the ops. */
void rp_registry_put(struct rp_registry *reg, struct rp_pipe *p);
/*
 * Takes the name away from the pipe, like mq_unlink: the next open of the
 * name finds no pipe (or creates a new one), while the references already
 * taken keep this one until their last put frees it. The caller holds a
 * reference. Nothing happens to a pipe already unlinked.
 */
void rp_registry_unlink(struct rp_registry *reg, struct rp_pipe *p);
uint32_t rp_registry_count(struct rp_registry *reg);
/* Fills up to max entries in list order; returns the number of pipes. */
uint32_t rp_registry_list(struct rp_registry *reg, struct rp_pipe_info *out,
			  uint32_t max);

#endif
