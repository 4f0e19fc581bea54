/* Minimal test harness: checks count failures and print where. */
#ifndef T_H
#define T_H

#include <stdio.h>

extern int t_checks;
extern int t_failures;

#define CHECK(cond)                                                            \
	do {                                                                   \
		t_checks++;                                                    \
		if (!(cond)) {                                                 \
			t_failures++;                                          \
			fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, \
				__LINE__, #cond);                              \
		}                                                              \
	} while (0)

#define CHECK_EQ(a, b)                                                         \
	do {                                                                   \
		unsigned long long t_a_ = (unsigned long long)(a);             \
		unsigned long long t_b_ = (unsigned long long)(b);             \
		t_checks++;                                                    \
		if (t_a_ != t_b_) {                                            \
			t_failures++;                                          \
			fprintf(stderr, "%s:%d: %s == %s: 0x%llx != 0x%llx\n", \
				__FILE__, __LINE__, #a, #b, t_a_, t_b_);       \
		}                                                              \
	} while (0)

#define CHECK_ST(expr, want)                                                   \
	do {                                                                   \
		int t_s_ = (expr);                                             \
		t_checks++;                                                    \
		if (t_s_ != (want)) {                                          \
			t_failures++;                                          \
			fprintf(stderr, "%s:%d: %s: got %s, want %s\n",        \
				__FILE__, __LINE__, #expr,                     \
				rp_status_name(t_s_), rp_status_name(want));   \
		}                                                              \
	} while (0)

int t_report(const char *what);

#endif
