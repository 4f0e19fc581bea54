/* Process liveness on Linux, for rp_env.alive. */
#ifndef PROC_ALIVE_H
#define PROC_ALIVE_H

#include <stdbool.h>
#include <stdint.h>

/*
 * True when pid exists and is not a zombie: kill(pid, 0) succeeds (or
 * fails with EPERM), and the state in /proc/<pid>/stat is not 'Z' or 'X'.
 * A killed child stays a zombie until its parent reaps it, yet it will
 * never commit or release anything again.
 */
bool proc_alive(void *ctx, uint32_t pid);

#endif
