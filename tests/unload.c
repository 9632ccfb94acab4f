// SPDX-License-Identifier: GPL-2.0
/*
 * unload.c - rmmod while /proc/fortune is open or being read and written:
 * the unload works, the open files then fail with EIO (procfs does this),
 * nothing crashes, and the module loads again with a fresh pot.
 *
 * procfs answers an ioctl on a removed entry with ENOTTY (as for a request
 * nobody handles), not EIO: the module has no say in it by then.
 */
#define _GNU_SOURCE
#include "testlib.h"

static void unload_while_open_eio(void)
{
	struct fortune_stats st;
	int rfd, wfd, rwfd;
	char buf[16];

	REQUIRE(LOAD_OK(""));
	REQUIRE(CHECK_RET(add_str("open across rmmod"), 0));
	REQUIRE(CHECK_RET(add_str("second"), 0));
	rfd = open(FORTUNE_PROC_PATH, O_RDONLY);
	wfd = open(FORTUNE_PROC_PATH, O_WRONLY);
	rwfd = open(FORTUNE_PROC_PATH, O_RDWR);
	ASSERT(rfd >= 0 && wfd >= 0 && rwfd >= 0, "open: %m");
	CHECK_RET(read(rfd, buf, 4), 4);

	REQUIRE(CHECK_RET(module_unload(), 0));
	CHECK(!path_exists(FORTUNE_PROC_PATH), "/proc/fortune still there");
	CHECK(!module_is_loaded(), "fortune still in /proc/modules");

	CHECK_ERRNO(read(rfd, buf, sizeof(buf)), EIO);
	CHECK_ERRNO(pread(rfd, buf, sizeof(buf), 0), EIO);
	CHECK_ERRNO(read(rwfd, buf, sizeof(buf)), EIO);
	CHECK_ERRNO(write(wfd, "late", 4), EIO);
	CHECK_ERRNO(write(rwfd, "late", 4), EIO);
	memset(&st, 0x5a, sizeof(st));
	CHECK_ERRNO(ioctl(rfd, FORTUNE_IOC_STATS, &st), ENOTTY);
	CHECK(st.capacity == 0x5a5a5a5a5a5a5a5aULL,
	      "a failed ioctl wrote its result");
	CHECK_ERRNO(ioctl(wfd, FORTUNE_IOC_CLEAR), ENOTTY);
	CHECK_ERRNO(open(FORTUNE_PROC_PATH, O_RDONLY), ENOENT);
	CHECK_RET(close(rfd), 0);
	CHECK_RET(close(wfd), 0);
	CHECK_RET(close(rwfd), 0);

	/* Loaded again: a fresh, working pot. */
	REQUIRE(LOAD_OK(""));
	REQUIRE(CHECK_RET(get_stats(&st), 0));
	CHECK_STAT(st, cookies, 0);
	CHECK_STAT(st, added, 0);
	REQUIRE(CHECK_RET(add_str("after"), 0));
	CHECK_TAKE("after");
}

/* Old files stay failed after a new load, and close cleanly then. */
static void unload_reload_old_files_stay_dead(void)
{
	char buf[16];
	int fd;

	REQUIRE(LOAD_OK(""));
	REQUIRE(CHECK_RET(add_str("old"), 0));
	fd = open(FORTUNE_PROC_PATH, O_RDONLY);
	ASSERT(fd >= 0, "open: %m");
	REQUIRE(CHECK_RET(module_unload(), 0));
	REQUIRE(LOAD_OK(""));
	REQUIRE(CHECK_RET(add_str("new"), 0));
	CHECK_ERRNO(read(fd, buf, sizeof(buf)), EIO);
	CHECK_RET(close(fd), 0);
	CHECK_TAKE("new");
	REQUIRE(CHECK_RET(module_unload(), 0));
}

/*
 * A process that has read half its cookie waits (blocked on a pipe) while
 * the module goes; then it reads on and gets EIO.
 */
static void unload_while_blocked_mid_read(void)
{
	char cookie[6000];
	int go[2], ready[2], status;
	pid_t pid;
	char c;

	REQUIRE(LOAD_OK("pot_size=8192"));
	make_cookie(cookie, sizeof(cookie), 1);
	REQUIRE(CHECK_RET(fortune_write(cookie, sizeof(cookie)),
			  (long)sizeof(cookie)));
	ASSERT(!pipe(go) && !pipe(ready), "pipe: %m");
	pid = fork();
	ASSERT(pid >= 0, "fork: %m");
	if (!pid) {
		char buf[4096];
		int fd;

		fd = open(FORTUNE_PROC_PATH, O_RDONLY);
		if (!CHECK(fd >= 0, "child: open: %m"))
			_exit(1);
		if (!CHECK_RET(read(fd, buf, 3000), 3000))
			_exit(1);
		CHECK(!memcmp(buf, cookie, 3000), "child: first half differs");
		if (write(ready[1], "r", 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(1);
		CHECK_ERRNO(read(fd, buf, sizeof(buf)), EIO);
		CHECK_ERRNO(read(fd, buf, sizeof(buf)), EIO);
		close(fd);
		_exit(0);
	}
	ASSERT(read(ready[0], &c, 1) == 1, "the child did not get going");
	CHECK_RET(module_unload(), 0);
	ASSERT(write(go[1], "g", 1) == 1, "write: %m");
	ASSERT(waitpid(pid, &status, 0) == pid, "waitpid: %m");
	CHECK(WIFEXITED(status) && !WEXITSTATUS(status),
	      "the reader ended with status %#x", status);
}

enum loop_kind { READER, WRITER, STATS };

/*
 * One process looping on /proc/fortune until the module goes: it must
 * then see EIO (an open file), ENOENT (a new open) or ENOTTY (an ioctl on
 * an open file), and before that only the right bytes.  Tells @ready once
 * it has gone round once.
 */
static void loop_until_gone(enum loop_kind kind, int ready,
			    const char *cookie, size_t len)
{
	struct fortune_stats st;
	unsigned long rounds = 0;
	char buf[8192];
	size_t chunk = kind == READER ? 1 + getpid() % 700 : 0;

	for (;; rounds++) {
		size_t done = 0;
		ssize_t n;
		int fd;

		if (rounds == 1 && write(ready, "r", 1) != 1)
			_exit(1);
		fd = open(FORTUNE_PROC_PATH, kind == READER ? O_RDONLY :
			  O_WRONLY);
		if (fd < 0) {
			if (errno == ENOENT)
				break;
			FAIL("open: %m");
			_exit(1);
		}
		if (kind == WRITER) {
			n = write(fd, cookie, len);
			if (n < 0 && errno == EIO) {
				close(fd);
				break;
			}
			if (!CHECK(n == (ssize_t)len, "write: %zd, %m", n))
				_exit(1);
		} else if (kind == STATS) {
			if (ioctl(fd, FORTUNE_IOC_STATS, &st)) {
				if (errno == ENOTTY) {
					close(fd);
					break;
				}
				FAIL("FORTUNE_IOC_STATS: %m");
				_exit(1);
			}
		} else {
			while ((n = read(fd, buf + done,
					 chunk < sizeof(buf) - done ?
					 chunk : sizeof(buf) - done)) > 0)
				done += n;
			if (n < 0) {
				if (errno == EIO) {
					close(fd);
					break;
				}
				FAIL("read: %m");
				_exit(1);
			}
			if (!CHECK(done == len + 1 && !memcmp(buf, cookie, len),
				   "read %zu bytes, not the cookie", done))
				_exit(1);
		}
		close(fd);
	}
	ktap_diag("%s %d: %lu rounds before the module went",
		  kind == READER ? "reader" : kind == WRITER ? "writer" :
		  "stats", getpid(), rounds);
	_exit(rounds ? 0 : 1);
}

static void unload_during_read_write_loops(void)
{
	static const enum loop_kind kinds[] = { READER, READER, READER,
						WRITER, STATS };
	pid_t pid[ARRAY_SIZE(kinds)];
	char cookie[2000];
	int ready[2];
	double deadline;
	size_t i, left;
	char c;

	/* One cookie, written again and again: every read is that one. */
	REQUIRE(LOAD_OK("pot_size=65536 evict=Y"));
	make_cookie(cookie, sizeof(cookie), 42);
	REQUIRE(CHECK_RET(fortune_write(cookie, sizeof(cookie)),
			  (long)sizeof(cookie)));
	ASSERT(!pipe(ready), "pipe: %m");
	for (i = 0; i < ARRAY_SIZE(kinds); i++) {
		pid[i] = fork();
		ASSERT(pid[i] >= 0, "fork: %m");
		if (!pid[i])
			loop_until_gone(kinds[i], ready[1], cookie,
					sizeof(cookie));
	}
	for (i = 0; i < ARRAY_SIZE(kinds); i++)
		ASSERT(read(ready[0], &c, 1) == 1, "a child did not start");
	sleep_ms(200);
	CHECK_RET(module_unload(), 0);

	deadline = now() + 20 * time_scale();
	for (left = ARRAY_SIZE(kinds); left && now() < deadline;) {
		int status;

		for (i = 0; i < ARRAY_SIZE(kinds); i++) {
			if (!pid[i] || waitpid(pid[i], &status, WNOHANG) !=
			    pid[i])
				continue;
			CHECK(WIFEXITED(status) && !WEXITSTATUS(status),
			      "child %zu ended with status %#x", i, status);
			pid[i] = 0;
			left--;
		}
		sleep_ms(20);
	}
	CHECK(!left, "%zu children still running %u s after rmmod", left,
	      20 * time_scale());
	CHECK(!module_is_loaded(), "fortune still in /proc/modules");
}

static const struct test_case tests[] = {
	TEST(unload_while_open_eio),
	TEST(unload_reload_old_files_stay_dead),
	TEST(unload_while_blocked_mid_read),
	TEST_SLOW(unload_during_read_write_loops, 60),
};

int main(void)
{
	return run_tests(tests, ARRAY_SIZE(tests));
}
