// SPDX-License-Identifier: GPL-2.0
/*
 * take-harness - fortune.c's take, snapshot, PEEK and write code, compiled
 * as it is into a user-space program (tests/host/take.sh), with the kernel
 * API stubbed by take-stub/fortune_stub.h: locks that only record being
 * held, an allocator that counts every live byte and can fail, user copies
 * that can fail, a pending signal at will, and a hook run at every take of
 * pot_lock that can change the pot between a take's rounds.
 *
 * Deterministic: the random generator is seeded, so the chi-squared
 * figures below are the same at every run.
 */
#include "fortune_stub.h"
#include "../../fortune.c"

#include <signal.h>
#include <unistd.h>

#include "ktap.h"

static int failed;

#define CHECK(cond, ...)						\
	do {								\
		if (!(cond)) {						\
			ktap_diag(__VA_ARGS__);				\
			failed = 1;					\
		}							\
	} while (0)

/* Loads a pot of @size bytes in @ord; the harness's fortune_init(). */
static void load(unsigned int size, int ord)
{
	memset(&counters, 0, sizeof(counters));
	pot_size = size;
	order = ord;
	evict = false;
	stub.on_pot_lock = NULL;
	stub.signal = false;
	stub.fail_alloc = -1;
	stub.fail_copy_from = -1;
	assert(!fortune_init());
}

/* Unloads: every snapshot must be gone, and every byte freed. */
static void unload(const char *what)
{
	stub.on_pot_lock = NULL;
	fortune_exit();
	CHECK(!stub.warnings, "%s: a warning at unload", what);
	CHECK(stub.live_bytes == 0, "%s: %ld bytes still allocated", what,
	      stub.live_bytes);
	stub.warnings = 0;
}

static int add(const char *text, size_t len)
{
	loff_t pos = 0;
	ssize_t ret = fortune_write(NULL, text, len, &pos);

	return ret < 0 ? (int)ret : 0;
}

/* A cookie of @len bytes whose first byte is @tag. */
static int add_tagged(char tag, size_t len)
{
	char *text = malloc(len);
	int ret;

	memset(text, 'x', len);
	text[0] = tag;
	ret = add(text, len);
	free(text);
	return ret;
}

/* Takes with a fresh file; its snapshot, or an ERR_PTR. */
static struct fortune_snap *take_new(struct file *f)
{
	memset(f, 0, sizeof(*f));
	f->f_mode = FMODE_READ;
	return fortune_take(f);
}

/* ---- random order is uniform, whatever the sizes ---- */

#define NINE	9
static const size_t nine_len[NINE] = {
	20, 100, 190, 300, 1000, 3000, 5000, 9000, 20000,
};

static void add_nine(void)
{
	unsigned int i;

	for (i = 0; i < NINE; i++)
		assert(!add_tagged('a' + i, nine_len[i]));
}

static void add_two(void)
{
	assert(!add_tagged('B', 4000) && !add("short", 5));
}

/*
 * The hook: every @churn_every takes of pot_lock, clears the pot and adds
 * the same cookies again (new serials), as another process could between
 * a take's rounds.
 */
static unsigned int churn_every, churn_locks, churns;
static void (*refill)(void);

static void churn(void)
{
	struct file w = { .f_mode = FMODE_WRITE };

	if (++churn_locks % churn_every)
		return;
	churns++;
	assert(!fortune_ioctl(&w, FORTUNE_IOC_CLEAR, 0));
	refill();
}

static double chi2(const unsigned int *count, unsigned int n, double total)
{
	double sum = 0, e = total / n;
	unsigned int i;

	for (i = 0; i < n; i++)
		sum += (count[i] - e) * (count[i] - e) / e;
	return sum;
}

#define TAKES	9000

/* The hook: adds a 10-byte cookie 'z' every @churn_every locks. */
static void grow(void)
{
	if (++churn_locks % churn_every)
		return;
	churns++;
	assert(!add_tagged('z', 10));
}

/*
 * @every: 0, or add a cookie every that many takes of pot_lock, between
 * a take's rounds; the nine cookies stay, so a draw among them must stay
 * as it was, and each is still as likely as the others.
 */
static int random_uniform(unsigned int every)
{
	unsigned int count[NINE] = { 0 }, others = 0, i;
	struct file f, w = { .f_mode = FMODE_WRITE };
	struct fortune_snap *snap;
	double c, n = 0;

	failed = 0;
	load(1 << 20, ORDER_RANDOM);
	add_nine();
	churn_every = every;
	churn_locks = churns = 0;
	if (every)
		stub.on_pot_lock = grow;
	for (i = 0; i < TAKES; i++) {
		if (every) {
			/* Each take starts from the nine alone. */
			stub.on_pot_lock = NULL;
			assert(!fortune_ioctl(&w, FORTUNE_IOC_CLEAR, 0));
			add_nine();
			stub.on_pot_lock = grow;
		}
		snap = take_new(&f);
		if (IS_ERR(snap) || snap == &nothing) {
			CHECK(0, "take %u failed", i);
			break;
		}
		if (snap->text[0] >= 'a' && snap->text[0] < 'a' + NINE)
			count[snap->text[0] - 'a']++;
		else
			others++;
		fortune_release(NULL, &f);
	}
	for (i = 0; i < NINE; i++)
		n += count[i];
	c = chi2(count, NINE, n);
	ktap_diag("%u %u %u | %u %u %u | %u %u %u (and %u others): chi2 %.2f, %u cookies added meanwhile",
		  count[0], count[1], count[2], count[3], count[4], count[5],
		  count[6], count[7], count[8], others, c, churns);
	/* 8 degrees of freedom, 0.1% level */
	CHECK(c < 26.12, "chi2 %.2f: not uniform", c);
	CHECK(n > TAKES / 10, "only %.0f of the nine taken", n);
	unload("random");
	return failed;
}

static int test_random_uniform(void)
{
	return random_uniform(0);
}

/* Cookies added between a take's rounds: still uniform. */
static int test_random_uniform_pot_changing(void)
{
	return random_uniform(1);
}

/* ---- memory: small cookies cost their file 256 bytes, no more ---- */

#define FILES	1000

/*
 * A 4000-byte cookie and a 5-byte one, random order, 1000 files kept
 * open, with the pot cleared and refilled every @every locks: the module
 * holds exactly the pot, SNAP_SMALL_SIZE bytes per file of the short one,
 * and one snapshot of each big cookie (by serial) that files hold.
 */
static int memory_bound(int ord, unsigned int every)
{
	static struct file f[FILES];
	static const struct fortune_snap *big[FILES];
	unsigned int i, j, nbig = 0, small = 0;
	long expect;

	failed = 0;
	load(1 << 16, ord);
	churn_every = every;
	churn_locks = churns = 0;
	refill = add_two;
	add_two();
	if (every)
		stub.on_pot_lock = churn;
	for (i = 0; i < FILES; i++) {
		const struct fortune_snap *s = take_new(&f[i]);

		assert(!IS_ERR(s) && s != &nothing);
		if (s->len <= SNAP_SMALL) {
			small++;
			continue;
		}
		for (j = 0; j < nbig && big[j] != s; j++)
			;
		if (j == nbig)
			big[nbig++] = s;
	}
	stub.on_pot_lock = NULL;
	expect = pot_size + (long)small * SNAP_SMALL_SIZE +
		 (long)nbig * (long)struct_size(big[0], text, 4001);
	ktap_diag("%s, churn every %u: %u short, %u big snapshots: %ld bytes (want %ld)",
		  ord == ORDER_RANDOM ? "random" : "seq", every, small, nbig,
		  stub.live_bytes, expect);
	CHECK(stub.live_bytes == expect, "%ld bytes allocated, want %ld",
	      stub.live_bytes, expect);
	CHECK(small > FILES / 4, "only %u short cookies taken", small);
	for (i = 0; i < FILES; i++)
		fortune_release(NULL, &f[i]);
	unload("memory");
	return failed;
}

static int test_memory_random(void)
{
	return memory_bound(ORDER_RANDOM, 0) | memory_bound(ORDER_RANDOM, 7) |
	       memory_bound(ORDER_RANDOM, 11);
}

static int test_memory_seq(void)
{
	return memory_bound(ORDER_SEQ, 0) | memory_bound(ORDER_SEQ, 7) |
	       memory_bound(ORDER_SEQ, 11);
}

/* ---- a take that fails takes nothing ---- */

/*
 * seq order, a short, a big and a short cookie: the allocation of each
 * number in a take made to fail in turn, then a pending signal.  A failed
 * take returns ENOMEM (or ERESTARTSYS) and moves nothing: the next take
 * gets the cookie that was next, and only successful takes count.
 */
static int test_failed_take_takes_nothing(void)
{
	const char want[3] = { 'a', 'B', 'c' };
	struct fortune_snap *snap;
	unsigned int next = 0, fails = 0, k;
	struct file f;
	u64 served = 0;

	failed = 0;
	load(1 << 16, ORDER_SEQ);
	assert(!add_tagged('a', 10) && !add_tagged('B', 5000) &&
	       !add_tagged('c', 10));
	for (k = 0; k < 12; k++) {
		stub.fail_alloc = stub.allocs + k % 4;
		stub.signal = k >= 8 && k % 2;
		snap = take_new(&f);
		stub.fail_alloc = -1;
		stub.signal = false;
		if (IS_ERR(snap)) {
			fails++;
			CHECK(PTR_ERR(snap) == -ENOMEM ||
			      PTR_ERR(snap) == -ERESTARTSYS,
			      "take %u: error %ld", k, PTR_ERR(snap));
			CHECK(!f.private_data, "take %u failed but set", k);
		} else {
			served++;
			CHECK(snap->text[0] == want[next % 3],
			      "take %u got '%c', want '%c'", k, snap->text[0],
			      want[next % 3]);
			next++;
			fortune_release(NULL, &f);
		}
		CHECK(counters.served == served, "take %u: served %llu, want %llu",
		      k, (unsigned long long)counters.served,
		      (unsigned long long)served);
	}
	ktap_diag("%u of 12 takes failed, %llu served", fails,
		  (unsigned long long)served);
	CHECK(fails >= 4, "only %u takes failed", fails);
	unload("failed take");
	return failed;
}

/* The hook: a signal arrives at the second take of pot_lock. */
static bool signal_fatal;

static void signal_arrives(void)
{
	if (++churn_locks != 2)
		return;
	if (signal_fatal)
		stub.fatal = true;
	else
		stub.signal = true;
}

/*
 * A signal that arrives once the copy of a 200000-byte cookie (four
 * chunks) has begun: a plain one does not end the take, which would start
 * over at its restart; a fatal one ends it, with nothing taken or left.
 */
static int test_signal_mid_copy(void)
{
	struct fortune_snap *snap;
	struct file f;

	failed = 0;
	load(1 << 20, ORDER_SEQ);
	assert(!add_tagged('B', 200000) && !add_tagged('C', 200000));
	churn_locks = 0;
	signal_fatal = false;
	stub.on_pot_lock = signal_arrives;
	snap = take_new(&f);
	CHECK(!IS_ERR(snap) && snap->len == 200001 && snap->text[0] == 'B',
	      "a plain signal mid-copy ended the take (%ld)",
	      IS_ERR(snap) ? PTR_ERR(snap) : 0L);
	if (!IS_ERR(snap))
		fortune_release(NULL, &f);
	stub.signal = false;
	churn_locks = 0;
	signal_fatal = true;
	snap = take_new(&f);
	CHECK(IS_ERR(snap) && PTR_ERR(snap) == -ERESTARTSYS,
	      "a fatal signal mid-copy did not end the take");
	if (!IS_ERR(snap))
		fortune_release(NULL, &f);
	stub.fatal = false;
	stub.on_pot_lock = NULL;
	CHECK(counters.served == 1, "served %llu, want 1",
	      (unsigned long long)counters.served);
	snap = take_new(&f);
	CHECK(!IS_ERR(snap) && snap->text[0] == 'C',
	      "the take after the killed one got the wrong cookie");
	if (!IS_ERR(snap))
		fortune_release(NULL, &f);
	unload("signal");
	return failed;
}

/* Concurrent takers of one big cookie in seq order share one snapshot. */
static int test_shared_snapshot(void)
{
	static struct file f[100];
	const struct fortune_snap *first = NULL;
	unsigned int i;

	failed = 0;
	load(1 << 16, ORDER_SEQ);
	assert(!add_tagged('B', 30000));
	for (i = 0; i < 100; i++) {
		const struct fortune_snap *s = take_new(&f[i]);

		assert(!IS_ERR(s));
		if (!first)
			first = s;
		CHECK(s == first, "file %u has a snapshot of its own", i);
	}
	CHECK(stub.live_bytes == (long)pot_size +
	      (long)struct_size(first, text, 30001),
	      "%ld bytes for 100 files of one cookie", stub.live_bytes);
	for (i = 0; i < 100; i++)
		fortune_release(NULL, &f[i]);
	CHECK(xa_empty(&snaps), "a snapshot is left in snaps");
	unload("shared");
	return failed;
}

/* ---- PEEK ---- */

static long peek(u32 pos, char *buf, u64 size, struct fortune_peek *p)
{
	struct file f = { .f_mode = FMODE_READ };

	memset(p, 0, sizeof(*p));
	p->pos = pos;
	p->buf = (uintptr_t)buf;
	p->size = size;
	return fortune_ioctl(&f, FORTUNE_IOC_PEEK, (unsigned long)p);
}

/*
 * A PEEK that fails leaves the caller's buffer as it was (ENOENT, ERANGE,
 * ENOMEM, a signal); with every copy after the request's own failing it
 * returns EFAULT at once; a PEEK while the pot changes at every lock
 * still ends, with a cookie that was in the pot.
 */
static int test_peek(void)
{
	static char buf[40000], same[40000];
	struct fortune_peek p;
	unsigned int k;
	long ret;

	failed = 0;
	load(1 << 17, ORDER_SEQ);
	add_nine();
	memset(buf, 0x5a, sizeof(buf));
	memcpy(same, buf, sizeof(buf));
	CHECK(peek(9, buf, sizeof(buf), &p) == -ENOENT, "pos 9: not ENOENT");
	CHECK(peek(8, buf, 19999, &p) == -ERANGE && p.len == 20000,
	      "20000 bytes into 19999: not ERANGE");
	for (k = 0; k < 3; k++) {
		stub.fail_alloc = stub.allocs + k;
		ret = peek(8, buf, sizeof(buf), &p);
		stub.fail_alloc = -1;
		CHECK(ret == -ENOMEM || !ret, "failed allocation %u: %ld", k,
		      ret);
		if (!ret)
			memcpy(same, buf, sizeof(buf));
	}
	stub.signal = true;
	CHECK(peek(8, buf, sizeof(buf), &p) == -ERESTARTSYS, "signal");
	stub.signal = false;
	CHECK(!memcmp(buf, same, sizeof(buf)),
	      "a failed PEEK changed the buffer");

	stub.fail_copy_from = stub.user_copies + 1;
	CHECK(peek(8, buf, sizeof(buf), &p) == -EFAULT, "not EFAULT");
	CHECK(peek(0, buf, sizeof(buf), &p) == -EFAULT, "small: not EFAULT");
	stub.fail_copy_from = -1;

	churn_every = 5;
	churn_locks = churns = 0;
	refill = add_nine;
	stub.on_pot_lock = churn;
	for (k = 0; k < NINE; k++) {
		ret = peek(k, buf, sizeof(buf), &p);
		CHECK(!ret && p.len == nine_len[k] && buf[0] == (char)('a' + k),
		      "peek %u while the pot changes: %ld, %llu bytes", k, ret,
		      (unsigned long long)p.len);
	}
	stub.on_pot_lock = NULL;
	ktap_diag("%u churns while peeking", churns);
	unload("peek");
	return failed;
}

/* ---- writes ---- */

/*
 * A write's errors in the README's order, all or nothing: a big write
 * whose copy fails half way, or whose buffer cannot be allocated, leaves
 * the pot as it was, and EFAULT and EINVAL come before ENOMEM.
 */
static int test_write(void)
{
	static char text[70000];
	struct fortune_stats st;
	struct file f = { .f_mode = FMODE_WRITE };
	unsigned int k;

	failed = 0;
	load(1 << 17, ORDER_SEQ);
	memset(text, 'w', sizeof(text));
	stub.fail_copy_from = stub.user_copies + 1;
	CHECK(add(text, sizeof(text)) == -EFAULT, "copy failing: not EFAULT");
	stub.fail_copy_from = -1;
	stub.fail_alloc = stub.allocs;
	CHECK(add(text, sizeof(text)) == -ENOMEM, "no memory: not ENOMEM");
	text[69000] = '\0';
	stub.fail_alloc = stub.allocs;
	CHECK(add(text, sizeof(text)) == -EINVAL, "NUL, no memory: not EINVAL");
	CHECK(add(text, sizeof(text)) == -EINVAL, "NUL: not EINVAL");
	text[69000] = 'w';
	CHECK(add(text, 0) == -EINVAL, "count 0: not EINVAL");
	CHECK(add(text, 1 << 17) == -EFBIG, "2^17: not EFBIG");
	CHECK(add("\n", 1) == -EINVAL, "newline only: not EINVAL");
	assert(!fortune_ioctl(&f, FORTUNE_IOC_STATS, (unsigned long)&st));
	CHECK(st.cookies == 0 && st.used == 0, "a failed write stored %llu",
	      (unsigned long long)st.cookies);
	CHECK(!add(text, sizeof(text)), "a 70000-byte write failed");
	CHECK(add(text, sizeof(text)) == -ENOSPC, "full: not ENOSPC");
	evict = true;
	CHECK(!add(text, sizeof(text)), "evicting write failed");
	evict = false;
	for (k = 0; k < 3; k++) {
		stub.fail_alloc = stub.allocs + k;
		CHECK(add("small", 5) == (k ? 0 : 0), "small write %u", k);
		stub.fail_alloc = -1;
	}
	assert(!fortune_ioctl(&f, FORTUNE_IOC_STATS, (unsigned long)&st));
	CHECK(st.cookies == 4 && st.evicted == 1,
	      "%llu cookies, %llu evicted", (unsigned long long)st.cookies,
	      (unsigned long long)st.evicted);
	unload("write");
	return failed;
}

struct test {
	const char *name;
	int (*run)(void);
};

static const struct test tests[] = {
	{ "random order is uniform over three size classes", test_random_uniform },
	{ "and so while the pot changes between rounds", test_random_uniform_pot_changing },
	{ "memory, random order: 256 bytes per short file, one copy per big cookie", test_memory_random },
	{ "memory, seq order: the same", test_memory_seq },
	{ "a failed take takes nothing and moves no cursor", test_failed_take_takes_nothing },
	{ "a plain signal mid-copy does not end a take, a fatal one does", test_signal_mid_copy },
	{ "files of one big cookie share one snapshot", test_shared_snapshot },
	{ "PEEK: failures leave the buffer, copies that fail end it", test_peek },
	{ "writes: error order, all or nothing", test_write },
};

int main(void)
{
	unsigned int i;

	alarm(120);
	ktap_start(ARRAY_SIZE(tests));
	for (i = 0; i < ARRAY_SIZE(tests); i++) {
		if (tests[i].run())
			ktap_fail(tests[i].name, "see above");
		else
			ktap_pass(tests[i].name);
	}
	return ktap_finish();
}
