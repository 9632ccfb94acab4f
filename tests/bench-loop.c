// SPDX-License-Identifier: GPL-2.0
/*
 * bench-loop - plain loops of one operation, for a profiler to sample
 *
 * Runs in the guest under tests/profile.sh (make profile), with the module
 * already loaded.  No timing of its own beyond a total: the profiler does
 * the measuring.
 *
 *	bench-loop null N	N 64-byte write()s to /dev/null
 *	bench-loop empty N	N 0-byte write()s to /proc/fortune (refused)
 *	bench-loop write N	N 64-byte write()s to /proc/fortune, the pot
 *				cleared whenever it is full
 *	bench-loop big N	N clears, each followed by a 1 MiB write()
 *	bench-loop latency SECONDS THRESHOLD_US
 *				a 64 MiB cookie taken again and again (on
 *				CPU 1) and peeked at (also CPU 1) while
 *				64-byte writes, one every 50 us, run on
 *				CPU 0, as make bench's latency figure; the
 *				first write slower than THRESHOLD_US is
 *				named in the trace (trace_marker) and stops
 *				tracing, so that the trace ends with it
 *	bench-loop gaps SECONDS CPU
 *				spins on CPU reading the clock: how often
 *				and how long the CPU itself was away (under
 *				QEMU, its vCPU thread not run by the host),
 *				with no module involved
 *
 * Prints one line: what ran, how many, how long in all; for latency, the
 * worst and median write and how many were over the threshold.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/wait.h>

#include "fortune.h"

#define COOKIE_LEN	64
#define BIG_LEN		(1u << 20)
#define LATENCY_BIG	(64u << 20)
#define MAX_WRITES	(1u << 20)
#define TRACING		"/sys/kernel/tracing/"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, "bench-loop: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		die("sched_setaffinity");
}

static int open_pot(int flags)
{
	int fd = open(FORTUNE_PROC_PATH, flags | O_CLOEXEC);

	if (fd < 0)
		die("open " FORTUNE_PROC_PATH);
	return fd;
}

/* Writes @len bytes of @text to @fd; a full pot is cleared and tried again. */
static void add(int fd, const char *text, size_t len)
{
	while (write(fd, text, len) != (ssize_t)len) {
		if (errno != ENOSPC)
			die("write");
		if (ioctl(fd, FORTUNE_IOC_CLEAR))
			die("clear");
	}
}

static void writer_loop(const char *what, unsigned long n)
{
	static char text[BIG_LEN];
	unsigned long i;
	int fd;

	memset(text, 'x', sizeof(text));
	if (!strcmp(what, "null")) {
		fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
		if (fd < 0)
			die("open /dev/null");
		for (i = 0; i < n; i++)
			if (write(fd, text, COOKIE_LEN) != COOKIE_LEN)
				die("write /dev/null");
	} else if (!strcmp(what, "empty")) {
		fd = open_pot(O_WRONLY);
		for (i = 0; i < n; i++)
			if (write(fd, text, 0) != -1 || errno != EINVAL)
				die("0-byte write not refused");
	} else if (!strcmp(what, "write")) {
		fd = open_pot(O_WRONLY);
		for (i = 0; i < n; i++)
			add(fd, text, COOKIE_LEN);
	} else if (!strcmp(what, "big")) {
		fd = open_pot(O_WRONLY);
		for (i = 0; i < n; i++) {
			if (ioctl(fd, FORTUNE_IOC_CLEAR))
				die("clear");
			add(fd, text, BIG_LEN);
		}
	} else {
		fprintf(stderr, "bench-loop: no loop '%s'\n", what);
		exit(2);
	}
	close(fd);
}

/* In a child on CPU 1: takes (@peek 0) or peeks at the big cookie, forever. */
static void latency_load(int peek)
{
	struct fortune_peek p = { 0 };
	char *buf = malloc(LATENCY_BIG);
	int fd;

	if (!buf)
		_exit(1);
	memset(buf, 0, LATENCY_BIG);
	pin(1);
	for (;;) {
		fd = open_pot(O_RDONLY);
		if (peek) {
			p.pos = 0;
			p.buf = (uintptr_t)buf;
			p.size = LATENCY_BIG;
			if (ioctl(fd, FORTUNE_IOC_PEEK, &p))
				_exit(3);
		} else {
			/* 8 KiB at a time, as cat (and make bench) */
			while (read(fd, buf, 8192) > 0)
				;
		}
		close(fd);
	}
}

static void put(const char *file, const char *text)
{
	int fd = open(file, O_WRONLY | O_CLOEXEC);

	if (fd < 0 || write(fd, text, strlen(text)) < 0)
		fprintf(stderr, "bench-loop: %s: %s\n", file, strerror(errno));
	if (fd >= 0)
		close(fd);
}

static int by_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void latency(double seconds, double threshold_us)
{
	static double lat[MAX_WRITES];
	char text[COOKIE_LEN], note[128];
	unsigned long n = 0, over = 0;
	pid_t pid[2];
	double end, t;
	char *big;
	int fd, i;

	big = malloc(LATENCY_BIG);
	if (!big)
		die("malloc");
	memset(big, 'L', LATENCY_BIG);
	fd = open_pot(O_WRONLY);
	add(fd, big, LATENCY_BIG);
	free(big);
	pin(0);
	for (i = 0; i < 2; i++) {
		pid[i] = fork();
		if (pid[i] < 0)
			die("fork");
		if (!pid[i])
			latency_load(i);
	}
	usleep(500000);
	memset(text, 'l', sizeof(text));
	for (end = now() + seconds; n < MAX_WRITES && (t = now()) < end;) {
		if (write(fd, text, sizeof(text)) != sizeof(text))
			die("latency write");
		lat[n] = (now() - t) * 1e6;
		if (lat[n] > threshold_us && !over++) {
			snprintf(note, sizeof(note),
				 "bench-loop: slow write, %.0f us\n", lat[n]);
			put(TRACING "trace_marker", note);
			put(TRACING "tracing_on", "0");
		}
		n++;
		usleep(50);
	}
	for (i = 0; i < 2; i++) {
		kill(pid[i], SIGKILL);
		waitpid(pid[i], NULL, 0);
	}
	close(fd);
	qsort(lat, n, sizeof(lat[0]), by_double);
	printf("latency: %lu writes in %.1f s, worst %.1f us, median %.1f us, %lu over %.0f us\n",
	       n, seconds, n ? lat[n - 1] : 0, n ? lat[n / 2] : 0, over,
	       threshold_us);
}

static void gaps(double seconds, int cpu)
{
	unsigned long over1 = 0, over5 = 0;
	double t, last, end, worst = 0;

	pin(cpu);
	last = now();
	for (end = last + seconds; (t = now()) < end; last = t) {
		if (t - last > worst)
			worst = t - last;
		over1 += t - last > 1e-3;
		over5 += t - last > 5e-3;
	}
	printf("gaps: CPU %d, %.1f s: %lu over 1 ms, %lu over 5 ms, worst %.1f ms\n",
	       cpu, seconds, over1, over5, worst * 1e3);
}

int main(int argc, char **argv)
{
	double start = now();

	if (argc != 3 && !(argc == 4 && (!strcmp(argv[1], "latency") ||
					  !strcmp(argv[1], "gaps")))) {
		fprintf(stderr, "usage: bench-loop null|empty|write|big N\n"
				"       bench-loop latency SECONDS THRESHOLD_US\n"
				"       bench-loop gaps SECONDS CPU\n");
		return 2;
	}
	if (argc == 4 && !strcmp(argv[1], "gaps")) {
		gaps(atof(argv[2]), atoi(argv[3]));
		return 0;
	}
	if (argc == 4) {
		latency(atof(argv[2]), atof(argv[3]));
		return 0;
	}
	pin(0);
	writer_loop(argv[1], strtoul(argv[2], NULL, 0));
	printf("loop %s: %s in %.2f s\n", argv[1], argv[2], now() - start);
	return 0;
}
