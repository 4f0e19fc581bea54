/*
 * usedriver2 NAME [MESSAGE...]: the writer of the original sample, scripted.
 * Writes each MESSAGE (or each line of standard input when none is given)
 * as one message to the pipe NAME, then closes. Exit 0 when every write
 * succeeded, 1 otherwise.
 */
#include <stdio.h>
#include <string.h>

#include "rpclient.h"

int wmain(int argc, wchar_t **argv)
{
	char name[RINGPIPE_NAME_MAX + 2], line[4096];
	BOOL via_path;
	HANDLE h;
	DWORD put, err;
	int i, sent = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: usedriver2 NAME [MESSAGE...]\n");
		return 2;
	}
	snprintf(name, sizeof(name), "%ls", argv[1]);
	h = rp_open_name(name, &via_path);
	if (h == INVALID_HANDLE_VALUE) {
		fprintf(stderr, "usedriver2: cannot open %s: error %lu\n", name, GetLastError());
		return 1;
	}
	printf("usedriver2: opened %s via %s\n", name, via_path ? "path" : "bind");
	for (i = 2; i < argc || (argc == 2 && fgets(line, sizeof(line), stdin) != NULL); i++) {
		if (argc > 2) {
			snprintf(line, sizeof(line), "%ls", argv[i]);
		} else {
			line[strcspn(line, "\r\n")] = '\0';
		}
		err = rp_write(h, line, (DWORD)strlen(line), &put);
		if (err != 0 || put != strlen(line)) {
			fprintf(stderr, "usedriver2: write failed: error %lu\n", err);
			CloseHandle(h);
			return 1;
		}
		sent++;
		if (argc == 2)
			continue;
	}
	printf("usedriver2: sent %d messages\n", sent);
	CloseHandle(h);
	return 0;
}
