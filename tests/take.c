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
 *  - a wait for the pot's lock that a signal interrupts is restarted, so
 *    an SA_RESTART handler never sees EINTR;
 *  - a writer whose buffer faults slowly (userfaultfd) does not hold the
 *    lock across the fault: readers go on meanwhile;
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

/*
 * Whether a child can take a cookie and read the stats within @seconds;
 * the child is killed otherwise.
 */
static int others_go_on(unsigned int seconds)
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
		struct fortune_stats st;
		struct blob got;

		if (take(&got) || get_stats(&st) || write(done[1], "d", 1) != 1)
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
		if (!others_go_on(20))
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
	TEST_SLOW(take_sa_restart_never_eintr, 120),
	TEST_SLOW(take_slow_fault_small_write, 120),
	TEST_SLOW(take_slow_fault_big_write, 120),
	TEST(take_errno_precedence),
};

int main(void)
{
	return run_tests(tests, ARRAY_SIZE(tests));
}
