// SPDX-License-Identifier: GPL-2.0
/*
 * bench - what a cookie costs, against the kernel's own floor
 *
 * Runs in the guest as /tests/bench when tests/init is in bench mode, with
 * the module not loaded.  It loads /lib/fortune/fortune.ko (or $FORTUNE_KO)
 * itself, several times with different pot sizes, and unloads it at the
 * end.
 *
 * Every figure is the best of ROUNDS rounds of n iterations, n chosen so
 * that a round takes about ROUND_SECONDS.  A figure and its baseline run
 * interleaved, one operation of each in turn, so that a host that slows
 * the emulated CPU down slows both alike; ratios, not absolute times, are
 * what compares from one machine to the next.  A benchmark reports and
 * never fails: anything that goes wrong is an "error" line, and the host
 * decides what to make of it.
 *
 * Standard output is plain text, one record a line, fields separated by
 * single spaces (scripts/bench.sh reads it):
 *
 *	info KEY VALUE...		about the run
 *	time NAME US ITERATIONS MEAN	microseconds per operation
 *	curve SERIES STORED US MEAN	the same, by cookies stored
 *	readers FILE N OPS_PER_S	N processes taking at once, in total
 *	scaling ROUND RATIO		one round's 2-reader scaling of
 *					/proc/fortune over /proc/version's
 *	size SERIES BYTES US MEAN	the cost against the cookie's size
 *	value NAME NUMBER		anything else
 *	error TEXT			a measurement that could not be made
 *
 * US is the typical operation (the median of a round, each operation timed
 * on its own), MEAN the round's mean; both from the best round.
 *
 * The curve's series: seq and random (taking a cookie in that order),
 * evict (a write that evicts plus a take, in a full pot with evict=Y), and
 * floor, random_floor and evict_floor: /proc/version taken alongside
 * each of them.  The first point (1 stored) is measured
 * once more at the end, as SERIES_again, so that the host can bracket what
 * drifted in between.
 *
 * The size series: take (open, read to the end, close, with one cookie of
 * BYTES stored), write (a clear, then a write of BYTES) and floor
 * (/proc/version, alongside); with the suffix _before, the same for the
 * module as it was before (BEFORE_PATH), when scripts/bench.sh built it.
 *
 * Progress goes to standard error (the guest's console).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include "fortune.h"

#define MODULE_PATH	"/lib/fortune/fortune.ko"
/* The module as it was before, if scripts/bench.sh put it there. */
#define BEFORE_PATH	"/lib/fortune/fortune-before.ko"
#define PARAMS_DIR	"/sys/module/fortune/parameters/"
#define FORTUNECTL	"/usr/bin/fortunectl"
#define FORTUNES_DIR	"/usr/share/games/fortunes"

#define ROUNDS		7
#define ROUND_SECONDS	0.2
/* Calibration doubles the iterations until a batch takes this long. */
#define CALIB_SECONDS	0.02
/* The most operations measure_set() times side by side. */
#define MAX_SET		4

/* The cookies stored: 64 bytes of text each, no newline. */
#define COOKIE_LEN	64
#define COOKIE_COST	(COOKIE_LEN + FORTUNE_COOKIE_OVERHEAD)
/* The main pot: room for the whole curve, and then some until ENOSPC. */
#define BIG_POT		(16u << 20)

#define READER_SECONDS	0.5
#define READER_SLICE	0.005
#define READER_ROUNDS	9
#define LOAD_ROUNDS	3

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* The cookie counts the curve is drawn at. */
static const unsigned long curve_points[] = {
	1, 10, 100, 1000, 10000, 100000, 200000,
};

static const unsigned int reader_counts[] = { 1, 2, 4 };

/* The cookie sizes the cost against size is drawn at, 1 byte to 1 MiB. */
static const unsigned long size_points[] = {
	1, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576,
};

#define SIZE_MAX_POINT	1048576
/* Holds the biggest cookie twice over, with room for the overhead. */
#define SIZE_POT	(4u << 20)

/* Where reads land: 8 KiB at a time, as cat(1) reads. */
static char sink[8192];

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void progress(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static void progress(const char *fmt, ...)
{
	va_list ap;

	fputs("bench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void report_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/* An "error" line on the results, and the same on the console. */
static void report_error(const char *fmt, ...)
{
	char msg[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printf("error %s\n", msg);
	progress("error: %s", msg);
}

/* Keeps the calling process on @cpu, or on every CPU when @cpu is -1. */
static void pin(int cpu)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t set;
	long i;

	CPU_ZERO(&set);
	for (i = 0; i < cpus && i < CPU_SETSIZE; i++)
		if (cpu < 0 || i == cpu)
			CPU_SET(i, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		report_error("sched_setaffinity: %m");
}

/* ---- the module ---- */

/* Which fortune.ko load() loads: NULL for $FORTUNE_KO or MODULE_PATH. */
static const char *module_path;

static int module_load(const char *params)
{
	const char *path = module_path ? module_path : getenv("FORTUNE_KO");
	int fd, ret = 0;

	fd = open(path && *path ? path : MODULE_PATH, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (syscall(SYS_finit_module, fd, params, 0))
		ret = -errno;
	close(fd);
	return ret;
}

static int module_unload(void)
{
	return syscall(SYS_delete_module, "fortune", O_NONBLOCK) ? -errno : 0;
}

/* Loads the module with @params; an error line and -1 if it fails. */
static int load(const char *params)
{
	int ret = module_load(params);

	if (ret) {
		report_error("loading fortune.ko %s: %s", params,
			     strerror(-ret));
		return -1;
	}
	return 0;
}

static void unload(void)
{
	int ret = module_unload();

	if (ret)
		report_error("rmmod fortune: %s", strerror(-ret));
}

/* Writes @value to the run-time parameter @name; 0 or -1. */
static int set_param(const char *name, const char *value)
{
	char path[128];
	ssize_t len = strlen(value);
	int fd, ok;

	snprintf(path, sizeof(path), PARAMS_DIR "%s", name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		report_error("open %s: %m", path);
		return -1;
	}
	ok = write(fd, value, len) == len;
	if (!ok)
		report_error("%s=%s: %m", name, value);
	close(fd);
	return ok ? 0 : -1;
}

/* ---- the pot, through its real interface ---- */

/* The fd that cookies are added through; also used for ioctls. */
static int pot_fd = -1;

static int pot_open(void)
{
	pot_fd = open(FORTUNE_PROC_PATH, O_WRONLY | O_CLOEXEC);
	if (pot_fd < 0) {
		report_error("open %s for writing: %m", FORTUNE_PROC_PATH);
		return -1;
	}
	return 0;
}

static void pot_close(void)
{
	if (pot_fd >= 0)
		close(pot_fd);
	pot_fd = -1;
}

static int pot_stats(struct fortune_stats *st)
{
	if (ioctl(pot_fd, FORTUNE_IOC_STATS, st)) {
		report_error("FORTUNE_IOC_STATS: %m");
		return -1;
	}
	return 0;
}

static int pot_clear(void)
{
	if (ioctl(pot_fd, FORTUNE_IOC_CLEAR)) {
		report_error("FORTUNE_IOC_CLEAR: %m");
		return -1;
	}
	return 0;
}

/* Cookie number @n: its number, then filler, COOKIE_LEN bytes in all. */
static void make_cookie(char *buf, unsigned long n)
{
	int len = snprintf(buf, COOKIE_LEN + 1, "cookie %lu: ", n);

	memset(buf + len, 'a' + n % 26, COOKIE_LEN - len);
}

/*
 * Adds cookies until @want are stored (or until ENOSPC when @want is 0);
 * returns the number stored, or -1 after an error line.
 */
static long pot_fill(unsigned long want)
{
	struct fortune_stats st;
	char cookie[COOKIE_LEN + 1];
	unsigned long count;

	if (pot_stats(&st))
		return -1;
	for (count = st.cookies; !want || count < want; count++) {
		make_cookie(cookie, count);
		if (write(pot_fd, cookie, COOKIE_LEN) == COOKIE_LEN)
			continue;
		if (!want && errno == ENOSPC)
			break;
		report_error("adding cookie %lu: %m", count + 1);
		return -1;
	}
	return count;
}

/* ---- timing ---- */

/*
 * Under TCG the emulated CPU runs only when the host lets it, and at a
 * speed that depends on what else the host runs.  So the operations that
 * are compared run interleaved, one of each in turn, each timed on its own
 * with the TSC (the host's, under TCG): whatever slows the machine down
 * slows them alike.  The median of a round is an operation's typical cost,
 * which a millisecond lost to the host now and then does not move.  The
 * process stays on one CPU, whose TSC it reads.
 */
static double tsc_per_us;
/* What reading the TSC twice in a row costs, taken off every sample. */
static uint32_t tsc_overhead;

/* One operation to time; returns 0, or -1 with errno set. */
typedef int (*op_fn)(void *ctx);

struct op {
	const char *name;
	op_fn run;
	void *ctx;
	/* Called before each round, untimed (may be NULL). */
	int (*reset)(void);
	/* Most iterations a round may do (0: no limit). */
	unsigned long max_iters;
};

/* What one op measured, in microseconds per operation. */
struct timing {
	double median;	/* the median operation of a round */
	double mean;	/* the mean operation of a round */
};

/* One sample per operation of the round being timed, in TSC ticks. */
static uint32_t *samples[MAX_SET];
static unsigned long samples_size;

static int samples_reserve(unsigned long n)
{
	uint32_t *bigger;
	unsigned int i;

	if (n <= samples_size)
		return 0;
	for (i = 0; i < MAX_SET; i++) {
		bigger = realloc(samples[i], n * sizeof(*bigger));
		if (!bigger) {
			report_error("no memory for %lu samples", n);
			return -1;
		}
		samples[i] = bigger;
	}
	samples_size = n;
	return 0;
}

static int by_value(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* The median and mean of @n samples, in TSC ticks, overhead taken off. */
static struct timing summarise(uint32_t *sample, unsigned long n)
{
	struct timing t = { 0, 0 };
	unsigned long i;

	for (i = 0; i < n; i++)
		t.mean += sample[i];
	t.mean = t.mean / n - tsc_overhead;
	qsort(sample, n, sizeof(*sample), by_value);
	t.median = (double)sample[n / 2] - tsc_overhead;
	t.median = (t.median > 0 ? t.median : 0) / tsc_per_us;
	t.mean = (t.mean > 0 ? t.mean : 0) / tsc_per_us;
	return t;
}

static int tsc_calibrate(void)
{
	unsigned long i, n = 1000;
	double start = now(), t;
	uint64_t first = __rdtsc(), last;

	do {
		t = now();
		last = __rdtsc();
	} while (t - start < 0.2);
	tsc_per_us = (last - first) / ((t - start) * 1e6);
	if (samples_reserve(n))
		return -1;
	for (i = 0; i < n; i++) {
		first = __rdtsc();
		samples[0][i] = __rdtsc() - first;
	}
	qsort(samples[0], n, sizeof(*samples[0]), by_value);
	tsc_overhead = samples[0][n / 2];
	printf("info tsc_mhz %.1f\n", tsc_per_us);
	printf("info tsc_overhead_us %.4f\n", tsc_overhead / tsc_per_us);
	return 0;
}

/*
 * One round: @n iterations, each running every op of @ops once in turn,
 * each timed on its own.  @t gets each op's median and mean.  Returns the
 * round's length in seconds, or a negative number after an error line.
 */
static double run_round(const struct op *ops, unsigned int count,
			unsigned long n, struct timing *t)
{
	unsigned long i;
	unsigned int k;
	uint64_t before;
	double start;

	if (samples_reserve(n))
		return -1;
	for (k = 0; k < count; k++)
		if (ops[k].reset && ops[k].reset())
			return -1;
	start = now();
	for (i = 0; i < n; i++) {
		for (k = 0; k < count; k++) {
			before = __rdtsc();
			if (ops[k].run(ops[k].ctx)) {
				report_error("%s: iteration %lu: %m",
					     ops[k].name, i + 1);
				return -1;
			}
			samples[k][i] = __rdtsc() - before;
		}
	}
	start = now() - start;
	for (k = 0; k < count; k++)
		t[k] = summarise(samples[k], n);
	return start;
}

/* How many iterations make a round of about ROUND_SECONDS. */
static unsigned long calibrate(const struct op *ops, unsigned int count)
{
	unsigned long n = 16, most = 0;
	struct timing t[MAX_SET];
	unsigned int k;
	double secs;

	for (k = 0; k < count; k++)
		if (ops[k].max_iters && (!most || ops[k].max_iters < most))
			most = ops[k].max_iters;
	for (;;) {
		secs = run_round(ops, count, n, t);
		if (secs < 0)
			return 0;
		if (secs >= CALIB_SECONDS || (most && n >= most))
			break;
		n *= 2;
		if (most && n > most)
			n = most;
	}
	n = n * (ROUND_SECONDS / (secs > 0 ? secs : 1e-6)) + 1;
	if (most && n > most)
		n = most;
	return n;
}

/*
 * Times the ops of @ops interleaved, ROUNDS rounds, and gives each its
 * best round in @best (median and mean apart); @iters, if not NULL, gets
 * the iterations per round.  Returns 0, or -1 after an error line.
 */
static int measure_set(const struct op *ops, unsigned int count,
		       struct timing *best, unsigned long *iters)
{
	struct timing t[MAX_SET];
	unsigned int k, round;
	unsigned long n;

	if (count > MAX_SET)
		return -1;
	n = calibrate(ops, count);
	if (!n)
		return -1;
	if (iters)
		*iters = n;
	for (k = 0; k < count; k++) {
		best[k].median = -1;
		best[k].mean = -1;
	}
	for (round = 0; round < ROUNDS; round++) {
		if (run_round(ops, count, n, t) < 0)
			return -1;
		for (k = 0; k < count; k++) {
			if (best[k].median < 0 || t[k].median < best[k].median)
				best[k].median = t[k].median;
			if (best[k].mean < 0 || t[k].mean < best[k].mean)
				best[k].mean = t[k].mean;
		}
	}
	return 0;
}

/* ---- the operations ---- */

/*
 * Taking a cookie as cat(1) does: open, read() of 8 KiB until end of
 * file, close.  @ctx is the path.
 */
static int op_take(void *ctx)
{
	int fd = open(ctx, O_RDONLY | O_CLOEXEC);
	ssize_t n, total = 0;

	if (fd < 0)
		return -1;
	while ((n = read(fd, sink, sizeof(sink))) > 0)
		total += n;
	close(fd);
	if (n < 0 || !total) {
		if (!n)
			errno = ENODATA;
		return -1;
	}
	return 0;
}

/* Where reads of whole big cookies land. */
static char big_sink[SIZE_MAX_POINT + 1];

/* Taking a cookie and reading all of it: open, read to the end, close. */
static int op_take_all(void *ctx)
{
	int fd = open(ctx, O_RDONLY | O_CLOEXEC);
	ssize_t n, total = 0;

	if (fd < 0)
		return -1;
	while ((n = read(fd, big_sink, sizeof(big_sink))) > 0)
		total += n;
	close(fd);
	if (n < 0 || !total) {
		if (!n)
			errno = ENODATA;
		return -1;
	}
	return 0;
}

/* What op_write_sized() writes: SIZE_MAX_POINT bytes, no NUL, no newline. */
static char *size_text;
static unsigned long size_len;

/* Empties the pot, then adds one cookie of size_len bytes. */
static int op_write_sized(void *ctx)
{
	(void)ctx;
	if (ioctl(pot_fd, FORTUNE_IOC_CLEAR))
		return -1;
	return write(pot_fd, size_text, size_len) == (ssize_t)size_len ?
	       0 : -1;
}

/* What op_write() writes: a cookie made by make_cookie(). */
static char write_text[COOKIE_LEN + 1];

/* A 64-byte write on an fd that stays open.  @ctx points at the fd. */
static int op_write(void *ctx)
{
	return write(*(int *)ctx, write_text, COOKIE_LEN) == COOKIE_LEN ?
	       0 : -1;
}

/*
 * A write of no bytes to /proc/fortune, which the module refuses (EINVAL)
 * before it looks at anything: what the VFS and procfs cost on their own.
 */
static int op_write_empty(void *ctx)
{
	return write(*(int *)ctx, write_text, 0) < 0 && errno == EINVAL ?
	       0 : -1;
}

/* A full pot with evict=Y: one write (which evicts), then one take. */
static int op_write_take(void *ctx)
{
	if (op_write(&pot_fd))
		return -1;
	return op_take(ctx);
}

static int order_seq(void)
{
	return set_param("order", "seq");
}

static int order_random(void)
{
	return set_param("order", "random");
}

/* ---- the figures ---- */

static void bench_write(void)
{
	struct op ops[] = {
		{ .name = "write_null", .run = op_write },
		/* Each adds a cookie: every round starts with an empty pot. */
		{ .name = "write_fortune", .run = op_write, .ctx = &pot_fd,
		  .reset = pot_clear, .max_iters = BIG_POT / COOKIE_COST },
		{ .name = "write_empty", .run = op_write_empty, .ctx = &pot_fd },
	};
	struct timing best[ARRAY_SIZE(ops)];
	unsigned long iters;
	unsigned int i;
	int null_fd;

	null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (null_fd < 0) {
		report_error("open /dev/null: %m");
		return;
	}
	ops[0].ctx = &null_fd;
	progress("timing 64-byte writes");
	if (!measure_set(ops, ARRAY_SIZE(ops), best, &iters))
		for (i = 0; i < ARRAY_SIZE(ops); i++)
			printf("time %s %.4f %lu %.4f\n", ops[i].name,
			       best[i].median, iters, best[i].mean);
	close(null_fd);
}

static void print_curve(const char * const *series, unsigned int count,
			const char *suffix, unsigned long stored,
			const struct timing *best)
{
	unsigned int i;

	for (i = 0; i < count; i++)
		printf("curve %s%s %lu %.4f %.4f\n", series[i], suffix, stored,
		       best[i].median, best[i].mean);
}

/*
 * Takes with @stored cookies in the pot: in seq order interleaved with
 * takes of /proc/version (the "floor" series), then the same in random
 * order ("random", "random_floor").
 */
static int measure_takes(unsigned long stored, const char *suffix)
{
	static const char * const seq_series[] = { "seq", "floor" };
	static const char * const random_series[] = {
		"random", "random_floor",
	};
	const struct op seq_ops[] = {
		{ .name = "take_seq", .run = op_take,
		  .ctx = FORTUNE_PROC_PATH, .reset = order_seq },
		{ .name = "take_version", .run = op_take,
		  .ctx = "/proc/version" },
	};
	const struct op random_ops[] = {
		{ .name = "take_random", .run = op_take,
		  .ctx = FORTUNE_PROC_PATH, .reset = order_random },
		{ .name = "take_version", .run = op_take,
		  .ctx = "/proc/version" },
	};
	struct timing best[2];

	progress("timing takes with %lu stored", stored);
	if (measure_set(seq_ops, 2, best, NULL))
		return -1;
	print_curve(seq_series, 2, suffix, stored, best);
	if (measure_set(random_ops, 2, best, NULL))
		return -1;
	print_curve(random_series, 2, suffix, stored, best);
	return order_seq();
}

/* The cost of a take at each point of the curve. */
static void bench_curve(void)
{
	unsigned int i;

	if (pot_clear())
		return;
	for (i = 0; i < ARRAY_SIZE(curve_points); i++) {
		unsigned long stored = curve_points[i];

		progress("filling the pot to %lu cookies", stored);
		if (pot_fill(stored) < 0 || measure_takes(stored, ""))
			return;
	}

	/*
	 * One stored again, now that the pot has held the most: the first
	 * and the last point bracket whatever drifted in between.
	 */
	if (pot_clear() || pot_fill(1) < 0)
		return;
	measure_takes(1, "_again");
}

/*
 * The cost against the cookie's size, with the module at @path (NULL: the
 * one under test): taking and reading a cookie of each size, and writing
 * one, interleaved with /proc/version; series names end in @suffix.
 */
static void bench_sizes(const char *path, const char *suffix)
{
	static const char * const series[] = { "take", "write", "floor" };
	const struct op ops[] = {
		{ .name = "take_all", .run = op_take_all,
		  .ctx = FORTUNE_PROC_PATH },
		{ .name = "write_sized", .run = op_write_sized },
		{ .name = "take_version", .run = op_take,
		  .ctx = "/proc/version" },
	};
	struct timing best[ARRAY_SIZE(ops)];
	char params[64];
	unsigned int i, k;

	if (!size_text) {
		size_text = malloc(SIZE_MAX_POINT);
		if (!size_text) {
			report_error("no memory for the size series");
			return;
		}
		for (i = 0; i < SIZE_MAX_POINT; i++)
			size_text[i] = 'a' + i % 26;
	}
	module_path = path;
	snprintf(params, sizeof(params), "pot_size=%u", SIZE_POT);
	if (load(params))
		goto out;
	if (pot_open())
		goto out_unload;
	for (i = 0; i < ARRAY_SIZE(size_points); i++) {
		size_len = size_points[i];
		progress("timing %lu-byte cookies%s", size_len, suffix);
		if (op_write_sized(NULL)) {
			report_error("writing a %lu-byte cookie: %m", size_len);
			break;
		}
		if (measure_set(ops, ARRAY_SIZE(ops), best, NULL))
			break;
		for (k = 0; k < ARRAY_SIZE(ops); k++)
			printf("size %s%s %lu %.4f %.4f\n", series[k], suffix,
			       size_len, best[k].median, best[k].mean);
	}
	pot_close();
out_unload:
	unload();
out:
	module_path = NULL;
}

/* Bytes of the pot a 64-byte cookie uses beyond its text. */
static void bench_overhead(void)
{
	struct fortune_stats st;
	long count;

	progress("filling the pot until ENOSPC");
	count = pot_fill(0);
	if (count <= 0 || pot_stats(&st))
		return;
	printf("value full_cookies %ld\n", count);
	printf("value full_capacity %llu\n", (unsigned long long)st.capacity);
	printf("value full_used %llu\n", (unsigned long long)st.used);
	printf("value overhead_pot %.4f\n",
	       (double)(st.capacity - (unsigned long long)count * COOKIE_LEN) /
	       count);
	printf("value overhead_used %.4f\n",
	       (double)(st.used - (unsigned long long)count * COOKIE_LEN) /
	       count);
}

/* The files readers take from, in turn: the module's, and the baseline. */
static const char * const reader_paths[] = {
	FORTUNE_PROC_PATH, "/proc/version",
};

/*
 * One child of bench_readers(): waits for the start, then takes for
 * READER_SECONDS from each file of reader_paths[] in turn, switching every
 * READER_SLICE seconds of the clock that all readers share.  At any moment
 * every reader thus takes from the same file, and whatever slows the
 * machine for more than a few slices (under TCG, the host) slows both files
 * alike.  Leaves in @rate[p] its takes per second from file p, over the
 * time it spent taking from that file.
 */
static void reader(int start_fd, double *rate)
{
	unsigned long ops[ARRAY_SIZE(reader_paths)] = { 0 };
	double secs[ARRAY_SIZE(reader_paths)] = { 0 };
	double end, t, before;
	unsigned int p;
	char c;

	pin(-1);
	if (read(start_fd, &c, 1) < 0)
		_exit(1);
	t = now();
	end = t + READER_SECONDS;
	while (t < end) {
		p = (unsigned long)(t / READER_SLICE) % ARRAY_SIZE(reader_paths);
		before = t;
		if (op_take((void *)reader_paths[p]))
			_exit(1);
		t = now();
		ops[p]++;
		secs[p] += t - before;
	}
	for (p = 0; p < ARRAY_SIZE(reader_paths); p++)
		rate[p] = secs[p] > 0 ? ops[p] / secs[p] : 0;
	_exit(0);
}

/*
 * @n readers at once; @total[p] gets their takes per second from file p of
 * reader_paths[], in total.  Returns 0, or -1 after an error line.
 */
static int readers_rate(unsigned int n, double *rates, double *total)
{
	const unsigned int files = ARRAY_SIZE(reader_paths);
	int pipefd[2], failed = 0;
	unsigned int i, p;
	int status;

	if (pipe(pipefd)) {
		report_error("pipe: %m");
		return -1;
	}
	for (i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			report_error("fork: %m");
			failed = 1;
			break;
		}
		if (!pid) {
			close(pipefd[1]);
			reader(pipefd[0], &rates[i * files]);
		}
	}
	close(pipefd[0]);
	/* End of file on the pipe starts every reader at once. */
	close(pipefd[1]);
	while (wait(&status) > 0)
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			failed = 1;
	if (failed) {
		report_error("%u readers: a reader failed", n);
		return -1;
	}
	for (p = 0; p < files; p++) {
		total[p] = 0;
		for (i = 0; i < n; i++)
			total[p] += rates[i * files + p];
	}
	return 0;
}

/*
 * Takes per second, in total, of 1, 2 and 4 readers at once, from a pot of
 * 1000 cookies and from /proc/version, the two in turn within each run of
 * readers (reader()).  Each case keeps its best of READER_ROUNDS rounds.
 *
 * Each round also gives its own scaling figure: how much more 2 readers of
 * /proc/fortune take than 1, over the same for /proc/version.  Since the
 * two files share every moment of a run, the host's share of the machine
 * cancels out of each run's fortune / version ratio, and the figure is
 * that of 2 readers over that of 1.  The host takes the median.
 */
static void bench_readers(void)
{
	const unsigned int files = ARRAY_SIZE(reader_paths);
	double best[ARRAY_SIZE(reader_paths)][ARRAY_SIZE(reader_counts)] = { { 0 } };
	double this[ARRAY_SIZE(reader_counts)][ARRAY_SIZE(reader_paths)];
	unsigned int p, i, round;
	double *rates;

	/* Room for each reader's rate from each file. */
	rates = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (rates == MAP_FAILED) {
		report_error("mmap: %m");
		return;
	}
	if (pot_clear() || pot_fill(1000) < 0)
		goto out;
	progress("readers at once");
	for (round = 0; round < READER_ROUNDS; round++) {
		for (i = 0; i < ARRAY_SIZE(reader_counts); i++) {
			if (readers_rate(reader_counts[i], rates, this[i]))
				goto out;
			for (p = 0; p < files; p++)
				if (this[i][p] > best[p][i])
					best[p][i] = this[i][p];
		}
		/* reader_counts[] begins 1, 2. */
		printf("scaling %u %.4f\n", round + 1,
		       (this[1][0] / this[0][0]) / (this[1][1] / this[0][1]));
	}
	for (p = 0; p < files; p++)
		for (i = 0; i < ARRAY_SIZE(reader_counts); i++)
			printf("readers %s %u %.1f\n", reader_paths[p],
			       reader_counts[i], best[p][i]);
out:
	munmap(rates, 4096);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char * const *)a, *(char * const *)b);
}

/*
 * The fortune files in FORTUNES_DIR: every regular file whose name has no
 * dot (not the .dat indexes, not the .u8 links).  NULL-terminated, sorted,
 * after "fortunectl" and "load" so that it is an argv; NULL on error.
 */
static char **fortune_files(unsigned int *count, unsigned long *bytes)
{
	size_t n = 2, cap = 64;
	struct dirent *de;
	char **argv;
	DIR *dir;

	dir = opendir(FORTUNES_DIR);
	argv = malloc(cap * sizeof(*argv));
	if (!dir || !argv) {
		report_error("reading " FORTUNES_DIR ": %m");
		if (dir)
			closedir(dir);
		free(argv);
		return NULL;
	}
	argv[0] = FORTUNECTL;
	argv[1] = "load";
	*bytes = 0;
	while ((de = readdir(dir))) {
		struct stat st;
		char *path;

		if (strchr(de->d_name, '.'))
			continue;
		if (asprintf(&path, FORTUNES_DIR "/%s", de->d_name) < 0)
			break;
		if (stat(path, &st) || !S_ISREG(st.st_mode)) {
			free(path);
			continue;
		}
		if (n + 2 > cap) {
			cap *= 2;
			argv = realloc(argv, cap * sizeof(*argv));
			if (!argv)
				break;
		}
		argv[n++] = path;
		*bytes += st.st_size;
	}
	closedir(dir);
	if (!argv)
		return NULL;
	qsort(argv + 2, n - 2, sizeof(*argv), by_name);
	argv[n] = NULL;
	*count = n - 2;
	return argv;
}

/* Seconds that `fortunectl load FILE...` takes; negative on error. */
static double run_fortunectl(char **argv)
{
	double start = now();
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0) {
		report_error("fork: %m");
		return -1;
	}
	if (!pid) {
		/* Its complaints go to the console with ours. */
		dup2(STDERR_FILENO, STDOUT_FILENO);
		execv(FORTUNECTL, argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status)) {
		report_error("fortunectl load: exit status %d", status);
		return -1;
	}
	return now() - start;
}

/* Loading Debian's fortune files with fortunectl, per cookie. */
static void bench_fortunectl(void)
{
	struct fortune_stats before, after;
	unsigned long bytes, added = 0;
	double best = -1, t;
	unsigned int files, round;
	char **argv;

	if (access(FORTUNECTL, X_OK)) {
		report_error(FORTUNECTL ": %m");
		return;
	}
	argv = fortune_files(&files, &bytes);
	if (!argv)
		return;
	if (!files) {
		report_error("no fortune files in " FORTUNES_DIR);
		goto out;
	}
	progress("fortunectl load: %u files, %lu bytes", files, bytes);
	for (round = 0; round < LOAD_ROUNDS; round++) {
		if (pot_clear() || pot_stats(&before))
			goto out;
		t = run_fortunectl(argv);
		if (t < 0 || pot_stats(&after))
			goto out;
		added = after.added - before.added;
		if (best < 0 || t < best)
			best = t;
	}
	printf("value load_files %u\n", files);
	printf("value load_bytes %lu\n", bytes);
	printf("value load_cookies %lu\n", added);
	printf("value load_seconds %.4f\n", best);
	if (added)
		printf("value load_us_per_cookie %.4f\n", best * 1e6 / added);
out:
	while (argv && files--)
		free(argv[files + 2]);
	free(argv);
}

/*
 * A full pot of @stored cookies with evict=Y, each iteration adding one
 * cookie (and so evicting the oldest) and taking one.
 */
static void bench_evict_point(unsigned long stored, const char *suffix)
{
	static const char * const series[] = { "evict", "evict_floor" };
	const struct op ops[] = {
		{ .name = "write_take_evict", .run = op_write_take,
		  .ctx = FORTUNE_PROC_PATH },
		{ .name = "take_version", .run = op_take,
		  .ctx = "/proc/version" },
	};
	struct fortune_stats before, after;
	struct timing best[ARRAY_SIZE(ops)];
	char params[64];
	long count;

	snprintf(params, sizeof(params), "pot_size=%lu evict=N",
		 stored * COOKIE_COST);
	if (load(params))
		return;
	if (pot_open())
		goto out;
	progress("filling a pot of %lu bytes", stored * COOKIE_COST);
	count = pot_fill(0);
	if (count < 0)
		goto out;
	if ((unsigned long)count != stored) {
		report_error("a pot of %lu bytes took %ld cookies, not %lu",
			     stored * COOKIE_COST, count, stored);
		goto out;
	}
	if (set_param("evict", "Y") || pot_stats(&before))
		goto out;
	progress("timing write + take with evict=Y, %lu stored", stored);
	if (measure_set(ops, ARRAY_SIZE(ops), best, NULL) || pot_stats(&after))
		goto out;
	print_curve(series, ARRAY_SIZE(series), suffix, stored, best);
	/* What was timed must be what was meant: one eviction per write. */
	if (after.evicted - before.evicted != after.added - before.added ||
	    after.cookies != stored)
		report_error("evict=Y, %lu stored: %llu writes evicted %llu cookies, %llu left",
			     stored,
			     (unsigned long long)(after.added - before.added),
			     (unsigned long long)(after.evicted - before.evicted),
			     (unsigned long long)after.cookies);
out:
	pot_close();
	unload();
}

/* ---- many big snapshots held ---- */

#define HELD_FILES	100000
/* Over the 256-byte snapshot a file owns: a shared one, by serial. */
#define HELD_LEN	300

/*
 * Takes (as cat does) of one cookie of HELD_LEN bytes, whose snapshot is
 * made, found by serial and dropped at each take, interleaved with
 * /proc/version: first with no other snapshot held, then while
 * HELD_FILES open files hold one each of HELD_FILES other cookies (taken,
 * then cleared from the pot: their snapshots stay while the files are
 * open).  "time take_held_none", "time take_held_many" and their floors.
 */
static void bench_held(void)
{
	const struct op ops[] = {
		{ .name = "take_held", .run = op_take,
		  .ctx = FORTUNE_PROC_PATH },
		{ .name = "take_version", .run = op_take,
		  .ctx = "/proc/version" },
	};
	struct rlimit lim = { HELD_FILES + 100, HELD_FILES + 100 };
	static int fds[HELD_FILES];
	struct timing best[2];
	char cookie[HELD_LEN];
	unsigned long i, held = 0;
	char c;

	memset(cookie, 'h', sizeof(cookie));
	if (setrlimit(RLIMIT_NOFILE, &lim)) {
		report_error("setrlimit NOFILE %d: %m", HELD_FILES + 100);
		return;
	}
	if (load("pot_size=33554432") || pot_open())
		goto out;
	if (write(pot_fd, cookie, HELD_LEN) != HELD_LEN) {
		report_error("adding a %d-byte cookie: %m", HELD_LEN);
		goto out;
	}
	progress("timing takes of a %d-byte cookie, no snapshot held", HELD_LEN);
	if (measure_set(ops, 2, best, NULL))
		goto out;
	printf("time take_held_none %.4f 0 %.4f\n", best[0].median, best[0].mean);
	printf("time floor_held_none %.4f 0 %.4f\n", best[1].median, best[1].mean);

	progress("holding %d snapshots", HELD_FILES);
	if (pot_clear())
		goto out;
	for (i = 0; i < HELD_FILES; i++) {
		snprintf(cookie, sizeof(cookie), "%lu", i);
		cookie[strlen(cookie)] = 'h';
		if (write(pot_fd, cookie, HELD_LEN) != HELD_LEN) {
			report_error("adding held cookie %lu: %m", i);
			goto out;
		}
	}
	for (held = 0; held < HELD_FILES; held++) {
		fds[held] = open(FORTUNE_PROC_PATH, O_RDONLY | O_CLOEXEC);
		if (fds[held] < 0 || read(fds[held], &c, 1) != 1) {
			report_error("holding snapshot %lu: %m", held);
			goto out;
		}
	}
	memset(cookie, 'h', sizeof(cookie));
	if (pot_clear() || write(pot_fd, cookie, HELD_LEN) != HELD_LEN) {
		report_error("the cookie to take: %m");
		goto out;
	}
	progress("timing takes of a %d-byte cookie, %d snapshots held",
		 HELD_LEN, HELD_FILES);
	if (measure_set(ops, 2, best, NULL))
		goto out;
	printf("time take_held_many %.4f 0 %.4f\n", best[0].median, best[0].mean);
	printf("time floor_held_many %.4f 0 %.4f\n", best[1].median, best[1].mean);
	printf("value held_snapshots %d\n", HELD_FILES);
out:
	while (held)
		close(fds[--held]);
	pot_close();
	unload();
}

/* ---- a small write's latency while a big cookie is taken ---- */

#define LATENCY_BIG	(64u << 20)
#define LATENCY_SECONDS	3.0

/* In a child on CPU 1: takes (@peek 0) or peeks at the big cookie, forever. */
static void latency_load(int peek)
{
	struct fortune_peek p = { 0 };
	char *buf = NULL;
	int fd;

	pin(1);
	if (peek) {
		buf = malloc(LATENCY_BIG);
		if (!buf)
			_exit(1);
		memset(buf, 0, LATENCY_BIG);
	}
	for (;;) {
		if (!peek) {
			if (op_take(FORTUNE_PROC_PATH))
				_exit(2);
			continue;
		}
		fd = open(FORTUNE_PROC_PATH, O_RDONLY | O_CLOEXEC);
		p.pos = 0;
		p.buf = (uintptr_t)buf;
		p.size = LATENCY_BIG;
		if (fd < 0 || ioctl(fd, FORTUNE_IOC_PEEK, &p))
			_exit(3);
		close(fd);
	}
}

static int by_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * 64-byte writes for @seconds, each timed, with a pause after each: the
 * worst and the median, in microseconds.
 */
static int latency_writes(double seconds, double *worst, double *median)
{
	static double lat[1 << 20];
	char text[COOKIE_LEN];
	unsigned long n = 0;
	double end = now() + seconds, t;

	memset(text, 'l', sizeof(text));
	while (n < ARRAY_SIZE(lat) && (t = now()) < end) {
		if (write(pot_fd, text, sizeof(text)) != sizeof(text)) {
			report_error("latency write: %m");
			return -1;
		}
		lat[n++] = (now() - t) * 1e6;
		/* One every 50 us or so: the pot's 32 MiB of room must last. */
		usleep(50);
	}
	if (!n) {
		report_error("no latency write in %.1f s", seconds);
		return -1;
	}
	qsort(lat, n, sizeof(lat[0]), by_double);
	*worst = lat[n - 1];
	*median = lat[n / 2];
	return 0;
}

/*
 * The worst latency of a 64-byte write on CPU 0 while, on CPU 1, one
 * process takes a 64 MiB cookie again and again (each take copies it
 * into a snapshot) and another peeks at it; beside it, the same writes
 * with nothing else running.
 */
static void bench_latency(void)
{
	double quiet_worst, quiet_median, worst, median;
	char *big;
	pid_t pid[2] = { -1, -1 };
	int i;

	big = malloc(LATENCY_BIG);
	if (!big) {
		report_error("malloc %u: %m", LATENCY_BIG);
		return;
	}
	memset(big, 'L', LATENCY_BIG);
	if (load("pot_size=100663296") || pot_open())
		goto out;
	if (write(pot_fd, big, LATENCY_BIG) != LATENCY_BIG) {
		report_error("adding a 64 MiB cookie: %m");
		goto out;
	}
	free(big);
	big = NULL;
	pin(0);
	progress("small writes alone");
	if (latency_writes(1.0, &quiet_worst, &quiet_median))
		goto out;
	for (i = 0; i < 2; i++) {
		pid[i] = fork();
		if (pid[i] < 0) {
			report_error("fork: %m");
			goto out;
		}
		if (!pid[i])
			latency_load(i);
	}
	progress("small writes while a 64 MiB cookie is taken and peeked at");
	usleep(500000);
	if (latency_writes(LATENCY_SECONDS, &worst, &median))
		goto out;
	printf("value write_latency_quiet_max_us %.1f\n", quiet_worst);
	printf("value write_latency_quiet_median_us %.1f\n", quiet_median);
	printf("value write_latency_max_us %.1f\n", worst);
	printf("value write_latency_median_us %.1f\n", median);
out:
	for (i = 0; i < 2; i++) {
		if (pid[i] > 0) {
			kill(pid[i], SIGKILL);
			waitpid(pid[i], NULL, 0);
		}
	}
	free(big);
	pot_close();
	unload();
}

static void print_info(void)
{
	const char *kernel = getenv("FORTUNE_KERNEL");
	struct utsname u;

	if (!uname(&u)) {
		printf("info release %s\n", u.release);
		printf("info version %s\n", u.version);
	}
	printf("info kernel %s\n", kernel ? kernel : "unknown");
	printf("info cpus %ld\n", sysconf(_SC_NPROCESSORS_ONLN));
	printf("info rounds %d\n", ROUNDS);
	printf("info round_seconds %.2f\n", ROUND_SECONDS);
	printf("info cookie_len %d\n", COOKIE_LEN);
}

int main(int argc, char **argv)
{
	/* "bench readers" (tests/profile.sh) measures only that figure. */
	int readers_only = argc > 1 && !strcmp(argv[1], "readers");
	char params[64];
	unsigned int i;
	double start = now();

	/* Line by line, so that a crash still leaves what was measured. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("# fortune.ko benchmark\n");
	print_info();
	pin(0);
	if (tsc_calibrate())
		return 0;
	make_cookie(write_text, 0);

	snprintf(params, sizeof(params), "pot_size=%u", BIG_POT);
	if (readers_only) {
		if (!load(params) && !pot_open())
			bench_readers();
		pot_close();
		unload();
		printf("# end\n");
		return 0;
	}
	if (!load(params)) {
		if (!pot_open()) {
			bench_write();
			bench_curve();
			bench_overhead();
			bench_readers();
			bench_fortunectl();
		}
		pot_close();
		unload();
	}
	for (i = 0; i < ARRAY_SIZE(curve_points); i++)
		bench_evict_point(curve_points[i], "");
	bench_evict_point(1, "_again");
	bench_held();
	bench_latency();
	bench_sizes(NULL, "");
	if (!access(BEFORE_PATH, R_OK))
		bench_sizes(BEFORE_PATH, "_before");

	printf("info seconds %.1f\n", now() - start);
	printf("# end\n");
	return 0;
}
