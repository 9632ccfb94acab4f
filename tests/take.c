// SPDX-License-Identifier: GPL-2.0
/*
 * take.c - when a file takes its cookie, what that costs in memory, and
 * what a writer, a signal or several errors at once do to the take and
 * write paths:
 *
 *  - a file takes its cookie at its first read, pread, lseek, sendfile or
 *    splice, not at open; a file only opened, or used for ioctls, takes
 *    nothing;
 *  - read, pread, sendfile and splice all see the same bytes;
 *  - files reading one cookie share one copy of it, so the module's memory
 *    does not grow with the number of open files, whoever opens them;
 *  - in random order every cookie is as likely whatever its size, and in
 *    seq order each comes in turn, with one reader or several at once;
 *  - a file that got a short cookie holds no buffer made for a big one,
 *    even while the pot changes under the take (as nobody, both orders);
 *  - a wait for the pot's lock that a signal interrupts is restarted, so
 *    an SA_RESTART handler never sees EINTR;
 *  - a writer whose buffer faults slowly (userfaultfd) does not hold the
 *    lock across the fault: readers go on meanwhile;
 *  - nor does a PEEK whose buffer never faults in: readers and writers go
 *    on, and rmmod completes once SIGKILL ends the PEEK;
 *  - when several errors apply to a write, the README's precedence holds.
 */
#define _GNU_SOURCE
#include "testlib.h"

#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <sys/sendfile.h>
#include <sys/time.h>
#include <linux/userfaultfd.h>

#define PAGE	4096
#define MIB	(1024 * 1024)

/* ---- when a file takes its cookie ---- */

static void take_open_only_takes_nothing(void)
{
	struct fortune_stats st;
	int fd[8], i;

	REQUIRE(LOAD_OK(""));
	REQUIRE(CHECK_RET(add_str("A"), 0));
	REQUIRE(CHECK_RET(add_str("B"), 0));
	for (i = 0; i < 8; i++) {
		fd[i] = open(FORTUNE_PROC_PATH, i % 2 ? O_RDWR : O_RDONLY);
		ASSERT(fd[i] >= 0, "open: %m");
		CHECK_RET(ioctl(fd[i], FORTUNE_IOC_STATS, &st), 0);
		CHECK_STAT(st, served, 0);
	}
	for (i = 0; i < 8; i++)
		close(fd[i]);
	REQUIRE(CHECK_RET(get_stats(&st), 0));
	CHECK_STAT(st, served, 0);
	/* The cursor did not move either. */
	CHECK_TAKE("A");
	CHECK_TAKE("B");
}

/* Who gets which cookie follows first reads and lseeks, not opens. */
static void take_first_lseek_or_pread_takes(void)
{
	struct fortune_stats st;
	int first, second, third;
	char buf[8];

	REQUIRE(LOAD_OK(""));
	REQUIRE(CHECK_RET(add_str("A"), 0));
	REQUIRE(CHECK_RET(add_str("BB"), 0));
	first = open(FORTUNE_PROC_PATH, O_RDONLY);
	second = open(FORTUNE_PROC_PATH, O_RDONLY);
	third = open(FORTUNE_PROC_PATH, O_RDONLY);
	ASSERT(first >= 0 && second >= 0 && third >= 0, "open: %m");
	/* The second file's lseek comes first: it takes "A". */
	CHECK_RET(lseek(second, 0, SEEK_END), 2);
	REQUIRE(CHECK_RET(get_stats(&st), 0));
	CHECK_STAT(st, served, 1);
	CHECK_RET(lseek(second, 0, SEEK_CUR), 2);
	if (CHECK_RET(read(first, buf, sizeof(buf)), 3))
		CHECK(!memcmp(buf, "BB\n", 3), "the first file read %.3s", buf);
	if (CHECK_RET(pread(second, buf, sizeof(buf), 0), 2))
		CHECK(!memcmp(buf, "A\n", 2), "the second file read %.2s", buf);
	/* A pread takes too, and leaves the offset alone. */
	if (CHECK_RET(pread(third, buf, sizeof(buf), 1), 1))
		CHECK(buf[0] == '\n', "pread at 1 of \"A\\n\" read %c", buf[0]);
	CHECK_RET(lseek(third, 0, SEEK_CUR), 0);
	REQUIRE(CHECK_RET(get_stats(&st), 0));
	CHECK_STAT(st, served, 3);
	close(first);
	close(second);
	close(third);
	CHECK_TAKE("BB");
}

/* A write-only file takes nothing, not even with lseek. */
static void take_wronly_lseek_takes_nothing(void)
{
	struct fortune_stats st;
	int fd;

	REQUIRE(LOAD_OK(""));
	REQUIRE(CHECK_RET(add_str("A"), 0));
	fd = open(FORTUNE_PROC_PATH, O_WRONLY);
	ASSERT(fd >= 0, "open: %m");
	CHECK_RET(lseek(fd, 0, SEEK_END), 0);
	close(fd);
	REQUIRE(CHECK_RET(get_stats(&st), 0));
	CHECK_STAT(st, served, 0);
}

enum take_way { BY_READ, BY_SENDFILE, BY_SENDFILE_OFFSET, BY_SPLICE, WAYS };

static const char * const way_name[WAYS] = {
	"read", "sendfile", "sendfile at an offset", "splice",
};

/* Takes the next cookie whole, the way @way says, into @out. */
static int take_by(enum take_way way, struct blob *out)
{
	int fd, mfd = -1, pipefd[2] = { -1, -1 };
	size_t cap = 64 * 1024;
	off_t off = 0;
	ssize_t n;
	int ret = 0;

	out->len = 0;
	out->data = malloc(cap);
	fd = open(FORTUNE_PROC_PATH, O_RDONLY | O_CLOEXEC);
	if (!out->data || fd < 0)
		return -ENOMEM;
	if (way == BY_READ) {
		close(fd);
		free(out->data);
		return take(out);
	}
	if (way == BY_SPLICE) {
		if (pipe(pipefd))
			ret = -errno;
		while (!ret) {
			n = splice(fd, NULL, pipefd[1], NULL, cap - out->len, 0);
			if (n < 0)
				ret = -errno;
			if (n <= 0)
				break;
			if (read(pipefd[0], out->data + out->len, n) != n)
				ret = -EIO;
			out->len += n;
		}
		close(pipefd[0]);
		close(pipefd[1]);
		close(fd);
		return ret;
	}
	mfd = memfd_create("sendfile", MFD_CLOEXEC);
	if (mfd < 0)
		ret = -errno;
	while (!ret) {
		n = sendfile(mfd, fd, way == BY_SENDFILE_OFFSET ? &off : NULL,
			     cap);
		if (n < 0)
			ret = -errno;
		if (n <= 0)
			break;
	}
	if (!ret) {
		n = pread(mfd, out->data, cap, 0);
		if (n < 0)
			ret = -errno;
		else
			out->len = n;
	}
	/* sendfile with an offset of its own leaves the file's alone. */
	if (!ret && way == BY_SENDFILE_OFFSET && lseek(fd, 0, SEEK_CUR))
		ret = -ESPIPE;
	close(mfd);
	close(fd);
	return ret;
}

/* read, sendfile and splice see the same bytes, small cookie or big. */
static void take_sendfile_splice_same_bytes(void)
{
	static const size_t lens[] = { 1, 3000, 20000 };
	char *cookie[ARRAY_SIZE(lens)];
	struct blob got;
	size_t i;
	int way;

	REQUIRE(LOAD_OK("pot_size=65536"));
	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		cookie[i] = malloc(lens[i]);
		ASSERT(cookie[i], "malloc");
		make_cookie(cookie[i], lens[i], i + 1);
		REQUIRE(CHECK_RET(fortune_write(cookie[i], lens[i]),
				  (long)lens[i]));
	}
	for (way = 0; way < WAYS; way++) {
		for (i = 0; i < ARRAY_SIZE(lens); i++) {
			int ret = take_by(way, &got);

			CHECK(!ret && blob_is_cookie(&got, cookie[i], lens[i]),
			      "%s of the %zu-byte cookie: %s, %zu bytes",
			      way_name[way], lens[i],
			      ret ? strerror(-ret) : "ok", got.len);
			blob_free(&got);
		}
	}
	for (i = 0; i < ARRAY_SIZE(lens); i++)
		free(cookie[i]);
}

/* ---- memory: one copy per cookie read, however many files read it ---- */

/* A field of /proc/meminfo, in kB, or -1. */
static long meminfo_kb(const char *field)
{
	char line[128];
	size_t len = strlen(field);
	long kb = -1;
	FILE *f = fopen("/proc/meminfo", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, field, len) && line[len] == ':')
			kb = strtol(line + len + 1, NULL, 10);
	fclose(f);
	return kb;
}

/* Kernel memory a copy of a cookie can use: slab and vmalloc. */
static long kernel_kb(void)
{
	return meminfo_kb("Slab") + meminfo_kb("VmallocUsed");
}

#define NOBODY_FILES	20

/*
 * As nobody, opens NOBODY_FILES files and reads one byte of each, which
 * takes a cookie each; reports the kernel memory then on @report, waits for
 * a byte on @go, and closes them.
 */
static void nobody_reads(int report, int go)
{
	int fd[NOBODY_FILES], i;
	long kb;
	char c;

	if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
		_exit(1);
	for (i = 0; i < NOBODY_FILES; i++) {
		fd[i] = open(FORTUNE_PROC_PATH, O_RDONLY);
		if (fd[i] < 0 || read(fd[i], &c, 1) != 1)
			_exit(2);
	}
	kb = kernel_kb();
	if (write(report, &kb, sizeof(kb)) != sizeof(kb) ||
	    read(go, &c, 1) != 1)
		_exit(3);
	for (i = 0; i < NOBODY_FILES; i++)
		close(fd[i]);
	_exit(0);
}

/* Kernel memory (kB) while nobody reads NOBODY_FILES files; -1 on error. */
static long kb_while_nobody_reads(void)
{
	int report[2], go[2], status;
	long kb = -1;
	pid_t pid;

	if (pipe(report) || pipe(go))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid)
		nobody_reads(report[1], go[0]);
	close(report[1]);
	close(go[0]);
	if (read(report[0], &kb, sizeof(kb)) != sizeof(kb))
		kb = -1;
	if (write(go[1], "g", 1) != 1)
		kb = -1;
	close(report[0]);
	close(go[1]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status)) {
		FAIL("the nobody child ended with status %#x", status);
		return -1;
	}
	return kb;
}

/*
 * Twenty files read a 32 MiB cookie as nobody: the module holds one copy
 * of it, not twenty (the pot is allocated before the measurement).  With
 * a second cookie of 16 MiB, files alternate between the two: two copies.
 * When the files are closed, the copies go.  The slack allows for the
 * files themselves and for kvmalloc(), which on 6.1 maps a big copy with
 * 2 MiB pages and so rounds it up to the next 2 MiB; a second copy of
 * either cookie would not fit in it.
 */
static void take_memory_one_copy_per_cookie(void)
{
	const size_t big = 32 * MIB, second = 16 * MIB;
	long before, during, after;
	char *cookie;

	REQUIRE(LOAD_OK("pot_size=67108864"));
	cookie = malloc(big);
	ASSERT(cookie, "malloc");
	make_cookie(cookie, big, 7);
	REQUIRE(CHECK_RET(fortune_write(cookie, big), (long)big));

	before = kernel_kb();
	during = kb_while_nobody_reads();
	after = kernel_kb();
	ASSERT(before > 0 && during > 0, "no Slab or VmallocUsed in /proc/meminfo");
	ktap_diag("%d files of one 32 MiB cookie: kernel memory %+ld kB while open, %+ld kB after",
		  NOBODY_FILES, during - before, after - before);
	CHECK(during - before < (long)(big / 1024) + 8192,
	      "%d files of a 32 MiB cookie took %ld kB, more than one copy",
	      NOBODY_FILES, during - before);
	CHECK(after - before < 1024, "%ld kB left after the files closed",
	      after - before);

	make_cookie(cookie, second, 8);
	REQUIRE(CHECK_RET(fortune_write(cookie, second), (long)second));
	before = kernel_kb();
	during = kb_while_nobody_reads();
	after = kernel_kb();
	ktap_diag("%d files of a 32 and a 16 MiB cookie: %+ld kB while open, %+ld kB after",
		  NOBODY_FILES, during - before, after - before);
	CHECK(during - before < (long)((big + second) / 1024) + 8192,
	      "%d files of two cookies took %ld kB, more than one copy of each",
	      NOBODY_FILES, during - before);
	CHECK(after - before < 1024, "%ld kB left after the files closed",
	      after - before);
	free(cookie);
}

/* ---- fairness: every cookie as likely, whatever its size ---- */

/*
 * Three size classes, three cookies each: under 200 bytes, over the
 * 256-byte small snapshot but within a page, and over a page.  Cookie i
 * starts with the letter 'a' + i, so one byte read tells which it is.
 */
#define FAIR_COOKIES	9
#define FAIR_TAKES	1800	/* 200 of each expected */
#define FAIR_READERS	3

static const size_t fair_len[FAIR_COOKIES] = {
	20, 100, 190, 300, 1000, 3000, 5000, 9000, 20000,
};

/*
 * chi-squared at the 10^-6 level for 8 degrees of freedom: P(X > x) is
 * exp(-y) (1 + y + y^2/2 + y^3/6) with y = x/2, 10^-6 at x = 42.70.  It runs
 * twice on each of a dozen kernels in every CI run, so a fair module fails
 * it once in some 40,000 runs (at the 0.1% level it failed once in 40).
 * A draw that served the cookies over 256 bytes half as often as the short
 * ones gives a chi-squared near 225 in 1800 takes, far above the bound.
 */
#define CHI2_8_LIMIT	42.70

static int fair_load(const char *order)
{
	char params[64], *text;
	size_t i;
	int ret = 0;

	snprintf(params, sizeof(params), "pot_size=65536 order=%s", order);
	if (module_load(params))
		return -1;
	text = malloc(20000);
	if (!text)
		return -1;
	for (i = 0; i < FAIR_COOKIES && !ret; i++) {
		memset(text, '0' + i, fair_len[i]);
		text[0] = 'a' + i;
		if (fortune_write(text, fair_len[i]) != (ssize_t)fair_len[i])
			ret = -1;
	}
	free(text);
	return ret;
}

/* Takes @n cookies, one open and one byte each, counting them in @count. */
static int fair_takes(unsigned int n, unsigned int *count)
{
	unsigned int i;
	char c;
	int fd;

	for (i = 0; i < n; i++) {
		fd = open(FORTUNE_PROC_PATH, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return -1;
		if (read(fd, &c, 1) != 1 || c < 'a' || c >= 'a' + FAIR_COOKIES) {
			close(fd);
			return -1;
		}
		close(fd);
		count[c - 'a']++;
	}
	return 0;
}

/* FAIR_TAKES takes by @readers processes at once; 0 or -1. */
static int fair_round(unsigned int readers, unsigned int *count)
{
	unsigned int r, i, part[FAIR_COOKIES];
	int fds[2], status, ret = 0;
	pid_t pid;

	memset(count, 0, FAIR_COOKIES * sizeof(*count));
	if (readers == 1)
		return fair_takes(FAIR_TAKES, count);
	if (pipe(fds))
		return -1;
	for (r = 0; r < readers; r++) {
		pid = fork();
		if (pid < 0)
			return -1;
		if (!pid) {
			memset(part, 0, sizeof(part));
			if (fair_takes(FAIR_TAKES / readers, part) ||
			    write(fds[1], part, sizeof(part)) != sizeof(part))
				_exit(1);
			_exit(0);
		}
	}
	close(fds[1]);
	for (r = 0; r < readers; r++) {
		if (read(fds[0], part, sizeof(part)) != sizeof(part)) {
			ret = -1;
			break;
		}
		for (i = 0; i < FAIR_COOKIES; i++)
			count[i] += part[i];
	}
	close(fds[0]);
	while (wait(&status) > 0)
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			ret = -1;
	return ret;
}

static void fair_diag(const char *what, const unsigned int *count, double chi2)
{
	ktap_diag("%s: %u %u %u | %u %u %u | %u %u %u, chi2 %.2f", what,
		  count[0], count[1], count[2], count[3], count[4], count[5],
		  count[6], count[7], count[8], chi2);
}

static double chi2(const unsigned int *count)
{
	double expect = (double)FAIR_TAKES / FAIR_COOKIES, sum = 0;
	size_t i;

	for (i = 0; i < FAIR_COOKIES; i++)
		sum += (count[i] - expect) * (count[i] - expect) / expect;
	return sum;
}

/*
 * order=random: each of nine cookies of three size classes comes about
 * 200 times in 1800 takes (chi-squared at the 10^-6 level), by one
 * reader and by three at once.  A take that drew again when its cookie
 * needed a bigger snapshot served the big ones far less often.
 */
static void take_random_fair_sizes(void)
{
	unsigned int count[FAIR_COOKIES], readers;
	double c;

	REQUIRE(CHECK_RET(fair_load("random"), 0));
	for (readers = 1; readers <= FAIR_READERS; readers += 2) {
		REQUIRE(CHECK_RET(fair_round(readers, count), 0));
		c = chi2(count);
		fair_diag(readers == 1 ? "one reader" : "three readers",
			  count, c);
		CHECK(c < CHI2_8_LIMIT,
		      "%u reader(s): chi2 %.2f over %.2f, not uniform",
		      readers, c, CHI2_8_LIMIT);
	}
}

/* order=seq: exactly 200 of each, by one reader and by three at once. */
static void take_seq_fair_sizes(void)
{
	unsigned int count[FAIR_COOKIES], readers, i;

	REQUIRE(CHECK_RET(fair_load("seq"), 0));
	for (readers = 1; readers <= FAIR_READERS; readers += 2) {
		REQUIRE(CHECK_RET(fair_round(readers, count), 0));
		fair_diag(readers == 1 ? "one reader" : "three readers",
			  count, chi2(count));
		for (i = 0; i < FAIR_COOKIES; i++)
			CHECK(count[i] == FAIR_TAKES / FAIR_COOKIES,
			      "%u reader(s): cookie %u (%zu bytes) taken %u times",
			      readers, i, fair_len[i], count[i]);
	}
}

/* ---- memory: a file that got a short cookie holds no big buffer ---- */

#define SHORT_OPENS	400

/*
 * As nobody: opens of one byte each until SHORT_OPENS took a cookie,
 * keeping open the files that got the short cookie; reports how many on
 * @report, waits for a byte on @go, and closes them.  A file that found
 * the pot empty does not count: while the racer copies a big cookie in,
 * the eviction before it may have left the pot empty (on sid's RT kernel,
 * 388 of 400 opens once took no short cookie).
 */
static void nobody_keeps_short(int report, int go)
{
	static int fd[SHORT_OPENS];
	unsigned int kept = 0, took = 0, i;
	ssize_t got;
	char c;

	if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
		_exit(1);
	for (i = 0; took < SHORT_OPENS && i < 20 * SHORT_OPENS; i++) {
		fd[kept] = open(FORTUNE_PROC_PATH, O_RDONLY);
		if (fd[kept] < 0)
			_exit(2);
		got = read(fd[kept], &c, 1);
		took += got == 1;
		if (got == 1 && c == 's')
			kept++;
		else
			close(fd[kept]);
	}
	if (write(report, &kept, sizeof(kept)) != sizeof(kept) ||
	    write(report, &i, sizeof(i)) != sizeof(i) ||
	    read(go, &c, 1) != 1)
		_exit(3);
	_exit(0);
}

/*
 * Root: adds the two cookies again and again, until killed; with evict=Y
 * each new big one drops the oldest cookies, so the pot always holds both
 * kinds, under new serials.
 */
static void racer(const char *big, size_t len)
{
	int fd = open(FORTUNE_PROC_PATH, O_WRONLY);

	if (fd < 0)
		_exit(1);
	for (;;) {
		if (write(fd, big, len) != (ssize_t)len ||
		    write(fd, "short!", 6) != 6 ||
		    write(fd, "short?", 6) != 6)
			_exit(3);
		/*
		 * A pause, so that a seq take can finish a copy now and then:
		 * evicting faster than a big cookie is copied, every seq take
		 * chases the oldest cookie, which is always the big one.
		 */
		usleep(2000);
	}
}

/*
 * A 512 KiB cookie and a 6-byte one, while another process adds them
 * again and again, evicting the oldest, so that takes find the pot changed
 * between their rounds: as nobody, 400 opens of one byte each, the files that got the
 * short cookie kept open.  They hold a snapshot of 256 bytes each, not a
 * buffer made for the big cookie: kernel memory (Slab + VmallocUsed) grows
 * by at most 2 KiB a file (with procfs's pde_opener and the struct file)
 * plus 4 MiB of slack, against 512 KiB for every file that kept a buffer
 * made for the big cookie.  In both orders.
 */
static void short_files_memory(const char *order)
{
	const size_t len = 512 * 1024;
	int report[2], go[2], status;
	unsigned int kept = 0, opens = 0;
	long before, during;
	pid_t child, race;
	char params[64], *big;

	snprintf(params, sizeof(params), "pot_size=1572864 evict=Y order=%s",
		 order);
	REQUIRE(LOAD_OK(params));
	big = malloc(len);
	ASSERT(big, "malloc");
	memset(big, 'B', len);
	before = kernel_kb();
	race = fork();
	ASSERT(race >= 0, "fork: %m");
	if (!race)
		racer(big, len);
	ASSERT(!pipe(report) && !pipe(go), "pipe: %m");
	child = fork();
	ASSERT(child >= 0, "fork: %m");
	if (!child)
		nobody_keeps_short(report[1], go[0]);
	close(report[1]);
	close(go[0]);
	if (read(report[0], &kept, sizeof(kept)) != sizeof(kept) ||
	    read(report[0], &opens, sizeof(opens)) != sizeof(opens))
		FAIL("the nobody child reported nothing");
	kill(race, SIGKILL);
	waitpid(race, &status, 0);
	CHECK(WIFSIGNALED(status), "the racer ended with status %#x", status);
	during = kernel_kb();
	if (write(go[1], "g", 1) != 1)
		FAIL("go: %m");
	close(report[0]);
	close(go[1]);
	waitpid(child, &status, 0);
	CHECK(WIFEXITED(status) && !WEXITSTATUS(status),
	      "the nobody child ended with status %#x", status);
	ktap_diag("order=%s: %u of %d takes (in %u opens) kept the short cookie: kernel memory %+ld kB",
		  order, kept, SHORT_OPENS, opens, during - before);
	CHECK(kept > 20, "only %u files got the short cookie", kept);
	CHECK(during - before < (long)kept * 2 + 4096,
	      "%u files of a 6-byte cookie hold %ld kB", kept,
	      during - before);
	free(big);
}

static void take_memory_short_files_random(void)
{
	short_files_memory("random");
}

static void take_memory_short_files_seq(void)
{
	short_files_memory("seq");
}

/* ---- signals: a wait for the lock restarts ---- */

static volatile sig_atomic_t alarms;
static unsigned long eintr, other;

/* Counts a failed call by its errno. */
static void count_error(void)
{
	if (errno == EINTR)
		eintr++;
	else
		other++;
}

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

/*
 * A child adds 8 MiB cookies, each copied into the pot under the lock,
 * while this process, with an SA_RESTART SIGALRM handler firing every
 * 300 us, opens, reads, asks for the stats and writes: its waits for the
 * lock are interrupted, and must be restarted, never end in EINTR.
 */
static void take_sa_restart_never_eintr(void)
{
	const size_t big = 8 * MIB;
	struct itimerval every = { { 0, 300 }, { 0, 300 } }, stop = { 0 };
	struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };
	unsigned long calls = 0;
	struct fortune_stats st;
	int status, fd, wfd;
	double end;
	char buf[64];
	pid_t pid;

	REQUIRE(LOAD_OK("pot_size=33554432 evict=Y"));
	REQUIRE(CHECK_RET(add_str("small"), 0));
	pid = fork();
	ASSERT(pid >= 0, "fork: %m");
	if (!pid) {
		char *cookie = malloc(big);
		int i;

		wfd = open(FORTUNE_PROC_PATH, O_WRONLY);
		if (!cookie || wfd < 0)
			_exit(1);
		make_cookie(cookie, big, 3);
		for (i = 0; i < 12; i++)
			if (write(wfd, cookie, big) != (ssize_t)big)
				_exit(2);
		_exit(0);
	}
	ASSERT(!sigaction(SIGALRM, &sa, NULL), "sigaction: %m");
	ASSERT(!setitimer(ITIMER_REAL, &every, NULL), "setitimer: %m");
	wfd = open(FORTUNE_PROC_PATH, O_WRONLY);
	end = now() + 4;
	while (now() < end && waitpid(pid, &status, WNOHANG) == 0) {
		fd = open(FORTUNE_PROC_PATH, O_RDONLY);
		if (fd < 0) {
			count_error();
			continue;
		}
		if (read(fd, buf, sizeof(buf)) < 0)
			count_error();
		if (ioctl(fd, FORTUNE_IOC_STATS, &st))
			count_error();
		close(fd);
		if (write(wfd, "restarted", 9) != 9)
			count_error();
		calls += 4;
	}
	setitimer(ITIMER_REAL, &stop, NULL);
	close(wfd);
	if (waitpid(pid, &status, WNOHANG) == 0)
		waitpid(pid, &status, 0);
	ktap_diag("%lu calls, %lu alarms, %lu EINTR, %lu other errors", calls,
		  (unsigned long)alarms, eintr, other);
	CHECK(WIFEXITED(status) && !WEXITSTATUS(status),
	      "the writer ended with status %#x", status);
	CHECK(!eintr, "%lu calls failed with EINTR under SA_RESTART", eintr);
	CHECK(!other, "%lu calls failed otherwise", other);
	CHECK(alarms > 0, "no alarm fired");
}

/* ---- a writer whose buffer faults slowly ---- */

struct slow_write {
	const char *buf;
	size_t len;
	ssize_t ret;
	volatile int done;
};

static void *slow_writer(void *arg)
{
	struct slow_write *w = arg;

	w->ret = fortune_write(w->buf, w->len);
	w->done = 1;
	return NULL;
}

/* What the child of goes_on() does: a take and the stats, or a write. */
static int take_and_stats(void)
{
	struct fortune_stats st;
	struct blob got;

	return take(&got) || get_stats(&st);
}

static int add_meanwhile(void)
{
	return add_str("meanwhile");
}

/*
 * Whether a child can do @work (0 on success) within @seconds; the child is
 * killed otherwise.
 */
static int goes_on(int (*work)(void), unsigned int seconds)
{
	struct pollfd p;
	int done[2], status;
	pid_t pid;
	char c;

	if (pipe(done))
		return 0;
	pid = fork();
	if (pid < 0)
		return 0;
	if (!pid) {
		if (work() || write(done[1], "d", 1) != 1)
			_exit(1);
		_exit(0);
	}
	close(done[1]);
	p.fd = done[0];
	p.events = POLLIN;
	if (poll(&p, 1, seconds * 1000) != 1 || read(done[0], &c, 1) != 1) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		close(done[0]);
		return 0;
	}
	close(done[0]);
	return waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	       !WEXITSTATUS(status);
}

/*
 * Writes a cookie of @len bytes from memory that userfaultfd serves, and
 * while the writer waits for its first page, checks that others can still
 * take a cookie; then serves every page and checks the cookie went in.
 */
static void slow_fault_write(size_t len)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { 0 };
	size_t span = (len + 2 * PAGE - 1) / PAGE * PAGE;
	struct slow_write w = { 0 };
	struct fortune_stats st0, st1;
	unsigned int faults = 0;
	pthread_t thread;
	char *region, *page;
	int uffd, went_on = 1;

	uffd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (uffd < 0)
		SKIP("userfaultfd: %s", strerror(errno));
	ASSERT(!ioctl(uffd, UFFDIO_API, &api), "UFFDIO_API: %m");
	region = mmap(NULL, span, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	page = malloc(PAGE);
	ASSERT(region != MAP_FAILED && page, "mmap: %m");
	memset(page, 's', PAGE);
	reg.range.start = (unsigned long)region;
	reg.range.len = span;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	ASSERT(!ioctl(uffd, UFFDIO_REGISTER, &reg), "UFFDIO_REGISTER: %m");
	REQUIRE(CHECK_RET(get_stats(&st0), 0));

	w.buf = region + PAGE / 2;
	w.len = len;
	ASSERT(!pthread_create(&thread, NULL, slow_writer, &w),
	       "pthread_create");
	while (!w.done) {
		struct pollfd p = { .fd = uffd, .events = POLLIN };
		struct uffd_msg msg;
		struct uffdio_copy copy;

		if (poll(&p, 1, 100) != 1)
			continue;
		if (read(uffd, &msg, sizeof(msg)) != sizeof(msg) ||
		    msg.event != UFFD_EVENT_PAGEFAULT)
			continue;
		/* The writer now waits on a page fault: do others? */
		if (!goes_on(take_and_stats, 20))
			went_on = 0;
		faults++;
		copy.dst = msg.arg.pagefault.address & ~(unsigned long)(PAGE - 1);
		copy.src = (unsigned long)page;
		copy.len = PAGE;
		copy.mode = 0;
		copy.copy = 0;
		ASSERT(!ioctl(uffd, UFFDIO_COPY, &copy), "UFFDIO_COPY: %m");
	}
	pthread_join(thread, NULL);
	close(uffd);
	ktap_diag("%zu-byte write: %u page faults served", len, faults);
	CHECK(faults > 0, "the write took no page fault");
	CHECK(went_on == 1,
	      "a take and the stats waited while a %zu-byte write took a page fault",
	      len);
	CHECK(w.ret == (ssize_t)len, "the slow write returned %zd", w.ret);
	REQUIRE(CHECK_RET(get_stats(&st1), 0));
	CHECK(st1.added == st0.added + 1, "added %llu -> %llu",
	      (unsigned long long)st0.added, (unsigned long long)st1.added);
	munmap(region, span);
	free(page);
}

static void take_slow_fault_small_write(void)
{
	REQUIRE(LOAD_OK("pot_size=65536"));
	REQUIRE(CHECK_RET(add_str("for the others"), 0));
	slow_fault_write(64);
}

static void take_slow_fault_big_write(void)
{
	REQUIRE(LOAD_OK("pot_size=65536"));
	REQUIRE(CHECK_RET(add_str("for the others"), 0));
	slow_fault_write(3 * PAGE);
}

/* ---- a PEEK whose buffer faults forever ---- */

/*
 * In a child: PEEKs at the big cookie into memory that a userfaultfd of
 * its own registers and nobody serves; a thread says on @stalled when the
 * fault is pending.  A page fault in a copy the kernel makes ends only
 * when it is served or the task gets a fatal signal (a plain signal makes
 * the kernel retry the fault), so only SIGKILL ends this one.
 */
static void stalled_peek(int stalled, size_t len)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { 0 };
	size_t span = (len + PAGE - 1) / PAGE * PAGE;
	struct fortune_peek peek = { 0 };
	struct pollfd p;
	struct uffd_msg msg;
	char *region;
	int uffd, fd;

	uffd = syscall(SYS_userfaultfd, O_CLOEXEC);
	region = mmap(NULL, span, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (uffd < 0 || region == MAP_FAILED || ioctl(uffd, UFFDIO_API, &api))
		_exit(1);
	reg.range.start = (unsigned long)region;
	reg.range.len = span;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	if (ioctl(uffd, UFFDIO_REGISTER, &reg))
		_exit(2);
	if (fork() == 0) {
		/* Shares nothing but the uffd: reads its first message. */
		p.fd = uffd;
		p.events = POLLIN;
		if (poll(&p, 1, -1) == 1 &&
		    read(uffd, &msg, sizeof(msg)) == sizeof(msg))
			(void)!write(stalled, "f", 1);
		_exit(0);
	}
	fd = open(FORTUNE_PROC_PATH, O_RDONLY | O_CLOEXEC);
	peek.buf = (uintptr_t)region;
	peek.size = span;
	ioctl(fd, FORTUNE_IOC_PEEK, &peek);
	_exit(3);
}

/*
 * A PEEK whose buffer userfaultfd stalls holds no lock: a reader and a
 * writer go on, rmmod waits only for that call, and once SIGKILL ends it,
 * rmmod completes.
 */
static void take_stalled_peek_holds_no_lock(void)
{
	const size_t len = 100000;
	int stalled[2], status, unloaded;
	pid_t peeker, unloader;
	struct pollfd p;
	double start;
	char c;
	int uffd = syscall(SYS_userfaultfd, O_CLOEXEC);

	if (uffd < 0)
		SKIP("no userfaultfd (CONFIG_USERFAULTFD): %s", strerror(errno));
	close(uffd);
	REQUIRE(LOAD_OK("pot_size=1048576"));
	REQUIRE(CHECK_RET(add_cookie(len, 5), 0));
	REQUIRE(CHECK_RET(add_str("for the others"), 0));
	ASSERT(!pipe(stalled), "pipe: %m");
	peeker = fork();
	ASSERT(peeker >= 0, "fork: %m");
	if (!peeker)
		stalled_peek(stalled[1], len);
	close(stalled[1]);
	p.fd = stalled[0];
	p.events = POLLIN;
	if (poll(&p, 1, 30000) != 1 || read(stalled[0], &c, 1) != 1) {
		kill(peeker, SIGKILL);
		waitpid(peeker, NULL, 0);
		ASSERT(0, "the PEEK took no fault on its buffer");
	}
	CHECK(goes_on(take_and_stats, 20), "a take waited for the stalled PEEK");
	CHECK(goes_on(add_meanwhile, 20), "a write waited for the stalled PEEK");

	unloader = fork();
	ASSERT(unloader >= 0, "fork: %m");
	if (!unloader)
		_exit(module_unload() ? 1 : 0);
	sleep_ms(500);
	start = now();
	kill(peeker, SIGKILL);
	CHECK(waitpid(peeker, &status, 0) == peeker && WIFSIGNALED(status),
	      "the stalled PEEK ended with status %#x", status);
	unloaded = waitpid(unloader, &status, 0) == unloader &&
		   WIFEXITED(status) && !WEXITSTATUS(status);
	ktap_diag("SIGKILL to rmmod done: %.2f s", now() - start);
	CHECK(unloaded, "rmmod failed (status %#x)", status);
	CHECK(now() - start < 10, "rmmod took %.1f s after SIGKILL",
	      now() - start);
	CHECK(!module_is_loaded(), "fortune is still loaded");
	close(stalled[0]);
}

/* ---- which errno wins ---- */

/*
 * A write of @len bytes at @buf fails with @err and changes nothing but the
 * count of refused writes (which CHECK_UNCHANGED() takes as the new base).
 */
#define WRITE_FAILS(buf, len, err)				\
	do {								\
		ssize_t r_ = fortune_write((buf), (len));		\
		CHECK(r_ == -(err), "write of %zu bytes: %s, want %s",	\
		      (size_t)(len),					\
		      r_ < 0 ? strerrorname_np(-r_) : "no error",	\
		      strerrorname_np(err));				\
		CHECK_UNCHANGED(&s, 1);					\
	} while (0)

/*
 * In a pot with room for 157 bytes more, every write below also does not
 * fit (ENOSPC), or could never fit (EFBIG): the README's order decides.
 * EFBIG first (from the count alone), then EFAULT, then EINVAL, then
 * ENOSPC; a small cookie (on the stack) and a big one (straight into the
 * pot) alike, and with evict=Y too (nothing is evicted).
 */
static void take_errno_precedence(void)
{
	char text[600], *half;
	struct snapshot s;

	REQUIRE(LOAD_OK("pot_size=512"));
	REQUIRE(CHECK_RET(add_str("one"), 0));
	REQUIRE(CHECK_RET(add_str("two, a longer cookie"), 0));
	REQUIRE(CHECK_RET(add_cookie(300, 3), 0));
	REQUIRE(SNAPSHOT_OK(&s));
	CHECK_STAT(s.st, largest, 157);

	memset(text, 'x', sizeof(text));
	/* EFBIG beats a NUL byte and an unreadable buffer. */
	text[10] = '\0';
	WRITE_FAILS(text, 600, EFBIG);
	WRITE_FAILS(NULL, 600, EFBIG);
	/*
	 * EFBIG is decided on the count and the last byte: 505 bytes never
	 * fit (504 at most), unless the last is a newline, which is dropped.
	 */
	text[504] = 'x';
	WRITE_FAILS(text, 505, EFBIG);
	text[504] = '\n';
	WRITE_FAILS(text, 505, EINVAL);
	text[504] = 'x';
	/* A NUL byte beats ENOSPC: small (200) and big (400) cookies. */
	WRITE_FAILS(text, 200, EINVAL);
	WRITE_FAILS(text, 400, EINVAL);
	text[10] = 'x';
	text[399] = '\0';
	WRITE_FAILS(text, 400, EINVAL);
	text[399] = 'x';
	/* An unreadable byte beats ENOSPC, and a NUL byte before it. */
	WRITE_FAILS(NULL, 200, EFAULT);
	half = half_mapped(text, 100);
	ASSERT(half, "mmap: %m");
	WRITE_FAILS(half, 200, EFAULT);
	WRITE_FAILS(half, 400, EFAULT);
	half[50] = '\0';
	WRITE_FAILS(half, 200, EFAULT);
	WRITE_FAILS(half, 400, EFAULT);
	/* A readable cookie without NUL bytes: ENOSPC, last. */
	WRITE_FAILS(text, 200, ENOSPC);
	WRITE_FAILS(text, 400, ENOSPC);

	/* With evict=Y, a bad cookie evicts nothing. */
	ASSERT(!param_write("evict", "Y"), "evict=Y");
	WRITE_FAILS(half, 400, EFAULT);
	text[100] = '\0';
	WRITE_FAILS(text, 400, EINVAL);
	WRITE_FAILS(text, 200, EINVAL);
	snapshot_free(&s);
}

static const struct test_case tests[] = {
	TEST(take_open_only_takes_nothing),
	TEST(take_first_lseek_or_pread_takes),
	TEST(take_wronly_lseek_takes_nothing),
	TEST(take_sendfile_splice_same_bytes),
	TEST_SLOW(take_memory_one_copy_per_cookie, 120),
	TEST_SLOW(take_random_fair_sizes, 300),
	TEST_SLOW(take_seq_fair_sizes, 300),
	TEST_SLOW(take_memory_short_files_random, 300),
	TEST_SLOW(take_memory_short_files_seq, 300),
	TEST_SLOW(take_sa_restart_never_eintr, 120),
	TEST_SLOW(take_slow_fault_small_write, 120),
	TEST_SLOW(take_slow_fault_big_write, 120),
	TEST_SLOW(take_stalled_peek_holds_no_lock, 120),
	TEST(take_errno_precedence),
};

int main(void)
{
	return run_tests(tests, ARRAY_SIZE(tests));
}
