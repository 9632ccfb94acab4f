// SPDX-License-Identifier: GPL-2.0
/*
 * fortune_test.c - /proc/fortune through its real interface, one test per
 * line of the SPEC: the file, write(2), open(2) and read(2), the orders,
 * capacity, eviction, the ioctls and who may do what.
 *
 * Every test loads the module with the parameters it needs and the runner
 * unloads it afterwards.  "The pot is unchanged" is checked twice: by
 * FORTUNE_IOC_STATS, and by reading every cookie back in order.
 */
#define _GNU_SOURCE
#include "testlib.h"

#include <grp.h>
#include <limits.h>

#define PAGE	4096

/* ---- /proc/fortune ---- */

static void proc_fortune_0644_root(void)
{
	struct stat st;

	CHECK(!path_exists(FORTUNE_PROC_PATH),
	      "/proc/fortune exists before the module is loaded");
	REQUIRE(LOAD_OK(""));
	ASSERT(!stat(FORTUNE_PROC_PATH, &st), "stat /proc/fortune: %m");
	CHECK(S_ISREG(st.st_mode), "not a regular file: mode %o",
	      st.st_mode);
	CHECK((st.st_mode & 07777) == 0644, "mode %04o, want 0644",
	      st.st_mode & 07777);
	CHECK(st.st_uid == 0 && st.st_gid == 0, "owned by %u:%u, want 0:0",
	      st.st_uid, st.st_gid);
}

static void proc_fortune_removed_at_unload(void)
{
	REQUIRE(LOAD_OK(""));
	REQUIRE(CHECK_RET(add_str("still here"), 0));
	REQUIRE(CHECK_RET(module_unload(), 0));
	CHECK(!path_exists(FORTUNE_PROC_PATH),
	      "/proc/fortune still exists after unload");
	CHECK(!module_is_loaded(), "fortune still in /proc/modules");
	CHECK(!path_exists("/sys/module/fortune"),
	      "/sys/module/fortune still exists after unload");
}

/*
 * An unprivileged process may take cookies and ask for the stats, but not
 * add cookies: the file is 0644 and owned by root.
 */
static void proc_fortune_nonroot_reads_not_writes(void)
{
	struct fortune_stats st;
	int status;
	pid_t pid;

	REQUIRE(LOAD_OK(""));
	REQUIRE(CHECK_RET(add_str("for everyone"), 0));
	REQUIRE(CHECK_RET(add_str("second"), 0));

	pid = fork();
	ASSERT(pid >= 0, "fork: %m");
	if (!pid) {
		int fd;

		if (setgroups(0, NULL) || setgid(65534) || setuid(65534)) {
			FAIL("dropping to uid 65534: %m");
			_exit(1);
		}
		CHECK_TAKE("for everyone");
		fd = open(FORTUNE_PROC_PATH, O_RDONLY);
		if (CHECK(fd >= 0, "open O_RDONLY as nobody: %m")) {
			CHECK_RET(ioctl(fd, FORTUNE_IOC_STATS, &st), 0);
			CHECK_STAT(st, cookies, 2);
			CHECK_ERRNO(ioctl(fd, FORTUNE_IOC_CLEAR), EBADF);
			close(fd);
		}
		CHECK_ERRNO(open(FORTUNE_PROC_PATH, O_WRONLY), EACCES);
		CHECK_ERRNO(open(FORTUNE_PROC_PATH, O_RDWR), EACCES);
		_exit(0);
	}
	ASSERT(waitpid(pid, &status, 0) == pid, "waitpid: %m");
	CHECK(WIFEXITED(status) && !WEXITSTATUS(status),
	      "the unprivileged child ended with status %#x", status);
	REQUIRE(CHECK_RET(get_stats(&st), 0));
	CHECK_STAT(st, cookies, 2);
	CHECK_STAT(st, added, 2);
	/* The open used only for ioctls took nothing. */
	CHECK_STAT(st, served, 1);
}

/* ---- write(2) ---- */

static void write_one_call_one_cookie(void)
{
	struct fortune_stats st;
	int fd;

	REQUIRE(LOAD_OK(""));
	fd = open(FORTUNE_PROC_PATH, O_WRONLY);
	ASSERT(fd >= 0, "open O_WRONLY: %m");
	CHECK_RET(write(fd, "first", 5), 5);
	CHECK_RET(write(fd, "second\n", 7), 7);
	CHECK_RET(write(fd, "third", 5), 5);
	close(fd);
	REQUIRE(CHECK_RET(get_stats(&st), 0));
	CHECK_STAT(st, cookies, 3);
	CHECK_STAT(st, added, 3);
	CHECK_TAKE("first");
	CHECK_TAKE("second");
	CHECK_TAKE("third");
	CHECK_TAKE("first");
}

static void write_returns_full_count(void)
{
	char big[1001];
	int fd;

	REQUIRE(LOAD_OK(""));
	make_cookie(big, 1000, 1);
	big[1000] = '\n';
	fd = open(FORTUNE_PROC_PATH, O_WRONLY);
	ASSERT(fd >= 0, "open O_WRONLY: %m");
	CHECK_RET(write(fd, "abc\n", 4), 4);
	CHECK_RET(write(fd, "abc", 3), 3);
	CHECK_RET(write(fd, big, sizeof(big)), (long)sizeof(big));
	CHECK_RET(write(fd, "x\n\n", 3), 3);
	close(fd);
}

static void write_trailing_newline_dropped(void)
{
	struct fortune_stats st;
	struct blob got;
	int fd;

	REQUIRE(LOAD_OK(""));
	REQUIRE(CHECK_RET(add_str("with newline\n"), 0));
	REQUIRE(CHECK_RET(add_str("without newline"), 0));
	REQUIRE(CHECK_RET(get_stats(&st), 0));
	CHECK_STAT(st, used, 12 + 15 + 2 * FORTUNE_COOKIE_OVERHEAD);
	CHECK_TAKE("with newline");
	CHECK_TAKE("without newline");
	fd = open(FORTUNE_PROC_PATH, O_RDONLY);
	ASSERT(fd >= 0, "open: %m");
	CHECK_RET(lseek(fd, 0, SEEK_END), 13);
	close(fd);
	/* Only one: "\r\n" keeps its "\r". */
	REQUIRE(CHECK_RET(clear_pot(), 0));
	REQUIRE(CHECK_RET(add_str("dos line\r\n"), 0));
	REQUIRE(CHECK_RET(take(&got), 0));
	CHECK(got.len == 10 && !memcmp(got.data, "dos line\r\n", 10),
	      "\"dos line\\r\\n\" reads back as %zu bytes \"%s\"", got.len,
	      got.data);
	blob_free(&got);
}

static void write_double_newline_keeps_one(void)
{
	struct fortune_stats st;

	REQUIRE(LOAD_OK(""));
	REQUIRE(CHECK_RET(add_str("abc\n\n"), 0));
	REQUIRE(CHECK_RET(add_str("\n\n"), 0));
	REQUIRE(CHECK_RET(get_stats(&st), 0));
	CHECK_STAT(st, cookies, 2);
	CHECK_STAT(st, used, 4 + 1 + 2 * FORTUNE_COOKIE_OVERHEAD);
	CHECK_TAKE("abc\n");
	CHECK_TAKE("\n");
}

static void write_multiline_utf8_byte_for_byte(void)
{
	static const char poem[] =
		"Größe und Wärme:\n"
		"\tλόγος — ∀x ∈ ℝ, 日本語のテキスト 🍪\n"
		"  indented line\n"
		"\n"
		"after an empty line\r\n"
		"end";
	char bytes[255];
	int i;

	REQUIRE(LOAD_OK("pot_size=8192"));
	REQUIRE(CHECK_RET(add_str(poem), 0));
	/* Every byte value but NUL, not even valid UTF-8: kept as is. */
	for (i = 0; i < 255; i++)
		bytes[i] = (char)(255 - i);
	REQUIRE(CHECK_RET(fortune_write(bytes, sizeof(bytes)),
			  (long)sizeof(bytes)));
	CHECK_TAKE(poem);
	CHECK_TAKE_BYTES(bytes, sizeof(bytes), 4096);
	CHECK_TAKE_BYTES(poem, strlen(poem), 1);
	CHECK_TAKE_BYTES(bytes, sizeof(bytes), 3);
}

static void write_offset_ignored(void)
{
	struct fortune_stats st;
	int fd;

	REQUIRE(LOAD_OK(""));
	fd = open(FORTUNE_PROC_PATH, O_WRONLY);
	ASSERT(fd >= 0, "open O_WRONLY: %m");
	CHECK_RET(pwrite(fd, "at 12345", 8, 12345), 8);
	CHECK_RET(pwrite(fd, "at 0", 4, 0), 4);
	CHECK_RET(pwrite(fd, "at 0 again", 10, 0), 10);
	CHECK_RET(write(fd, "plain", 5), 5);
	close(fd);
	fd = open(FORTUNE_PROC_PATH, O_WRONLY | O_APPEND);
	ASSERT(fd >= 0, "open O_WRONLY|O_APPEND: %m");
	CHECK_RET(write(fd, "appended", 8), 8);
	close(fd);
	REQUIRE(CHECK_RET(get_stats(&st), 0));
	CHECK_STAT(st, cookies, 5);
	CHECK_TAKE("at 12345");
	CHECK_TAKE("at 0");
	CHECK_TAKE("at 0 again");
	CHECK_TAKE("plain");
	CHECK_TAKE("appended");
}

/* Loads a pot with a few cookies for the error tests to leave alone. */
static int error_test_setup(const char *params, struct snapshot *s)
{
	if (!LOAD_OK(params))
		return 0;
	if (!CHECK_RET(add_str("one\n"), 0) ||
	    !CHECK_RET(add_str("two, a longer cookie"), 0) ||
	    !CHECK_RET(add_cookie(300, 3), 0))
		return 0;
	/* Move the cursor off the oldest cookie: it must stay put too. */
	if (!CHECK_TAKE("one"))
		return 0;
	return SNAPSHOT_OK(s);
}

/* A write(2) on a fresh O_WRONLY file, checked to fail with @err. */
static int write_fails_at(int line, const void *buf, size_t len, int err)
{
	ssize_t ret = fortune_write(buf, len);

	if (ret == -err)
		return 1;
	if (ret >= 0)
		test_fail_at(line, "write of %zu bytes returned %zd, want %s",
			     len, ret, strerrorname_np(err));
	else
		test_fail_at(line, "write of %zu bytes failed with %s, want %s",
			     len, strerrorname_np(-ret), strerrorname_np(err));
	return 0;
}

#define WRITE_FAILS(buf, len, err)	write_fails_at(__LINE__, buf, len, err)

static void write_empty_einval(void)
{
	struct snapshot s;

	REQUIRE(error_test_setup("", &s));
	WRITE_FAILS("", 0, EINVAL);
	CHECK_UNCHANGED(&s, 1);
	WRITE_FAILS("ignored", 0, EINVAL);
	CHECK_UNCHANGED(&s, 1);
}

static void write_only_newline_einval(void)
{
	struct snapshot s;

	REQUIRE(error_test_setup("", &s));
	WRITE_FAILS("\n", 1, EINVAL);
	CHECK_UNCHANGED(&s, 1);
	/* With evict=Y on a full pot, nothing is dropped for it either. */
	snapshot_free(&s);
	REQUIRE(CHECK_RET(module_unload(), 0));
	REQUIRE(LOAD_OK("pot_size=64 evict=Y"));
	REQUIRE(CHECK_RET(add_cookie(56, 1), 0));
	REQUIRE(SNAPSHOT_OK(&s));
	WRITE_FAILS("\n", 1, EINVAL);
	CHECK_UNCHANGED(&s, 1);
}

static void write_nul_byte_einval(void)
{
	struct snapshot s;

	REQUIRE(error_test_setup("", &s));
	WRITE_FAILS("ab\0cd", 5, EINVAL);
	CHECK_UNCHANGED(&s, 1);
	WRITE_FAILS("\0", 1, EINVAL);
	CHECK_UNCHANGED(&s, 1);
	WRITE_FAILS("abc\0\n", 5, EINVAL);
	CHECK_UNCHANGED(&s, 1);
	WRITE_FAILS("\0abc", 4, EINVAL);
	CHECK_UNCHANGED(&s, 1);
	snapshot_free(&s);

	/* evict=Y, a full pot: a bad cookie must not evict anything. */
	REQUIRE(CHECK_RET(module_unload(), 0));
	REQUIRE(LOAD_OK("pot_size=256 evict=Y"));
	REQUIRE(CHECK_RET(add_cookie(100, 1), 0));
	REQUIRE(CHECK_RET(add_cookie(100, 2), 0));
	REQUIRE(SNAPSHOT_OK(&s));
	{
		char bad[200];

		make_cookie(bad, sizeof(bad), 3);
		bad[150] = '\0';
		WRITE_FAILS(bad, sizeof(bad), EINVAL);
		CHECK_UNCHANGED(&s, 1);
	}
}

/*
 * The module reads a small cookie a word at a time, and its last few bytes
 * one by one: a NUL byte must be seen in any byte of any word, whatever
 * the alignment of the buffer, and bytes next to 0x00 in value (0x01,
 * 0x80, 0xff) must not be taken for one.
 */
static void write_nul_byte_every_place(void)
{
	char buf[8 + 61];
	unsigned int off, at, refused = 0;
	struct snapshot s;

	REQUIRE(error_test_setup("", &s));
	for (off = 0; off < 8; off++) {
		for (at = 0; at < 61; at++) {
			make_cookie(buf + off, 61, at);
			buf[off + at] = '\0';
			if (!WRITE_FAILS(buf + off, 61, EINVAL))
				break;
			refused++;
		}
	}
	CHECK_UNCHANGED(&s, refused);
	snapshot_free(&s);

	for (off = 0; off < 8; off++) {
		for (at = 0; at < 61; at++)
			buf[off + at] = "\x01\x80\xff"[(at + off) % 3];
		REQUIRE(CHECK_RET(clear_pot(), 0));
		CHECK_RET(fortune_write(buf + off, 61), 61);
		CHECK_TAKE_BYTES(buf + off, 61, 1000);
	}
}

static void write_efbig_never_fits(void)
{
	static char buf[5001];
	struct fortune_stats st;
	struct snapshot s;

	REQUIRE(error_test_setup("pot_size=4096", &s));
	make_cookie(buf, sizeof(buf), 7);
	WRITE_FAILS(buf, 4089, EFBIG);
	CHECK_UNCHANGED(&s, 1);
	buf[4089] = '\n';
	WRITE_FAILS(buf, 4090, EFBIG);
	CHECK_UNCHANGED(&s, 1);
	WRITE_FAILS(buf, 5001, EFBIG);
	CHECK_UNCHANGED(&s, 1);
	snapshot_free(&s);

	/* The limit itself: pot_size - FORTUNE_COOKIE_OVERHEAD, newline off. */
	REQUIRE(CHECK_RET(clear_pot(), 0));
	buf[4088] = '\n';
	CHECK_RET(fortune_write(buf, 4089), 4089);
	REQUIRE(CHECK_RET(get_stats(&st), 0));
	CHECK_STAT(st, cookies, 1);
	CHECK_STAT(st, used, 4096);
	CHECK_STAT(st, largest, 0);
	CHECK_TAKE_BYTES(buf, 4088, 4096);
	REQUIRE(CHECK_RET(clear_pot(), 0));
	CHECK_RET(fortune_write(buf, 4088), 4088);
	CHECK_TAKE_BYTES(buf, 4088, 1000);

	/* evict=Y: emptying the pot would not help, so nothing goes. */
	REQUIRE(CHECK_RET(module_unload(), 0));
	REQUIRE(error_test_setup("pot_size=4096 evict=Y", &s));
	make_cookie(buf, sizeof(buf), 8);
	WRITE_FAILS(buf, 4089, EFBIG);
	CHECK_UNCHANGED(&s, 1);
	buf[4089] = '\n';
	WRITE_FAILS(buf, 4090, EFBIG);
	CHECK_UNCHANGED(&s, 1);
}

/*
 * A count of 2 GiB is refused before a byte is read: the buffer holds 16
 * readable bytes and then unmapped memory, so reading would give EFAULT.
 */
#ifdef __LP64__
#define LOW_MAP_ADDR	(1UL << 40)
#else
/* A 32-bit program's space ends at 3 GiB (or 4 GiB on a 64-bit kernel). */
#define LOW_MAP_ADDR	(1UL << 28)
#endif
static void write_efbig_2gib_without_reading(void)
{
	/* Just under 2 GiB for a 32-bit program: the VFS refuses more. */
	const size_t huge = sizeof(size_t) > 4 ? (size_t)2 << 30 :
				(size_t)SSIZE_MAX + 1 - PAGE;
	struct snapshot s;
	char *map;
	ssize_t ret;

	REQUIRE(error_test_setup("", &s));
	/* Low in the address space, so that buf + 2 GiB is still user space. */
	map = mmap((void *)LOW_MAP_ADDR, 2 * PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	ASSERT(map != MAP_FAILED, "mmap: %m");
	ASSERT(!munmap(map + PAGE, PAGE), "munmap: %m");
	memcpy(map + PAGE - 16, "sixteen bytes ok", 16);

	ret = fortune_write(map + PAGE - 16, huge);
	CHECK(ret == -EFBIG, "write of 2 GiB: %s, want EFBIG",
	      ret < 0 ? strerrorname_np(-ret) : "success");
	CHECK_UNCHANGED(&s, 1);
	ret = fortune_write(map + PAGE - 16, huge / 2);
	CHECK(ret == -EFBIG, "write of 1 GiB: %s, want EFBIG",
	      ret < 0 ? strerrorname_np(-ret) : "success");
	CHECK_UNCHANGED(&s, 1);
}

/* Fills a 4096-byte pot with 37 cookies of 100 bytes, ids 0 to 36. */
static int fill_37x100(void)
{
	unsigned int i;

	for (i = 0; i < 37; i++)
		if (!CHECK_RET(add_cookie(100, i), 0))
			return 0;
	return 1;
}

static void write_enospc_when_full(void)
{
	struct fortune_stats st;
	struct snapshot s;
	char buf[4000];

	REQUIRE(LOAD_OK("pot_size=4096 evict=N"));
	REQUIRE(fill_37x100());
	REQUIRE(SNAPSHOT_OK(&s));
	make_cookie(buf, sizeof(buf), 99);
	WRITE_FAILS(buf, 100, ENOSPC);
	CHECK_UNCHANGED(&s, 1);
	/* Fits an empty pot, so not EFBIG: just not now. */
	WRITE_FAILS(buf, 4000, ENOSPC);
	CHECK_UNCHANGED(&s, 1);
	/* What is left still takes a cookie of exactly `largest` bytes. */
	REQUIRE(CHECK_RET(get_stats(&st), 0));
	CHECK(st.largest < 100, "largest %llu with 37 x 100 bytes stored",
	      (unsigned long long)st.largest);
	if (st.largest) {
		WRITE_FAILS(buf, st.largest + 1, ENOSPC);
		CHECK_UNCHANGED(&s, 1);
		CHECK_RET(fortune_write(buf, st.largest), (long)st.largest);
		REQUIRE(CHECK_RET(get_stats(&st), 0));
		CHECK_STAT(st, cookies, 38);
		CHECK_STAT(st, evicted, 0);
	}
}

/* Where the kernel's text is: above user space on x86-64 and i386. */
#ifdef __LP64__
#define KERNEL_ADDR	0xffffffff81000000UL
#else
#define KERNEL_ADDR	0xc1000000UL
#endif
static void write_efault_bad_pointer(void)
{
	struct snapshot s;
	char *map;

	REQUIRE(error_test_setup("", &s));
	WRITE_FAILS(NULL, 10, EFAULT);
	CHECK_UNCHANGED(&s, 1);
	map = mmap(NULL, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT(map != MAP_FAILED, "mmap: %m");
	WRITE_FAILS(map, 10, EFAULT);
	CHECK_UNCHANGED(&s, 1);
	WRITE_FAILS(map, 1, EFAULT);
	CHECK_UNCHANGED(&s, 1);
	/* A kernel address is no better (refused before the module sees it). */
	WRITE_FAILS((void *)KERNEL_ADDR, 10, EFAULT);
	CHECK_UNCHANGED(&s, 0);
	snapshot_free(&s);

	/* evict=Y on a full pot: nothing is evicted for it. */
	REQUIRE(CHECK_RET(module_unload(), 0));
	REQUIRE(LOAD_OK("pot_size=256 evict=Y"));
	REQUIRE(CHECK_RET(add_cookie(100, 1), 0));
	REQUIRE(CHECK_RET(add_cookie(100, 2), 0));
	REQUIRE(SNAPSHOT_OK(&s));
	WRITE_FAILS(map, 100, EFAULT);
	CHECK_UNCHANGED(&s, 1);
}

static void write_efault_half_bad_pointer(void)
{
	static const char text[] = "these bytes are readable, the rest is not";
	const size_t valid = sizeof(text) - 1;
	struct snapshot s;
	char *buf, *tail;

	REQUIRE(error_test_setup("", &s));
	buf = half_mapped(text, valid);
	ASSERT(buf, "mmap: %m");
	WRITE_FAILS(buf, valid + 100, EFAULT);
	CHECK_UNCHANGED(&s, 1);
	/* Just the trailing "newline" unreadable. */
	WRITE_FAILS(buf, valid + 1, EFAULT);
	CHECK_UNCHANGED(&s, 1);
	/* The head unreadable, the tail readable. */
	tail = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT(tail != MAP_FAILED, "mmap: %m");
	ASSERT(!munmap(tail, PAGE), "munmap: %m");
	memset(tail + PAGE, 'x', 64);
	WRITE_FAILS(tail + PAGE - 10, 74, EFAULT);
	CHECK_UNCHANGED(&s, 1);
	snapshot_free(&s);

	/* evict=Y on a full pot: a half-readable cookie evicts nothing. */
	REQUIRE(CHECK_RET(module_unload(), 0));
	REQUIRE(LOAD_OK("pot_size=256 evict=Y"));
	REQUIRE(CHECK_RET(add_cookie(100, 1), 0));
	REQUIRE(CHECK_RET(add_cookie(100, 2), 0));
	REQUIRE(SNAPSHOT_OK(&s));
	WRITE_FAILS(buf, valid + 100, EFAULT);
	CHECK_UNCHANGED(&s, 1);
	WRITE_FAILS(buf, valid + 1, EFAULT);
	CHECK_UNCHANGED(&s, 1);
}

/* ---- open(2) and read(2) ---- */

static void read_open_takes_next_cookie(void)
{
	struct fortune_stats st;

	REQUIRE(LOAD_OK(""));
	REQUIRE(CHECK_RET(add_str("A"), 0));
	REQUIRE(CHECK_RET(add_str("B"), 0));
	REQUIRE(CHECK_RET(add_str("C"), 0));
	CHECK_TAKE("A");
	CHECK_TAKE("B");
	CHECK_TAKE("C");
	REQUIRE(CHECK_RET(get_stats(&st), 0));
	CHECK_STAT(st, served, 3);
}

static void read_rdwr_open_takes_cookie(void)
{
	struct blob got;
	int fd;

	REQUIRE(LOAD_OK(""));
	REQUIRE(CHECK_RET(add_str("A"), 0));
	REQUIRE(CHECK_RET(add_str("B"), 0));
	fd = open(FORTUNE_PROC_PATH, O_RDWR);
	ASSERT(fd >= 0, "open O_RDWR: %m");
	if (CHECK_RET(read_all(fd, &got, 100), 0))
		CHECK(blob_is_cookie(&got, "A", 1), "O_RDWR read \"%s\"",
		      got.data);
	blob_free(&got);
	CHECK_RET(write(fd, "C", 1), 1);
	close(fd);
	CHECK_TAKE("B");
	CHECK_TAKE("C");
	CHECK_TAKE("A");
}

static void read_wronly_open_takes_no_cookie(void)
{
	struct fortune_stats st;
	char c;
	int i, fd;

	REQUIRE(LOAD_OK(""));
	REQUIRE(CHECK_RET(add_str("A"), 0));
	REQUIRE(CHECK_RET(add_str("B"), 0));
	for (i = 0; i < 5; i++) {
		fd = open(FORTUNE_PROC_PATH, O_WRONLY);
		ASSERT(fd >= 0, "open O_WRONLY: %m");
		CHECK_ERRNO(read(fd, &c, 1), EBADF);
		close(fd);
	}
	REQUIRE(CHECK_RET(get_stats(&st), 0));
	CHECK_STAT(st, served, 0);
	CHECK_TAKE("A");
	CHECK_TAKE("B");
}

static void read_one_byte_reads(void)
{
	static const char cookie[] = "Read me one byte at a time.";
	char c, got[64];
	size_t n = 0;
	ssize_t r;
	int fd;

	REQUIRE(LOAD_OK(""));
	REQUIRE(CHECK_RET(add_str(cookie), 0));
	fd = open(FORTUNE_PROC_PATH, O_RDONLY);
	ASSERT(fd >= 0, "open: %m");
	while (n < sizeof(got) && (r = read(fd, &c, 1)) == 1)
		got[n++] = c;
	CHECK(n == sizeof(cookie), "read %zu bytes one at a time, want %zu",
	      n, sizeof(cookie));
	CHECK(!memcmp(got, cookie, sizeof(cookie) - 1) &&
	      got[sizeof(cookie) - 1] == '\n',
	      "bytes read one at a time differ: \"%.*s\"", (int)n, got);
	CHECK_RET(read(fd, &c, 1), 0);
	CHECK_RET(read(fd, &c, 1), 0);
	close(fd);
}

static void read_any_size(void)
{
	static const size_t chunks[] = { 1, 2, 7, 100, 999, 4095, 4096, 4097,
					 65536 };
	char cookie[3000];
	size_t i;

	REQUIRE(LOAD_OK(""));
	make_cookie(cookie, sizeof(cookie), 5);
	REQUIRE(CHECK_RET(fortune_write(cookie, sizeof(cookie)),
			  (long)sizeof(cookie)));
	for (i = 0; i < ARRAY_SIZE(chunks); i++)
		CHECK_TAKE_BYTES(cookie, sizeof(cookie), chunks[i]);
}

static void read_at_end_returns_zero(void)
{
	char buf[100];
	int fd;

	REQUIRE(LOAD_OK(""));
	REQUIRE(CHECK_RET(add_str("short"), 0));
	fd = open(FORTUNE_PROC_PATH, O_RDONLY);
	ASSERT(fd >= 0, "open: %m");
	CHECK_RET(read(fd, buf, sizeof(buf)), 6);
	CHECK_RET(read(fd, buf, sizeof(buf)), 0);
	CHECK_RET(read(fd, buf, sizeof(buf)), 0);
	CHECK_RET(read(fd, buf, 0), 0);
	close(fd);
}

static void read_pread_same_bytes(void)
{
	char cookie[5000], buf[6000];
	int fd;

	REQUIRE(LOAD_OK("pot_size=8192"));
	make_cookie(cookie, sizeof(cookie), 11);
	REQUIRE(CHECK_RET(fortune_write(cookie, sizeof(cookie)),
			  (long)sizeof(cookie)));
	fd = open(FORTUNE_PROC_PATH, O_RDONLY);
	ASSERT(fd >= 0, "open: %m");
	if (CHECK_RET(pread(fd, buf, 10, 0), 10))
		CHECK(!memcmp(buf, cookie, 10), "pread at 0 differs");
	if (CHECK_RET(pread(fd, buf, 100, 4500), 100))
		CHECK(!memcmp(buf, cookie + 4500, 100), "pread at 4500 differs");
	if (CHECK_RET(pread(fd, buf, 100, 4990), 11))
		CHECK(!memcmp(buf, cookie + 4990, 10) && buf[10] == '\n',
		      "pread at 4990 differs");
	if (CHECK_RET(pread(fd, buf, 1, 5000), 1))
		CHECK(buf[0] == '\n', "the byte after the cookie is %#x",
		      buf[0]);
	CHECK_RET(pread(fd, buf, 10, 5001), 0);
	CHECK_RET(pread(fd, buf, 10, 1 << 20), 0);
	/* pread does not move the offset: read() still starts at 0. */
	CHECK_RET(lseek(fd, 0, SEEK_CUR), 0);
	if (CHECK_RET(read(fd, buf, sizeof(buf)), 5001))
		CHECK(!memcmp(buf, cookie, sizeof(cookie)),
		      "read after pread differs");
	CHECK_ERRNO(pread(fd, buf, 10, -1), EINVAL);
	close(fd);
}

static void read_lseek_size_is_len_plus_one(void)
{
	static const char cookie[] = "0123456789abcdef";
	char buf[64];
	int fd;

	REQUIRE(LOAD_OK(""));
	REQUIRE(CHECK_RET(add_str(cookie), 0));
	fd = open(FORTUNE_PROC_PATH, O_RDONLY);
	ASSERT(fd >= 0, "open: %m");
	CHECK_RET(lseek(fd, 0, SEEK_END), 17);
	CHECK_RET(read(fd, buf, sizeof(buf)), 0);
	CHECK_RET(lseek(fd, -5, SEEK_END), 12);
	if (CHECK_RET(read(fd, buf, sizeof(buf)), 5))
		CHECK(!memcmp(buf, "cdef\n", 5), "read after SEEK_END -5: %.5s",
		      buf);
	CHECK_RET(lseek(fd, 3, SEEK_SET), 3);
	if (CHECK_RET(read(fd, buf, 4), 4))
		CHECK(!memcmp(buf, "3456", 4), "read after SEEK_SET 3: %.4s",
		      buf);
	CHECK_RET(lseek(fd, 0, SEEK_CUR), 7);
	CHECK_RET(lseek(fd, -2, SEEK_CUR), 5);
	if (CHECK_RET(read(fd, buf, 3), 3))
		CHECK(!memcmp(buf, "567", 3), "read after SEEK_CUR -2: %.3s",
		      buf);
	CHECK_RET(lseek(fd, 0, SEEK_SET), 0);
	if (CHECK_RET(read(fd, buf, sizeof(buf)), 17))
		CHECK(!memcmp(buf, "0123456789abcdef\n", 17),
		      "read after SEEK_SET 0: %.17s", buf);
	CHECK_ERRNO(lseek(fd, -1, SEEK_SET), EINVAL);
	CHECK_ERRNO(lseek(fd, -18, SEEK_END), EINVAL);
	CHECK_RET(lseek(fd, 0, SEEK_CUR), 17);
	close(fd);
}

/* As in a regular file, the offset may go past the end: reads give 0. */
static void read_lseek_past_end_reads_zero(void)
{
	char buf[16];
	int fd;

	REQUIRE(LOAD_OK(""));
	REQUIRE(CHECK_RET(add_str("short"), 0));
	fd = open(FORTUNE_PROC_PATH, O_RDONLY);
	ASSERT(fd >= 0, "open: %m");
	CHECK_RET(lseek(fd, 100, SEEK_SET), 100);
	CHECK_RET(read(fd, buf, sizeof(buf)), 0);
	CHECK_RET(lseek(fd, 10, SEEK_END), 16);
	CHECK_RET(read(fd, buf, sizeof(buf)), 0);
	CHECK_RET(lseek(fd, 0, SEEK_SET), 0);
	CHECK_RET(read(fd, buf, sizeof(buf)), 6);
	close(fd);
}

/*
 * What an open file reads is fixed at open: later writes, a clear and
 * evictions do not change it.
 */
static void read_open_file_keeps_its_cookie(void)
{
	char cookie[6000], buf[7000];
	size_t done;
	ssize_t r;
	int fd, i;

	REQUIRE(LOAD_OK("pot_size=8192"));
	make_cookie(cookie, sizeof(cookie), 21);
	REQUIRE(CHECK_RET(fortune_write(cookie, sizeof(cookie)),
			  (long)sizeof(cookie)));
	REQUIRE(CHECK_RET(add_str("B"), 0));
	fd = open(FORTUNE_PROC_PATH, O_RDONLY);
	ASSERT(fd >= 0, "open: %m");
	ASSERT(CHECK_RET(read(fd, buf, 100), 100), "first read");
	done = 100;

	REQUIRE(CHECK_RET(add_str("written after the open"), 0));
	REQUIRE(CHECK_RET(clear_pot(), 0));
	REQUIRE(CHECK_RET(add_str("written after the clear"), 0));
	r = read(fd, buf + done, 2000);
	CHECK(r == 2000, "read after a clear: %zd", r);
	done += r > 0 ? r : 0;
	/* Evict everything: the text once stored is overwritten. */
	{
		int sfd = open(FORTUNE_SYSFS_PARAMS "evict", O_WRONLY);

		ASSERT(sfd >= 0, "open evict parameter: %m");
		CHECK_RET(write(sfd, "Y", 1), 1);
		close(sfd);
	}
	for (i = 0; i < 30; i++)
		REQUIRE(CHECK_RET(add_cookie(1000, 100 + i), 0));
	while ((r = read(fd, buf + done, sizeof(buf) - done)) > 0)
		done += r;
	CHECK(r == 0, "read: %m");
	CHECK(done == sizeof(cookie) + 1 &&
	      !memcmp(buf, cookie, sizeof(cookie)) &&
	      buf[sizeof(cookie)] == '\n',
	      "the open file read %zu bytes, not its cookie", done);
	if (CHECK_RET(pread(fd, buf, sizeof(buf), 0), 6001))
		CHECK(!memcmp(buf, cookie, sizeof(cookie)),
		      "pread after evictions differs");
	close(fd);
}

static void read_empty_pot_reads_nothing(void)
{
	char buf[16];
	int fd;

	REQUIRE(LOAD_OK(""));
	fd = open(FORTUNE_PROC_PATH, O_RDONLY);
	ASSERT(fd >= 0, "open the empty pot: %m");
	CHECK_RET(read(fd, buf, sizeof(buf)), 0);
	CHECK_RET(lseek(fd, 0, SEEK_END), 0);
	CHECK_RET(pread(fd, buf, sizeof(buf), 0), 0);
	close(fd);
	/* Emptied by a clear: the same. */
	REQUIRE(CHECK_RET(add_str("soon gone"), 0));
	REQUIRE(CHECK_RET(clear_pot(), 0));
	fd = open(FORTUNE_PROC_PATH, O_RDONLY);
	ASSERT(fd >= 0, "open the cleared pot: %m");
	CHECK_RET(read(fd, buf, sizeof(buf)), 0);
	close(fd);
	REQUIRE(CHECK_RET(module_unload(), 0));
	REQUIRE(LOAD_OK("order=random"));
	fd = open(FORTUNE_PROC_PATH, O_RDONLY);
	ASSERT(fd >= 0, "open the empty pot in random order: %m");
	CHECK_RET(read(fd, buf, sizeof(buf)), 0);
	close(fd);
}

/* ---- orders ---- */

static void read_seq_order_wraparound(void)
{
	REQUIRE(LOAD_OK("order=seq"));
	REQUIRE(CHECK_RET(add_str("A"), 0));
	REQUIRE(CHECK_RET(add_str("B"), 0));
	REQUIRE(CHECK_RET(add_str("C"), 0));
	CHECK_TAKE("A");
	CHECK_TAKE("B");
	CHECK_TAKE("C");
	CHECK_TAKE("A");
	CHECK_TAKE("B");
	/* A newcomer joins the round after the newest. */
	REQUIRE(CHECK_RET(add_str("D"), 0));
	CHECK_TAKE("C");
	CHECK_TAKE("D");
	CHECK_TAKE("A");
}

static void read_seq_is_default(void)
{
	REQUIRE(LOAD_OK(""));
	REQUIRE(CHECK_RET(add_str("A"), 0));
	REQUIRE(CHECK_RET(add_str("B"), 0));
	CHECK_TAKE("A");
	CHECK_TAKE("B");
	CHECK_TAKE("A");
	CHECK_TAKE("B");
}

/* One cursor for the whole system: opens by two processes interleave. */
static void read_seq_one_cursor_across_processes(void)
{
	static const char * const names[] = { "A", "B", "C", "D", "E" };
	int i, status;
	pid_t pid;

	REQUIRE(LOAD_OK(""));
	for (i = 0; i < 5; i++)
		REQUIRE(CHECK_RET(add_str(names[i]), 0));
	for (i = 0; i < 10; i++) {
		if (i % 2 == 0) {
			CHECK_TAKE(names[i % 5]);
			continue;
		}
		pid = fork();
		ASSERT(pid >= 0, "fork: %m");
		if (!pid)
			_exit(CHECK_TAKE(names[i % 5]) ? 0 : 1);
		ASSERT(waitpid(pid, &status, 0) == pid, "waitpid: %m");
		CHECK(WIFEXITED(status), "child ended with %#x", status);
	}
}

/* A cookie longer than a page is read in several reads: one take. */
static void read_seq_long_cookie_no_skip(void)
{
	static char a[5000], c[9000];

	REQUIRE(LOAD_OK("pot_size=65536"));
	make_cookie(a, sizeof(a), 1);
	make_cookie(c, sizeof(c), 3);
	REQUIRE(CHECK_RET(fortune_write(a, sizeof(a)), (long)sizeof(a)));
	REQUIRE(CHECK_RET(add_str("B"), 0));
	REQUIRE(CHECK_RET(fortune_write(c, sizeof(c)), (long)sizeof(c)));
	REQUIRE(CHECK_RET(add_str("D"), 0));
	CHECK_TAKE_BYTES(a, sizeof(a), 4096);
	CHECK_TAKE("B");
	CHECK_TAKE_BYTES(c, sizeof(c), 1000);
	CHECK_TAKE("D");
	CHECK_TAKE_BYTES(a, sizeof(a), 1);
	CHECK_TAKE("B");
	CHECK_TAKE_BYTES(c, sizeof(c), 65536);
	CHECK_TAKE("D");
}

/* Cookies of exactly a page, around it, and of two pages and a byte. */
static void read_cookie_page_sizes(void)
{
	static const size_t sizes[] = { PAGE - 1, PAGE, PAGE + 1,
					2 * PAGE + 1 };
	static char buf[2 * PAGE + 2];
	size_t i;

	REQUIRE(LOAD_OK("pot_size=65536"));
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		make_cookie(buf, sizes[i], i);
		REQUIRE(CHECK_RET(fortune_write(buf, sizes[i]),
				  (long)sizes[i]));
	}
	/* And the page size with its newline, which is dropped. */
	make_cookie(buf, PAGE, 9);
	buf[PAGE] = '\n';
	REQUIRE(CHECK_RET(fortune_write(buf, PAGE + 1), PAGE + 1));
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		make_cookie(buf, sizes[i], i);
		CHECK_TAKE_BYTES(buf, sizes[i], 4096);
	}
	make_cookie(buf, PAGE, 9);
	CHECK_TAKE_BYTES(buf, PAGE, 4096);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		make_cookie(buf, sizes[i], i);
		CHECK_TAKE_BYTES(buf, sizes[i], i % 2 ? 1 : 1000);
	}
}

/*
 * 4 cookies, 4000 opens: each count has mean 1000 and standard deviation
 * sqrt(4000 * 1/4 * 3/4) = 27.4, so +-30% is beyond 10 sigma.
 */
static void read_random_uniform(void)
{
	static const char * const names[] = { "north", "east", "south",
					      "west" };
	unsigned int count[4] = { 0 };
	struct fortune_stats st;
	struct blob got;
	int i, j;

	REQUIRE(LOAD_OK("order=random"));
	for (i = 0; i < 4; i++)
		REQUIRE(CHECK_RET(add_str(names[i]), 0));
	for (i = 0; i < 4000; i++) {
		ASSERT(CHECK_RET(take(&got), 0), "take %d", i);
		for (j = 0; j < 4; j++)
			if (blob_is_cookie(&got, names[j], strlen(names[j])))
				break;
		ASSERT(j < 4, "open %d read \"%s\", not a cookie of the pot",
		       i, got.data);
		count[j]++;
		blob_free(&got);
	}
	ktap_diag("random order, 4000 opens: %u %u %u %u", count[0], count[1],
		  count[2], count[3]);
	for (j = 0; j < 4; j++)
		CHECK(count[j] >= 700 && count[j] <= 1300,
		      "\"%s\" came %u times in 4000, want 1000 +- 300",
		      names[j], count[j]);
	REQUIRE(CHECK_RET(get_stats(&st), 0));
	CHECK_STAT(st, served, 4000);
	CHECK_STAT(st, cookies, 4);
}

/* ---- capacity ---- */

static void capacity_37x100_in_4096(void)
{
	struct fortune_stats st;
	unsigned int i;

	REQUIRE(LOAD_OK("pot_size=4096"));
	REQUIRE(fill_37x100());
	REQUIRE(CHECK_RET(get_stats(&st), 0));
	CHECK_STAT(st, capacity, 4096);
	CHECK_STAT(st, cookies, 37);
	CHECK_STAT(st, used, 37 * (100 + FORTUNE_COOKIE_OVERHEAD));
	CHECK_RET(add_cookie(100, 37), -ENOSPC);
	for (i = 0; i < 37; i++)
		CHECK_TAKE_COOKIE(100, i);
	CHECK_TAKE_COOKIE(100, 0);
}

static void capacity_used_is_len_plus_overhead(void)
{
	static const size_t lens[] = { 1, 2, 13, 100, 255, 256, 1000, 1,
				       4000 };
	struct fortune_stats st;
	uint64_t used = 0;
	size_t i;

	REQUIRE(LOAD_OK("pot_size=8192"));
	REQUIRE(CHECK_RET(get_stats(&st), 0));
	CHECK_STAT(st, used, 0);
	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		REQUIRE(CHECK_RET(add_cookie(lens[i], i), 0));
		used += lens[i] + FORTUNE_COOKIE_OVERHEAD;
		REQUIRE(CHECK_RET(get_stats(&st), 0));
		CHECK_STAT(st, used, used);
		CHECK_STAT(st, cookies, i + 1);
	}
	/* The dropped newline is not stored. */
	REQUIRE(CHECK_RET(add_str("twelve bytes\n"), 0));
	used += 12 + FORTUNE_COOKIE_OVERHEAD;
	REQUIRE(CHECK_RET(get_stats(&st), 0));
	CHECK_STAT(st, used, used);
	REQUIRE(CHECK_RET(clear_pot(), 0));
	REQUIRE(CHECK_RET(get_stats(&st), 0));
	CHECK_STAT(st, used, 0);
}

/*
 * `largest` is exactly the longest cookie a write can add now without
 * eviction: that one fits, one byte more does not.
 */
static void capacity_largest_is_exact(void)
{
	static const char * const params[] = { "pot_size=4096",
					       "pot_size=64",
					       "pot_size=5000" };
	static char buf[5000];
	struct fortune_stats st;
	size_t i;
	int round;

	for (i = 0; i < ARRAY_SIZE(params); i++) {
		unsigned long size = strtoul(params[i] + 9, NULL, 10);

		REQUIRE(LOAD_OK(params[i]));
		REQUIRE(CHECK_RET(get_stats(&st), 0));
		CHECK_STAT(st, capacity, size);
		CHECK_STAT(st, largest, size - FORTUNE_COOKIE_OVERHEAD);
		for (round = 0; round < 3; round++) {
			size_t first = size / 5 + round;

			REQUIRE(CHECK_RET(add_cookie(first, 1), 0));
			REQUIRE(CHECK_RET(get_stats(&st), 0));
			CHECK_STAT(st, largest, size - st.used -
				   FORTUNE_COOKIE_OVERHEAD);
			if (st.largest >= sizeof(buf))
				continue;
			make_cookie(buf, st.largest + 1, 2);
			CHECK_RET(fortune_write(buf, st.largest + 1), -ENOSPC);
			CHECK_RET(fortune_write(buf, st.largest),
				  (long)st.largest);
			REQUIRE(CHECK_RET(get_stats(&st), 0));
			CHECK_STAT(st, used, size);
			CHECK_STAT(st, largest, 0);
			CHECK_STAT(st, cookies, 2);
			REQUIRE(CHECK_RET(clear_pot(), 0));
		}
		REQUIRE(CHECK_RET(module_unload(), 0));
	}
}

/* A field of /proc/meminfo, in kB, or -1. */
static long meminfo_kb(const char *field)
{
	char line[128];
	long kb = -1;
	size_t len = strlen(field);
	FILE *f;

	f = fopen("/proc/meminfo", "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, field, len) && line[len] == ':') {
			kb = strtol(line + len + 1, NULL, 10);
			break;
		}
	fclose(f);
	return kb;
}

/* Kernel memory that could grow with the cookies: slab and vmalloc. */
static long kernel_kb(void)
{
	return meminfo_kb("Slab") + meminfo_kb("VmallocUsed");
}

/*
 * The pot is all: 40000 cookies of 12 bytes in a 1 MiB pot take no more
 * kernel memory (a per-cookie allocation would be 640 KiB at least).
 */
static void capacity_memory_is_pot_plus_constant(void)
{
	long before, after;
	char cookie[24];
	int fd, i;

	REQUIRE(LOAD_OK("pot_size=1048576"));
	fd = open(FORTUNE_PROC_PATH, O_WRONLY);
	ASSERT(fd >= 0, "open: %m");
	REQUIRE(CHECK_RET(write(fd, "warm up", 7), 7));
	before = kernel_kb();
	ASSERT(before > 0, "no Slab or VmallocUsed in /proc/meminfo");
	for (i = 0; i < 40000; i++) {
		snprintf(cookie, sizeof(cookie), "cookie %05d", i);
		if (!CHECK_RET(write(fd, cookie, 12), 12))
			break;
	}
	after = kernel_kb();
	close(fd);
	ktap_diag("slab + vmalloc: %ld kB before 40000 cookies, %ld kB after",
		  before, after);
	CHECK(after - before < 256,
	      "kernel memory grew by %ld kB for 40000 cookies", after - before);
	CHECK_TAKE("warm up");
	CHECK_TAKE("cookie 00000");
}

/* ---- eviction ---- */

/*
 * Finds @got (a take) among cookies @first to @last of @len bytes; the
 * index or -1.
 */
static int cookie_id(const struct blob *got, size_t len, unsigned int first,
		     unsigned int last)
{
	char want[1100];
	unsigned int id;

	for (id = first; id <= last && len < sizeof(want); id++) {
		make_cookie(want, len, id);
		if (blob_is_cookie(got, want, len))
			return id;
	}
	return -1;
}

static void evict_drops_oldest_until_fits(void)
{
	unsigned int i, k, oldest, start;
	struct fortune_stats st;
	char seen[77] = { 0 };
	struct blob got;
	char big[1000];
	int id;

	REQUIRE(LOAD_OK("pot_size=4096 evict=Y"));
	REQUIRE(fill_37x100());
	REQUIRE(CHECK_RET(get_stats(&st), 0));
	CHECK_STAT(st, evicted, 0);
	/* Full: each further cookie of the same size drops exactly one. */
	for (i = 37; i < 37 + 40; i++) {
		REQUIRE(CHECK_RET(add_cookie(100, i), 0));
		REQUIRE(CHECK_RET(get_stats(&st), 0));
		CHECK_STAT(st, evicted, i - 36);
		CHECK_STAT(st, cookies, 37);
		CHECK_STAT(st, used, 37 * (100 + FORTUNE_COOKIE_OVERHEAD));
		CHECK_STAT(st, added, i + 1);
	}
	/* Left: the newest 37, ids 40 to 76, in order, from the cursor on. */
	REQUIRE(CHECK_RET(take(&got), 0));
	id = cookie_id(&got, 100, 0, 76);
	blob_free(&got);
	ASSERT(id >= 40, "the first cookie read is id %d, want one of 40..76",
	       id);
	start = id;
	for (i = 1; i < 37; i++)
		CHECK_TAKE_COOKIE(100, 40 + (start - 40 + i) % 37);

	/*
	 * A 1000-byte cookie needs 1008 bytes where 100 + 8 * 0 are free:
	 * at least 9 of the oldest must go (9 * 108 + 100 >= 1008); a pot
	 * that never splits a cookie's text may need the room of one more.
	 */
	REQUIRE(CHECK_RET(get_stats(&st), 0));
	make_cookie(big, sizeof(big), 500);
	REQUIRE(CHECK_RET(fortune_write(big, sizeof(big)), (long)sizeof(big)));
	REQUIRE(CHECK_RET(get_stats(&st), 0));
	k = st.evicted - 40;
	CHECK(k >= 9 && k <= 10, "a 1000-byte cookie evicted %u cookies", k);
	CHECK_STAT(st, cookies, 37 - k + 1);
	CHECK_STAT(st, used, (37 - k) * 108 + 1008);
	/* The oldest went: what is left is ids 40 + k to 76 and the big one. */
	oldest = 40 + k;
	for (i = 0; i < st.cookies; i++) {
		REQUIRE(CHECK_RET(take(&got), 0));
		if (blob_is_cookie(&got, big, sizeof(big))) {
			blob_free(&got);
			continue;
		}
		id = cookie_id(&got, 100, 0, 76);
		blob_free(&got);
		ASSERT(id >= (int)oldest && !seen[id],
		       "read cookie %d (%s), with %u evicted", id,
		       id >= 0 && seen[id] ? "again" : "should be gone", k);
		seen[id] = 1;
	}
}

static void evict_off_gives_enospc(void)
{
	struct fortune_stats st;
	struct snapshot s;

	REQUIRE(LOAD_OK("pot_size=4096"));
	REQUIRE(fill_37x100());
	REQUIRE(SNAPSHOT_OK(&s));
	CHECK_RET(add_cookie(100, 40), -ENOSPC);
	CHECK_UNCHANGED(&s, 1);
	CHECK_RET(add_cookie(1000, 41), -ENOSPC);
	CHECK_UNCHANGED(&s, 1);
	REQUIRE(CHECK_RET(get_stats(&st), 0));
	CHECK_STAT(st, evicted, 0);
}

/* ---- ioctl(2) ---- */

static void ioctl_stats_from_rdonly_file(void)
{
	struct fortune_stats st;
	char c;
	int fd;

	REQUIRE(LOAD_OK("pot_size=4096"));
	REQUIRE(CHECK_RET(add_str("first"), 0));
	REQUIRE(CHECK_RET(add_str("second"), 0));
	fd = open(FORTUNE_PROC_PATH, O_RDONLY);
	ASSERT(fd >= 0, "open: %m");
	memset(&st, 0xa5, sizeof(st));
	CHECK_RET(ioctl(fd, FORTUNE_IOC_STATS, &st), 0);
	CHECK_STAT(st, capacity, 4096);
	CHECK_STAT(st, cookies, 2);
	CHECK_STAT(st, served, 0);	/* an ioctl takes no cookie */
	CHECK_STAT(st, added, 2);
	CHECK_STAT(st, used, 11 + 2 * FORTUNE_COOKIE_OVERHEAD);
	/* Its first read takes the next cookie. */
	CHECK_RET(read(fd, &c, 1), 1);
	CHECK(c == 'f', "first byte read is %c", c);
	CHECK_ERRNO(ioctl(fd, FORTUNE_IOC_STATS, NULL), EFAULT);
	CHECK_ERRNO(ioctl(fd, FORTUNE_IOC_STATS, (void *)8), EFAULT);
	close(fd);
}

/* Every counter, through one scenario whose numbers are known. */
static void ioctl_stats_all_counters(void)
{
	struct fortune_stats st;
	struct blob got;
	int fd, i;

	REQUIRE(LOAD_OK("pot_size=4096 order=seq evict=N"));
	REQUIRE(CHECK_RET(get_stats(&st), 0));
	CHECK_STAT(st, capacity, 4096);
	CHECK_STAT(st, used, 0);
	CHECK_STAT(st, cookies, 0);
	CHECK_STAT(st, served, 0);
	CHECK_STAT(st, added, 0);
	CHECK_STAT(st, refused, 0);
	CHECK_STAT(st, evicted, 0);
	CHECK_STAT(st, largest, 4096 - FORTUNE_COOKIE_OVERHEAD);

	REQUIRE(CHECK_RET(add_cookie(10, 1), 0));
	REQUIRE(CHECK_RET(add_cookie(20, 2), 0));
	REQUIRE(CHECK_RET(add_str("thirty-ish bytes, then a newline\n"), 0));
	CHECK_RET(fortune_write("", 0), -EINVAL);
	CHECK_RET(fortune_write("a\0b", 3), -EINVAL);
	CHECK_RET(fortune_write(NULL, 5), -EFAULT);
	for (i = 0; i < 5; i++) {
		REQUIRE(CHECK_RET(take(&got), 0));
		blob_free(&got);
	}
	fd = open(FORTUNE_PROC_PATH, O_WRONLY);
	ASSERT(fd >= 0, "open O_WRONLY: %m");
	CHECK_RET(ioctl(fd, FORTUNE_IOC_STATS, &st), 0);
	CHECK_STAT(st, used, 10 + 20 + 32 + 3 * FORTUNE_COOKIE_OVERHEAD);
	CHECK_STAT(st, cookies, 3);
	CHECK_STAT(st, served, 5);
	CHECK_STAT(st, added, 3);
	CHECK_STAT(st, refused, 3);
	CHECK_STAT(st, evicted, 0);
	CHECK_STAT(st, largest, 4096 - st.used - FORTUNE_COOKIE_OVERHEAD);

	/* Fill up to refusal: 86 + 37 * 108 = 4082 bytes used. */
	for (i = 0; i < 37; i++)
		REQUIRE(CHECK_RET(add_cookie(100, 10 + i), 0));
	CHECK_RET(add_cookie(100, 99), -ENOSPC);
	CHECK_RET(add_cookie(5000, 98), -EFBIG);
	CHECK_RET(ioctl(fd, FORTUNE_IOC_STATS, &st), 0);
	CHECK_STAT(st, added, 40);
	CHECK_STAT(st, cookies, 40);
	CHECK_STAT(st, refused, 5);
	CHECK_STAT(st, used, 62 + 3 * 8 + 37 * 108);
	{
		int sfd = open(FORTUNE_SYSFS_PARAMS "evict", O_WRONLY);

		ASSERT(sfd >= 0, "open the evict parameter: %m");
		CHECK_RET(write(sfd, "Y\n", 2), 2);
		close(sfd);
	}
	/*
	 * 14 bytes free; 108 needed: the 10-, 20- and 32-byte cookies and
	 * one of 100 must go (14 + 18 + 28 + 40 + 108 >= 108); a pot that
	 * never splits a cookie's text may need the room of one more.
	 */
	REQUIRE(CHECK_RET(add_cookie(100, 97), 0));
	CHECK_RET(ioctl(fd, FORTUNE_IOC_STATS, &st), 0);
	stats_diag("after an evicting write", &st);
	CHECK(st.evicted >= 4 && st.evicted <= 5, "evicted %llu, want 4 or 5",
	      (unsigned long long)st.evicted);
	CHECK_STAT(st, added, 41);
	CHECK_STAT(st, cookies, 41 - st.evicted);
	CHECK_STAT(st, used, 4082 - 86 + 108 - (st.evicted - 3) * 108);
	CHECK_STAT(st, refused, 5);
	CHECK_STAT(st, served, 5);

	/* A clear empties the pot but the counters count since load. */
	CHECK_RET(ioctl(fd, FORTUNE_IOC_CLEAR), 0);
	CHECK_RET(ioctl(fd, FORTUNE_IOC_STATS, &st), 0);
	CHECK_STAT(st, capacity, 4096);
	CHECK_STAT(st, used, 0);
	CHECK_STAT(st, cookies, 0);
	CHECK_STAT(st, largest, 4096 - FORTUNE_COOKIE_OVERHEAD);
	CHECK_STAT(st, added, 41);
	CHECK_STAT(st, refused, 5);
	CHECK_STAT(st, served, 5);
	close(fd);
}

static void ioctl_clear_rdonly_ebadf(void)
{
	struct snapshot s;
	int fd;

	REQUIRE(error_test_setup("", &s));
	fd = open(FORTUNE_PROC_PATH, O_RDONLY);	/* takes nothing yet */
	ASSERT(fd >= 0, "open: %m");
	CHECK_ERRNO(ioctl(fd, FORTUNE_IOC_CLEAR), EBADF);
	close(fd);
	CHECK_UNCHANGED(&s, 0);
}

static void ioctl_clear_wronly_empties_resets_cursor(void)
{
	struct fortune_stats st;
	struct blob got;
	int fd;

	REQUIRE(LOAD_OK(""));
	REQUIRE(CHECK_RET(add_str("A"), 0));
	REQUIRE(CHECK_RET(add_str("B"), 0));
	REQUIRE(CHECK_RET(add_str("C"), 0));
	CHECK_TAKE("A");
	CHECK_TAKE("B");
	fd = open(FORTUNE_PROC_PATH, O_WRONLY);
	ASSERT(fd >= 0, "open O_WRONLY: %m");
	CHECK_RET(ioctl(fd, FORTUNE_IOC_CLEAR), 0);
	close(fd);
	REQUIRE(CHECK_RET(get_stats(&st), 0));
	CHECK_STAT(st, cookies, 0);
	CHECK_STAT(st, used, 0);
	REQUIRE(CHECK_RET(take(&got), 0));
	CHECK(got.len == 0, "the cleared pot read %zu bytes", got.len);
	blob_free(&got);
	/* The cursor starts again at the oldest, not at the third. */
	REQUIRE(CHECK_RET(add_str("X"), 0));
	REQUIRE(CHECK_RET(add_str("Y"), 0));
	REQUIRE(CHECK_RET(add_str("Z"), 0));
	CHECK_TAKE("X");
	CHECK_TAKE("Y");
	/* O_RDWR is open for writing too. */
	fd = open(FORTUNE_PROC_PATH, O_RDWR);
	ASSERT(fd >= 0, "open O_RDWR: %m");
	CHECK_RET(ioctl(fd, FORTUNE_IOC_CLEAR), 0);
	close(fd);
	REQUIRE(CHECK_RET(get_stats(&st), 0));
	CHECK_STAT(st, cookies, 0);
}

static void ioctl_unknown_enotty(void)
{
	struct fortune_stats st;
	struct snapshot s;
	uint32_t small;
	int fd;

	REQUIRE(error_test_setup("", &s));
	fd = open(FORTUNE_PROC_PATH, O_WRONLY);
	ASSERT(fd >= 0, "open: %m");
	CHECK_ERRNO(ioctl(fd, _IO(FORTUNE_IOC_MAGIC, 0)), ENOTTY);
	CHECK_ERRNO(ioctl(fd, _IO(FORTUNE_IOC_MAGIC, 3)), ENOTTY);
	CHECK_ERRNO(ioctl(fd, _IO(FORTUNE_IOC_MAGIC, 1)), ENOTTY);
	/* The right numbers with the wrong size or direction. */
	CHECK_ERRNO(ioctl(fd, _IOR(FORTUNE_IOC_MAGIC, 1, uint32_t), &small),
		    ENOTTY);
	CHECK_ERRNO(ioctl(fd, _IOW(FORTUNE_IOC_MAGIC, 1, struct fortune_stats),
			  &st), ENOTTY);
	CHECK_ERRNO(ioctl(fd, _IOW(FORTUNE_IOC_MAGIC, 2, int), &small),
		    ENOTTY);
	CHECK_ERRNO(ioctl(fd, _IOR('z', 0x42, long), &small), ENOTTY);
	close(fd);
	/* Not a terminal, as isatty() finds out with TCGETS. */
	fd = open(FORTUNE_PROC_PATH, O_WRONLY);
	ASSERT(fd >= 0, "open: %m");
	errno = 0;
	CHECK(!isatty(fd) && errno == ENOTTY, "isatty: %m, want ENOTTY");
	close(fd);
	CHECK_UNCHANGED(&s, 0);
}

static const struct test_case tests[] = {
	TEST(proc_fortune_0644_root),
	TEST(proc_fortune_removed_at_unload),
	TEST(proc_fortune_nonroot_reads_not_writes),
	TEST(write_one_call_one_cookie),
	TEST(write_returns_full_count),
	TEST(write_trailing_newline_dropped),
	TEST(write_double_newline_keeps_one),
	TEST(write_multiline_utf8_byte_for_byte),
	TEST(write_offset_ignored),
	TEST(write_empty_einval),
	TEST(write_only_newline_einval),
	TEST(write_nul_byte_einval),
	TEST(write_nul_byte_every_place),
	TEST(write_efbig_never_fits),
	TEST(write_efbig_2gib_without_reading),
	TEST(write_enospc_when_full),
	TEST(write_efault_bad_pointer),
	TEST(write_efault_half_bad_pointer),
	TEST(read_open_takes_next_cookie),
	TEST(read_rdwr_open_takes_cookie),
	TEST(read_wronly_open_takes_no_cookie),
	TEST(read_one_byte_reads),
	TEST(read_any_size),
	TEST(read_at_end_returns_zero),
	TEST(read_pread_same_bytes),
	TEST(read_lseek_size_is_len_plus_one),
	TEST(read_lseek_past_end_reads_zero),
	TEST(read_open_file_keeps_its_cookie),
	TEST(read_empty_pot_reads_nothing),
	TEST(read_seq_is_default),
	TEST(read_seq_order_wraparound),
	TEST(read_seq_one_cursor_across_processes),
	TEST(read_seq_long_cookie_no_skip),
	TEST(read_cookie_page_sizes),
	TEST_SLOW(read_random_uniform, 60),
	TEST(capacity_37x100_in_4096),
	TEST(capacity_used_is_len_plus_overhead),
	TEST(capacity_largest_is_exact),
	TEST(capacity_memory_is_pot_plus_constant),
	TEST(evict_drops_oldest_until_fits),
	TEST(evict_off_gives_enospc),
	TEST(ioctl_stats_from_rdonly_file),
	TEST(ioctl_stats_all_counters),
	TEST(ioctl_clear_rdonly_ebadf),
	TEST(ioctl_clear_wronly_empties_resets_cursor),
	TEST(ioctl_unknown_enotty),
};

int main(void)
{
	return run_tests(tests, ARRAY_SIZE(tests));
}
