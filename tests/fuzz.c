// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz - random operations on /proc/fortune, every answer checked
 *
 *	fuzz [SEED [OPS]]	(defaults: 20240229 and 200000)
 *
 * Without OPS, FORTUNE_FUZZ_OPS in the environment sets it: scripts/run.sh
 * asks for a quarter on the debug kernels, whose checks make every
 * operation tens of times dearer (their point is what an operation does,
 * not how many there are).
 *
 * A failing run prints the command that repeats it, for instance
 *
 *	/tests/fuzz 20240229 200000
 *
 * Each phase loads the module with other parameters and draws from its own
 * generator, seeded from SEED, so a single-process phase repeats exactly
 * (but for which cookie a take in random order gets).  The multi-process
 * phase repeats each process's operations, but not how they interleave.
 *
 * In the single-process phases a model of the pot predicts every answer:
 * writes of 0 to twice the pot's size, of random bytes with NULs and
 * newlines, from buffers that run into an unmapped page at either end or
 * start at NULL; opens in every mode, kept open while the pot changes;
 * reads of random sizes, into bad buffers too, pread and lseek; CLEAR, the
 * stats, unknown ioctls, and run-time changes of order and evict through
 * sysfs.  The model knows which cookies are stored, in which order, where
 * the cursor is, and every counter of FORTUNE_IOC_STATS.  What it cannot
 * know is how the pot's room is laid out once something was evicted: there
 * it takes "largest" from the stats (a cookie up to that long must go in
 * without eviction, a longer one must evict or give ENOSPC) and the number
 * of cookies an evicting write dropped (which must be the oldest ones, and
 * enough to make the bytes fit).  Before any eviction since the last load
 * or clear, the accounting is exact: largest = capacity - used - 8.
 *
 * In the multi-process phase several processes write self-checking cookies
 * (length, writer, sequence number and a hash of the text in a header),
 * read them back and toggle the parameters at once.  Every cookie read must
 * check out, every stats snapshot must be consistent, and at the end the
 * counters must add up to what the processes saw and each writer's cookies
 * still in the pot must be its newest ones, in order.
 */
#define _GNU_SOURCE
#include "testlib.h"

#include <inttypes.h>

#define DEFAULT_SEED	20240229ULL
#define DEFAULT_OPS	200000UL
#define OVERHEAD	FORTUNE_COOKIE_OVERHEAD
#define MAX_OPEN	6	/* files kept open at once */
#define LOG_KEEP	24	/* operations shown when something fails */
#define ARENA_SIZE	(512 * 1024)	/* room for every buffer we use */
#define MAX_RW_COUNT	0x7ffff000UL	/* what the VFS caps a count at */
#define WRITERS		4	/* processes of the multi-process phase */

static uint64_t seed = DEFAULT_SEED;
static unsigned long total_ops = DEFAULT_OPS;
static const char *prog = "fuzz";

/* ---- randomness: splitmix64, one stream per phase and process ---- */

static uint64_t rng;

static void rng_seed(uint64_t phase, uint64_t process)
{
	rng = seed ^ (phase << 40) ^ (process << 32) ^ 0x5eed;
}

static uint64_t rnd64(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* A number in [0, n); 0 when n is 0. */
static size_t rnd(size_t n)
{
	return n ? rnd64() % n : 0;
}

/* True @permille times in a thousand. */
static int chance(unsigned int permille)
{
	return rnd(1000) < permille;
}

/* ---- what happened lately, and failing ---- */

static char oplog[LOG_KEEP][200];
static unsigned long opno;
static int fuzz_failed;

static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Describes operation number opno, for the log shown on failure. */
static void note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(oplog[opno % LOG_KEEP], sizeof(oplog[0]), fmt, ap);
	va_end(ap);
}

static void oops(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Records the first failure of a phase with the operations before it. */
static void oops(const char *fmt, ...)
{
	unsigned long i, first;
	char msg[400];
	va_list ap;

	if (fuzz_failed)
		return;
	fuzz_failed = 1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	FAIL("op %lu: %s", opno, msg);
	first = opno >= LOG_KEEP - 1 ? opno - (LOG_KEEP - 1) : 0;
	ktap_diag("the last operations, oldest first:");
	for (i = first; i <= opno; i++)
		ktap_diag("  op %lu: %s", i, oplog[i % LOG_KEEP]);
	ktap_diag("repeat with: %s %" PRIu64 " %lu", prog, seed, total_ops);
}

/*
 * ---- memory: an arena between two unmapped pages ----
 *
 * A bad buffer reaches at most a page into them: what lies beyond is some
 * other mapping, perhaps readable.
 */

static char *arena;
static size_t page;

static int arena_setup(void)
{
	char *base;

	page = sysconf(_SC_PAGESIZE);
	/*
	 * Low in the address space (a hint), so that the arena plus the 2 GiB
	 * of a huge write is still user space: near the top, the VFS would
	 * answer EFAULT before the module sees the count (arm64, i386).
	 */
	base = mmap((void *)(1UL << 28), ARENA_SIZE + 2 * page, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED)
		return -errno;
	if (mprotect(base + page, ARENA_SIZE, PROT_READ | PROT_WRITE))
		return -errno;
	arena = base + page;
	return 0;
}

static int readable(const char *p)
{
	return p >= arena && p < arena + ARENA_SIZE;
}

/* Readable bytes of [p, p + len) lie in [*lo, *hi); any unreadable? */
static int readable_part(const char *p, size_t len, const char **lo,
			 const char **hi)
{
	const char *end = arena + ARENA_SIZE;

	if (!p || p + len <= arena || p >= end) {
		*lo = *hi = arena;
		return len > 0;
	}
	*lo = p < arena ? arena : p;
	*hi = p + len > end ? end : p + len;
	return p < arena || p + len > end;
}

/*
 * A buffer of @count bytes: usually inside the arena, sometimes running
 * off its end or starting before it (in an unmapped page), or NULL.
 */
static char *some_buffer(size_t count, const char **how)
{
	size_t k;

	switch (rnd(25)) {
	case 0: case 1:
		if (!count)
			break;
		/* 1 to a page of it in the hole, which is one page long. */
		k = count - 1 - rnd(count < page ? count : page);
		*how = "runs off the end";
		return arena + ARENA_SIZE - k;
	case 2: case 3:
		if (!count)
			break;
		k = 1 + rnd(count < page ? count : page);
		*how = "starts unmapped";
		return arena - k;
	case 4:
		*how = "NULL";
		return NULL;
	}
	*how = "good";
	return arena + rnd(ARENA_SIZE - count + 1);
}

/* ---- the model of the pot ---- */

struct cookie {
	char *text;
	uint32_t len;
};

static struct model {
	struct cookie *ring;	/* the cookies, oldest at head */
	size_t slots, head, count;
	size_t cursor;		/* seq order: the rank of the next cookie */
	uint64_t capacity, used;
	int evict, random;
	int exact;		/* nothing evicted since load or clear */
	struct fortune_stats st;	/* served, added, refused, evicted */
} m;

static struct cookie *model_at(size_t rank)
{
	return &m.ring[(m.head + rank) % m.slots];
}

static int model_init(uint64_t capacity, int evict, int random)
{
	memset(&m, 0, sizeof(m));
	m.capacity = capacity;
	m.evict = evict;
	m.random = random;
	m.exact = 1;
	m.slots = capacity / (OVERHEAD + 1) + 1;
	m.ring = calloc(m.slots, sizeof(*m.ring));
	return m.ring ? 0 : -ENOMEM;
}

static void model_drop_oldest(void)
{
	free(model_at(0)->text);
	m.used -= model_at(0)->len + OVERHEAD;
	m.head = (m.head + 1) % m.slots;
	m.count--;
	if (m.cursor)
		m.cursor--;
	m.st.evicted++;
	m.exact = 0;
}

static void model_clear(void)
{
	while (m.count) {
		free(model_at(0)->text);
		m.head = (m.head + 1) % m.slots;
		m.count--;
	}
	m.used = 0;
	m.cursor = 0;
	m.exact = 1;
}

static int model_add(const char *text, size_t len)
{
	struct cookie *c;

	if (m.count == m.slots)
		return -ENOSPC;
	c = model_at(m.count);
	c->text = malloc(len ? len : 1);
	if (!c->text)
		return -ENOMEM;
	memcpy(c->text, text, len);
	c->len = len;
	m.count++;
	m.used += len + OVERHEAD;
	m.st.added++;
	return 0;
}

static void model_free(void)
{
	model_clear();
	free(m.ring);
	m.ring = NULL;
}

/* What "largest" must be while the accounting is exact. */
static uint64_t exact_largest(void)
{
	uint64_t room = m.capacity - m.used;

	return room > OVERHEAD ? room - OVERHEAD : 0;
}

/* ---- the module and its files ---- */

static int ctl = -1;		/* O_WRONLY: stats and clear, no cookie */
static struct fortune_stats seen;	/* the stats after the last op */

struct open_file {
	int fd;
	int mode;		/* O_RDONLY, O_WRONLY or O_RDWR */
	char *data;		/* what it reads: cookie and newline */
	size_t size;
	off_t pos;
	int taken;		/* its first read, pread or lseek happened */
};

static struct open_file files[MAX_OPEN];
static size_t nfiles;

static void close_file(size_t i)
{
	if (close(files[i].fd))
		oops("close: %m");
	free(files[i].data);
	files[i] = files[--nfiles];
}

static int get(struct fortune_stats *st)
{
	return ioctl(ctl, FORTUNE_IOC_STATS, st) ? -errno : 0;
}

/* Whether a counter is what the model says; says so if not. */
static int same_stat(const char *name, uint64_t got, uint64_t want)
{
	if (got == want)
		return 1;
	oops("stats.%s is %llu, the model says %llu", name,
	     (unsigned long long)got, (unsigned long long)want);
	return 0;
}

#define SAME_STAT(field)	same_stat(#field, st.field, want.field)

/* Compares the stats with the model; keeps them in @seen. */
static int check_stats(void)
{
	struct fortune_stats st, want = m.st;

	if (get(&st)) {
		oops("FORTUNE_IOC_STATS: %m");
		return -1;
	}
	want.capacity = m.capacity;
	want.used = m.used;
	want.cookies = m.count;
	if (!SAME_STAT(capacity) || !SAME_STAT(used) || !SAME_STAT(cookies) ||
	    !SAME_STAT(served) || !SAME_STAT(added) || !SAME_STAT(refused) ||
	    !SAME_STAT(evicted))
		return -1;
	want.largest = exact_largest();
	if ((m.exact || !m.count) && !SAME_STAT(largest))
		return -1;
	if (st.largest && st.largest + OVERHEAD > m.capacity - m.used) {
		oops("stats.largest is %llu, but only %llu bytes are free",
		     (unsigned long long)st.largest,
		     (unsigned long long)(m.capacity - m.used));
		return -1;
	}
	seen = st;
	return 0;
}

/* ---- single-process operations ---- */

/* Fills the readable bytes of a write buffer; picks a trailing newline. */
static void fill_cookie(char *p, size_t count)
{
	const char *lo, *hi, *q;
	unsigned int kind = rnd(20);

	readable_part(p, count, &lo, &hi);
	for (q = lo; q < hi; q++) {
		char *b = (char *)q;

		switch (kind) {
		case 0:		/* anything, NUL included */
			*b = rnd(256);
			break;
		case 1: case 2:	/* any byte but NUL */
			*b = 1 + rnd(255);
			break;
		case 3: case 4:	/* lines of text */
			*b = chance(60) ? '\n' : 32 + rnd(95);
			break;
		default:
			*b = 32 + rnd(95);
		}
	}
	/* Some NULs in otherwise good text. */
	if (kind >= 17 && hi > lo) {
		unsigned int i, nuls = 1 + rnd(3);

		for (i = 0; i < nuls; i++)
			((char *)lo)[rnd(hi - lo)] = '\0';
	}
	if (count && readable(p + count - 1) && chance(500))
		p[count - 1] = '\n';
}

/* A cookie length worth trying, edges included. */
static size_t some_length(void)
{
	uint64_t max = m.capacity - OVERHEAD;

	switch (rnd(20)) {
	case 0: case 1: case 2:
		return seen.largest + rnd(5) - 2 + 2 * (seen.largest < 2);
	case 3:
		return max + rnd(3) - 1;
	case 4:
		return 0;
	case 5: case 6:
		return rnd(2 * m.capacity + 1);
	case 7: case 8: case 9:
		return 1 + rnd(m.capacity / 4 + 1);
	default:
		return 1 + rnd(40);
	}
}

/* The errnos a write may fail with: a bitmask of ERR_* */
enum {
	ERR_EINVAL	= 1 << 0,
	ERR_EFBIG	= 1 << 1,
	ERR_EFAULT	= 1 << 2,
	ERR_ENOSPC	= 1 << 3,
};

static int err_bit(int err)
{
	switch (err) {
	case EINVAL: return ERR_EINVAL;
	case EFBIG: return ERR_EFBIG;
	case EFAULT: return ERR_EFAULT;
	case ENOSPC: return ERR_ENOSPC;
	}
	return 0;
}

static const char *err_names(int mask)
{
	static char buf[64];

	snprintf(buf, sizeof(buf), "%s%s%s%s", mask & ERR_EINVAL ? "EINVAL " : "",
		 mask & ERR_EFBIG ? "EFBIG " : "",
		 mask & ERR_EFAULT ? "EFAULT " : "",
		 mask & ERR_ENOSPC ? "ENOSPC " : "");
	return mask ? buf : "success";
}

/*
 * How a write of @count bytes at @p must fail, or 0 if it must succeed; the
 * cookie's length in @len.  An empty cookie and one that could never fit
 * are refused before reading it (EINVAL, EFBIG); a cookie with several
 * faults (unreadable bytes, a NUL, no room) may be refused for any of them.
 */
static int write_errors(const char *p, size_t count, size_t *len)
{
	uint64_t max = m.capacity - OVERHEAD;
	int last_ok, errors = 0;
	const char *lo, *hi;

	*len = count;
	if (!count)
		return ERR_EINVAL;
	if (count - 1 > max)
		return ERR_EFBIG;
	last_ok = readable(p + count - 1);
	if (last_ok && p[count - 1] == '\n')
		(*len)--;
	if (last_ok && !*len)
		return ERR_EINVAL;
	if (last_ok && *len > max)
		return ERR_EFBIG;
	if (readable_part(p, *len, &lo, &hi))
		errors |= ERR_EFAULT;
	if (hi > lo && memchr(lo, '\0', hi - lo))
		errors |= ERR_EINVAL;
	/* With the last byte unknown, the cookie is at least count - 1. */
	if (!m.evict && (last_ok ? *len : count - 1) > seen.largest)
		errors |= ERR_ENOSPC;
	return errors;
}

/* Writes @count bytes at @p on @fd and checks the answer with the model. */
static int do_write(int fd, char *p, size_t count, const char *how)
{
	size_t len, k;
	ssize_t ret;
	int errors;

	note("write %zu bytes, buffer %s, evict=%d, largest %llu", count, how,
	     m.evict, (unsigned long long)seen.largest);
	errors = write_errors(p, count, &len);
	ret = write(fd, p, count);
	if (errors) {
		if (ret >= 0 || !(err_bit(errno) & errors)) {
			oops("write of %zu bytes (cookie of %zu) returned %zd (%s), want %s",
			     count, len, ret, ret < 0 ? strerrorname_np(errno) :
			     "-", err_names(errors));
			return -1;
		}
		m.st.refused++;
		return check_stats();
	}
	if (ret != (ssize_t)count) {
		oops("write of a good %zu-byte cookie returned %zd (%s)", len,
		     ret, ret < 0 ? strerrorname_np(errno) : "-");
		return -1;
	}
	if (len > seen.largest) {
		struct fortune_stats st;

		if (get(&st)) {
			oops("FORTUNE_IOC_STATS: %m");
			return -1;
		}
		k = st.evicted - m.st.evicted;
		if (k < 1 || k > m.count) {
			oops("a %zu-byte cookie that did not fit (largest %llu) evicted %zu of %zu cookies",
			     len, (unsigned long long)seen.largest, k,
			     m.count);
			return -1;
		}
		while (k--)
			model_drop_oldest();
		if (m.used + len + OVERHEAD > m.capacity) {
			oops("a %zu-byte cookie went in with %llu of %llu bytes used",
			     len, (unsigned long long)m.used,
			     (unsigned long long)m.capacity);
			return -1;
		}
	}
	if (model_add(p, len)) {
		oops("the model is out of room (%zu cookies)", m.count);
		return -1;
	}
	return check_stats();
}

static int op_write(void)
{
	size_t len = some_length(), count;
	const char *how;
	char *p;
	int fd = ctl;
	size_t i;

	count = len + chance(500);
	if (count > ARENA_SIZE - page)
		count = ARENA_SIZE - page;
	p = some_buffer(count, &how);
	fill_cookie(p, count);
	/* Any file open for writing will do. */
	for (i = 0; i < nfiles; i++)
		if (files[i].mode != O_RDONLY && chance(300))
			fd = files[i].fd;
	return do_write(fd, p, count, how);
}

/* A count of gigabytes is refused before a byte is read. */
static int op_huge_write(void)
{
	/* Up to 2 GiB; a 32-bit VFS refuses more than SSIZE_MAX itself. */
	size_t count = (size_t)1 << (28 + rnd(sizeof(size_t) > 4 ? 4 : 3));
	ssize_t ret;

	note("write of %zu bytes", count);
	ret = write(ctl, arena, count);
	if (ret >= 0 || errno != EFBIG) {
		oops("write of %zu bytes returned %zd (%s), want EFBIG", count,
		     ret, ret < 0 ? strerrorname_np(errno) : "-");
		return -1;
	}
	m.st.refused++;
	return check_stats();
}

/* The bytes an open for reading must get, or NULL for the empty file. */
static struct cookie *expected_open(void)
{
	if (!m.count)
		return NULL;
	return model_at(m.cursor < m.count ? m.cursor : 0);
}

/* In random order: the rank of a cookie reading @data, or -1. */
static long find_cookie(const char *data, size_t size)
{
	size_t i;

	for (i = 0; i < m.count; i++)
		if (model_at(i)->len + 1 == size &&
		    !memcmp(model_at(i)->text, data, size - 1))
			return i;
	return -1;
}

static int op_open(void)
{
	static const int modes[] = { O_RDONLY, O_RDONLY, O_RDWR, O_WRONLY };
	int mode = modes[rnd(ARRAY_SIZE(modes))];
	struct open_file *f;

	if (nfiles == MAX_OPEN)
		close_file(rnd(nfiles));
	note("open %s", mode == O_RDONLY ? "O_RDONLY" :
	     mode == O_RDWR ? "O_RDWR" : "O_WRONLY");
	f = &files[nfiles];
	memset(f, 0, sizeof(*f));
	f->mode = mode;
	f->fd = open(FORTUNE_PROC_PATH, mode | O_CLOEXEC);
	if (f->fd < 0) {
		oops("open: %m");
		return -1;
	}
	nfiles++;
	/* A file takes its cookie at its first read, pread or lseek. */
	return check_stats();
}

/*
 * A file open for reading takes its cookie at its first read, pread or
 * lseek: the model takes it just before.  In random order, which cookie it
 * gets is found by reading it all without moving (a pread, which takes it).
 */
static int take_now(struct open_file *f)
{
	struct cookie *c = NULL;
	ssize_t n;

	if (f->taken || f->mode == O_WRONLY)
		return 0;
	f->taken = 1;
	if (m.random) {
		n = pread(f->fd, arena, ARENA_SIZE, 0);
		if (n < 0 || (n > 0 && find_cookie(arena, n) < 0) ||
		    (!n && m.count)) {
			oops("a random take read %zd bytes, not a cookie of the pot (%zu cookies)",
			     n, m.count);
			return -1;
		}
		if (n)
			c = model_at(find_cookie(arena, n));
	} else {
		c = expected_open();
		if (c)
			m.cursor = (m.cursor < m.count ? m.cursor : 0) + 1;
	}
	if (c) {
		f->size = c->len + 1;
		f->data = malloc(f->size);
		if (!f->data)
			return -1;
		memcpy(f->data, c->text, c->len);
		f->data[c->len] = '\n';
		m.st.served++;
	}
	return 0;
}

/*
 * Checks a read of @chunk bytes at @pos that returned @ret (errno @err)
 * into @dst: what is left of the cookie from @pos, as much as @chunk takes.
 * Into a buffer that runs into a hole it may stop short, or say EFAULT if
 * it could copy nothing.
 */
static int check_read(struct open_file *f, const char *what, off_t pos,
		      size_t chunk, const char *dst, ssize_t ret, int err)
{
	size_t avail = pos < (off_t)f->size ? f->size - pos : 0;
	size_t want = chunk < avail ? chunk : avail;
	const char *lo, *hi;
	size_t good;

	if (f->mode == O_WRONLY) {
		if (ret >= 0 || err != EBADF) {
			oops("%s on an O_WRONLY file returned %zd (%s), want EBADF",
			     what, ret, ret < 0 ? strerrorname_np(err) : "-");
			return -1;
		}
		return 0;
	}
	readable_part(dst, want, &lo, &hi);
	good = dst && lo == dst ? (size_t)(hi - lo) : 0;
	if (good < want && ret < 0 && err == EFAULT)
		return 0;
	if (good < want && ret > 0 && (size_t)ret <= good)
		want = ret;
	if (ret != (ssize_t)want) {
		oops("%s of %zu bytes at %lld of a %zu-byte file into a buffer with %zu good bytes returned %zd (%s), want %zu",
		     what, chunk, (long long)pos, f->size, good, ret,
		     ret < 0 ? strerrorname_np(err) : "-", want);
		return -1;
	}
	if (want && memcmp(dst, f->data + pos, want)) {
		oops("%s of %zu bytes at %lld read other bytes than the cookie",
		     what, want, (long long)pos);
		return -1;
	}
	return 0;
}

static size_t some_chunk(const struct open_file *f)
{
	switch (rnd(10)) {
	case 0:
		return 0;
	case 1: case 2: case 3:
		return 1 + rnd(16);
	case 4:
		return rnd(ARENA_SIZE - page);
	default:
		return 1 + rnd(f->size + 2);
	}
}

static int op_read(void)
{
	struct open_file *f = &files[rnd(nfiles)];
	int negative = !rnd(12);	/* a pread at -1: EINVAL, takes nothing */
	size_t chunk;
	const char *how;
	char *dst;
	off_t pos;
	ssize_t ret;
	int err;

	if (!negative && take_now(f))
		return -1;
	chunk = some_chunk(f);
	dst = some_buffer(chunk, &how);
	if (!negative && rnd(3)) {
		note("read %zu bytes at %lld of %zu, buffer %s", chunk,
		     (long long)f->pos, f->size, how);
		ret = read(f->fd, dst, chunk);
		err = errno;
		if (check_read(f, "read", f->pos, chunk, dst, ret, err))
			return -1;
		if (ret > 0)
			f->pos += ret;
		return 0;
	}
	pos = negative ? -1 : (off_t)rnd(f->size + 3);
	note("pread %zu bytes at %lld of %zu, buffer %s", chunk,
	     (long long)pos, f->size, how);
	ret = pread(f->fd, dst, chunk, pos);
	err = errno;
	if (pos < 0) {
		if (ret >= 0 || err != EINVAL) {
			oops("pread at %lld returned %zd, want EINVAL",
			     (long long)pos, ret);
			return -1;
		}
		return 0;
	}
	return check_read(f, "pread", pos, chunk, dst, ret, err);
}

/*
 * Reads what is left in random chunks; it must be the rest of the cookie.
 * The chunks come from a generator of their own, so that how many there
 * are (which depends on the cookie a random open got) does not change
 * what the main one draws next.
 */
static int op_read_rest(void)
{
	struct open_file *f = &files[rnd(nfiles)];
	uint64_t chunks = rnd64();
	ssize_t ret;

	if (take_now(f))
		return -1;
	note("read the rest from %lld of %zu", (long long)f->pos, f->size);
	do {
		size_t chunk, at;
		char *dst;

		chunks = chunks * 6364136223846793005ULL + 1;
		chunk = 1 + (chunks >> 33) % 64;
		at = (chunks >> 40) % (ARENA_SIZE - chunk);
		dst = arena + at;

		ret = read(f->fd, dst, chunk);
		if (check_read(f, "read", f->pos, chunk, dst, ret, errno))
			return -1;
		if (ret > 0)
			f->pos += ret;
	} while (ret > 0);
	return 0;
}

static int op_lseek(void)
{
	static const char * const names[] = { "SEEK_SET", "SEEK_CUR",
					      "SEEK_END" };
	struct open_file *f = &files[rnd(nfiles)];
	int whence = rnd(3);
	off_t off, target;
	size_t size;

	if (take_now(f))
		return -1;
	size = f->mode == O_WRONLY ? 0 : f->size;
	off = (off_t)rnd(2 * size + 5) - (off_t)size - 2;
	target = off + (whence == SEEK_SET ? 0 :
			whence == SEEK_CUR ? f->pos : (off_t)size);
	note("lseek %lld %s from %lld of %zu", (long long)off,
	     names[whence], (long long)f->pos, size);
	off = lseek(f->fd, off, whence);
	if (target < 0 && (off >= 0 || errno != EINVAL)) {
		oops("lseek to %lld returned %lld, want EINVAL",
		     (long long)target, (long long)off);
		return -1;
	}
	/* Past the end: refused, or allowed as in a regular file. */
	if (target > (off_t)size && off < 0 && errno == EINVAL)
		return 0;
	if (target >= 0 && off != target) {
		oops("lseek to %lld returned %lld (%s)", (long long)target,
		     (long long)off, off < 0 ? strerrorname_np(errno) : "-");
		return -1;
	}
	if (off >= 0)
		f->pos = off;
	return 0;
}

static int op_close(void)
{
	note("close");
	close_file(rnd(nfiles));
	return check_stats();
}

static int op_clear(void)
{
	struct open_file *f = nfiles ? &files[rnd(nfiles)] : NULL;
	int fd = f ? f->fd : ctl;
	int writable = !f || f->mode != O_RDONLY;
	int ret;

	note("clear on a file opened %s", writable ? "for writing" :
	     "O_RDONLY");
	ret = ioctl(fd, FORTUNE_IOC_CLEAR);
	if (writable ? ret != 0 : ret >= 0 || errno != EBADF) {
		oops("FORTUNE_IOC_CLEAR returned %d (%s), want %s", ret,
		     ret < 0 ? strerrorname_np(errno) : "-",
		     writable ? "0" : "EBADF");
		return -1;
	}
	if (writable)
		model_clear();
	return check_stats();
}

/* Unknown requests and bad stats buffers change nothing. */
static int op_bad_ioctl(void)
{
	static const unsigned long requests[] = {
		_IO(FORTUNE_IOC_MAGIC, 0),
		_IO(FORTUNE_IOC_MAGIC, 3),
		_IOR(FORTUNE_IOC_MAGIC, 2, struct fortune_stats),
		_IOW(FORTUNE_IOC_MAGIC, 1, struct fortune_stats),
		_IOR(FORTUNE_IOC_MAGIC, 1, uint32_t),
		_IO('q', 1),
	};
	int fd = nfiles ? files[rnd(nfiles)].fd : ctl;
	unsigned long req;
	char *buf;
	int ret;

	if (chance(500)) {
		req = requests[rnd(ARRAY_SIZE(requests))];
		note("ioctl 0x%lx", req);
		ret = ioctl(fd, req, arena);
		if (ret >= 0 || errno != ENOTTY) {
			oops("ioctl 0x%lx returned %d (%s), want ENOTTY", req,
			     ret, ret < 0 ? strerrorname_np(errno) : "-");
			return -1;
		}
		return check_stats();
	}
	buf = rnd(2) ? NULL : arena + ARENA_SIZE - rnd(sizeof(seen));
	note("FORTUNE_IOC_STATS into %s", buf ? "a short buffer" : "NULL");
	ret = ioctl(fd, FORTUNE_IOC_STATS, buf);
	if (ret >= 0 || errno != EFAULT) {
		oops("FORTUNE_IOC_STATS into a bad buffer returned %d (%s), want EFAULT",
		     ret, ret < 0 ? strerrorname_np(errno) : "-");
		return -1;
	}
	return check_stats();
}

/* Run-time parameters: good values take, bad ones are refused. */
static int op_param(void)
{
	static const char * const evicts[] = { "Y", "N", "1", "0", "y", "n\n" };
	static const char * const orders[] = { "seq", "random", "seq\n",
					       "random\n" };
	static const char * const bad_evicts[] = { "maybe", "2", "x" };
	static const char * const bad_orders[] = { "sequential", "SEQ",
						   "rand" };
	char buf[32];
	const char *name, *value;
	int ret, bad = chance(100);

	if (rnd(2)) {
		name = "evict";
		value = bad ? bad_evicts[rnd(ARRAY_SIZE(bad_evicts))] :
			      evicts[rnd(ARRAY_SIZE(evicts))];
	} else {
		name = "order";
		value = bad ? bad_orders[rnd(ARRAY_SIZE(bad_orders))] :
			      orders[rnd(ARRAY_SIZE(orders))];
	}
	note("%s=%.*s", name, (int)strcspn(value, "\n"), value);
	ret = param_write(name, value);
	if (bad ? ret != -EINVAL : ret != 0) {
		oops("writing %s to %s gave %s, want %s", value, name,
		     ret ? strerrorname_np(-ret) : "success",
		     bad ? "EINVAL" : "success");
		return -1;
	}
	if (!bad && !strcmp(name, "evict"))
		m.evict = strchr("Yy1", value[0]) != NULL;
	if (!bad && !strcmp(name, "order"))
		m.random = value[0] == 'r';
	if (param_read("evict", buf, sizeof(buf)) ||
	    strcmp(buf, m.evict ? "Y\n" : "N\n")) {
		oops("evict reads '%s', want %c", buf, m.evict ? 'Y' : 'N');
		return -1;
	}
	if (param_read("order", buf, sizeof(buf)) ||
	    strcmp(buf, m.random ? "random\n" : "seq\n")) {
		oops("order reads '%s', want %s", buf,
		     m.random ? "random" : "seq");
		return -1;
	}
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)m.capacity);
	ret = param_write("pot_size", buf);
	/* Read-only: not a byte may go in (a short write took some). */
	if (!ret || ret == -EMSGSIZE) {
		oops("pot_size could be written at run time");
		return -1;
	}
	return check_stats();
}

/* Takes every cookie once, in seq order: they must be the model's. */
static int op_dump(void)
{
	size_t i, rank;
	ssize_t n;
	int fd, was_random = m.random;

	if (m.count > 600)
		return 0;
	note("read all %zu cookies", m.count);
	if (was_random && param_write("order", "seq")) {
		oops("order=seq: %m");
		return -1;
	}
	for (i = 0; i < m.count; i++) {
		rank = m.cursor < m.count ? m.cursor : 0;
		fd = open(FORTUNE_PROC_PATH, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			oops("open: %m");
			return -1;
		}
		n = read(fd, arena, ARENA_SIZE);
		close(fd);
		if (n < 0 || (size_t)n != model_at(rank)->len + 1U ||
		    memcmp(arena, model_at(rank)->text, n - 1) ||
		    arena[n - 1] != '\n') {
			oops("cookie %zu of %zu read %zd bytes, not the model's %u",
			     rank, m.count, n, model_at(rank)->len + 1);
			return -1;
		}
		m.cursor = rank + 1;
		m.st.served++;
	}
	if (was_random && param_write("order", "random")) {
		oops("order=random: %m");
		return -1;
	}
	return check_stats();
}

/* One random operation, the likelier ones first. */
static int one_op(void)
{
	unsigned int r = rnd(1000);

	if (r < 400)
		return op_write();
	if (r < 550)
		return op_open();
	if (nfiles && r < 700)
		return op_read();
	if (nfiles && r < 750)
		return op_lseek();
	if (nfiles && r < 800)
		return op_read_rest();
	if (nfiles && r < 900)
		return op_close();
	if (r < 920)
		return op_clear();
	if (r < 940)
		return op_param();
	if (r < 960)
		return op_bad_ioctl();
	if (r < 965)
		return op_huge_write();
	if (r < 967)
		return op_dump();
	return op_write();
}

struct phase {
	const char *name;
	const char *params;
	uint64_t capacity;
	int evict, random;
	unsigned int share;	/* per mille of the operations */
};

static const struct phase phases[] = {
	{ "seq order, pot_size=4096, evict=N", "pot_size=4096", 4096, 0, 0,
	  250 },
	{ "smallest pot, evict=Y", "pot_size=64 evict=Y", 64, 1, 0, 100 },
	{ "random order, evict=Y", "pot_size=4096 evict=1 order=random",
	  4096, 1, 1, 200 },
	{ "odd pot size, evict=Y", "pot_size=333 evict=Y", 333, 1, 0, 100 },
	{ "pot_size=65536, evict=Y", "pot_size=65536 evict=Y", 65536, 1, 0,
	  50 },
};

#define MULTI_SHARE	300	/* per mille left to the multi-process phase */

static unsigned long phase_ops(unsigned int share)
{
	return total_ops * share / 1000;
}

static int load_phase(const struct phase *p)
{
	int ret = module_load(p->params);

	if (ret) {
		FAIL("loading with %s: %s", p->params, strerror(-ret));
		return -1;
	}
	ctl = open(FORTUNE_PROC_PATH, O_WRONLY | O_CLOEXEC);
	if (ctl < 0) {
		FAIL("open O_WRONLY: %m");
		return -1;
	}
	return 0;
}

static void unload_phase(void)
{
	while (nfiles)
		close_file(0);
	if (ctl >= 0)
		close(ctl);
	ctl = -1;
	if (module_unload())
		FAIL("unload: %m");
	else if (path_exists(FORTUNE_PROC_PATH))
		FAIL("%s is still there after unload", FORTUNE_PROC_PATH);
}

static void run_phase(unsigned int index)
{
	const struct phase *p = &phases[index];
	unsigned long ops = phase_ops(p->share);
	double start = now();

	rng_seed(index + 1, 0);
	if (arena_setup() || model_init(p->capacity, p->evict, p->random)) {
		FAIL("no memory for the fuzzer");
		return;
	}
	if (load_phase(p))
		return;
	if (check_stats())
		goto out;
	for (opno = 0; opno < ops && !fuzz_failed; opno++)
		one_op();
	ktap_diag("%s: %lu ops in %.1f s; %llu added, %llu refused, %llu evicted, %llu served",
		  p->name, opno, now() - start,
		  (unsigned long long)m.st.added,
		  (unsigned long long)m.st.refused,
		  (unsigned long long)m.st.evicted,
		  (unsigned long long)m.st.served);
out:
	unload_phase();
	model_free();
}

static void phase0(void) { run_phase(0); }
static void phase1(void) { run_phase(1); }
static void phase2(void) { run_phase(2); }
static void phase3(void) { run_phase(3); }
static void phase4(void) { run_phase(4); }

/* ---- load parameters ---- */

static void test_load_params(void)
{
	static const char * const bad[] = {
		"pot_size=63", "pot_size=1073741825", "pot_size=-1",
		"pot_size=lots", "order=sequential", "order=", "evict=maybe",
	};
	struct fortune_stats st;
	size_t i;
	int ret;

	ktap_diag("seed %" PRIu64 ", %lu operations; repeat with: %s %" PRIu64
		  " %lu", seed, total_ops, prog, seed, total_ops);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		ret = module_load(bad[i]);
		CHECK(ret == -EINVAL, "loading with %s gave %s, want EINVAL",
		      bad[i], ret ? strerrorname_np(-ret) : "success");
		if (!ret)
			module_unload();
		CHECK(!path_exists(FORTUNE_PROC_PATH),
		      "%s exists after a refused load", FORTUNE_PROC_PATH);
	}
	/* Larger than the guest's memory: ENOMEM, or it fits after all. */
	ret = module_load("pot_size=1073741824");
	CHECK(ret == -ENOMEM || !ret, "loading a 1 GiB pot gave %s",
	      strerrorname_np(-ret));
	if (!ret)
		module_unload();
	CHECK(!path_exists(FORTUNE_PROC_PATH), "%s exists after a failed load",
	      FORTUNE_PROC_PATH);

	ASSERT(LOAD_OK("pot_size=64"), "load");
	ASSERT(!get_stats(&st), "stats");
	CHECK_STAT(st, capacity, 64);
	CHECK_STAT(st, largest, 64 - OVERHEAD);
	CHECK(add_cookie(64 - OVERHEAD + 1, 1) == -EFBIG,
	      "a 57-byte cookie in a 64-byte pot is not EFBIG");
	CHECK(add_cookie(64 - OVERHEAD, 1) == 0,
	      "a 56-byte cookie does not fit in an empty 64-byte pot");
	CHECK(!module_unload(), "unload: %m");
}

/* ---- several processes at once ---- */

/* What each writer reports to the parent. */
struct writer {
	uint64_t written;	/* cookies it added: sequence 1..written */
	uint64_t refused;
	uint64_t served;	/* opens that got a cookie */
	int failed;
	char why[300];
};

static struct writer *writers;

static uint32_t fnv1a(const char *p, size_t len)
{
	uint32_t h = 2166136261u;

	while (len--)
		h = (h ^ (unsigned char)*p++) * 16777619u;
	return h;
}

/*
 * A self-checking cookie of @len bytes: "LEN.WRITER.SEQ.HASH:" and text,
 * HASH being that of the text after the colon.
 */
static size_t make_checked(char *buf, size_t len, unsigned int writer,
			   uint64_t seq)
{
	int head = snprintf(buf, len + 1, "%zu.%u.%" PRIu64 ".", len, writer,
			    seq);
	char *text = buf + head + 9;
	size_t i, tlen = len - head - 9;

	for (i = 0; i < tlen; i++)
		text[i] = chance(30) && i + 1 < tlen ? '\n' : 32 + rnd(95);
	snprintf(buf + head, 10, "%08x", fnv1a(text, tlen));
	buf[head + 8] = ':';
	return len;
}

/* Checks a cookie read back; its writer and sequence in @w and @seq. */
static const char *check_checked(char *buf, size_t n, unsigned int *w,
				 uint64_t *seq)
{
	unsigned int hash;
	size_t len;
	int head;

	if (!n)
		return NULL;
	if (buf[n - 1] != '\n')
		return "no newline at the end";
	buf[n - 1] = '\0';
	if (sscanf(buf, "%zu.%u.%" SCNu64 ".%8x:%n", &len, w, seq, &hash,
		   &head) != 4)
		return "no header";
	if (len != n - 1)
		return "a torn cookie: its length is not the header's";
	if (*w >= WRITERS || !*seq || *seq > writers[*w].written + 1)
		return "a cookie that was never written";
	if (fnv1a(buf + head, len - head) != hash)
		return "a torn cookie: its hash does not match";
	return NULL;
}

static int writer_fail(struct writer *me, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int writer_fail(struct writer *me, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(me->why, sizeof(me->why), fmt, ap);
	va_end(ap);
	me->failed = 1;
	return -1;
}

/* Whether the stats hang together, and none of the counters went back. */
static const char *stats_consistent(const struct fortune_stats *st,
				    const struct fortune_stats *prev,
				    uint64_t capacity)
{
	if (st->capacity != capacity)
		return "capacity changed";
	if (st->used > capacity)
		return "more bytes used than the pot has";
	if (st->cookies != st->added - st->evicted)
		return "cookies != added - evicted";
	if (st->used < st->cookies * (OVERHEAD + 30) ||
	    st->used > st->cookies * (OVERHEAD + capacity / 2))
		return "bytes used do not match the cookies";
	if (st->largest && st->largest + OVERHEAD > capacity - st->used)
		return "largest is more than the free room";
	if (!st->cookies && st->largest != capacity - OVERHEAD)
		return "an empty pot does not take the largest cookie";
	if (st->served < prev->served || st->added < prev->added ||
	    st->refused < prev->refused || st->evicted < prev->evicted)
		return "a counter went back";
	return NULL;
}

static int writer_op(struct writer *me, unsigned int id, int fd,
		     uint64_t capacity, char *buf, struct fortune_stats *prev)
{
	unsigned int r = rnd(100), w;
	const char *why;
	uint64_t seq;
	ssize_t n;
	size_t len;

	if (r < 45) {
		len = chance(950) ? 30 + rnd(120) : 30 + rnd(capacity / 2 - 30);
		make_checked(buf, len, id, me->written + 1);
		if (rnd(2))
			buf[len++] = '\n';
		n = write(fd, buf, len);
		if (n == (ssize_t)len) {
			me->written++;
		} else if (n < 0 && errno == ENOSPC) {
			me->refused++;
		} else {
			return writer_fail(me, "write of a %zu-byte cookie: %zd (%s)",
					   len, n, n < 0 ?
					   strerrorname_np(errno) : "-");
		}
	} else if (r < 85) {
		int rfd = open(FORTUNE_PROC_PATH, (rnd(2) ? O_RDWR : O_RDONLY) |
			       O_CLOEXEC);
		size_t got = 0;

		if (rfd < 0)
			return writer_fail(me, "open: %s",
					   strerrorname_np(errno));
		do {
			n = read(rfd, buf + got, 1 + rnd(300));
			got += n > 0 ? n : 0;
		} while (n > 0);
		if (n < 0)
			return writer_fail(me, "read: %s",
					   strerrorname_np(errno));
		if (got && rnd(4) == 0) {
			size_t at = rnd(got);
			char again[64];

			n = pread(rfd, again, sizeof(again), at);
			if (n < 0 || (size_t)n != (got - at < sizeof(again) ?
						   got - at : sizeof(again)) ||
			    memcmp(again, buf + at, n))
				return writer_fail(me, "pread at %zu of %zu did not read the same bytes",
						   at, got);
		}
		close(rfd);
		me->served += got > 0;
		why = check_checked(buf, got, &w, &seq);
		if (why)
			return writer_fail(me, "read %zu bytes: %s: \"%.60s\"",
					   got, why, buf);
	} else if (r < 95) {
		struct fortune_stats st;

		if (ioctl(fd, FORTUNE_IOC_STATS, &st))
			return writer_fail(me, "stats: %s",
					   strerrorname_np(errno));
		why = stats_consistent(&st, prev, capacity);
		if (why)
			return writer_fail(me, "stats: %s (used %llu, cookies %llu, added %llu, evicted %llu, largest %llu)",
					   why, (unsigned long long)st.used,
					   (unsigned long long)st.cookies,
					   (unsigned long long)st.added,
					   (unsigned long long)st.evicted,
					   (unsigned long long)st.largest);
		*prev = st;
	} else if (r < 98) {
		if (param_write("order", rnd(2) ? "seq" : "random"))
			return writer_fail(me, "order: %s",
					   strerrorname_np(errno));
	} else {
		if (param_write("evict", rnd(3) ? "Y" : "N"))
			return writer_fail(me, "evict: %s",
					   strerrorname_np(errno));
	}
	return 0;
}

static void writer_main(unsigned int id, unsigned long ops,
			uint64_t capacity)
{
	struct writer *me = &writers[id];
	struct fortune_stats prev = { 0 };
	char *buf = malloc(capacity + 2);
	unsigned long i;
	int fd;

	rng_seed(ARRAY_SIZE(phases) + 1, id + 1);
	fd = open(FORTUNE_PROC_PATH, O_WRONLY | O_CLOEXEC);
	if (!buf || fd < 0) {
		writer_fail(me, "setup: %s", strerrorname_np(errno));
		_exit(1);
	}
	for (i = 0; i < ops && !me->failed; i++)
		writer_op(me, id, fd, capacity, buf, &prev);
	_exit(0);
}

/* Reads the whole pot in seq order and checks it against the writers. */
static void check_final_pot(const struct fortune_stats *st)
{
	size_t n = st->cookies, i, j, first;
	unsigned int *who = calloc(n + 1, sizeof(*who));
	uint64_t *seq = calloc(n + 1, sizeof(*seq));
	uint64_t used = 0, expect;
	char *buf = malloc(st->capacity + 2);
	const char *why;
	int fd;

	ASSERT(who && seq && buf, "malloc");
	ASSERT(!param_write("order", "seq"), "order=seq");
	for (i = 0; i < n; i++) {
		ssize_t got;

		fd = open(FORTUNE_PROC_PATH, O_RDONLY | O_CLOEXEC);
		ASSERT(fd >= 0, "open: %m");
		got = read(fd, buf, st->capacity + 2);
		close(fd);
		ASSERT(got > 0, "cookie %zu of %zu: read %zd", i, n, got);
		why = check_checked(buf, got, &who[i], &seq[i]);
		ASSERT(!why, "cookie %zu of %zu: %s", i, n, why);
		used += got - 1 + OVERHEAD;
	}
	CHECK(used == st->used, "the cookies use %llu bytes, stats.used says %llu",
	      (unsigned long long)used, (unsigned long long)st->used);
	/*
	 * The reads started at the cursor: find the oldest cookie, from which
	 * every writer's cookies are its newest ones, in order.
	 */
	for (first = 0; first < (n ? n : 1); first++) {
		uint64_t next[WRITERS];
		unsigned int w;

		for (w = 0; w < WRITERS; w++)
			next[w] = 0;
		for (j = 0; j < n; j++) {
			i = (first + j) % n;
			if (next[who[i]] && seq[i] != next[who[i]])
				break;
			next[who[i]] = seq[i] + 1;
		}
		for (w = 0; j == n && w < WRITERS; w++) {
			expect = writers[w].written + 1;
			if (next[w] && next[w] != expect)
				j = 0;
		}
		if (j == n)
			break;
	}
	CHECK(!n || first < n,
	      "the %zu cookies left are not each writer's newest, in order", n);
	free(who);
	free(seq);
	free(buf);
}

static void test_writers(void)
{
	uint64_t capacity = 4096;
	unsigned long ops = phase_ops(MULTI_SHARE);
	struct fortune_stats st, prev = { 0 }, sum = { 0 };
	pid_t pid[WRITERS];
	unsigned int i, running = WRITERS;
	const char *why;
	double start = now();
	int status, fd;

	writers = mmap(NULL, WRITERS * sizeof(*writers),
		       PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1,
		       0);
	ASSERT(writers != MAP_FAILED, "mmap: %m");
	memset(writers, 0, WRITERS * sizeof(*writers));
	ASSERT(LOAD_OK("pot_size=4096 evict=Y"), "load");
	fd = open(FORTUNE_PROC_PATH, O_WRONLY | O_CLOEXEC);
	ASSERT(fd >= 0, "open: %m");

	for (i = 0; i < WRITERS; i++) {
		pid[i] = fork();
		ASSERT(pid[i] >= 0, "fork: %m");
		if (!pid[i])
			writer_main(i, ops / WRITERS, capacity);
	}
	/* Meanwhile, the stats must hang together at every moment. */
	while (running) {
		pid_t done = waitpid(-1, &status, WNOHANG);

		if (done > 0) {
			running--;
			CHECK(WIFEXITED(status) && !WEXITSTATUS(status),
			      "a writer died (status 0x%x)", status);
			continue;
		}
		ASSERT(!ioctl(fd, FORTUNE_IOC_STATS, &st), "stats: %m");
		why = stats_consistent(&st, &prev, capacity);
		CHECK(!why, "stats while writing: %s", why);
		prev = st;
		sleep_ms(5);
	}
	for (i = 0; i < WRITERS; i++) {
		if (writers[i].failed)
			FAIL("writer %u: %s", i, writers[i].why);
		sum.added += writers[i].written;
		sum.refused += writers[i].refused;
		sum.served += writers[i].served;
	}
	ASSERT(!ioctl(fd, FORTUNE_IOC_STATS, &st), "stats: %m");
	close(fd);
	CHECK_STAT(st, added, sum.added);
	CHECK_STAT(st, refused, sum.refused);
	CHECK_STAT(st, served, sum.served);
	why = stats_consistent(&st, &prev, capacity);
	CHECK(!why, "stats at the end: %s", why);
	check_final_pot(&st);
	ktap_diag("%u writers: %lu ops in %.1f s; %llu added, %llu refused, %llu evicted, %llu served",
		  WRITERS, ops, now() - start, (unsigned long long)st.added,
		  (unsigned long long)st.refused,
		  (unsigned long long)st.evicted,
		  (unsigned long long)st.served);
	if (outcome->failed)
		ktap_diag("repeat with: %s %" PRIu64 " %lu", prog, seed,
			  total_ops);
	CHECK(!module_unload(), "unload: %m");
}

static const struct test_case tests[] = {
	{ "load parameters", test_load_params, 120 },
	{ "seq order, pot_size=4096, evict=N at load", phase0, 900 },
	{ "smallest pot, evict=Y", phase1, 900 },
	{ "random order, evict=Y", phase2, 900 },
	{ "odd pot size (333), evict=Y", phase3, 900 },
	{ "pot_size=65536, evict=Y", phase4, 900 },
	{ "4 processes at once, evict=Y", test_writers, 900 },
};

int main(int argc, char **argv)
{
	char *end;

	prog = argv[0];
	if (argc > 1) {
		seed = strtoull(argv[1], &end, 0);
		if (*end || argc > 3) {
			fprintf(stderr, "usage: %s [SEED [OPS]]\n", prog);
			return 2;
		}
	}
	if (argc <= 2 && getenv("FORTUNE_FUZZ_OPS")) {
		total_ops = strtoul(getenv("FORTUNE_FUZZ_OPS"), &end, 0);
		if (*end || !total_ops) {
			fprintf(stderr, "%s: FORTUNE_FUZZ_OPS is not a count\n",
				prog);
			return 2;
		}
	}
	if (argc > 2) {
		total_ops = strtoul(argv[2], &end, 0);
		if (*end) {
			fprintf(stderr, "usage: %s [SEED [OPS]]\n", prog);
			return 2;
		}
	}
	return run_tests(tests, ARRAY_SIZE(tests));
}
