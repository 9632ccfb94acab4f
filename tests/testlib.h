/* SPDX-License-Identifier: GPL-2.0 */
/*
 * testlib.h - what the guest-side test programs of fortune.ko share
 *
 * A runner that gives every test its own process (so that a crash or a hang
 * costs one result, not the document), a deadline, and a module that is
 * unloaded afterwards whatever happened; helpers to load and unload the
 * module, to read and write small files and the module's parameters, to
 * add, take and count cookies, and to read the kernel log.
 *
 * Include it first, after defining _GNU_SOURCE.
 */
#ifndef FORTUNE_TESTLIB_H
#define FORTUNE_TESTLIB_H

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "fortune.h"
#include "ktap.h"

#define FORTUNE_KO_PATH		"/lib/fortune/fortune.ko"
#define FORTUNE_SYSFS_PARAMS	"/sys/module/fortune/parameters/"
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
/* The page size of every kernel the suite boots. */
#define TEST_PAGE		4096

/* ---- the runner ---- */

struct test_case {
	const char *name;
	void (*run)(void);
	unsigned int timeout;		/* seconds; 0 means 30 */
};

/* A test named after its function; a slow one with its own timeout. */
#define TEST(fn)		{ .name = #fn, .run = fn }
#define TEST_SLOW(fn, seconds)	{ .name = #fn, .run = fn, .timeout = seconds }

/* What a test's process reports back to the runner, in shared memory. */
struct test_outcome {
	int failed;
	int skipped;
	char reason[200];
};

static struct test_outcome *outcome;
static const char *current_test = "";

static inline void test_fail_at(int line, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Records a failure of the current test and says why in a diagnostic. */
static inline void test_fail_at(int line, const char *fmt, ...)
{
	char msg[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ktap_diag("%s: line %d: %s", current_test, line, msg);
	if (!outcome->failed)
		snprintf(outcome->reason, sizeof(outcome->reason), "line %d: %.180s",
			 line, msg);
	outcome->failed = 1;
}

static inline void test_skip(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static inline void test_skip(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(outcome->reason, sizeof(outcome->reason), fmt, ap);
	va_end(ap);
	outcome->skipped = 1;
}

#define FAIL(...)	test_fail_at(__LINE__, __VA_ARGS__)
/* Evaluates to the condition, recording a failure when it is false. */
#define CHECK(cond, ...)	((cond) ? 1 : (FAIL(__VA_ARGS__), 0))
/* Ends the test (its function) when the condition is false. */
#define ASSERT(cond, ...)				\
	do {						\
		if (!(cond)) {				\
			FAIL(__VA_ARGS__);		\
			return;				\
		}					\
	} while (0)
/* Ends the test when the condition is false (its failure is recorded). */
#define REQUIRE(cond)					\
	do {						\
		if (!(cond))				\
			return;				\
	} while (0)
#define SKIP(...)					\
	do {						\
		test_skip(__VA_ARGS__);			\
		return;					\
	} while (0)

/*
 * Whether a system call failed with errno @want; errno is read on entry,
 * before anything else can change it.  Use through CHECK_ERRNO().
 */
static inline int check_errno_at(int line, const char *what, long ret,
				 int want)
{
	int err = errno;

	if (ret >= 0) {
		test_fail_at(line, "%s returned %ld, want %s", what, ret,
			     strerrorname_np(want));
		return 0;
	}
	if (err != want) {
		test_fail_at(line, "%s failed with %s, want %s", what,
			     strerrorname_np(err), strerrorname_np(want));
		return 0;
	}
	return 1;
}

#define CHECK_ERRNO(call, want)	check_errno_at(__LINE__, #call, (call), want)

/* Whether a call returned what it should (a count, 0 for success, ...). */
static inline int check_ret_at(int line, const char *what, long ret,
			       long want)
{
	int err = errno;

	if (ret == want)
		return 1;
	if (ret < 0)
		test_fail_at(line, "%s failed with %s, want %ld", what,
			     strerrorname_np(err), want);
	else
		test_fail_at(line, "%s returned %ld, want %ld", what, ret,
			     want);
	return 0;
}

#define CHECK_RET(call, want)	check_ret_at(__LINE__, #call, (call), want)

static inline int module_unload(void);
static inline int module_is_loaded(void);

/* Seconds since some fixed point, for deadlines and timings. */
static inline double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static inline void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/*
 * How many times longer than on a stock x86-64 kernel a time limit should
 * be: set by scripts/run.sh where QEMU translates another architecture or
 * the kernel is a debug one (KASAN, KCSAN, lockdep, kmemleak).
 */
static inline unsigned int time_scale(void)
{
	const char *scale = getenv("FORTUNE_TIMEOUT_SCALE");

	return scale && atoi(scale) > 1 ? (unsigned int)atoi(scale) : 1;
}

/* Runs one test in a process group of its own; returns its wait status. */
static inline int run_one(const struct test_case *test)
{
	unsigned int timeout = (test->timeout ? test->timeout : 30) *
			       time_scale();
	int status = 0;
	pid_t pid;

	pid = fork();
	if (pid < 0) {
		FAIL("fork: %m");
		return 0;
	}
	if (!pid) {
		setpgid(0, 0);
		alarm(timeout);
		test->run();
		fflush(stdout);
		_exit(0);
	}
	setpgid(pid, pid);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	/* Whatever the test left running goes with it. */
	kill(-pid, SIGKILL);
	return status;
}

/*
 * Runs every test and prints one KTAP document.  The module must not be
 * loaded before a test, and is unloaded after it if the test left it.
 */
static inline int run_tests(const struct test_case *tests, size_t count)
{
	size_t i;

	ktap_start(count);
	outcome = mmap(NULL, sizeof(*outcome), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (outcome == MAP_FAILED) {
		ktap_diag("mmap: %m");
		for (i = 0; i < count; i++)
			ktap_fail(tests[i].name, "no shared memory");
		return 0;
	}
	for (i = 0; i < count; i++) {
		const struct test_case *test = &tests[i];
		double start = now();
		int status;

		memset(outcome, 0, sizeof(*outcome));
		current_test = test->name;
		if (module_is_loaded())
			module_unload();

		status = run_one(test);
		if (WIFSIGNALED(status))
			FAIL("killed by signal %d (%s)%s", WTERMSIG(status),
			     strsignal(WTERMSIG(status)),
			     WTERMSIG(status) == SIGALRM ? ": timed out" : "");
		else if (WIFEXITED(status) && WEXITSTATUS(status))
			FAIL("exited with status %d", WEXITSTATUS(status));
		if (module_is_loaded() && module_unload())
			FAIL("the module is still loaded and rmmod failed: %m");
		if (now() - start >= 2)
			ktap_diag("%s took %.1f s", test->name, now() - start);

		if (outcome->failed)
			ktap_fail(test->name, outcome->reason);
		else if (outcome->skipped)
			ktap_skip(test->name, outcome->reason);
		else
			ktap_pass(test->name);
	}
	ktap_finish();
	return 0;
}

/* ---- the module ---- */

static inline const char *module_path(void)
{
	const char *path = getenv("FORTUNE_KO");

	return path && *path ? path : FORTUNE_KO_PATH;
}

/* Loads fortune.ko with @params; returns 0 or -errno. */
static inline int module_load(const char *params)
{
	int fd, ret = 0;

	fd = open(module_path(), O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (syscall(SYS_finit_module, fd, params, 0))
		ret = -errno;
	close(fd);
	return ret;
}

/* Unloads it; returns 0 or -errno (errno is set too). */
static inline int module_unload(void)
{
	if (syscall(SYS_delete_module, "fortune", O_NONBLOCK))
		return -errno;
	return 0;
}

/* Whether "fortune" is in /proc/modules. */
static inline int module_is_loaded(void)
{
	char line[512];
	int found = 0;
	FILE *f;

	f = fopen("/proc/modules", "re");
	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f))
		found = !strncmp(line, "fortune ", 8);
	fclose(f);
	return found;
}

static inline int path_exists(const char *path)
{
	struct stat st;

	return !stat(path, &st);
}

/* Loads with @params, or fails the test; use as ASSERT(load_ok(...)). */
#define LOAD_OK(params)	CHECK_RET(module_load(params), 0)

/* ---- small files and module parameters ---- */

/*
 * Reads the small file @path with one read(2) of at most @size - 1 bytes
 * into @buf and ends it with a NUL; a trailing newline is kept.  0 or
 * -errno; on an error @buf is the empty string.
 */
static inline int read_file(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	buf[0] = '\0';
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

/*
 * One write(2) of the string @text to @path: 0 when it took all of it,
 * -EMSGSIZE when it took only part, else -errno.
 */
static inline int write_file(const char *path, const char *text)
{
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	close(fd);
	if (n < 0)
		return -errno;
	return (size_t)n == strlen(text) ? 0 : -EMSGSIZE;
}

/*
 * Reads /sys/module/fortune/parameters/@name into @buf as read_file()
 * does: its newline is kept.  0 or -errno.
 */
static inline int param_read(const char *name, char *buf, size_t size)
{
	char path[128];

	snprintf(path, sizeof(path), FORTUNE_SYSFS_PARAMS "%s", name);
	return read_file(path, buf, size);
}

/*
 * Writes @value to /sys/module/fortune/parameters/@name as write_file()
 * does: 0, -EMSGSIZE for a short write, or -errno.
 */
static inline int param_write(const char *name, const char *value)
{
	char path[128];

	snprintf(path, sizeof(path), FORTUNE_SYSFS_PARAMS "%s", name);
	return write_file(path, value);
}

/* ---- cookies ---- */

/* Bytes read from or written to /proc/fortune. */
struct blob {
	char *data;
	size_t len;
};

static inline void blob_free(struct blob *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
}

/*
 * One write(2) of @len bytes on a fresh O_WRONLY file: count or -errno.
 * The raw system call, as @buf may be bad on purpose.
 */
static inline ssize_t fortune_write(const void *buf, size_t len)
{
	ssize_t ret;
	int fd;

	fd = open(FORTUNE_PROC_PATH, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = syscall(SYS_write, fd, buf, len);
	if (ret < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/* Adds @s as one cookie; 0 when the write took all of it, else -errno. */
static inline int add_str(const char *s)
{
	ssize_t ret = fortune_write(s, strlen(s));

	if (ret < 0)
		return ret;
	return (size_t)ret == strlen(s) ? 0 : -EMSGSIZE;
}

/* Reads @fd to its end in reads of @chunk bytes; 0 or -errno. */
static inline int read_all(int fd, struct blob *out, size_t chunk)
{
	size_t cap = 4096;
	ssize_t n;

	out->len = 0;
	out->data = malloc(cap);
	if (!out->data)
		return -ENOMEM;
	for (;;) {
		if (out->len + chunk + 1 > cap) {
			char *bigger;

			cap = 2 * (out->len + chunk + 1);
			bigger = realloc(out->data, cap);
			if (!bigger)
				return -ENOMEM;
			out->data = bigger;
		}
		n = read(fd, out->data + out->len, chunk);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			out->data[out->len] = '\0';
			return -errno;
		}
		if (!n) {
			out->data[out->len] = '\0';
			return 0;
		}
		out->len += n;
	}
}

/* Opens /proc/fortune for reading and reads its cookie: 0 or -errno. */
static inline int take_chunked(struct blob *out, size_t chunk)
{
	int fd, ret;

	out->data = NULL;
	out->len = 0;
	fd = open(FORTUNE_PROC_PATH, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = read_all(fd, out, chunk);
	close(fd);
	return ret;
}

static inline int take(struct blob *out)
{
	return take_chunked(out, 4096);
}

/* Whether @got holds the cookie @want (@len bytes) and its newline. */
static inline int blob_is_cookie(const struct blob *got, const void *want,
				 size_t len)
{
	return got->len == len + 1 && !memcmp(got->data, want, len) &&
	       got->data[len] == '\n';
}

/* Describes how @got differs from cookie @want, in a failure message. */
static inline void describe_mismatch(char *out, size_t size,
				     const struct blob *got, const void *want,
				     size_t len)
{
	const unsigned char *w = want;
	size_t i;

	for (i = 0; i < got->len && i < len; i++)
		if ((unsigned char)got->data[i] != w[i])
			break;
	snprintf(out, size,
		 "read %zu bytes, want %zu (cookie + newline); first difference at byte %zu: got 0x%02x want 0x%02x; read starts \"%.40s\"",
		 got->len, len + 1, i,
		 i < got->len ? (unsigned char)got->data[i] : 0u,
		 i < len ? w[i] : '\n', got->data ? got->data : "");
}

/* Takes a cookie and checks it is @want; the message names @what. */
static inline int check_take_at(int line, const char *want, size_t len,
				size_t chunk)
{
	struct blob got;
	char why[300];
	int ret, ok;

	ret = take_chunked(&got, chunk);
	if (ret) {
		test_fail_at(line, "reading /proc/fortune: %s",
			     strerror(-ret));
		blob_free(&got);
		return 0;
	}
	ok = blob_is_cookie(&got, want, len);
	if (!ok) {
		describe_mismatch(why, sizeof(why), &got, want, len);
		test_fail_at(line, "want cookie \"%.40s\": %s", want, why);
	}
	blob_free(&got);
	return ok;
}

#define CHECK_TAKE(s)	check_take_at(__LINE__, (s), strlen(s), 4096)
#define CHECK_TAKE_BYTES(p, n, chunk)	check_take_at(__LINE__, (p), (n), (chunk))

/* FORTUNE_IOC_STATS through a write-only file, which takes no cookie. */
static inline int get_stats(struct fortune_stats *st)
{
	int fd, ret = 0;

	memset(st, 0xa5, sizeof(*st));
	fd = open(FORTUNE_PROC_PATH, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, FORTUNE_IOC_STATS, st))
		ret = -errno;
	close(fd);
	return ret;
}

/* FORTUNE_IOC_CLEAR through a write-only file. */
static inline int clear_pot(void)
{
	int fd, ret = 0;

	fd = open(FORTUNE_PROC_PATH, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, FORTUNE_IOC_CLEAR))
		ret = -errno;
	close(fd);
	return ret;
}

static inline void stats_diag(const char *what, const struct fortune_stats *s)
{
	ktap_diag("%s: capacity %llu used %llu cookies %llu served %llu added %llu refused %llu evicted %llu largest %llu",
		  what, (unsigned long long)s->capacity,
		  (unsigned long long)s->used,
		  (unsigned long long)s->cookies,
		  (unsigned long long)s->served,
		  (unsigned long long)s->added,
		  (unsigned long long)s->refused,
		  (unsigned long long)s->evicted,
		  (unsigned long long)s->largest);
}

/* Checks one counter; the message names it. */
#define CHECK_STAT(st, field, want)					\
	CHECK((st).field == (uint64_t)(want),				\
	      "stats." #field " is %llu, want %llu",			\
	      (unsigned long long)(st).field, (unsigned long long)(want))

/* Takes @count cookies in a row; the caller frees them with dump_free(). */
static inline int dump_pot(struct blob *out, size_t count)
{
	size_t i;
	int ret;

	for (i = 0; i < count; i++) {
		ret = take(&out[i]);
		if (ret)
			return ret;
	}
	return 0;
}

static inline void dump_free(struct blob *b, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++)
		blob_free(&b[i]);
}

static inline int blobs_equal(const struct blob *a, const struct blob *b)
{
	return a->len == b->len && !memcmp(a->data, b->data, a->len);
}

/* Fills @buf with a cookie of @len bytes unique to @id: no NUL, no '\n'. */
static inline void make_cookie(char *buf, size_t len, unsigned int id)
{
	char tag[24];
	size_t i, n;

	n = snprintf(tag, sizeof(tag), "<%u>", id);
	for (i = 0; i < len; i++)
		buf[i] = i < n ? tag[i] : (char)('a' + (i * 7 + id * 13) % 26);
}

/* Adds cookie @id of @len bytes (see make_cookie()): 0 or -errno. */
static inline int add_cookie(size_t len, unsigned int id)
{
	char *buf = malloc(len + 1);
	ssize_t ret;

	if (!buf)
		return -ENOMEM;
	make_cookie(buf, len, id);
	ret = fortune_write(buf, len);
	free(buf);
	if (ret < 0)
		return ret;
	return (size_t)ret == len ? 0 : -EMSGSIZE;
}

/* Takes a cookie and checks it is cookie @id of @len bytes. */
static inline int check_take_cookie_at(int line, size_t len, unsigned int id)
{
	char *want = malloc(len + 1);
	int ok;

	if (!want)
		return 0;
	make_cookie(want, len, id);
	want[len] = '\0';
	ok = check_take_at(line, want, len, 4096);
	free(want);
	return ok;
}

#define CHECK_TAKE_COOKIE(len, id)	check_take_cookie_at(__LINE__, len, id)

#define SNAPSHOT_MAX	128

/* The whole pot as seen from user space: its stats and every cookie. */
struct snapshot {
	struct fortune_stats st;
	size_t count;
	struct blob cookie[SNAPSHOT_MAX];
};

/*
 * Reads every cookie once, in seq order from the cursor on, which leaves
 * the cursor where it was; then the stats.  0 or -errno.
 */
static inline int snapshot_take(struct snapshot *s)
{
	int ret;

	s->count = 0;
	ret = get_stats(&s->st);
	if (ret)
		return ret;
	if (s->st.cookies > SNAPSHOT_MAX)
		return -E2BIG;
	s->count = s->st.cookies;
	ret = dump_pot(s->cookie, s->count);
	if (ret)
		return ret;
	return get_stats(&s->st);
}

static inline void snapshot_free(struct snapshot *s)
{
	dump_free(s->cookie, s->count);
	s->count = 0;
}

#define SNAPSHOT_OK(s)	CHECK_RET(snapshot_take(s), 0)

/*
 * Checks that the pot is still what @s saw: the same stats but for
 * @refused more refused writes and @served more cookies handed out, and
 * the same cookies in the same order, starting @shift cookies later (what
 * reading them all again shows).  Then @s is brought up to date.
 */
static inline int check_unchanged_at(int line, struct snapshot *s,
				     unsigned int refused, unsigned int served,
				     size_t shift)
{
	struct fortune_stats st;
	struct blob again[SNAPSHOT_MAX];
	int ok = 1, ret;
	size_t i;

	ret = get_stats(&st);
	if (ret) {
		test_fail_at(line, "FORTUNE_IOC_STATS: %s", strerror(-ret));
		return 0;
	}
#define SAME(field, delta)						\
	do {								\
		if (st.field != s->st.field + (delta)) {		\
			test_fail_at(line,				\
				     "pot changed: stats." #field	\
				     " %llu, want %llu",		\
				     (unsigned long long)st.field,	\
				     (unsigned long long)(s->st.field +	\
							  (delta)));	\
			ok = 0;						\
		}							\
	} while (0)
	SAME(capacity, 0);
	SAME(used, 0);
	SAME(cookies, 0);
	SAME(served, served);
	SAME(added, 0);
	SAME(refused, refused);
	SAME(evicted, 0);
	SAME(largest, 0);
#undef SAME
	if (!ok)
		return 0;
	ret = dump_pot(again, s->count);
	if (ret) {
		test_fail_at(line, "reading the pot again: %s", strerror(-ret));
		dump_free(again, s->count);
		return 0;
	}
	for (i = 0; i < s->count; i++) {
		const struct blob *was = &s->cookie[(i + shift) % s->count];

		if (!blobs_equal(&again[i], was)) {
			test_fail_at(line,
				     "pot changed: cookie %zu of %zu reads \"%.30s\" (%zu bytes), was \"%.30s\" (%zu bytes)",
				     i, s->count, again[i].data, again[i].len,
				     was->data, was->len);
			ok = 0;
			break;
		}
	}
	dump_free(again, s->count);
	if (get_stats(&s->st))
		ok = 0;
	return ok;
}

#define CHECK_UNCHANGED(s, refused)	\
	check_unchanged_at(__LINE__, (s), (refused), 0, 0)

/* ---- the kernel log ---- */

#define KLOG_KEEP	64

/* The kernel log lines printed since klog_mark(): the first few kept. */
struct klog {
	int fd;
	unsigned int count;
	unsigned int others;	/* lines of the kernel's own clocks, skipped */
	char line[KLOG_KEEP][300];
	char other[300];	/* the first of them */
};

/*
 * Lines the kernel prints on its own, from timers and watchdogs, whenever
 * the (emulated, often descheduled) CPU is late: "hrtimer: interrupt took
 * 17868070 ns" once a boot, a clocksource judged unstable, and the like.
 * They come at any moment, whatever the module does, so a test of what
 * the module logs leaves them out (and says so in its diagnostics).  A
 * warning, an oops or a stall is not among them: the harness fails a boot
 * that prints one, whatever the test says.
 */
static inline int klog_is_clock_noise(const char *text)
{
	static const char * const noise[] = {
		"hrtimer: interrupt took ",
		"clocksource: ",
		"sched: RT throttling activated",
		"perf: interrupt took too long",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(noise); i++)
		if (!strncmp(text, noise[i], strlen(noise[i])))
			return 1;
	return 0;
}

/* Starts watching the kernel log from now on. */
static inline int klog_mark(struct klog *k)
{
	k->count = 0;
	k->others = 0;
	k->fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (k->fd < 0)
		return -errno;
	lseek(k->fd, 0, SEEK_END);
	return 0;
}

/* Collects the lines printed since the mark (or the last collect). */
static inline void klog_collect(struct klog *k)
{
	char rec[2048];
	ssize_t n;

	for (;;) {
		char *text, *end;

		n = read(k->fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;	/* overwritten records: go on */
		if (n <= 0)
			break;
		rec[n] = '\0';
		/* "level,seq,usec,flags;text\n" then " KEY=value" lines */
		text = strchr(rec, ';');
		if (!text)
			continue;
		text++;
		end = strchr(text, '\n');
		if (end)
			*end = '\0';
		if (klog_is_clock_noise(text)) {
			if (!k->others++)
				snprintf(k->other, sizeof(k->other), "%s",
					 text);
			continue;
		}
		if (k->count < KLOG_KEEP)
			snprintf(k->line[k->count], sizeof(k->line[0]), "%s",
				 text);
		k->count++;
	}
}

static inline void klog_close(struct klog *k)
{
	if (k->fd >= 0)
		close(k->fd);
	k->fd = -1;
}

static inline void klog_diag(const struct klog *k)
{
	unsigned int i;

	for (i = 0; i < k->count && i < KLOG_KEEP; i++)
		ktap_diag("  kernel: %s", k->line[i]);
	if (k->count > KLOG_KEEP)
		ktap_diag("  kernel: ... %u more lines", k->count - KLOG_KEEP);
	if (k->others)
		ktap_diag("  kernel, left out (its own clocks): %u lines, first \"%s\"",
			  k->others, k->other);
}

static inline int is_word_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || c == '_';
}

/* Whether @word is in @text with no letter or digit on either side. */
static inline int has_word(const char *text, const char *word)
{
	size_t len = strlen(word);
	const char *p;

	for (p = strstr(text, word); p; p = strstr(p + 1, word))
		if ((p == text || !is_word_char(p[-1])) &&
		    !is_word_char(p[len]))
			return 1;
	return 0;
}

/* ---- user memory that faults ---- */

/*
 * @valid readable bytes of @text followed by an unmapped page: a buffer
 * that faults part way through.  NULL if the mapping cannot be made.
 */
static inline char *half_mapped(const char *text, size_t valid)
{
	char *map;

	map = mmap(NULL, 2 * TEST_PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED || munmap(map + TEST_PAGE, TEST_PAGE))
		return NULL;
	memcpy(map + TEST_PAGE - valid, text, valid);
	return map + TEST_PAGE - valid;
}

#endif /* FORTUNE_TESTLIB_H */
