/*
 * usedriver3 NAME [--count N]: the reader of the original sample, scripted.
 * Opens the pipe NAME and prints each message on a line ("message: TEXT")
 * until every writer has left (EOF) or N messages came. Exit 0 on EOF or
 * after N messages, 1 on any error.
 */
#include <stdio.h>
#include <string.h>

#include "rpclient.h"

int wmain(int argc, wchar_t **argv)
{
	char name[RINGPIPE_NAME_MAX + 2], buf[65536];
	long count = -1, got_n = 0;
	BOOL via_path;
	HANDLE h;
	DWORD got, err;

	if (argc < 2) {
		fprintf(stderr, "usage: usedriver3 NAME [--count N]\n");
		return 2;
	}
	if (argc == 4 && wcscmp(argv[2], L"--count") == 0)
		count = wcstol(argv[3], NULL, 10);
	snprintf(name, sizeof(name), "%ls", argv[1]);
	h = rp_open_name(name, &via_path);
	if (h == INVALID_HANDLE_VALUE) {
		fprintf(stderr, "usedriver3: cannot open %s: error %lu\n", name, GetLastError());
		return 1;
	}
	printf("usedriver3: opened %s via %s\n", name, via_path ? "path" : "bind");
	fflush(stdout);
	while (count < 0 || got_n < count) {
		err = rp_read(h, buf, sizeof(buf) - 1, &got);
		if (err == ERROR_HANDLE_EOF) {
			printf("usedriver3: end of pipe after %ld messages\n", got_n);
			break;
		}
		if (err != 0) {
			fprintf(stderr, "usedriver3: read failed: error %lu\n", err);
			CloseHandle(h);
			return 1;
		}
		buf[got] = '\0';
		printf("message: %s\n", buf);
		fflush(stdout);
		got_n++;
	}
	CloseHandle(h);
	return 0;
}
