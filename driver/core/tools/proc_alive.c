#include "proc_alive.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static char proc_state(uint32_t pid)
{
	char path[48], buf[512];
	char *paren;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%u/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 'X';
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 'X';
	buf[n] = '\0';
	/* "pid (comm) S ...": comm may itself contain ") ". */
	paren = strrchr(buf, ')');
	if (paren == NULL || paren[1] != ' ')
		return 'X';
	return paren[2];
}

bool proc_alive(void *ctx, uint32_t pid)
{
	char state;

	(void)ctx;
	if (pid == 0 || pid > 0x7fffffffu)
		return false;
	if (kill((pid_t)pid, 0) != 0 && errno != EPERM)
		return false;
	state = proc_state(pid);
	return state != 'Z' && state != 'X';
}
