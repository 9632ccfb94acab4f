// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the cookie pot: add, take, evict, wrap and clear, without
 * procfs in the way.  Built only for kernels with CONFIG_KUNIT.
 */

#include <kunit/test.h>
#include <linux/module.h>
#include <linux/random.h>

/* The proofs' ghost model, in fortune_pot.h, with room for 512 cookies. */
#define POT_GHOST_CAP	512
#include "fortune_pot.h"

/* A pot of @size bytes that lives as long as the test. */
static struct fortune_pot *new_pot(struct kunit *test, u32 size)
{
	struct fortune_pot *pot = kunit_kzalloc(test, sizeof(*pot), GFP_KERNEL);
	char *mem = kunit_kmalloc(test, size, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, pot);
	KUNIT_ASSERT_NOT_NULL(test, mem);
	pot_init(pot, mem, size);
	return pot;
}

/* Adds a cookie of @len copies of @c, as a write with room would. */
static void add(struct kunit *test, struct fortune_pot *pot, char c, u32 len)
{
	KUNIT_ASSERT_LE(test, len, pot_largest(pot));
	memset(pot_room(pot, len), c, len);
	pot_push(pot, len);
}

/* The first byte of the cookie of @rank, and checks it is all that byte. */
static char cookie_byte(struct kunit *test, struct fortune_pot *pot, u32 rank,
			u32 want_len)
{
	u32 len, i;
	const char *text = pot_cookie(pot, rank, &len);

	KUNIT_EXPECT_EQ(test, len, want_len);
	for (i = 1; i < len; i++)
		KUNIT_EXPECT_EQ(test, text[i], text[0]);
	return text[0];
}

/* Takes a cookie in seq order and returns its first byte. */
static char take_seq(struct kunit *test, struct fortune_pot *pot, u32 len)
{
	u32 rank = pot_next_rank(pot);

	pot_taken(pot, rank);
	return cookie_byte(test, pot, rank, len);
}

static void pot_fills_exactly(struct kunit *test)
{
	struct fortune_pot *pot = new_pot(test, 4096);
	u32 n;

	KUNIT_EXPECT_EQ(test, pot_largest(pot), 4096 - POT_SLOT_SIZE);
	for (n = 0; pot_largest(pot) >= 100; n++) {
		add(test, pot, 'a' + n % 26, 100);
		KUNIT_EXPECT_EQ(test, pot->used, (n + 1) * (100 + POT_SLOT_SIZE));
		KUNIT_EXPECT_EQ(test, pot_largest(pot),
				4096 - pot->used - POT_SLOT_SIZE);
	}
	/* 4096 / 108 = 37, and nothing of the room is wasted. */
	KUNIT_EXPECT_EQ(test, n, 37);
	KUNIT_EXPECT_EQ(test, pot_count(pot), 37);
	for (n = 0; n < 37; n++)
		KUNIT_EXPECT_EQ(test, cookie_byte(test, pot, n, 100),
				'a' + n % 26);
}

static void pot_seq_wraps_around(struct kunit *test)
{
	struct fortune_pot *pot = new_pot(test, 64);

	add(test, pot, 'a', 3);
	add(test, pot, 'b', 4);
	add(test, pot, 'c', 5);
	KUNIT_EXPECT_EQ(test, take_seq(test, pot, 3), 'a');
	KUNIT_EXPECT_EQ(test, take_seq(test, pot, 4), 'b');
	KUNIT_EXPECT_EQ(test, take_seq(test, pot, 5), 'c');
	KUNIT_EXPECT_EQ(test, take_seq(test, pot, 3), 'a');
	/* A cookie added now comes after the newest, not after the oldest. */
	add(test, pot, 'd', 6);
	KUNIT_EXPECT_EQ(test, take_seq(test, pot, 4), 'b');
	KUNIT_EXPECT_EQ(test, take_seq(test, pot, 5), 'c');
	KUNIT_EXPECT_EQ(test, take_seq(test, pot, 6), 'd');
	KUNIT_EXPECT_EQ(test, take_seq(test, pot, 3), 'a');
}

static void pot_evict_keeps_order(struct kunit *test)
{
	struct fortune_pot *pot = new_pot(test, 64);

	/* Four cookies of 8 bytes fill 64 bytes exactly. */
	add(test, pot, 'a', 8);
	add(test, pot, 'b', 8);
	add(test, pot, 'c', 8);
	add(test, pot, 'd', 8);
	KUNIT_EXPECT_EQ(test, pot_largest(pot), 0);
	KUNIT_EXPECT_EQ(test, take_seq(test, pot, 8), 'a');
	KUNIT_EXPECT_EQ(test, take_seq(test, pot, 8), 'b');

	/* 'a' goes; the cursor still points at 'c'. */
	pot_drop_oldest(pot);
	KUNIT_EXPECT_EQ(test, pot->used, 3 * 16);
	KUNIT_EXPECT_EQ(test, pot_largest(pot), 8);
	add(test, pot, 'e', 8);	/* starts a newer generation at both ends */
	KUNIT_EXPECT_EQ(test, pot->new_count, 1);
	KUNIT_EXPECT_EQ(test, cookie_byte(test, pot, 0, 8), 'b');
	KUNIT_EXPECT_EQ(test, cookie_byte(test, pot, 3, 8), 'e');
	KUNIT_EXPECT_EQ(test, take_seq(test, pot, 8), 'c');

	/* Draining the older generation hands over to the newer one. */
	pot_drop_oldest(pot);
	pot_drop_oldest(pot);
	pot_drop_oldest(pot);
	KUNIT_EXPECT_EQ(test, pot_count(pot), 1);
	KUNIT_EXPECT_EQ(test, pot->new_count, 0);
	KUNIT_EXPECT_EQ(test, cookie_byte(test, pot, 0, 8), 'e');
	KUNIT_EXPECT_EQ(test, pot_largest(pot), 64 - 16 - POT_SLOT_SIZE);
	KUNIT_EXPECT_EQ(test, take_seq(test, pot, 8), 'e');
	KUNIT_EXPECT_EQ(test, take_seq(test, pot, 8), 'e');
}

/*
 * The eviction bound the README states and proofs/ proves: an evicting
 * write of len bytes drops a cookie only while the texts it has dropped add
 * up to less than 2 * len.  Here, the case found in review: 100 cookies of
 * 10 bytes (1,800 bytes used) leave a gap of 2,296 bytes between texts and
 * slots; a write of 2,290 bytes needs 2,298, and each dropped cookie frees
 * only 10 bytes of text where the next text could go, so it drops all 100
 * (1,000 bytes of text, within the bound), where the byte count needs one.
 */
static void pot_evict_bound(struct kunit *test)
{
	struct fortune_pot *pot = new_pot(test, 4096);
	u32 len = 2290, dropped = 0, dropped_text = 0, n;

	for (n = 0; n < 100; n++)
		add(test, pot, 'a' + n % 26, 10);
	KUNIT_EXPECT_EQ(test, pot->used, 1800);
	KUNIT_EXPECT_LT(test, pot_largest(pot), len);
	/* The byte count is 2 bytes short: dropping one cookie would do. */
	KUNIT_EXPECT_EQ(test, pot->used + len + POT_SLOT_SIZE, 4096 + 2);
	while (len > pot_largest(pot)) {
		KUNIT_ASSERT_GT(test, pot_count(pot), 0);
		KUNIT_EXPECT_LT(test, dropped_text, 2 * len);
		dropped_text += pot_slot(pot, 0).len;
		pot_drop_oldest(pot);
		dropped++;
	}
	KUNIT_EXPECT_EQ(test, dropped, 100);
	add(test, pot, 'z', len);
	KUNIT_EXPECT_EQ(test, pot_count(pot), 1);
	KUNIT_EXPECT_EQ(test, cookie_byte(test, pot, 0, len), 'z');
}

static void pot_clear_resets(struct kunit *test)
{
	struct fortune_pot *pot = new_pot(test, 100);

	add(test, pot, 'a', 10);
	add(test, pot, 'b', 10);
	take_seq(test, pot, 10);
	pot_clear(pot);
	KUNIT_EXPECT_EQ(test, pot_count(pot), 0);
	KUNIT_EXPECT_EQ(test, pot->used, 0);
	KUNIT_EXPECT_EQ(test, pot_largest(pot), 100 - POT_SLOT_SIZE);
	add(test, pot, 'c', 10);
	add(test, pot, 'd', 10);
	KUNIT_EXPECT_EQ(test, take_seq(test, pot, 10), 'c');
}

/*
 * The operations as the proofs' harnesses make them (proofs/lib/pot_check.h),
 * judged by the same ghost model (fortune_pot.h, under POT_GHOST_CAP), so
 * that a run here and a run there mean the same thing.
 */

enum { OP_WRITE, OP_DROP, OP_CLEAR, OP_TAKE };

struct pot_op {
	u32 op;
	u32 len;
};

/* Every cookie against the ghost: length, bytes, serial, PEEK's rank. */
static void check_ghost(struct kunit *test, struct fortune_pot *pot,
			const struct pot_ghost *g)
{
	u32 i, rank, largest = pot_largest(pot);

	KUNIT_ASSERT_EQ(test, pot_count(pot), g->count);
	KUNIT_ASSERT_EQ(test, (u64)pot->used, g->used);
	KUNIT_ASSERT_EQ(test, pot->added, g->added);
	KUNIT_ASSERT_EQ(test, pot_next_rank(pot), ghost_next_rank(g));
	/* pot_largest() is maximal: one byte more does not fit. */
	if (largest < pot_max_len(pot))
		KUNIT_EXPECT_FALSE(test, pot_fits(pot, largest + 1));
	for (i = 0; i < g->count; i++) {
		KUNIT_EXPECT_EQ(test, cookie_byte(test, pot, i,
						  ghost_len(g, i)),
				ghost_mark(g, i));
		KUNIT_EXPECT_EQ(test, pot_serial(pot, i), ghost_oldest(g) + i);
		KUNIT_EXPECT_TRUE(test, pot_find_serial(pot, ghost_oldest(g) + i,
							&rank));
		KUNIT_EXPECT_EQ(test, rank, i);
		KUNIT_EXPECT_EQ(test, pot_peek_rank(pot, i),
				ghost_peek_rank(g, i));
	}
	KUNIT_EXPECT_FALSE(test, pot_find_serial(pot, g->added, &rank));
}

/*
 * One operation on the pot and the ghost, as proofs/lib/pot_check.h makes
 * it: a write of @len bytes (1 to pot_max_len()) evicts through
 * pot_make_room() when pot_fits() says no, within the eviction bound; a
 * drop, clear or take of an empty pot does nothing.
 */
static void run_op(struct kunit *test, struct fortune_pot *pot,
		   struct pot_ghost *g, struct pot_op op, char mark)
{
	u64 before = 0, all = 0;
	u32 dropped, rank;

	switch (op.op) {
	case OP_WRITE:
		KUNIT_ASSERT_GE(test, op.len, 1);
		KUNIT_ASSERT_LE(test, op.len, pot_max_len(pot));
		KUNIT_EXPECT_EQ(test, pot_fits(pot, op.len),
				op.len <= pot_largest(pot));
		if (!pot_fits(pot, op.len)) {
			dropped = pot_make_room(pot, op.len);
			KUNIT_ASSERT_GE(test, dropped, 1);
			KUNIT_ASSERT_LE(test, dropped, g->count);
			while (dropped--) {
				before = all;
				all += ghost_drop_oldest(g);
			}
			KUNIT_EXPECT_LT(test, before, 2 * (u64)op.len);
		}
		KUNIT_ASSERT_TRUE(test, pot_fits(pot, op.len));
		KUNIT_ASSERT_LT(test, g->count, (u32)POT_GHOST_CAP - 1);
		memset(pot_room(pot, op.len), mark, op.len);
		pot_push(pot, op.len);
		ghost_push(g, op.len, mark);
		break;
	case OP_DROP:
		if (!g->count)
			return;
		pot_drop_oldest(pot);
		ghost_drop_oldest(g);
		break;
	case OP_CLEAR:
		pot_clear(pot);
		ghost_clear(g);
		break;
	default:
		if (!g->count)
			return;
		rank = pot_next_rank(pot);
		KUNIT_ASSERT_EQ(test, rank, ghost_next_rank(g));
		pot_taken(pot, rank);
		ghost_taken(g, rank);
		break;
	}
}

/*
 * Random writes (evicting when needed), drops, takes and clears on a pot of
 * an odd size, checked against the ghost after every step.
 */
static void pot_matches_model(struct kunit *test)
{
	struct pot_ghost *g = kunit_kzalloc(test, sizeof(*g), GFP_KERNEL);
	struct rnd_state rnd;
	struct fortune_pot *pot;
	struct pot_op op;
	u32 n, r;

	KUNIT_ASSERT_NOT_NULL(test, g);
	prandom_seed_state(&rnd, 42);
	pot = new_pot(test, 64 + prandom_u32_state(&rnd) % 4000);
	ghost_init(g);
	for (n = 0; n < 20000; n++) {
		r = prandom_u32_state(&rnd);
		op.op = r % 8 < 4 ? OP_WRITE : r % 8 < 6 ? OP_TAKE :
			r % 64 == 7 ? OP_CLEAR : OP_DROP;
		op.len = 1 + prandom_u32_state(&rnd) %
			     (r & 64 ? pot_max_len(pot) : 40);
		run_op(test, pot, g, op, 'A' + n % 58);
		if (n % 16 == 0 || n > 19900)
			check_ghost(test, pot, g);
	}
}

/*
 * Runs found by CBMC, replayed: each is a pot size and the operations of
 * a counterexample or a probe's witness (scripts/cbmc-replay.sh turns the
 * trace in build/prove/NAME.log into such a line).  The first is the
 * bounded run's witness of a hand-over while the newer generation holds a
 * cookie (then an evicting write, which a missed hand-over breaks), the
 * second a tight eviction (texts dropped before the last drop at least
 * len).
 */
static const struct {
	u32 size;
	u32 ops;
	struct pot_op op[8];
} replays[] = {
	{ 64, 5, { { OP_WRITE, 20 }, { OP_WRITE, 20 }, { OP_WRITE, 10 },
		   { OP_DROP, 0 }, { OP_WRITE, 40 } } },
	{ 79, 6, { { OP_WRITE, 30 }, { OP_WRITE, 10 }, { OP_WRITE, 6 },
		   { OP_WRITE, 16 }, { OP_WRITE, 24 }, { OP_WRITE, 22 } } },
};

static void pot_replay(struct kunit *test)
{
	struct pot_ghost *g = kunit_kzalloc(test, sizeof(*g), GFP_KERNEL);
	u32 i, n;

	KUNIT_ASSERT_NOT_NULL(test, g);
	for (i = 0; i < ARRAY_SIZE(replays); i++) {
		struct fortune_pot *pot = new_pot(test, replays[i].size);

		ghost_init(g);
		for (n = 0; n < replays[i].ops; n++) {
			run_op(test, pot, g, replays[i].op[n], 'a' + n);
			check_ghost(test, pot, g);
		}
	}
}

static struct kunit_case fortune_pot_cases[] = {
	KUNIT_CASE(pot_fills_exactly),
	KUNIT_CASE(pot_seq_wraps_around),
	KUNIT_CASE(pot_evict_keeps_order),
	KUNIT_CASE(pot_evict_bound),
	KUNIT_CASE(pot_clear_resets),
	KUNIT_CASE(pot_matches_model),
	KUNIT_CASE(pot_replay),
	{}
};

static struct kunit_suite fortune_pot_suite = {
	.name		= "fortune_pot",
	.test_cases	= fortune_pot_cases,
};

kunit_test_suite(fortune_pot_suite);

MODULE_DESCRIPTION("KUnit tests of the fortune cookie pot");
MODULE_LICENSE("GPL");
