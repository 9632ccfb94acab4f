// SPDX-License-Identifier: GPL-2.0
/*
 * klog.c - what fortune.ko writes to the kernel log: one line at load with
 * the settings in force, one at unload, nothing for normal reads and
 * writes, a rate-limited notice of a full pot, and every line starting with
 * "fortune: ".
 *
 * The kernel itself prints a few lines on the first load after boot (the
 * taint by an out-of-tree, unsigned module), so each test first loads and
 * unloads the module once before it watches the log.
 */
#define _GNU_SOURCE
#include "testlib.h"

/* Loads and unloads once, so that the kernel's first-load lines are out. */
static int warm_up(void)
{
	return CHECK_RET(module_load(""), 0) && CHECK_RET(module_unload(), 0);
}

/* Checks every line collected in @k starts with "fortune: ". */
static int check_all_prefixed_at(int line, struct klog *k, const char *what)
{
	unsigned int i;

	for (i = 0; i < k->count && i < KLOG_KEEP; i++) {
		if (strncmp(k->line[i], "fortune: ", 9)) {
			test_fail_at(line, "%s: a kernel log line does not start with \"fortune: \": \"%s\"",
				     what, k->line[i]);
			klog_diag(k);
			return 0;
		}
	}
	return 1;
}

#define CHECK_ALL_PREFIXED(k, what)	check_all_prefixed_at(__LINE__, k, what)

/* Checks that @k holds exactly @want lines. */
static int check_lines_at(int line, struct klog *k, unsigned int want,
			  const char *what)
{
	if (k->count == want)
		return 1;
	test_fail_at(line, "%s logged %u lines, want %u", what, k->count,
		     want);
	klog_diag(k);
	return 0;
}

#define CHECK_LINES(k, want, what)	check_lines_at(__LINE__, k, want, what)

/* Loads with @params; the one line logged must name each of @words. */
static void check_load_line(const char *params, const char * const *words)
{
	struct klog k;
	size_t i;

	ASSERT(!klog_mark(&k), "open /dev/kmsg: %m");
	REQUIRE(LOAD_OK(params));
	klog_collect(&k);
	klog_close(&k);
	REQUIRE(CHECK_LINES(&k, 1, "loading"));
	REQUIRE(CHECK_ALL_PREFIXED(&k, "loading"));
	ktap_diag("load with \"%s\": %s", params, k.line[0]);
	for (i = 0; words[i]; i++)
		CHECK(has_word(k.line[0], words[i]),
		      "the load line \"%s\" does not name %s", k.line[0],
		      words[i]);
}

static void log_load_one_line_with_settings(void)
{
	static const char * const defaults[] = { "4096", "seq", "N", NULL };
	static const char * const others[] = { "8192", "random", "Y", NULL };
	static const char * const seq_y[] = { "65536", "seq", "Y", NULL };

	REQUIRE(warm_up());
	check_load_line("", defaults);
	REQUIRE(CHECK_RET(module_unload(), 0));
	check_load_line("pot_size=8192 order=random evict=Y", others);
	REQUIRE(CHECK_RET(module_unload(), 0));
	check_load_line("evict=1 pot_size=65536", seq_y);
}

static void log_unload_one_line(void)
{
	struct klog k;

	REQUIRE(warm_up());
	REQUIRE(LOAD_OK(""));
	REQUIRE(CHECK_RET(add_str("a cookie"), 0));
	CHECK_TAKE("a cookie");
	ASSERT(!klog_mark(&k), "open /dev/kmsg: %m");
	REQUIRE(CHECK_RET(module_unload(), 0));
	klog_collect(&k);
	klog_close(&k);
	REQUIRE(CHECK_LINES(&k, 1, "unloading"));
	CHECK_ALL_PREFIXED(&k, "unloading");
	ktap_diag("unload: %s", k.line[0]);
}

static void log_normal_reads_writes_silent(void)
{
	struct fortune_stats st;
	struct blob got;
	struct klog k;
	char buf[8];
	int i, fd;

	REQUIRE(warm_up());
	REQUIRE(LOAD_OK("pot_size=65536"));
	ASSERT(!klog_mark(&k), "open /dev/kmsg: %m");
	for (i = 0; i < 20; i++)
		REQUIRE(CHECK_RET(add_cookie(100 + 300 * i, i), 0));
	for (i = 0; i < 30; i++) {
		REQUIRE(CHECK_RET(take_chunked(&got, 1 + 97 * i), 0));
		blob_free(&got);
	}
	fd = open(FORTUNE_PROC_PATH, O_RDWR);
	ASSERT(fd >= 0, "open: %m");
	CHECK_RET(pread(fd, buf, sizeof(buf), 3), (long)sizeof(buf));
	CHECK_RET(lseek(fd, 0, SEEK_END) > 0, 1);
	CHECK_RET(ioctl(fd, FORTUNE_IOC_STATS, &st), 0);
	CHECK_RET(write(fd, "via O_RDWR\n", 11), 11);
	CHECK_RET(ioctl(fd, FORTUNE_IOC_CLEAR), 0);
	close(fd);
	fd = open(FORTUNE_PROC_PATH, O_RDONLY);	/* the empty pot */
	ASSERT(fd >= 0, "open: %m");
	CHECK_RET(read(fd, buf, sizeof(buf)), 0);
	close(fd);
	klog_collect(&k);
	klog_close(&k);
	CHECK_LINES(&k, 0, "normal reads, writes and ioctls");
}

/*
 * 1000 writes refused by a full pot in a burst give at most a handful of
 * lines: at least one (a full pot is reported), at most 10.
 */
static void log_full_pot_rate_limited(void)
{
	unsigned int i, full = 0;
	struct klog k;
	double start;
	int ret;

	REQUIRE(warm_up());
	REQUIRE(LOAD_OK("pot_size=64 evict=N"));
	REQUIRE(CHECK_RET(add_cookie(50, 1), 0));
	ASSERT(!klog_mark(&k), "open /dev/kmsg: %m");
	start = now();
	for (i = 0; i < 1000; i++) {
		ret = add_cookie(20, 2);
		if (ret != -ENOSPC) {
			FAIL("refused write %u: %s, want ENOSPC", i,
			     ret ? strerrorname_np(-ret) : "success");
			break;
		}
	}
	klog_collect(&k);
	ktap_diag("1000 refused writes in %.2f s logged %u lines (and %u of the kernel's clocks)",
		  now() - start, k.count, k.others);
	for (i = 0; i < k.count && i < KLOG_KEEP; i++)
		full += !strncmp(k.line[i], "fortune: ", 9) &&
			strstr(k.line[i], "full");
	CHECK(full >= 1, "no \"fortune: ...full...\" line for a full pot");
	CHECK(k.count <= 10, "%u lines for 1000 refused writes", k.count);
	CHECK_ALL_PREFIXED(&k, "refused writes");
	if (k.count)
		ktap_diag("first: %s", k.line[0]);

	/*
	 * Once the rate limit lets lines through again, nothing else may
	 * appear either (say, a "callbacks suppressed" line without the
	 * prefix).  Default rate limits open again after 5 s.
	 */
	sleep_ms(5500);
	for (i = 0; i < 3; i++)
		CHECK_RET(add_cookie(20, 3), -ENOSPC);
	klog_collect(&k);
	klog_close(&k);
	CHECK(k.count <= 13, "%u lines in all", k.count);
	CHECK_ALL_PREFIXED(&k, "refused writes, later");
}

/* Refused writes of every kind other than a full pot log nothing. */
static void log_other_refusals_silent(void)
{
	static char big[5000];
	struct klog k;

	memset(big, 'x', sizeof(big));
	REQUIRE(warm_up());
	REQUIRE(LOAD_OK("pot_size=4096"));
	ASSERT(!klog_mark(&k), "open /dev/kmsg: %m");
	CHECK_RET(fortune_write("", 0), -EINVAL);
	CHECK_RET(fortune_write("\n", 1), -EINVAL);
	CHECK_RET(fortune_write("a\0b", 3), -EINVAL);
	CHECK_RET(fortune_write(big, sizeof(big)), -EFBIG);
	CHECK_RET(fortune_write(NULL, 10), -EFAULT);
	klog_collect(&k);
	klog_close(&k);
	CHECK_LINES(&k, 0, "writes refused with EINVAL, EFBIG and EFAULT");
}

static const struct test_case tests[] = {
	TEST(log_load_one_line_with_settings),
	TEST(log_unload_one_line),
	TEST(log_normal_reads_writes_silent),
	TEST(log_other_refusals_silent),
	TEST(log_full_pot_rate_limited),
};

int main(void)
{
	return run_tests(tests, ARRAY_SIZE(tests));
}
