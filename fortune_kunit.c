// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the cookie pot: add, take, evict, wrap and clear, without
 * procfs in the way.  Built only for kernels with CONFIG_KUNIT.
 */

#include <kunit/test.h>
#include <linux/module.h>
#include <linux/random.h>

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
 * Random adds (evicting when needed), takes and clears on pots of odd
 * sizes, checked against a plain FIFO of (length, byte) after every step.
 */
static void pot_matches_model(struct kunit *test)
{
	enum { OPS = 20000, MAX = 512 };
	u32 *lens = kunit_kcalloc(test, MAX, sizeof(*lens), GFP_KERNEL);
	char *bytes = kunit_kzalloc(test, MAX, GFP_KERNEL);
	u32 size, head = 0, tail = 0, cursor = 0, used = 0, op, i;
	struct rnd_state rnd;
	struct fortune_pot *pot;

	KUNIT_ASSERT_NOT_NULL(test, lens);
	KUNIT_ASSERT_NOT_NULL(test, bytes);
	prandom_seed_state(&rnd, 42);
	size = 64 + prandom_u32_state(&rnd) % 4000;
	pot = new_pot(test, size);

	for (op = 0; op < OPS; op++) {
		u32 r = prandom_u32_state(&rnd), len;

		if (r % 8 < 4) {
			len = 1 + prandom_u32_state(&rnd) %
				  (r & 64 ? pot_max_len(pot) : 40);
			while (len > pot_largest(pot)) {
				KUNIT_ASSERT_GT(test, tail, head);
				pot_drop_oldest(pot);
				used -= lens[head++ % MAX] + POT_SLOT_SIZE;
				cursor = cursor ? cursor - 1 : 0;
			}
			KUNIT_ASSERT_LT(test, tail - head, (u32)MAX);
			add(test, pot, 'A' + op % 58, len);
			lens[tail % MAX] = len;
			bytes[tail++ % MAX] = 'A' + op % 58;
			used += len + POT_SLOT_SIZE;
		} else if (r % 8 < 7 && tail > head) {
			i = cursor < tail - head ? cursor : 0;
			KUNIT_ASSERT_EQ(test, pot_next_rank(pot), i);
			KUNIT_EXPECT_EQ(test, take_seq(test, pot,
						       lens[(head + i) % MAX]),
					bytes[(head + i) % MAX]);
			cursor = i + 1;
		} else if (r % 64 == 7) {
			pot_clear(pot);
			head = 0;
			tail = 0;
			cursor = 0;
			used = 0;
		}
		KUNIT_ASSERT_EQ(test, pot_count(pot), tail - head);
		KUNIT_ASSERT_EQ(test, pot->used, used);
	}
	for (i = 0; i < tail - head; i++)
		KUNIT_EXPECT_EQ(test, cookie_byte(test, pot, i,
						  lens[(head + i) % MAX]),
				bytes[(head + i) % MAX]);
}

static struct kunit_case fortune_pot_cases[] = {
	KUNIT_CASE(pot_fills_exactly),
	KUNIT_CASE(pot_seq_wraps_around),
	KUNIT_CASE(pot_evict_keeps_order),
	KUNIT_CASE(pot_evict_bound),
	KUNIT_CASE(pot_clear_resets),
	KUNIT_CASE(pot_matches_model),
	{}
};

static struct kunit_suite fortune_pot_suite = {
	.name		= "fortune_pot",
	.test_cases	= fortune_pot_cases,
};

kunit_test_suite(fortune_pot_suite);

MODULE_DESCRIPTION("KUnit tests of the fortune cookie pot");
MODULE_LICENSE("GPL");
