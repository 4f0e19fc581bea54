#include "tests.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct fake_os {
	int ring_allocs, ring_frees, ctx_inits, ctx_frees;
	int fail_ring_alloc, fail_ctx_init;
	pthread_mutex_t mu;
};

static void *fo_ring_alloc(void *ctx, size_t size)
{
	struct fake_os *fo = ctx;
	void *p;

	if (fo->fail_ring_alloc)
		return NULL;
	if (posix_memalign(&p, 4096, size) != 0)
		return NULL;
	memset(p, 0, size);
	pthread_mutex_lock(&fo->mu);
	fo->ring_allocs++;
	pthread_mutex_unlock(&fo->mu);
	return p;
}

static void fo_ring_free(void *ctx, void *mem, size_t size)
{
	struct fake_os *fo = ctx;

	(void)size;
	free(mem);
	pthread_mutex_lock(&fo->mu);
	fo->ring_frees++;
	pthread_mutex_unlock(&fo->mu);
}

static int fo_ctx_init(void *ctx, struct rp_pipe *p)
{
	struct fake_os *fo = ctx;

	if (fo->fail_ctx_init)
		return RP_ENOMEM;
	p->os = malloc(16);
	pthread_mutex_lock(&fo->mu);
	fo->ctx_inits++;
	pthread_mutex_unlock(&fo->mu);
	return RP_OK;
}

static void fo_ctx_free(void *ctx, struct rp_pipe *p)
{
	struct fake_os *fo = ctx;

	free(p->os);
	pthread_mutex_lock(&fo->mu);
	fo->ctx_frees++;
	pthread_mutex_unlock(&fo->mu);
}

struct reg_fixture {
	struct fake_os fo;
	struct fake_env fe;
	struct rp_registry reg;
};

static struct reg_fixture *fixture_new(void)
{
	struct reg_fixture *f = calloc(1, sizeof(*f));
	struct rp_registry_ops ops = {
		.ctx = &f->fo,
		.ring_alloc = fo_ring_alloc,
		.ring_free = fo_ring_free,
		.ctx_init = fo_ctx_init,
		.ctx_free = fo_ctx_free,
	};

	pthread_mutex_init(&f->fo.mu, NULL);
	fake_env_init(&f->fe, 0);
	rp_registry_init(&f->reg, &ops, &f->fe.env);
	return f;
}

static void fixture_free(struct reg_fixture *f)
{
	CHECK_ST(rp_registry_destroy(&f->reg), RP_OK);
	CHECK_EQ(f->fo.ring_allocs, f->fo.ring_frees);
	CHECK_EQ(f->fo.ctx_inits, f->fo.ctx_frees);
	pthread_mutex_destroy(&f->fo.mu);
	free(f);
}

static struct rp_open_req req(const char *name, uint32_t flags, uint32_t uid,
			      uint32_t access, uint32_t perm)
{
	struct rp_open_req r = {
		.name = name,
		.name_len = strlen(name),
		.flags = flags,
		.uid = uid,
		.access = access,
		.perm = perm,
		.capacity = 4096,
		.mode = RP_MODE_MESSAGE,
	};
	return r;
}

#define RW (RP_ACCESS_READ | RP_ACCESS_WRITE)

static void test_registry_share(void)
{
	struct reg_fixture *f = fixture_new();
	struct rp_open_req r = req("jobs.Q", RP_OPEN_CREATE, 1000, RW, 0600);
	struct rp_pipe *a = NULL, *b = NULL, *c = NULL;
	bool created = false;

	CHECK_ST(rp_registry_open(&f->reg, &r, &a, &created), RP_OK);
	CHECK(created);
	CHECK(strcmp(a->name, "JOBS.Q") == 0);
	CHECK_EQ(a->refs, 1);
	CHECK(a->os != NULL);
	CHECK_EQ(a->ring.capacity, 4096);
	CHECK_EQ(*(uint32_t *)a->mem, RP_MAGIC);
	r = req("JOBS.q", 0, 1000, RW, 0);
	CHECK_ST(rp_registry_open(&f->reg, &r, &b, &created), RP_OK);
	CHECK(!created);
	CHECK(a == b);
	r = req("jobs.q", RP_OPEN_CREATE, 1000, RP_ACCESS_READ, 0666);
	r.capacity = 64;
	CHECK_ST(rp_registry_open(&f->reg, &r, &c, &created), RP_OK);
	CHECK(c == a);
	CHECK_EQ(c->capacity, 4096);
	CHECK_EQ(a->refs, 3);
	CHECK_EQ(rp_registry_count(&f->reg), 1);
	CHECK_ST(rp_registry_get(&f->reg, a), RP_OK);
	CHECK_EQ(a->refs, 4);
	rp_registry_put(&f->reg, a);
	rp_registry_put(&f->reg, b);
	rp_registry_put(&f->reg, c);
	CHECK_EQ(f->fo.ring_frees, 0);
	CHECK_EQ(rp_registry_count(&f->reg), 1);
	CHECK_ST(rp_registry_destroy(&f->reg), RP_BUSY);
	rp_registry_put(&f->reg, a);
	CHECK_EQ(f->fo.ring_frees, 1);
	CHECK_EQ(f->fo.ctx_frees, 1);
	CHECK_EQ(rp_registry_count(&f->reg), 0);
	r = req("jobs.q", 0, 1000, RW, 0);
	CHECK_ST(rp_registry_open(&f->reg, &r, &a, NULL), RP_ENOENT);
	fixture_free(f);
}

struct errcase {
	const char *name;
	uint32_t flags, uid, access, perm, capacity, mode;
	int want;
};

static void test_registry_errors(void)
{
	static const struct errcase cases[] = {
		{ "missing", 0, 1, RW, 0, 4096, 1, RP_ENOENT },
		{ "EXISTING", RP_OPEN_CREATE | RP_OPEN_EXCL, 1, RW, 0600, 4096, 1, RP_EEXIST },
		{ "existing", 0, 2, RP_ACCESS_READ, 0, 0, 0, RP_EACCES },
		{ "existing", 0, 2, RP_ACCESS_WRITE, 0, 0, 0, RP_OK },
		{ "existing", 0, 1, RW, 0, 0, 0, RP_OK },
		{ "existing", 0, 1, 1, 0, 0, 0, RP_EACCES },
		{ "ro", 0, 1, RP_ACCESS_WRITE, 0, 0, 0, RP_EACCES },
		{ "ro", 0, 1, RP_ACCESS_READ, 0, 0, 0, RP_OK },
		{ "ro", 0, 9, RP_ACCESS_READ, 0, 0, 0, RP_OK },
		{ "ro", 0, 9, RP_ACCESS_WRITE, 0, 0, 0, RP_EACCES },
		{ "..", RP_OPEN_CREATE, 1, RW, 0600, 4096, 1, RP_BADNAME },
		{ "a/b", RP_OPEN_CREATE, 1, RW, 0600, 4096, 1, RP_BADNAME },
		{ "cap", RP_OPEN_CREATE, 1, RW, 0600, 100, 1, RP_INVAL },
		{ "mode", RP_OPEN_CREATE, 1, RW, 0600, 4096, 3, RP_INVAL },
		{ "perm", RP_OPEN_CREATE, 1, RW, 04600, 4096, 1, RP_INVAL },
		{ "new", RP_OPEN_CREATE | RP_OPEN_EXCL, 1, RW, 0, 64, 2, RP_OK },
	};
	struct reg_fixture *f = fixture_new();
	struct rp_pipe *held[3], *p;
	struct rp_open_req r;
	size_t i;

	/* "existing": owner 1 rw, others write only; "ro": 0444. */
	r = req("existing", RP_OPEN_CREATE, 1, RW, 0602);
	CHECK_ST(rp_registry_open(&f->reg, &r, &held[0], NULL), RP_OK);
	r = req("ro", RP_OPEN_CREATE, 1, RW, 0444);
	CHECK_ST(rp_registry_open(&f->reg, &r, &held[1], NULL), RP_OK);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct errcase *c = &cases[i];

		r = req(c->name, c->flags, c->uid, c->access, c->perm);
		r.capacity = c->capacity;
		r.mode = c->mode;
		p = NULL;
		CHECK_ST(rp_registry_open(&f->reg, &r, &p, NULL), c->want);
		if (c->want == RP_OK && p != NULL)
			rp_registry_put(&f->reg, p);
	}
	CHECK_EQ(f->fo.ring_allocs, 3);
	CHECK_EQ(rp_registry_count(&f->reg), 2);

	f->fo.fail_ring_alloc = 1;
	r = req("nomem", RP_OPEN_CREATE, 1, RW, 0600);
	CHECK_ST(rp_registry_open(&f->reg, &r, &p, NULL), RP_ENOMEM);
	f->fo.fail_ring_alloc = 0;
	f->fo.fail_ctx_init = 1;
	CHECK_ST(rp_registry_open(&f->reg, &r, &p, NULL), RP_ENOMEM);
	f->fo.fail_ctx_init = 0;
	CHECK_EQ(f->fo.ring_allocs, f->fo.ring_frees + 2);
	CHECK_EQ(rp_registry_count(&f->reg), 2);

	r = req("third", RP_OPEN_CREATE, 1, RW, 0600);
	CHECK_ST(rp_registry_open(&f->reg, &r, &held[2], NULL), RP_OK);
	{
		struct rp_pipe_info info[2];
		struct rp_handle h;
		uint32_t written;
		unsigned wake = 0;

		CHECK_ST(fake_attach(&f->fe, &held[2]->ring, 77, &h), RP_OK);
		CHECK_ST(rp_ring_write(&h, "12345", 5, &written, &wake), RP_OK);
		memset(info, 0, sizeof(info));
		CHECK_EQ(rp_registry_list(&f->reg, info, 2), 3);
		CHECK(strcmp(info[0].name, "THIRD") == 0);
		CHECK(strcmp(info[1].name, "RO") == 0);
		CHECK_EQ(info[0].stats.used, 16);
		CHECK_EQ(info[0].stats.writers, 1);
		CHECK_EQ(info[0].stats.msgs_in, 1);
		CHECK_EQ(info[0].ring_status, RP_OK);
		CHECK_EQ(info[1].perm, 0444);
		CHECK_EQ(info[1].refs, 1);
		CHECK_EQ(rp_registry_list(&f->reg, NULL, 0), 3);
	}
	for (i = 0; i < 3; i++)
		rp_registry_put(&f->reg, held[i]);
	fixture_free(f);
}

#define RACE_THREADS 4
#define RACE_ROUNDS 500

/*
 * Each round, every thread opens the same name (in its own case) at once,
 * so that they race to create it; all hold their reference until every
 * opener is done and one thread has checked that they got one pipe object,
 * that the registry holds exactly one pipe and that one opener created it.
 */
struct race {
	struct reg_fixture *f;
	pthread_barrier_t start, opened, checked;
	struct rp_pipe *got[RACE_THREADS];
	bool created[RACE_THREADS];
	int bad_rounds;
};

struct race_arg {
	struct race *race;
	int id;
};

static bool race_round_ok(struct race *r)
{
	int i, creators = 0;

	for (i = 0; i < RACE_THREADS; i++) {
		if (r->got[i] == NULL || r->got[i] != r->got[0])
			return false;
		creators += r->created[i];
	}
	return creators == 1 && rp_registry_count(&r->f->reg) == 1 &&
	       r->got[0]->refs == RACE_THREADS && strcmp(r->got[0]->name, "RACE") == 0;
}

static void *race_thread(void *arg)
{
	struct race_arg *a = arg;
	struct race *r = a->race;
	static const char *const names[] = { "race", "RACE", "Race", "rAcE" };
	int i;

	for (i = 0; i < RACE_ROUNDS; i++) {
		struct rp_open_req q = req(names[a->id % 4], RP_OPEN_CREATE, 5, RW, 0600);

		pthread_barrier_wait(&r->start);
		if (rp_registry_open(&r->f->reg, &q, &r->got[a->id], &r->created[a->id]) != RP_OK)
			r->got[a->id] = NULL;
		pthread_barrier_wait(&r->opened);
		if (a->id == 0 && !race_round_ok(r))
			r->bad_rounds++;
		pthread_barrier_wait(&r->checked);
		if (r->got[a->id] != NULL)
			rp_registry_put(&r->f->reg, r->got[a->id]);
	}
	return NULL;
}

static void test_registry_race(void)
{
	struct race r = { .f = fixture_new() };
	struct race_arg args[RACE_THREADS];
	pthread_t t[RACE_THREADS];
	int i;

	pthread_barrier_init(&r.start, NULL, RACE_THREADS);
	pthread_barrier_init(&r.opened, NULL, RACE_THREADS);
	pthread_barrier_init(&r.checked, NULL, RACE_THREADS);
	for (i = 0; i < RACE_THREADS; i++) {
		args[i].race = &r;
		args[i].id = i;
		pthread_create(&t[i], NULL, race_thread, &args[i]);
	}
	for (i = 0; i < RACE_THREADS; i++)
		pthread_join(t[i], NULL);
	CHECK_EQ(r.bad_rounds, 0);
	CHECK_EQ(rp_registry_count(&r.f->reg), 0);
	CHECK(r.f->fo.ring_allocs >= RACE_ROUNDS);
	pthread_barrier_destroy(&r.start);
	pthread_barrier_destroy(&r.opened);
	pthread_barrier_destroy(&r.checked);
	fixture_free(r.f);
}

/* mq_unlink: the name goes at once, the pipe with its last reference. */
static void test_registry_unlink(void)
{
	struct reg_fixture *f = fixture_new();
	struct rp_open_req r = req("GONE", RP_OPEN_CREATE, 1000, RW, 0600);
	struct rp_pipe *a = NULL, *b = NULL;
	bool created = false;

	CHECK_ST(rp_registry_open(&f->reg, &r, &a, &created), RP_OK);
	rp_registry_unlink(&f->reg, a);
	CHECK_EQ(rp_registry_count(&f->reg), 0);
	rp_registry_unlink(&f->reg, a);
	CHECK_EQ(f->fo.ring_frees, 0);
	CHECK_ST(rp_registry_open(&f->reg, &r, &b, &created), RP_OK);
	CHECK(created);
	CHECK(a != b);
	rp_registry_put(&f->reg, a);
	CHECK_EQ(f->fo.ring_frees, 1);
	CHECK_EQ(rp_registry_count(&f->reg), 1);
	rp_registry_put(&f->reg, b);
	fixture_free(f);
}

void test_registry(void)
{
	test_registry_share();
	test_registry_errors();
	test_registry_race();
	test_registry_unlink();
}
