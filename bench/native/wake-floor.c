// The kernel's part of a wake, without JavaScript: two C processes play ping-pong with a
// one-byte message, each sleeping in epoll_wait between rounds as libuv does, over a FIFO pair
// (a ringpipe bell) or a UNIX stream socket pair (Node's net). Prints the one-way latency
// (half the round trip, first tenth dropped) in microseconds: p50 p99 p99.9.
//   wake-floor fifo|uds ROUNDS GAP_MS   (a GAP_MS pause every 50 rounds, as bench/latency.mjs)
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static int by_value(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* A watcher of one descriptor: reads it empty, sleeping in epoll_wait while there is nothing. */
static int watch(int fd) {
  int ep = epoll_create1(EPOLL_CLOEXEC);
  struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};
  if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) != 0) exit(2);
  return ep;
}

static void take(int ep, int fd) {
  char buf[64];
  struct epoll_event ev;
  while (read(fd, buf, sizeof buf) <= 0)
    while (epoll_wait(ep, &ev, 1, -1) < 1) {
    }
}

static int fifo(const char *dir, const char *name) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  if (mkfifo(path, 0600) != 0) exit(2);
  int fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
  unlink(path);
  if (fd < 0) exit(2);
  return fd;
}

int main(int argc, char **argv) {
  if (argc != 4 || (strcmp(argv[1], "fifo") && strcmp(argv[1], "uds"))) {
    fprintf(stderr, "usage: wake-floor fifo|uds ROUNDS GAP_MS\n");
    return 2;
  }
  int rounds = atoi(argv[2]), gap_ms = atoi(argv[3]);
  if (rounds < 10) return 2;
  /* ping: [0] the pinger reads, [1] the echo writes; pong the other way. */
  int to_echo_r, to_echo_w, to_ping_r, to_ping_w;
  if (!strcmp(argv[1], "fifo")) {
    char dir[] = "/tmp/wake-floor-XXXXXX";
    if (!mkdtemp(dir)) return 2;
    to_echo_r = to_echo_w = fifo(dir, "ping");
    to_ping_r = to_ping_w = fifo(dir, "pong");
    rmdir(dir);
  } else {
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) != 0) return 2;
    to_echo_w = to_ping_r = sv[0];
    to_echo_r = to_ping_w = sv[1];
  }
  const char byte = 1;
  pid_t echo = fork();
  if (echo < 0) return 2;
  if (echo == 0) {
    int ep = watch(to_echo_r);
    for (int i = 0; i < rounds; i++) {
      take(ep, to_echo_r);
      if (write(to_ping_w, &byte, 1) != 1) _exit(2);
    }
    _exit(0);
  }
  int ep = watch(to_ping_r);
  double *one_way = malloc(sizeof(double) * rounds);
  if (!one_way) return 2;
  usleep(100000);
  for (int i = 0; i < rounds; i++) {
    if (gap_ms > 0 && i % 50 == 49) usleep(gap_ms * 1000);
    double start = now_us();
    if (write(to_echo_w, &byte, 1) != 1) return 2;
    take(ep, to_ping_r);
    one_way[i] = (now_us() - start) / 2;
  }
  int status = 0;
  waitpid(echo, &status, 0);
  int dropped = rounds / 10, n = rounds - dropped;
  double *kept = one_way + dropped;
  qsort(kept, n, sizeof(double), by_value);
  printf("%.1f %.1f %.1f\n", kept[n / 2], kept[(int)(n * 0.99)], kept[(int)(n * 0.999)]);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 2;
}
