// SPDX-License-Identifier: GPL-2.0
/*
 * compat32.c - /proc/fortune from a 32-bit program on the 64-bit kernel:
 * the ioctls go through the compat path (proc_compat_ioctl), and so do
 * write(2), read(2) and lseek(2).  Built with -m32 (tests/suite.list).
 */
#define _GNU_SOURCE
#include "testlib.h"

#ifndef __i386__
#error "compat32.c is the 32-bit test: build it with -m32"
#endif

/* fortune.h's promise: the same layout for 32- and 64-bit callers. */
_Static_assert(sizeof(struct fortune_stats) == 64,
	       "struct fortune_stats is not 8 x __u64 in 32-bit code");

/* The stats and a canary right after them, which must stay untouched. */
struct guarded_stats {
	struct fortune_stats st;
	uint64_t canary;
};

static void compat_stats_counters(void)
{
	struct guarded_stats g;
	char c;
	int fd;

	REQUIRE(LOAD_OK("pot_size=4096"));
	REQUIRE(CHECK_RET(add_str("thirty-two bits\n"), 0));
	REQUIRE(CHECK_RET(add_cookie(100, 1), 0));
	CHECK_RET(fortune_write("a\0b", 3), -EINVAL);
	fd = open(FORTUNE_PROC_PATH, O_RDONLY);
	ASSERT(fd >= 0, "open: %m");
	memset(&g, 0xa5, sizeof(g));
	CHECK_RET(ioctl(fd, FORTUNE_IOC_STATS, &g.st), 0);
	stats_diag("32-bit FORTUNE_IOC_STATS", &g.st);
	CHECK_STAT(g.st, capacity, 4096);
	CHECK_STAT(g.st, used, 15 + 100 + 2 * FORTUNE_COOKIE_OVERHEAD);
	CHECK_STAT(g.st, cookies, 2);
	CHECK_STAT(g.st, served, 0);	/* taken at the first read */
	CHECK_STAT(g.st, added, 2);
	CHECK_STAT(g.st, refused, 1);
	CHECK_STAT(g.st, evicted, 0);
	CHECK_STAT(g.st, largest, 4096 - 131 - FORTUNE_COOKIE_OVERHEAD);
	CHECK(g.canary == 0xa5a5a5a5a5a5a5a5ULL,
	      "FORTUNE_IOC_STATS wrote past the struct");
	CHECK_RET(read(fd, &c, 1), 1);
	CHECK(c == 't', "the file read '%c', not its cookie", c);
	CHECK_ERRNO(ioctl(fd, FORTUNE_IOC_STATS, NULL), EFAULT);
	close(fd);
}

static void compat_clear(void)
{
	struct fortune_stats st;
	int fd;

	REQUIRE(LOAD_OK(""));
	REQUIRE(CHECK_RET(add_str("A"), 0));
	REQUIRE(CHECK_RET(add_str("B"), 0));
	fd = open(FORTUNE_PROC_PATH, O_RDONLY);	/* takes nothing */
	ASSERT(fd >= 0, "open: %m");
	CHECK_ERRNO(ioctl(fd, FORTUNE_IOC_CLEAR), EBADF);
	close(fd);
	REQUIRE(CHECK_RET(get_stats(&st), 0));
	CHECK_STAT(st, cookies, 2);
	CHECK_TAKE("A");
	CHECK_TAKE("B");
	CHECK_TAKE("A");

	fd = open(FORTUNE_PROC_PATH, O_WRONLY);
	ASSERT(fd >= 0, "open: %m");
	CHECK_RET(ioctl(fd, FORTUNE_IOC_CLEAR), 0);
	close(fd);
	REQUIRE(CHECK_RET(get_stats(&st), 0));
	CHECK_STAT(st, cookies, 0);
	CHECK_STAT(st, used, 0);
	REQUIRE(CHECK_RET(add_str("X"), 0));
	REQUIRE(CHECK_RET(add_str("Y"), 0));
	CHECK_TAKE("X");
}

static void compat_unknown_enotty(void)
{
	uint32_t small;
	int fd;

	REQUIRE(LOAD_OK(""));
	fd = open(FORTUNE_PROC_PATH, O_WRONLY);
	ASSERT(fd >= 0, "open: %m");
	CHECK_ERRNO(ioctl(fd, _IO(FORTUNE_IOC_MAGIC, 3)), ENOTTY);
	CHECK_ERRNO(ioctl(fd, _IOR(FORTUNE_IOC_MAGIC, 1, uint32_t), &small),
		    ENOTTY);
	errno = 0;
	CHECK(!isatty(fd) && errno == ENOTTY, "isatty: %m, want ENOTTY");
	close(fd);
}

static void compat_write_read_lseek(void)
{
	char cookie[5000], buf[64];
	int fd;

	REQUIRE(LOAD_OK("pot_size=8192"));
	make_cookie(cookie, sizeof(cookie), 32);
	REQUIRE(CHECK_RET(fortune_write(cookie, sizeof(cookie)),
			  (long)sizeof(cookie)));
	CHECK_TAKE_BYTES(cookie, sizeof(cookie), 1000);
	fd = open(FORTUNE_PROC_PATH, O_RDONLY);
	ASSERT(fd >= 0, "open: %m");
	CHECK_RET(lseek(fd, 0, SEEK_END), 5001);
	CHECK_RET(lseek(fd, 4990, SEEK_SET), 4990);
	if (CHECK_RET(read(fd, buf, sizeof(buf)), 11))
		CHECK(!memcmp(buf, cookie + 4990, 10) && buf[10] == '\n',
		      "read after lseek differs");
	close(fd);
}

static const struct test_case tests[] = {
	TEST(compat_stats_counters),
	TEST(compat_clear),
	TEST(compat_unknown_enotty),
	TEST(compat_write_read_lseek),
};

int main(void)
{
	return run_tests(tests, ARRAY_SIZE(tests));
}
