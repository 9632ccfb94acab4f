// SPDX-License-Identifier: GPL-2.0
/*
 * params.c - the module parameters of fortune.ko: their values at load,
 * the refused ones (EINVAL, the allowed values in the kernel log, nothing
 * left behind), ENOMEM for a pot that cannot be had, run-time changes
 * through /sys/module/fortune/parameters/, modinfo's descriptions, and 50
 * load/unload cycles.
 */
#define _GNU_SOURCE
#include "testlib.h"

/* Checks that parameter @name reads @want (and a newline). */
static int check_param_at(int line, const char *name, const char *want)
{
	char buf[64], expect[64];
	int ret;

	ret = param_read(name, buf, sizeof(buf));
	if (ret) {
		test_fail_at(line, "reading parameter %s: %s", name,
			     strerror(-ret));
		return 0;
	}
	snprintf(expect, sizeof(expect), "%s\n", want);
	if (strcmp(buf, expect)) {
		test_fail_at(line, "parameter %s reads \"%.*s\", want \"%s\"",
			     name, (int)strcspn(buf, "\n"), buf, want);
		return 0;
	}
	return 1;
}

#define CHECK_PARAM(name, want)	check_param_at(__LINE__, name, want)

/* Checks that nothing of the module is left: a failed load or an unload. */
static int check_nothing_left_at(int line, const char *after)
{
	int ok = 1;

	if (path_exists(FORTUNE_PROC_PATH)) {
		test_fail_at(line, "%s: /proc/fortune exists", after);
		ok = 0;
	}
	if (module_is_loaded()) {
		test_fail_at(line, "%s: fortune is in /proc/modules", after);
		ok = 0;
	}
	if (path_exists("/sys/module/fortune")) {
		test_fail_at(line, "%s: /sys/module/fortune exists", after);
		ok = 0;
	}
	return ok;
}

/*
 * Checks that the kernel log since @k's mark has a line starting with
 * "fortune: " that names every word of @allowed (a NULL-terminated list).
 */
static int check_log_names_at(int line, struct klog *k, const char *what,
			      const char * const *allowed)
{
	unsigned int i;
	size_t j;

	klog_collect(k);
	for (i = 0; i < k->count && i < KLOG_KEEP; i++) {
		if (strncmp(k->line[i], "fortune: ", 9))
			continue;
		for (j = 0; allowed[j]; j++)
			if (!has_word(k->line[i], allowed[j]))
				break;
		if (!allowed[j])
			return 1;
	}
	test_fail_at(line, "%s: no \"fortune: \" line in the kernel log names the allowed values (%s%s%s...)",
		     what, allowed[0], allowed[1] ? ", " : "",
		     allowed[1] ? allowed[1] : "");
	klog_diag(k);
	return 0;
}

static const char * const pot_size_allowed[] = { "64", "1073741824", NULL };
static const char * const order_allowed[] = { "seq", "random", NULL };
static const char * const evict_allowed[] = { "Y", "N", NULL };

/*
 * Loads with @params, which must fail with @err; the kernel log must name
 * @allowed (if not NULL) and nothing may be left behind.
 */
static int check_load_refused_at(int line, const char *params, int err,
				 const char * const *allowed)
{
	struct klog k;
	int ret, ok;

	if (klog_mark(&k)) {
		test_fail_at(line, "open /dev/kmsg: %m");
		return 0;
	}
	ret = module_load(params);
	if (ret != -err) {
		test_fail_at(line, "loading with \"%s\": %s, want %s", params,
			     ret ? strerrorname_np(-ret) : "loaded",
			     strerrorname_np(err));
		klog_close(&k);
		if (!ret)
			module_unload();
		return 0;
	}
	ok = check_nothing_left_at(line, params);
	if (allowed)
		ok &= check_log_names_at(line, &k, params, allowed);
	klog_close(&k);
	return ok;
}

#define CHECK_LOAD_REFUSED(params, err, allowed)	\
	check_load_refused_at(__LINE__, params, err, allowed)

static void param_defaults(void)
{
	struct fortune_stats st;

	REQUIRE(LOAD_OK(""));
	CHECK_PARAM("pot_size", "4096");
	CHECK_PARAM("order", "seq");
	CHECK_PARAM("evict", "N");
	REQUIRE(CHECK_RET(get_stats(&st), 0));
	CHECK_STAT(st, capacity, 4096);
	/* evict=N: a full pot refuses. */
	REQUIRE(CHECK_RET(add_cookie(4000, 1), 0));
	CHECK_RET(add_cookie(100, 2), -ENOSPC);
	/* seq: in the order added. */
	REQUIRE(CHECK_RET(clear_pot(), 0));
	REQUIRE(CHECK_RET(add_str("one"), 0));
	REQUIRE(CHECK_RET(add_str("two"), 0));
	CHECK_TAKE("one");
	CHECK_TAKE("two");
	CHECK_TAKE("one");
}

/* Every parameter is in the .ko's modinfo with a description. */
static void param_modinfo_descriptions(void)
{
	static const char * const names[] = { "pot_size", "order", "evict" };
	struct blob ko;
	char key[32];
	size_t i;
	int fd;

	fd = open(module_path(), O_RDONLY);
	ASSERT(fd >= 0, "open %s: %m", module_path());
	ASSERT(CHECK_RET(read_all(fd, &ko, 65536), 0), "reading the .ko");
	close(fd);
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		const char *p, *desc;

		snprintf(key, sizeof(key), "parm=%s:", names[i]);
		p = memmem(ko.data, ko.len, key, strlen(key));
		if (!CHECK(p, "no \"%s\" in modinfo: no MODULE_PARM_DESC",
			   key))
			continue;
		desc = p + strlen(key);
		CHECK(strlen(desc) >= 10, "the description of %s is \"%s\"",
		      names[i], desc);
		ktap_diag("modinfo %s: %s", names[i], desc);
	}
	blob_free(&ko);
}

static void param_pot_size_bounds(void)
{
	struct fortune_stats st;

	REQUIRE(LOAD_OK("pot_size=64"));
	CHECK_PARAM("pot_size", "64");
	REQUIRE(CHECK_RET(get_stats(&st), 0));
	CHECK_STAT(st, capacity, 64);
	CHECK_STAT(st, largest, 64 - FORTUNE_COOKIE_OVERHEAD);
	CHECK_RET(add_cookie(57, 1), -EFBIG);
	CHECK_RET(add_cookie(56, 1), 0);
	CHECK_TAKE_COOKIE(56, 1);
	REQUIRE(CHECK_RET(module_unload(), 0));

	REQUIRE(LOAD_OK("pot_size=1048576"));
	CHECK_PARAM("pot_size", "1048576");
	REQUIRE(CHECK_RET(get_stats(&st), 0));
	CHECK_STAT(st, capacity, 1048576);
	CHECK_RET(add_cookie(1048576 - 8, 1), 0);
	CHECK_TAKE_COOKIE(1048576 - 8, 1);
}

static void param_pot_size_out_of_range_einval(void)
{
	CHECK_LOAD_REFUSED("pot_size=63", EINVAL, pot_size_allowed);
	CHECK_LOAD_REFUSED("pot_size=0", EINVAL, pot_size_allowed);
	CHECK_LOAD_REFUSED("pot_size=1073741825", EINVAL, pot_size_allowed);
	CHECK_LOAD_REFUSED("pot_size=4294967360", EINVAL, pot_size_allowed);
	CHECK_LOAD_REFUSED("pot_size=-4096", EINVAL, pot_size_allowed);
}

static void param_pot_size_not_a_number_einval(void)
{
	CHECK_LOAD_REFUSED("pot_size=abc", EINVAL, pot_size_allowed);
	CHECK_LOAD_REFUSED("pot_size=4096abc", EINVAL, pot_size_allowed);
	CHECK_LOAD_REFUSED("pot_size=", EINVAL, pot_size_allowed);
}

/* MemTotal from /proc/meminfo, in bytes. */
static unsigned long long mem_total(void)
{
	unsigned long long kb = 0;
	char line[128];
	FILE *f;

	f = fopen("/proc/meminfo", "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemTotal: %llu kB", &kb) == 1)
			break;
	fclose(f);
	return kb * 1024;
}

/*
 * The largest pot_size is a valid value: in a guest of 1 GiB it cannot be
 * had, so the load fails with ENOMEM, not EINVAL, and leaves nothing.
 */
static void param_pot_size_1g_enomem(void)
{
	unsigned long long total = mem_total();

	if (!total || total >= (1ULL << 30))
		SKIP("MemTotal is %llu bytes: a 1 GiB pot might be had",
		     total);
	CHECK_LOAD_REFUSED("pot_size=1073741824", ENOMEM, NULL);
	/* And the machine is fine afterwards. */
	REQUIRE(LOAD_OK(""));
	CHECK_RET(add_str("still working"), 0);
	CHECK_TAKE("still working");
}

/*
 * A 32-bit kernel with PAE can have more than 4 GiB of RAM.  Its RAM
 * counted in bytes in an unsigned long wraps to RAM - 4 GiB, and a check
 * against that refused any pot bigger than the remainder.  Where the
 * guest's RAM is just over 4 GiB (scripts/run.sh gives the i386 guest
 * that), a pot of 16 MiB is bigger than the remainder and must load.
 */
#define BIG_RAM_POT (16ULL << 20)
static void param_pot_size_over_4g_ram(void)
{
	unsigned long long total = mem_total();

	if (total <= (4ULL << 30))
		SKIP("MemTotal is %llu bytes: no more than 4 GiB to wrap",
		     total);
	if (total - (4ULL << 30) >= BIG_RAM_POT)
		SKIP("MemTotal is %llu bytes: too far over 4 GiB to show a wrap",
		     total);
	REQUIRE(LOAD_OK("pot_size=16777216"));
	CHECK_RET(add_str("a pot bigger than RAM - 4 GiB"), 0);
	CHECK_TAKE("a pot bigger than RAM - 4 GiB");
}

static void param_order_values(void)
{
	REQUIRE(LOAD_OK("order=seq"));
	CHECK_PARAM("order", "seq");
	REQUIRE(CHECK_RET(module_unload(), 0));
	REQUIRE(LOAD_OK("order=random"));
	CHECK_PARAM("order", "random");
	REQUIRE(CHECK_RET(module_unload(), 0));
	CHECK_LOAD_REFUSED("order=foo", EINVAL, order_allowed);
	CHECK_LOAD_REFUSED("order=", EINVAL, order_allowed);
	CHECK_LOAD_REFUSED("order=sequential", EINVAL, order_allowed);
}

static void param_evict_values(void)
{
	static const char * const yes[] = { "evict=Y", "evict=y", "evict=1",
					    "evict" };
	static const char * const no[] = { "evict=N", "evict=n", "evict=0" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(yes); i++) {
		REQUIRE(LOAD_OK(yes[i]));
		CHECK_PARAM("evict", "Y");
		REQUIRE(CHECK_RET(module_unload(), 0));
	}
	for (i = 0; i < ARRAY_SIZE(no); i++) {
		REQUIRE(LOAD_OK(no[i]));
		CHECK_PARAM("evict", "N");
		REQUIRE(CHECK_RET(module_unload(), 0));
	}
	CHECK_LOAD_REFUSED("evict=maybe", EINVAL, evict_allowed);
	CHECK_LOAD_REFUSED("evict=2", EINVAL, evict_allowed);
}

/* All three at once, and the settings really in force. */
static void param_all_at_load(void)
{
	struct fortune_stats st;

	REQUIRE(LOAD_OK("pot_size=256 order=random evict=Y"));
	CHECK_PARAM("pot_size", "256");
	CHECK_PARAM("order", "random");
	CHECK_PARAM("evict", "Y");
	REQUIRE(CHECK_RET(get_stats(&st), 0));
	CHECK_STAT(st, capacity, 256);
	REQUIRE(CHECK_RET(add_cookie(200, 1), 0));
	REQUIRE(CHECK_RET(add_cookie(200, 2), 0));
	REQUIRE(CHECK_RET(get_stats(&st), 0));
	CHECK_STAT(st, evicted, 1);
	CHECK_TAKE_COOKIE(200, 2);
}

/* Takes @count cookies from a pot of "A" and "B": how many came twice in a row. */
static int repeats_in(int count)
{
	struct blob got;
	char last = 0;
	int i, repeats = 0;

	for (i = 0; i < count; i++) {
		if (take(&got) || got.len != 2) {
			blob_free(&got);
			return -1;
		}
		repeats += got.data[0] == last;
		last = got.data[0];
		blob_free(&got);
	}
	return repeats;
}

static void param_runtime_order(void)
{
	struct klog k;
	int repeats;

	REQUIRE(LOAD_OK("order=seq"));
	REQUIRE(CHECK_RET(add_str("A"), 0));
	REQUIRE(CHECK_RET(add_str("B"), 0));
	CHECK_RET(repeats_in(64), 0);

	CHECK_RET(param_write("order", "random\n"), 0);
	CHECK_PARAM("order", "random");
	/* Random: 64 alternating takes have a chance of 2^-63. */
	repeats = repeats_in(64);
	CHECK(repeats > 0, "order=random, yet 64 takes alternated (%d)",
	      repeats);

	ASSERT(!klog_mark(&k), "open /dev/kmsg: %m");
	CHECK_RET(param_write("order", "foo"), -EINVAL);
	CHECK_PARAM("order", "random");
	check_log_names_at(__LINE__, &k, "order=foo at run time",
			   order_allowed);
	klog_close(&k);
	CHECK_RET(param_write("order", "\n"), -EINVAL);
	CHECK_PARAM("order", "random");

	CHECK_RET(param_write("order", "seq"), 0);
	CHECK_PARAM("order", "seq");
	CHECK_RET(repeats_in(64), 0);
}

static void param_runtime_evict(void)
{
	struct fortune_stats st;
	struct klog k;

	REQUIRE(LOAD_OK("pot_size=256 evict=N"));
	REQUIRE(CHECK_RET(add_cookie(200, 1), 0));
	CHECK_RET(add_cookie(200, 2), -ENOSPC);

	CHECK_RET(param_write("evict", "Y\n"), 0);
	CHECK_PARAM("evict", "Y");
	CHECK_RET(add_cookie(200, 3), 0);
	REQUIRE(CHECK_RET(get_stats(&st), 0));
	CHECK_STAT(st, evicted, 1);
	CHECK_TAKE_COOKIE(200, 3);

	ASSERT(!klog_mark(&k), "open /dev/kmsg: %m");
	CHECK_RET(param_write("evict", "maybe"), -EINVAL);
	CHECK_PARAM("evict", "Y");
	check_log_names_at(__LINE__, &k, "evict=maybe at run time",
			   evict_allowed);
	klog_close(&k);

	CHECK_RET(param_write("evict", "N"), 0);
	CHECK_PARAM("evict", "N");
	CHECK_RET(add_cookie(200, 4), -ENOSPC);
	REQUIRE(CHECK_RET(get_stats(&st), 0));
	CHECK_STAT(st, evicted, 1);
}

static void param_runtime_pot_size_read_only(void)
{
	struct fortune_stats st;
	struct stat sb;

	REQUIRE(LOAD_OK("pot_size=8192"));
	ASSERT(!stat(FORTUNE_SYSFS_PARAMS "pot_size", &sb),
	       "stat the pot_size parameter: %m");
	CHECK((sb.st_mode & 0222) == 0 && (sb.st_mode & 0444),
	      "pot_size is mode %04o, want read-only", sb.st_mode & 07777);
	CHECK_RET(param_write("pot_size", "4096"), -EACCES);
	CHECK_PARAM("pot_size", "8192");
	REQUIRE(CHECK_RET(get_stats(&st), 0));
	CHECK_STAT(st, capacity, 8192);
	/* order and evict are writable (by root only). */
	ASSERT(!stat(FORTUNE_SYSFS_PARAMS "order", &sb), "stat order: %m");
	CHECK((sb.st_mode & 0777) == 0644, "order is mode %04o, want 0644",
	      sb.st_mode & 07777);
	ASSERT(!stat(FORTUNE_SYSFS_PARAMS "evict", &sb), "stat evict: %m");
	CHECK((sb.st_mode & 0777) == 0644, "evict is mode %04o, want 0644",
	      sb.st_mode & 07777);
}

static void param_load_unload_50_cycles(void)
{
	static const char * const params[] = {
		"", "pot_size=64", "order=random", "evict=Y",
		"pot_size=65536 order=seq evict=N",
	};
	struct fortune_stats st;
	char cookie[32];
	int i;

	for (i = 0; i < 50; i++) {
		ASSERT(CHECK_RET(module_load(params[i % 5]), 0), "cycle %d",
		       i);
		ASSERT(path_exists(FORTUNE_PROC_PATH),
		       "cycle %d: no /proc/fortune", i);
		ASSERT(CHECK_RET(get_stats(&st), 0), "cycle %d", i);
		CHECK(st.cookies == 0 && st.added == 0 && st.served == 0,
		      "cycle %d: a new pot is not empty", i);
		snprintf(cookie, sizeof(cookie), "cycle %d", i);
		CHECK_RET(add_str(cookie), 0);
		CHECK_TAKE(cookie);
		ASSERT(CHECK_RET(module_unload(), 0), "cycle %d", i);
		ASSERT(check_nothing_left_at(__LINE__, "unload"),
		       "cycle %d", i);
	}
}

static const struct test_case tests[] = {
	TEST(param_defaults),
	TEST(param_modinfo_descriptions),
	TEST(param_pot_size_bounds),
	TEST(param_pot_size_out_of_range_einval),
	TEST(param_pot_size_not_a_number_einval),
	TEST(param_pot_size_1g_enomem),
	TEST(param_pot_size_over_4g_ram),
	TEST(param_order_values),
	TEST(param_evict_values),
	TEST(param_all_at_load),
	TEST(param_runtime_order),
	TEST(param_runtime_evict),
	TEST(param_runtime_pot_size_read_only),
	TEST_SLOW(param_load_unload_50_cycles, 120),
};

int main(void)
{
	return run_tests(tests, ARRAY_SIZE(tests));
}
