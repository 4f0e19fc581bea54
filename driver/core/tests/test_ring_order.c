/*
 * The order of a Read's stores (docs/ring-format.md, "Header page" and Read):
 * tail64 before msgs_out, so that a reader killed between them leaves
 * msgs_out one short, never one ahead (a forwarder's message ids rely on it).
 * A child reads messages from a ring in shared memory one instruction at a
 * time (ptrace single-step); after every instruction the parent checks that
 * msgs_out does not count a record that tail does not show consumed: every
 * point where the reader could be killed is looked at.
 */
#include "tests.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#define ORDER_CAP 4096u
#define ORDER_LEN 8u /* records of 16 bytes */
#define ORDER_MSGS 3u
#define ORDER_MAX_STEPS 20000000u

static uint32_t order_load(const uint8_t *mem, uint32_t off)
{
	return __atomic_load_n((const uint32_t *)(const void *)(mem + off),
			       __ATOMIC_SEQ_CST);
}

/* The child: reads the messages, stepped by its parent. */
static void order_child(struct rp_handle *rd)
{
	uint8_t out[ORDER_LEN];
	struct rp_read_res res;
	unsigned wake = 0;
	uint32_t i;

	if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) != 0)
		_exit(3);
	raise(SIGSTOP);
	for (i = 0; i < ORDER_MSGS; i++)
		if (rp_ring_read(rd, out, sizeof(out), &res, &wake) != RP_OK)
			_exit(4);
	_exit(0);
}

static void test_tail_before_msgs_out(void)
{
	size_t size = rp_ring_segment_size(ORDER_CAP);
	uint8_t *mem = mmap(NULL, size, PROT_READ | PROT_WRITE,
			    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	uint8_t msg[ORDER_LEN] = "ordered";
	uint32_t i, written, steps = 0, ahead = 0;
	struct fake_env fe;
	struct rp_ring r;
	struct rp_handle w, rd;
	unsigned wake = 0;
	int status = 0;
	pid_t child;

	CHECK(mem != MAP_FAILED);
	if (mem == MAP_FAILED)
		return;
	fake_env_init(&fe, 0);
	CHECK_ST(rp_ring_init(&r, mem, size, ORDER_CAP, RP_MODE_MESSAGE, &fe.env), RP_OK);
	CHECK_ST(fake_attach(&fe, &r, 100, &w), RP_OK);
	CHECK_ST(fake_attach(&fe, &r, 200, &rd), RP_OK);
	for (i = 0; i < ORDER_MSGS; i++)
		CHECK_ST(rp_ring_write(&w, msg, ORDER_LEN, &written, &wake), RP_OK);
	child = fork();
	if (child == 0)
		order_child(&rd);
	CHECK(child > 0);
	CHECK(waitpid(child, &status, 0) == child && WIFSTOPPED(status));
	while (steps < ORDER_MAX_STEPS && WIFSTOPPED(status)) {
		uint32_t msgs = order_load(mem, RP_OFF_MSGS_OUT);
		uint32_t tail = order_load(mem, RP_OFF_TAIL);

		ahead += (uint64_t)msgs * (RP_REC_HDR + ORDER_LEN) > tail;
		steps++;
		if (ptrace(PTRACE_SINGLESTEP, child, NULL, NULL) != 0 ||
		    waitpid(child, &status, 0) != child)
			break;
	}
	if (WIFSTOPPED(status))
		kill(child, SIGKILL), waitpid(child, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK_EQ(order_load(mem, RP_OFF_MSGS_OUT), ORDER_MSGS);
	CHECK(steps > 100);
	CHECK_EQ(ahead, 0);
	if (ahead != 0)
		fprintf(stderr, "msgs_out ran ahead of tail for %u of %u instructions\n",
			ahead, steps);
	munmap(mem, size);
}

void test_ring_order(void)
{
	test_tail_before_msgs_out();
}
