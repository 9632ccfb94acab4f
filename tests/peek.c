// SPDX-License-Identifier: GPL-2.0
/*
 * peek.c - FORTUNE_IOC_PEEK: reads a stored cookie without taking it.
 * Every errno it documents, that it takes nothing (no cursor move, nothing
 * served) and that every refusal leaves the pot as it was.  Also built
 * with -m32 as peek32 (tests/suite.list): the compat path.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <sys/mman.h>

#include "testlib.h"

/* fortune.h's promise: the same layout for 32- and 64-bit callers. */
_Static_assert(sizeof(struct fortune_peek) == 32,
	       "struct fortune_peek is not 32 bytes");
_Static_assert(offsetof(struct fortune_peek, buf) == 8 &&
	       offsetof(struct fortune_peek, len) == 24,
	       "struct fortune_peek has holes");

/* One FORTUNE_IOC_PEEK on @fd; 0 or -errno. */
static int peek_fd(int fd, uint32_t pos, void *buf, uint64_t size,
		   struct fortune_peek *p)
{
	memset(p, 0, sizeof(*p));
	p->pos = pos;
	p->cookies = 0xdeadbeef;
	p->buf = (uintptr_t)buf;
	p->size = size;
	p->len = 0xdeadbeef;
	return ioctl(fd, FORTUNE_IOC_PEEK, p) ? -errno : 0;
}

/* Peeks at @pos through a fresh write-only file and checks the text. */
static int check_peek_at(int line, uint32_t pos, const char *want,
			 uint32_t cookies)
{
	struct fortune_peek p;
	char buf[8192];
	int fd, ret;

	fd = open(FORTUNE_PROC_PATH, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		test_fail_at(line, "open: %m");
		return 0;
	}
	memset(buf, 0x5a, sizeof(buf));
	ret = peek_fd(fd, pos, buf, sizeof(buf) - 1, &p);
	close(fd);
	if (ret) {
		test_fail_at(line, "peek %u: %s", pos, strerror(-ret));
		return 0;
	}
	if (p.cookies != cookies || p.len != strlen(want) ||
	    memcmp(buf, want, p.len) || buf[p.len] != 0x5a) {
		test_fail_at(line,
			     "peek %u: %u cookies, \"%.*s\" (%llu bytes); want %u, \"%s\"",
			     pos, p.cookies, (int)(p.len < 60 ? p.len : 60),
			     buf, (unsigned long long)p.len, cookies, want);
		return 0;
	}
	return 1;
}

#define CHECK_PEEK(pos, want, cookies) \
	check_peek_at(__LINE__, (pos), (want), (cookies))

/* Positions count from the cursor, round the pot; peeking moves nothing. */
static void peek_positions_take_nothing(void)
{
	struct fortune_stats before, after;

	REQUIRE(LOAD_OK(""));
	REQUIRE(CHECK_RET(add_str("alpha\n"), 0));
	REQUIRE(CHECK_RET(add_str("beta\n\n"), 0));
	REQUIRE(CHECK_RET(add_str("gamma"), 0));
	CHECK_PEEK(0, "alpha", 3);
	CHECK_TAKE("alpha");
	REQUIRE(CHECK_RET(get_stats(&before), 0));
	/* "beta\n\n" is stored as "beta\n": a peek sees what is stored. */
	CHECK_PEEK(0, "beta\n", 3);
	CHECK_PEEK(1, "gamma", 3);
	CHECK_PEEK(2, "alpha", 3);
	CHECK_PEEK(0, "beta\n", 3);
	REQUIRE(CHECK_RET(get_stats(&after), 0));
	CHECK(!memcmp(&before, &after, sizeof(before)),
	      "peeking changed the stats (served %llu -> %llu)",
	      (unsigned long long)before.served,
	      (unsigned long long)after.served);
	CHECK_TAKE("beta\n");
	CHECK_TAKE("gamma");
	/* The cursor is past the newest: position 0 is the oldest again. */
	CHECK_PEEK(0, "alpha", 3);
	CHECK_PEEK(2, "gamma", 3);
	CHECK_TAKE("alpha");
}

/* Any open file may ask: read-only, write-only, read-write. */
static void peek_any_open_file(void)
{
	static const int modes[] = { O_RDONLY, O_WRONLY, O_RDWR };
	struct fortune_stats st0, st1;
	struct fortune_peek p;
	char buf[16];
	size_t i;
	int fd;

	REQUIRE(LOAD_OK(""));
	REQUIRE(CHECK_RET(add_str("one"), 0));
	REQUIRE(CHECK_RET(add_str("two"), 0));
	for (i = 0; i < ARRAY_SIZE(modes); i++) {
		fd = open(FORTUNE_PROC_PATH, modes[i] | O_CLOEXEC);
		ASSERT(fd >= 0, "open: %m");
		/* Stats through the same file: what the open did is not ours. */
		REQUIRE(CHECK_RET(ioctl(fd, FORTUNE_IOC_STATS, &st0), 0));
		if (CHECK_RET(peek_fd(fd, 1, buf, sizeof(buf), &p), 0))
			CHECK(p.len == 3 && p.cookies == 2,
			      "mode %zu: len %llu cookies %u", i,
			      (unsigned long long)p.len, p.cookies);
		REQUIRE(CHECK_RET(ioctl(fd, FORTUNE_IOC_STATS, &st1), 0));
		CHECK(!memcmp(&st0, &st1, sizeof(st0)),
		      "mode %zu: a peek changed the stats", i);
		close(fd);
	}
}

/* A cookie of the pot's largest size, and one byte of room too little. */
static void peek_long_cookie_and_erange(void)
{
	static char cookie[4000], buf[4001];
	struct snapshot s;
	char *fresh;
	struct fortune_peek p;
	int fd;

	REQUIRE(LOAD_OK("pot_size=8192"));
	make_cookie(cookie, sizeof(cookie), 7);
	REQUIRE(CHECK_RET(fortune_write(cookie, sizeof(cookie)),
			  (long)sizeof(cookie)));
	REQUIRE(CHECK_RET(add_str("tail"), 0));
	REQUIRE(SNAPSHOT_OK(&s));
	fd = open(FORTUNE_PROC_PATH, O_WRONLY | O_CLOEXEC);
	ASSERT(fd >= 0, "open: %m");

	memset(buf, 0x5a, sizeof(buf));
	CHECK_RET(peek_fd(fd, 0, buf, sizeof(cookie) - 1, &p), -ERANGE);
	CHECK(p.len == sizeof(cookie) && p.cookies == 2,
	      "ERANGE: len %llu cookies %u, want %zu and 2",
	      (unsigned long long)p.len, p.cookies, sizeof(cookie));
	CHECK(buf[0] == 0x5a, "ERANGE wrote to the buffer");
	CHECK_RET(peek_fd(fd, 0, buf, 0, &p), -ERANGE);
	CHECK(p.len == sizeof(cookie), "ERANGE with size 0: len %llu",
	      (unsigned long long)p.len);

	/* Exactly the length is enough: no NUL is added. */
	if (CHECK_RET(peek_fd(fd, 0, buf, sizeof(cookie), &p), 0))
		CHECK(p.len == sizeof(cookie) &&
		      !memcmp(buf, cookie, sizeof(cookie)) &&
		      buf[sizeof(cookie)] == 0x5a,
		      "the long cookie peeks wrong");

	/*
	 * A buffer of pages never touched: the copy to it, made with no lock
	 * held, faults them in and succeeds.
	 */
	fresh = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT(fresh != MAP_FAILED, "mmap: %m");
	if (CHECK_RET(peek_fd(fd, 0, fresh, 2 * 4096, &p), 0))
		CHECK(p.len == sizeof(cookie) &&
		      !memcmp(fresh, cookie, sizeof(cookie)),
		      "the peek into fresh pages differs");
	munmap(fresh, 2 * 4096);
	close(fd);
	CHECK_UNCHANGED(&s, 0);
	snapshot_free(&s);
}

/* ENOENT past the end and on an empty pot, with the count written back. */
static void peek_enoent(void)
{
	struct fortune_peek p;
	struct snapshot s;
	char buf[16];
	int fd;

	REQUIRE(LOAD_OK(""));
	fd = open(FORTUNE_PROC_PATH, O_WRONLY | O_CLOEXEC);
	ASSERT(fd >= 0, "open: %m");
	CHECK_RET(peek_fd(fd, 0, buf, sizeof(buf), &p), -ENOENT);
	CHECK(p.cookies == 0 && p.len == 0, "empty pot: cookies %u len %llu",
	      p.cookies, (unsigned long long)p.len);
	REQUIRE(CHECK_RET(add_str("x"), 0));
	REQUIRE(CHECK_RET(add_str("y"), 0));
	REQUIRE(SNAPSHOT_OK(&s));
	CHECK_RET(peek_fd(fd, 2, buf, sizeof(buf), &p), -ENOENT);
	CHECK(p.cookies == 2, "ENOENT: cookies %u, want 2", p.cookies);
	CHECK_RET(peek_fd(fd, UINT32_MAX, buf, sizeof(buf), &p), -ENOENT);
	close(fd);
	CHECK_UNCHANGED(&s, 0);
	snapshot_free(&s);
}

/* EFAULT for every address the caller hands over, nothing changed. */
static void peek_efault(void)
{
	struct fortune_peek p, *ro;
	struct snapshot s;
	char buf[16];
	int fd;

	REQUIRE(LOAD_OK(""));
	REQUIRE(CHECK_RET(add_str("fault"), 0));
	REQUIRE(SNAPSHOT_OK(&s));
	fd = open(FORTUNE_PROC_PATH, O_WRONLY | O_CLOEXEC);
	ASSERT(fd >= 0, "open: %m");

	CHECK_ERRNO(ioctl(fd, FORTUNE_IOC_PEEK, NULL), EFAULT);
	/* The cookie's buffer: NULL, and a buffer that is read-only. */
	CHECK_RET(peek_fd(fd, 0, NULL, sizeof(buf), &p), -EFAULT);
	ro = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT(ro != MAP_FAILED, "mmap: %m");
	ASSERT(!mprotect(ro, 4096, PROT_READ), "mprotect: %m");
	CHECK_RET(peek_fd(fd, 0, ro, 4096, &p), -EFAULT);
	/* The request itself readable but not writable: no result back. */
	ASSERT(!mprotect(ro, 4096, PROT_READ | PROT_WRITE), "mprotect: %m");
	ro->pos = 0;
	ro->buf = (uintptr_t)buf;
	ro->size = sizeof(buf);
	ASSERT(!mprotect(ro, 4096, PROT_READ), "mprotect: %m");
	CHECK_ERRNO(ioctl(fd, FORTUNE_IOC_PEEK, ro), EFAULT);
	munmap(ro, 4096);
	close(fd);
	CHECK_UNCHANGED(&s, 0);
	snapshot_free(&s);
}

/* After evictions the pot wraps: positions still follow seq order. */
static void peek_after_eviction(void)
{
	char want[8];
	unsigned int i;

	REQUIRE(LOAD_OK("pot_size=64 evict=Y"));
	for (i = 0; i < 10; i++) {
		snprintf(want, sizeof(want), "c%u", i);
		REQUIRE(CHECK_RET(add_str(want), 0));
	}
	/* 64 bytes hold six cookies of 2 + 8: c4 to c9 remain. */
	CHECK_PEEK(0, "c4", 6);
	CHECK_PEEK(5, "c9", 6);
	CHECK_TAKE("c4");
	CHECK_PEEK(0, "c5", 6);
	CHECK_PEEK(5, "c4", 6);
}

/*
 * A PEEK that fails leaves the caller's buffer as it was.  The buffer is a
 * shared mapping of a file full of 0x5a whose page table entries are
 * dropped before each PEEK, so that the copy to it faults (a PEEK that
 * faulted the buffer in by clearing it, then found the cookie too big or
 * gone, left zeroes); meanwhile a child adds cookies of 1 to 6000 bytes
 * with evict=Y, so that PEEKs at position 0 with room for 4000 bytes end
 * in every way.  A PEEK that succeeded wrote the cookie and nothing after
 * it.
 */
static void peek_failure_leaves_buffer(void)
{
	const size_t span = 2 * 4096, size = 4000;
	unsigned int i, ok = 0, erange = 0, enoent = 0;
	struct fortune_peek p;
	char path[] = "/tmp/peek-bufXXXXXX";
	char *buf, *pattern;
	int fd, file, status;
	pid_t pid;

	REQUIRE(LOAD_OK("pot_size=65536 evict=Y"));
	pid = fork();
	ASSERT(pid >= 0, "fork: %m");
	if (!pid) {
		static char cookie[6000];
		unsigned int n = 1;

		memset(cookie, 'c', sizeof(cookie));
		for (;;) {
			n = n * 1103515245 + 12345;
			if (fortune_write(cookie, 1 + (n >> 8) % sizeof(cookie)) < 0)
				_exit(1);
		}
	}
	file = mkstemp(path);
	ASSERT(file >= 0, "mkstemp: %m");
	unlink(path);
	pattern = malloc(span);
	ASSERT(pattern, "malloc");
	memset(pattern, 0x5a, span);
	ASSERT(write(file, pattern, span) == (ssize_t)span, "write: %m");
	buf = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_SHARED, file, 0);
	ASSERT(buf != MAP_FAILED, "mmap: %m");
	fd = open(FORTUNE_PROC_PATH, O_RDONLY | O_CLOEXEC);
	ASSERT(fd >= 0, "open: %m");
	for (i = 0; i < 2000; i++) {
		int ret;

		memcpy(buf, pattern, span);
		madvise(buf, span, MADV_DONTNEED);
		ret = peek_fd(fd, 0, buf, size, &p);
		if (!ret) {
			ok++;
			if (!CHECK(p.len <= size && !memcmp(buf + p.len,
							    pattern, span - p.len),
				   "a PEEK of %llu bytes wrote past them",
				   (unsigned long long)p.len))
				break;
			continue;
		}
		if (ret == -ERANGE)
			erange++;
		else if (ret == -ENOENT)
			enoent++;
		else if (!CHECK(0, "PEEK: %s", strerror(-ret)))
			break;
		if (!CHECK(!memcmp(buf, pattern, span),
			   "a PEEK that failed with %s changed the buffer",
			   strerrorname_np(-ret)))
			break;
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	close(fd);
	munmap(buf, span);
	close(file);
	free(pattern);
	ktap_diag("%u PEEKs: %u copied, %u ERANGE, %u ENOENT", i, ok, erange,
		  enoent);
	CHECK(erange > 0 && ok > 0, "not every outcome came up");
}

static const struct test_case tests[] = {
	TEST(peek_positions_take_nothing),
	TEST(peek_any_open_file),
	TEST(peek_long_cookie_and_erange),
	TEST(peek_enoent),
	TEST(peek_efault),
	TEST(peek_after_eviction),
	TEST_SLOW(peek_failure_leaves_buffer, 120),
};

int main(void)
{
	return run_tests(tests, ARRAY_SIZE(tests));
}
