// SPDX-License-Identifier: GPL-2.0
/*
 * concurrency.c - several processes on /proc/fortune at once: writers,
 * readers, a clearer and a stats poller.  No cookie may be lost or torn:
 * every cookie read is exactly one that was written, and afterwards the pot
 * holds each written cookie (that was not evicted or cleared) exactly once,
 * in each writer's order.  The one seq cursor hands out every cookie
 * exactly as often as the others.
 */
#define _GNU_SOURCE
#include "testlib.h"

#define WRITERS		4
#define READERS		4
#define MAX_PER_WRITER	400

/* What the processes of one test share (flags through __atomic). */
struct shared {
	int writers_done;		/* readers and poller stop */
	int stop_clearer;
	unsigned long progress;		/* operations done, by all */
	unsigned int takes[WRITERS][16];
};

static struct shared *shared;

static int shared_map(void)
{
	shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED) {
		FAIL("mmap: %m");
		return 0;
	}
	memset(shared, 0, sizeof(*shared));
	return 1;
}

/* One more operation done: what wait_all() watches. */
static void progress(void)
{
	__atomic_add_fetch(&shared->progress, 1, __ATOMIC_RELAXED);
}

/* The cookie writer @w writes @j-th: its id and its length. */
static unsigned int cookie_id_of(unsigned int w, unsigned int j)
{
	return 10000 * (w + 1) + j;
}

/* Set by a test of long cookies, before it starts any process. */
static int long_cookies;

static size_t cookie_len_of(unsigned int id)
{
	if (long_cookies)
		return 8192 + (id * 7919u) % 32768;
	return 16 + (id * 7919u) % 600;
}

#define COOKIE_MAX	(8192 + 32768)

/*
 * Whether @got (a read, newline included) is exactly a cookie some writer
 * writes; its writer and index then go to @w and @j.
 */
static int valid_cookie(const struct blob *got, unsigned int *w,
			unsigned int *j)
{
	static char want[COOKIE_MAX];
	unsigned int id;
	size_t len;

	if (sscanf(got->data, "<%u>", &id) != 1 || id < 10000 ||
	    id >= 10000 * (WRITERS + 1) || id % 10000 >= MAX_PER_WRITER)
		return 0;
	len = cookie_len_of(id);
	make_cookie(want, len, id);
	if (!blob_is_cookie(got, want, len))
		return 0;
	*w = id / 10000 - 1;
	*j = id % 10000;
	return 1;
}

/* Writes cookies @from to @to (excluded) of writer @w, through one file. */
static void writer(unsigned int w, unsigned int from, unsigned int to)
{
	static char cookie[COOKIE_MAX];
	unsigned int j;
	int fd;

	fd = open(FORTUNE_PROC_PATH, O_WRONLY);
	if (!CHECK(fd >= 0, "writer %u: open: %m", w))
		_exit(1);
	for (j = from; j < to; j++) {
		unsigned int id = cookie_id_of(w, j);
		size_t len = cookie_len_of(id);

		make_cookie(cookie, len, id);
		if (!CHECK_RET(write(fd, cookie, len), (long)len))
			_exit(1);
		progress();
	}
	close(fd);
	_exit(0);
}

/*
 * Reads cookies in reads of a size of its own until told to stop, checking
 * each; an empty pot reads as nothing.
 */
static void reader(unsigned int r)
{
	static const size_t chunks[] = { 1, 13, 512, 4096 };
	unsigned long reads = 0, empty = 0;
	unsigned int w, j;
	struct blob got;
	int last_round;

	do {
		last_round = __atomic_load_n(&shared->writers_done,
					     __ATOMIC_ACQUIRE);
		if (!CHECK_RET(take_chunked(&got, chunks[r % 4]), 0))
			_exit(1);
		reads++;
		progress();
		if (!got.len) {
			empty++;
		} else if (!valid_cookie(&got, &w, &j)) {
			FAIL("reader %u read %zu bytes that are no cookie written: \"%.40s\"",
			     r, got.len, got.data);
			_exit(1);
		}
		blob_free(&got);
	} while (!last_round);
	ktap_diag("reader %u: %lu reads, %lu of them empty", r, reads, empty);
	_exit(0);
}

/*
 * Waits for every process in @pids (0 = none) to exit 0.  It fails when
 * they stall: @secs (stretched on slow guests) without one operation done
 * by anyone.  A liveness check, not a timing: a debug kernel on a busy host
 * may take minutes, and the test's own deadline still bounds it.
 */
static void wait_all(pid_t *pids, size_t count, unsigned int secs)
{
	unsigned long seen = __atomic_load_n(&shared->progress,
					     __ATOMIC_RELAXED);
	double stall = now() + (secs *= time_scale());
	size_t i, left = 0;

	for (i = 0; i < count; i++)
		left += pids[i] > 0;
	while (left && now() < stall) {
		unsigned long done;
		int status;

		for (i = 0; i < count; i++) {
			if (pids[i] <= 0 ||
			    waitpid(pids[i], &status, WNOHANG) != pids[i])
				continue;
			CHECK(WIFEXITED(status) && !WEXITSTATUS(status),
			      "child %zu ended with status %#x", i, status);
			pids[i] = 0;
			left--;
		}
		done = __atomic_load_n(&shared->progress, __ATOMIC_RELAXED);
		if (done != seen) {
			seen = done;
			stall = now() + secs;
		}
		sleep_ms(10);
	}
	CHECK(!left, "%zu children did nothing for %u s", left, secs);
}

/*
 * Runs @call in a child process, whose pid goes to @pid; 0 (and the test
 * fails) when there is none.
 */
#define SPAWN(pid, call)						\
	(((pid) = fork()) < 0 ? (FAIL("fork: %m"), 0) : (pid) ? 1 : (call, 1))

/*
 * Reads the whole pot (stats.cookies cookies in a row) and checks it:
 * every cookie valid and there once; each writer's cookies in its order;
 * `used` the sum of their sizes.  Fills @have[w][j].
 */
static int check_pot_at(int line, char have[WRITERS][MAX_PER_WRITER])
{
	unsigned int first[WRITERS], last[WRITERS], descents[WRITERS];
	unsigned int w, j, i, n[WRITERS] = { 0 };
	struct fortune_stats st;
	uint64_t used = 0;
	struct blob got;
	int ok = 1;

	memset(have, 0, WRITERS * MAX_PER_WRITER);
	memset(descents, 0, sizeof(descents));
	if (get_stats(&st)) {
		test_fail_at(line, "FORTUNE_IOC_STATS: %m");
		return 0;
	}
	for (i = 0; i < st.cookies; i++) {
		if (take(&got)) {
			test_fail_at(line, "reading cookie %u: %m", i);
			return 0;
		}
		if (!valid_cookie(&got, &w, &j)) {
			test_fail_at(line, "cookie %u of the pot is no cookie written: \"%.40s\" (%zu bytes)",
				     i, got.data, got.len);
			blob_free(&got);
			return 0;
		}
		if (have[w][j]) {
			test_fail_at(line, "cookie %u.%u is in the pot twice",
				     w, j);
			ok = 0;
		}
		have[w][j] = 1;
		used += got.len - 1 + FORTUNE_COOKIE_OVERHEAD;
		if (n[w] && j < last[w])
			descents[w]++;
		if (!n[w])
			first[w] = j;
		last[w] = j;
		n[w]++;
		blob_free(&got);
	}
	if (used != st.used) {
		test_fail_at(line, "stats.used is %llu, the cookies read add up to %llu",
			     (unsigned long long)st.used,
			     (unsigned long long)used);
		ok = 0;
	}
	/* In each writer's order, read round from where the cursor was. */
	for (w = 0; w < WRITERS; w++) {
		if (n[w] > 1 && first[w] < last[w])
			descents[w]++;	/* closing the circle */
		if (n[w] > 1 && descents[w] != 1) {
			test_fail_at(line, "writer %u's cookies are out of order in the pot",
				     w);
			ok = 0;
		}
	}
	return ok;
}

#define CHECK_POT(have)	check_pot_at(__LINE__, have)

static char have[WRITERS][MAX_PER_WRITER];

/*
 * Loads the module with @params, then WRITERS writers add @per_writer
 * cookies each while READERS readers take cookies, until all are done;
 * the stats then go to @st.  0 when the test cannot go on.
 */
static int writers_and_readers(const char *params, unsigned int per_writer,
			       struct fortune_stats *st)
{
	pid_t writers[WRITERS], readers[READERS];
	unsigned int i;

	if (!shared_map() || !LOAD_OK(params))
		return 0;
	for (i = 0; i < READERS; i++)
		if (!SPAWN(readers[i], reader(i)))
			return 0;
	for (i = 0; i < WRITERS; i++)
		if (!SPAWN(writers[i], writer(i, 0, per_writer)))
			return 0;
	wait_all(writers, WRITERS, 60);
	__atomic_store_n(&shared->writers_done, 1, __ATOMIC_RELEASE);
	wait_all(readers, READERS, 30);
	if (!CHECK_RET(get_stats(st), 0))
		return 0;
	stats_diag("after", st);
	return 1;
}

/*
 * 4 writers add 400 cookies each while 4 readers read: a pot big enough
 * for all of them ends up with every one, once.
 */
static void concurrent_writers_readers_no_lost_no_torn(void)
{
	const unsigned int per_writer = 400;
	struct fortune_stats st;
	unsigned int w, j;

	REQUIRE(writers_and_readers("pot_size=1048576", per_writer, &st));
	CHECK_STAT(st, added, WRITERS * per_writer);
	CHECK_STAT(st, cookies, WRITERS * per_writer);
	CHECK_STAT(st, refused, 0);
	CHECK_STAT(st, evicted, 0);
	REQUIRE(CHECK_POT(have));
	for (w = 0; w < WRITERS; w++)
		for (j = 0; j < per_writer; j++)
			if (!CHECK(have[w][j], "cookie %u.%u is lost", w, j))
				return;
}

/*
 * The same with cookies of 8 to 40 KiB, whose copies take long enough for
 * the writers to meet inside a write.
 */
static void concurrent_long_cookies_no_lost_no_torn(void)
{
	const unsigned int per_writer = 100;
	struct fortune_stats st;
	unsigned int w, j;

	long_cookies = 1;
	REQUIRE(writers_and_readers("pot_size=16777216", per_writer, &st));
	CHECK_STAT(st, added, WRITERS * per_writer);
	CHECK_STAT(st, cookies, WRITERS * per_writer);
	CHECK_STAT(st, refused, 0);
	REQUIRE(CHECK_POT(have));
	for (w = 0; w < WRITERS; w++)
		for (j = 0; j < per_writer; j++)
			if (!CHECK(have[w][j], "cookie %u.%u is lost", w, j))
				return;
}

/*
 * The same in a small pot with evict=Y: what is left of each writer's
 * cookies is its newest ones, and nothing read is torn.
 */
static void concurrent_evict_no_torn(void)
{
	const unsigned int per_writer = 400;
	struct fortune_stats st;
	unsigned int w, j, newest;

	REQUIRE(writers_and_readers("pot_size=16384 evict=Y", per_writer, &st));
	CHECK_STAT(st, added, WRITERS * per_writer);
	CHECK_STAT(st, refused, 0);
	CHECK_STAT(st, evicted, WRITERS * per_writer - st.cookies);
	REQUIRE(CHECK_POT(have));
	/* Each writer's survivors are its newest: no gaps. */
	for (w = 0; w < WRITERS; w++) {
		for (newest = per_writer; newest && have[w][newest - 1];)
			newest--;
		for (j = 0; j < newest; j++)
			if (!CHECK(!have[w][j],
				   "writer %u: cookie %u evicted but %u kept",
				   w, newest - 1, j))
				break;
	}
}

/* Takes @count cookies, counting which of the 10 it got. */
static void taker(unsigned int t, unsigned int count)
{
	struct blob got;
	unsigned int i;
	int id;

	for (i = 0; i < count; i++) {
		if (!CHECK_RET(take(&got), 0))
			_exit(1);
		if (got.len != 3 || sscanf(got.data, "%d", &id) != 1 ||
		    id < 10 || id >= 20) {
			FAIL("taker %u read \"%s\"", t, got.data);
			_exit(1);
		}
		shared->takes[t][id - 10]++;
		progress();
		blob_free(&got);
	}
	_exit(0);
}

/*
 * 4 processes take 2500 cookies each from a pot of 10 at once: with one
 * cursor moved under the lock, each cookie is handed out exactly 1000
 * times.
 */
static void concurrent_seq_cursor_exact(void)
{
	unsigned int t, i, total;
	struct fortune_stats st;
	pid_t takers[WRITERS];
	char name[4];

	REQUIRE(shared_map());
	REQUIRE(LOAD_OK("order=seq"));
	for (i = 10; i < 20; i++) {
		snprintf(name, sizeof(name), "%u", i);
		REQUIRE(CHECK_RET(add_str(name), 0));
	}
	for (t = 0; t < WRITERS; t++)
		REQUIRE(SPAWN(takers[t], taker(t, 2500)));
	wait_all(takers, WRITERS, 60);
	for (i = 0; i < 10; i++) {
		for (total = 0, t = 0; t < WRITERS; t++)
			total += shared->takes[t][i];
		CHECK(total == 1000,
		      "cookie %u was handed out %u times, want 1000", i + 10,
		      total);
	}
	REQUIRE(CHECK_RET(get_stats(&st), 0));
	CHECK_STAT(st, served, 10000);
	/* The cursor is back where it started. */
	CHECK_TAKE("10");
}

/* Clears the pot every few milliseconds until told to stop. */
static void clearer(void)
{
	unsigned long clears = 0;

	while (!__atomic_load_n(&shared->stop_clearer, __ATOMIC_ACQUIRE)) {
		if (!CHECK_RET(clear_pot(), 0))
			_exit(1);
		clears++;
		progress();
		sleep_ms(5);
	}
	ktap_diag("clearer: %lu clears", clears);
	_exit(0);
}

/* Polls the stats until told to stop: they must always add up. */
static void poller(void)
{
	struct fortune_stats st, prev = { 0 };
	unsigned long polls = 0;

	while (!__atomic_load_n(&shared->writers_done, __ATOMIC_ACQUIRE)) {
		if (!CHECK_RET(get_stats(&st), 0))
			_exit(1);
		polls++;
		progress();
		if (st.capacity != 1048576 || st.used > st.capacity ||
		    st.used < st.cookies * (16 + FORTUNE_COOKIE_OVERHEAD) ||
		    st.cookies > st.added || st.added < prev.added ||
		    st.served < prev.served || (st.largest && st.largest +
		    st.used + FORTUNE_COOKIE_OVERHEAD > st.capacity)) {
			stats_diag("inconsistent", &st);
			FAIL("the stats do not add up");
			_exit(1);
		}
		prev = st;
	}
	ktap_diag("poller: %lu polls", polls);
	_exit(0);
}

/*
 * Writers and readers with a clearer and a stats poller among them; then,
 * the clearer gone, 100 more cookies from each writer, which must all be
 * there at the end, after whatever the earlier ones left.
 */
static void concurrent_clear_and_stats(void)
{
	pid_t writers[2], others[4];
	struct fortune_stats st;
	unsigned int w, j;

	REQUIRE(shared_map());
	REQUIRE(LOAD_OK("pot_size=1048576"));
	REQUIRE(SPAWN(others[0], reader(0)));
	REQUIRE(SPAWN(others[1], reader(1)));
	REQUIRE(SPAWN(others[2], clearer()));
	REQUIRE(SPAWN(others[3], poller()));
	REQUIRE(SPAWN(writers[0], writer(0, 0, 200)));
	REQUIRE(SPAWN(writers[1], writer(1, 0, 200)));
	wait_all(writers, 2, 60);
	__atomic_store_n(&shared->stop_clearer, 1, __ATOMIC_RELEASE);
	wait_all(&others[2], 1, 30);

	REQUIRE(SPAWN(writers[0], writer(0, 200, 300)));
	REQUIRE(SPAWN(writers[1], writer(1, 200, 300)));
	wait_all(writers, 2, 60);
	__atomic_store_n(&shared->writers_done, 1, __ATOMIC_RELEASE);
	wait_all(others, 4, 30);
	REQUIRE(CHECK_RET(get_stats(&st), 0));
	stats_diag("after", &st);
	CHECK_STAT(st, added, 600);
	CHECK_STAT(st, refused, 0);
	CHECK(st.cookies >= 200, "%llu cookies left, want 200 or more",
	      (unsigned long long)st.cookies);
	REQUIRE(CHECK_POT(have));
	for (w = 0; w < 2; w++)
		for (j = 200; j < 300; j++)
			if (!CHECK(have[w][j], "cookie %u.%u is lost", w, j))
				return;
}

static const struct test_case tests[] = {
	TEST_SLOW(concurrent_writers_readers_no_lost_no_torn, 120),
	TEST_SLOW(concurrent_long_cookies_no_lost_no_torn, 120),
	TEST_SLOW(concurrent_evict_no_torn, 120),
	TEST_SLOW(concurrent_seq_cursor_exact, 90),
	TEST_SLOW(concurrent_clear_and_stats, 120),
};

int main(void)
{
	return run_tests(tests, ARRAY_SIZE(tests));
}
