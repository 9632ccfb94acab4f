/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ghost model and the operations every pot harness drives.
 *
 * A harness includes fortune_pot.h (the module's own file, unchanged) and
 * then this file, after defining:
 *
 *   POT_OPS          how many operations a run makes (the bound N)
 *   POT_MIN_SIZE,    the pot's size is any value in this range
 *   POT_MAX_SIZE
 *   POT_CONTENTS     1: every pushed cookie is filled with a pattern of its
 *                    own and read back byte for byte; 0: texts are left
 *                    unwritten, for pots too large to fill
 *
 * and calls pot_run().  The model keeps what the pot must hold: cookies get
 * ids 1, 2, 3, ... as they are pushed; since the pot only ever drops its
 * oldest cookie or all of them, the stored ones are always the ids
 * oldest_id .. next_id - 1, the cookie of rank r being oldest_id + r.  For
 * each id the model remembers the length it was pushed with.
 *
 * Every operation is chosen nondeterministically at every step, with
 * nondeterministic arguments: CBMC explores all sequences of POT_OPS of them
 * and checks the assertions below (and, with --bounds-check and
 * --pointer-check, every access to the buffer, which is malloc'd at exactly
 * its size) on every path.
 */
#ifndef _PROOF_POT_MODEL_H
#define _PROOF_POT_MODEL_H

#include <assert.h>
#include <stdlib.h>

u32 nondet_u32(void);

static struct fortune_pot pot;

/* The model. */
static u32 oldest_id = 1;	/* id of the cookie of rank 0 */
static u32 next_id = 1;		/* id the next push gets */
static u32 last_taken;		/* id last handed out in seq order; 0: none */
static u64 model_used;		/* sum of len + overhead of stored cookies */
static u32 lens[POT_OPS + 1];	/* length each id was pushed with */

/*
 * What a cookie's text holds.  A push writes one byte of its text, at a
 * nondeterministic offset watch[id], with a value of its own; reading the
 * cookie back checks that byte.  Since the offset is nondeterministic, this
 * covers every byte of every cookie: if any byte of a text could be changed
 * by a later operation, some path watches that byte and fails.  (Writing all
 * of the text would make CBMC model a memcpy() of symbolic length, far
 * costlier, and prove no more.)
 */
#if POT_CONTENTS
static u32 watch[POT_OPS + 1];

static char pattern(u32 id, u32 i)
{
	return (char)((id * 37 + i) & 0xff);
}
#endif

static u32 model_count(void)
{
	return next_id - oldest_id;
}

/* SPEC: the next cookie in seq order is the first one added after the last
 * one taken; if there is none, the oldest.  Evictions and clears only
 * change which cookies are stored.
 */
static u32 model_next_rank(void)
{
	u32 id = last_taken + 1 > oldest_id ? last_taken + 1 : oldest_id;

	return id < next_id ? id - oldest_id : 0;
}

/* Where the text of the cookie of @rank is, checked against the model. */
static u32 check_cookie(u32 rank)
{
	u32 len, start;
	const char *text = pot_cookie(&pot, rank, &len);

	start = (u32)(text - pot.mem);
	assert(text >= pot.mem);
	assert(len == lens[oldest_id + rank]);
	assert(start <= pot.size && len <= pot.size - start);
#if POT_CONTENTS
	if (len) {
		u32 id = oldest_id + rank;

		assert(text[watch[id]] == pattern(id, watch[id]));
	}
#endif
	return start;
}

/* [a, a + alen) and [b, b + blen) do not overlap. */
static int disjoint(u64 a, u64 alen, u64 b, u64 blen)
{
	return a + alen <= b || b + blen <= a;
}

/*
 * What must hold after every operation.  The ranks a and b are
 * nondeterministic, so each assertion about them holds for every cookie
 * and every pair of distinct cookies.
 */
static void check_pot(void)
{
	u32 count = pot_count(&pot);
	u32 largest = pot_largest(&pot);
	u32 a, b, start_a, start_b, slot_a, slot_b;
	u32 len;

	assert(count == model_count());
	assert(pot.used == model_used);
	assert(pot.used <= pot.size);
	/* pot_largest(): a length that fits by the byte count. */
	assert(!largest ||
	       (u64)pot.used + largest + POT_SLOT_SIZE <= pot.size);
	assert(largest <= pot_max_len(&pot));
	if (!count) {
		/* An empty pot is one piece: anything up to max_len fits. */
		assert(pot.used == 0);
		assert(largest == pot_max_len(&pot));
		return;
	}
	assert(pot_next_rank(&pot) == model_next_rank());

	a = nondet_u32();
	__CPROVER_assume(a < count);
	slot_a = pot_slot_offset(&pot, a);
	assert(slot_a <= pot.size - POT_SLOT_SIZE);
	start_a = check_cookie(a);
	len = lens[oldest_id + a];
	/* A text never overlaps a slot, its own included. */
	assert(disjoint(start_a, len, slot_a, POT_SLOT_SIZE));

	b = nondet_u32();
	__CPROVER_assume(b < count && b != a);
	slot_b = pot_slot_offset(&pot, b);
	start_b = check_cookie(b);
	assert(disjoint(slot_a, POT_SLOT_SIZE, slot_b, POT_SLOT_SIZE));
	assert(disjoint(start_a, len, start_b, lens[oldest_id + b]));
	assert(disjoint(start_a, len, slot_b, POT_SLOT_SIZE));
}

/* Stores a cookie of @len bytes, which pot_largest() says fits. */
static void push(u32 len)
{
	char *room = pot_room(&pot, len);

	assert(room >= pot.mem && (u64)(room - pot.mem) + len <= pot.size);
#if POT_CONTENTS
	watch[next_id] = nondet_u32();
	__CPROVER_assume(watch[next_id] < len);
	room[watch[next_id]] = pattern(next_id, watch[next_id]);
#endif
	pot_push(&pot, len);
	lens[next_id] = len;
	model_used += (u64)len + POT_SLOT_SIZE;
	next_id++;
}

static void drop_oldest(void)
{
	pot_drop_oldest(&pot);
	model_used -= (u64)lens[oldest_id] + POT_SLOT_SIZE;
	oldest_id++;
}

/* A push of any length that fits now. */
static void op_push(void)
{
	u32 len = nondet_u32();

	__CPROVER_assume(len >= 1 && len <= pot_largest(&pot));
	push(len);
}

/*
 * A push that must evict, as fortune.c does it: drop the oldest cookie
 * until pot_largest() says the new one fits.  The eviction bound: a cookie
 * is dropped only while the texts already dropped by this write hold fewer
 * than 2 * len bytes, so a write never drops more than the fewest oldest
 * cookies whose texts add up to 2 * len bytes (or all of them, if they add
 * up to less).  And it drops at least what the byte count needs, since
 * used stays exact.
 */
static void op_push_evicting(u32 step)
{
	u32 len = nondet_u32();
	u64 dropped_text = 0;

	__CPROVER_assume(len >= 1 && len <= pot_max_len(&pot) &&
			 len > pot_largest(&pot));
	/*
	 * Before step @step the pot holds at most @step cookies: bounding the
	 * loop by it (a constant for CBMC) spares unwinding it further, and
	 * the assertion after it checks that the bound was never what
	 * stopped it.
	 */
	for (u32 i = 0; i <= step && len > pot_largest(&pot); i++) {
		assert(pot_count(&pot) > 0);
		assert(dropped_text < 2 * (u64)len);
		dropped_text += lens[oldest_id];
		drop_oldest();
	}
	assert(len <= pot_largest(&pot));
	push(len);
}

static void op_drop_oldest(void)
{
	__CPROVER_assume(pot_count(&pot) > 0);
	drop_oldest();
}

static void op_clear(void)
{
	pot_clear(&pot);
	oldest_id = next_id;
	last_taken = 0;
	model_used = 0;
}

/* A take in seq order, as fortune.c does it. */
static void op_take_seq(void)
{
	u32 rank;

	__CPROVER_assume(pot_count(&pot) > 0);
	rank = pot_next_rank(&pot);
	assert(rank == model_next_rank());
	check_cookie(rank);
	pot_taken(&pot, rank);
	last_taken = oldest_id + rank;
}

/* A take in random order: any rank. */
static void op_take_random(void)
{
	u32 rank = nondet_u32();

	__CPROVER_assume(rank < pot_count(&pot));
	check_cookie(rank);
}

static void pot_run(void)
{
#ifdef POT_SIZE
	/* One concrete size: CBMC then turns the buffer into plain bits. */
	static char buf[POT_SIZE];
	u32 size = POT_SIZE;
	char *mem = buf;
#else
	u32 size = nondet_u32();
	char *mem;
#endif

#ifndef POT_SIZE
	__CPROVER_assume(size >= POT_MIN_SIZE && size <= POT_MAX_SIZE);
	mem = malloc(size);
	__CPROVER_assume(mem);
#endif
	pot_init(&pot, mem, size);
	/*
	 * Any number of operations up to POT_OPS, then the checks: each state
	 * reachable in at most POT_OPS steps is checked once, which costs
	 * CBMC far less than checking after every step, and proves the same.
	 */
	for (u32 step = 0; step < POT_OPS; step++) {
		u32 op = nondet_u32();

		if (op >= 6)
			break;
		switch (op) {
		case 0:
			op_push();
			break;
		case 1:
			op_push_evicting(step);
			break;
		case 2:
			op_drop_oldest();
			break;
		case 3:
			op_clear();
			break;
		case 4:
			op_take_seq();
			break;
		default:
			op_take_random();
			break;
		}
	}
	check_pot();
}

#endif /* _PROOF_POT_MODEL_H */
