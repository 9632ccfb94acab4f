/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The unbounded proof: each operation keeps the representation invariant
 * from ANY state that satisfies it, with any number of cookies, on a pot
 * of any size from POT_MIN_SIZE to POT_MAX_SIZE bytes.
 *
 * The invariant quantifies over the stored cookies: pot_inv_fields() on
 * the fields, and for every rank r the clauses of pot_inv_rank(r) and
 * ind_rank(r) below, and for every two ranks a < b of one generation
 * ind_pair(a, b).  CBMC has no induction over ranks, so the harness
 * proves the quantified clauses the usual way, by instances:
 *
 *   - the step's goal, "for every rank", is asserted at one rank r that
 *     CBMC picks (and one pair a < b, and one watched byte): proved for
 *     that arbitrary r, it holds for all;
 *   - the hypothesis, "for every rank" of the state before, is assumed at
 *     the ranks the step needs (r, its neighbours, where the generations
 *     end, ...): each assumption is an instance of a clause that the
 *     state satisfies, so assuming it is sound, and the ranks picked only
 *     decide whether the proof goes through.
 *
 * The ghost's ring holds 2^28 cookies (POT_GHOST_CAP from the harness's
 * Makefile), more than a pot of 1 GiB can store (8 bytes of slot each),
 * in two arrays of their own (POT_GHOST_APART), any contents; and
 * the buffer is malloc'd at the pot's symbolic size, its bytes arbitrary,
 * so CBMC models both as unbounded arrays.  Nothing here is unrolled: the
 * eviction loop is proved by its loop invariant (pot_inv itself: each
 * iteration is one pot_drop_oldest(), ../pot_ind_drop) and its variant
 * (the count, one less per iteration: the drop harness also proves that
 * a pot that does not fit len is not empty).
 *
 * Each step proves that it keeps the invariant (at the goals above, and
 * the watched byte: check_watched() in pot_check.h) and that its own
 * accesses are safe; what a reader relies on (pot_check_ranks(): where
 * each cookie is, apart from the others, the fit test, serials, PEEK's
 * rank) is proved once, of any state that satisfies the invariant, by
 * ../pot_ind_readers.  Every state the module reaches satisfies it
 * (pot_init()'s, checked by the bounded runs, and every step), so every
 * state has those properties.
 *
 * Every call of pot_slot_offset() is replaced by its contract
 * (pot_contract.h), which ../pot_ind_slot proves: each call's precondition
 * is a property of the step, the offset's arithmetic is proved once.
 */
#ifndef _PROOF_POT_IND_H
#define _PROOF_POT_IND_H

#include "fortune_pot.h"
#include "pot_contract.h"

/* Every probe: each state must satisfy the invariant, one step away. */
#define POT_PROBE_OPS	1000
#include "pot_check.h"

struct pot_ghost nondet_ghost(void);

/*
 * The clauses the bounded harnesses get by their loop over every rank,
 * stated so that one instance is enough: where the cookie of rank @r lies
 * within its generation, and that its length is 1 or more.
 */
static void ind_rank(u32 r)
{
	struct pot_slot slot;
	u64 end;

	if (r >= pot_count(&pot))
		return;
	slot = pot_slot(&pot, r);
	end = (u64)slot.start + slot.len;
	PROP(ghost_len(&ghost, r) >= 1, "lengths");
	if (r < pot.old_count) {
		PROP(slot.start >= pot_slot(&pot, 0).start, "above the oldest");
		PROP(end <= pot.old_end, "below old_end");
	} else {
		PROP(end <= pot.new_end, "below new_end");
	}
}

/* Texts in the order of their ranks, within a generation. */
static void ind_pair(u32 a, u32 b)
{
	struct pot_slot sa, sb;

	if (a >= b || b >= pot_count(&pot))
		return;
	/* Of one generation: both older, or both newer. */
	if (a < pot.old_count && b >= pot.old_count)
		return;
	sa = pot_slot(&pot, a);
	sb = pot_slot(&pot, b);
	PROP((u64)sa.start + sa.len <= sb.start, "texts in rank order");
}

/* The clauses on the fields that the bounded harnesses get by summing. */
static void ind_fields(void)
{
	u32 n = pot_count(&pot);

	PROP(n || !pot.used, "empty uses nothing");
	if (n) {
		u32 oldest = pot_slot(&pot, 0).start;

		PROP(pot.old_end >= oldest, "older texts");
		PROP(pot.used == (u64)pot.old_end - oldest + pot.new_end +
				 (u64)n * POT_SLOT_SIZE, "used is the texts");
		if (pot.new_count)
			PROP(pot.new_end <= oldest, "newer below the oldest");
	}
}

static void ind_at(u32 r)
{
	pot_inv_rank(r);
	ind_rank(r);
}

/* The ranks the goals are asserted at, picked by CBMC before the step. */
static u32 ind_r, ind_a, ind_b;

/* The kinds of step, for the instances each needs. */
enum ind_kind { IND_CLEAR, IND_TAKE, IND_PUSH, IND_DROP, IND_READ };

/*
 * Any state that satisfies the invariant: its fields, and the quantified
 * clauses at the instances a step of @kind needs for the goals at ind_r
 * and ind_a < ind_b after it (a drop shifts every rank down by one).
 */
static void pot_ind_start(enum ind_kind kind)
{
	u32 size = nondet_u32(), n, w, cap;

	__CPROVER_assume(size >= POT_MIN_SIZE && size <= POT_MAX_SIZE);
	pot.mem = malloc(size);
	__CPROVER_assume(pot.mem);
	pot.size = size;
	pot.used = nondet_u32();
	pot.old_top = nondet_u32();
	pot.old_count = nondet_u32();
	pot.old_end = nondet_u32();
	pot.new_count = nondet_u32();
	pot.new_end = nondet_u32();
	pot.cursor = nondet_u32();
	pot.added = nondet_u64();
	ghost = nondet_ghost();
	/*
	 * The ring, any contents: of POT_GHOST_CAP entries or more (it uses
	 * the first POT_GHOST_CAP), a size CBMC does not see as a constant,
	 * so that it keeps it an unbounded array (it refuses to flatten one
	 * of a fixed 2^28 entries).
	 */
	cap = nondet_u32();
	__CPROVER_assume(cap >= POT_GHOST_CAP && cap <= 2 * POT_GHOST_CAP);
	pot_ghost_lens = malloc(cap * sizeof(u32));
	pot_ghost_marks = malloc(cap);
	__CPROVER_assume(pot_ghost_lens && pot_ghost_marks);
	/* Fewer than 2^62 writes since the module was loaded. */
	__CPROVER_assume(ghost.added < (1ULL << 62));
	__CPROVER_assume(ghost.count <= ghost.added);

	pot_assuming = 1;
	pot_inv_fields();
	ind_fields();
	n = pot_count(&pot);
	ind_r = nondet_u32();
	ind_a = nondet_u32();
	ind_b = nondet_u32();
	switch (kind) {
	case IND_CLEAR:
		break;
	case IND_TAKE:
		ind_at(pot_next_rank(&pot));
		ind_at(ind_r);
		ind_pair(ind_a, ind_b);
		break;
	case IND_PUSH:
		/* The oldest (the room below it) and the newest. */
		ind_at(0);
		if (n)
			ind_at(n - 1);
		ind_at(ind_r);
		ind_at(ind_a);
		ind_pair(ind_a, ind_b);
		break;
	case IND_DROP:
		/* The oldest, the next, where the generations meet, the newest. */
		ind_at(0);
		ind_at(1);
		ind_at(pot.old_count);
		if (n)
			ind_at(n - 1);
		if (ind_r < n) {
			ind_at(ind_r + 1);
			ind_pair(1, ind_r + 1);
		}
		if (ind_a < ind_b && ind_b < n)
			ind_pair(ind_a + 1, ind_b + 1);
		break;
	case IND_READ:
		ind_at(0);
		ind_at(pot_next_rank(&pot));
		ind_at(ind_a);
		ind_at(ind_b);
		ind_pair(ind_a, ind_b);
		ind_pair(ind_b, ind_a);
		break;
	}

	/*
	 * Not vacuous: the states assumed include pots of thousands of
	 * cookies, in two generations (probes: CBMC must reach them).
	 */
	PROBE(pot.old_count > 1000 && pot.new_count > 1000,
	      "a start with two generations of over 1000 cookies");

	/* One byte of any stored cookie is watched. */
	watching = 0;
	if (n) {
		u32 len;
		const char *text;

		w = nondet_u32();
		__CPROVER_assume(w < n);
		ind_at(w);
		text = pot_cookie(&pot, w, &len);
		watch_off = nondet_u32();
		__CPROVER_assume(watch_off < len);
		watch_serial = ghost_oldest(&ghost) + w;
		watch_val = text[watch_off];
		/*
		 * Checked after each step (check_watched()).  The readers'
		 * lemma takes no step: its byte would be the one just read,
		 * by a second read of the same slot, a property with nothing
		 * in it but the solver's work (no verdict in 900 s of CPU).
		 */
		if (kind != IND_READ)
			watching = 2;
	}
}

/* One step later: the invariant at the goals, and the watched byte. */
static void pot_ind_end(void)
{
	pot_assuming = 0;
	pot_inv_fields();
	ind_fields();
	ind_at(ind_r);
	ind_pair(ind_a, ind_b);
	check_watched();
	PROBE(1, "the end of the step");
}

/*
 * A write that fits (pot_fits(), by itself or after pot_make_room()):
 * the text at pot_room(), then pot_push().
 */
static void op_push(void)
{
	u32 len = nondet_u32();

	__CPROVER_assume(len >= 1 && len <= pot_max_len(&pot));
	__CPROVER_assume(pot_fits(&pot, len));
	write_push(len);
}

/*
 * pot_make_room()'s loop: while a cookie of len bytes does not fit, the
 * pot is not empty, so that the loop's body, one pot_drop_oldest() (the
 * drop step), is defined, and the count, its variant, goes down.
 */
static void evict_guard(void)
{
	u32 len = nondet_u32();

	__CPROVER_assume(len >= 1 && len <= pot_max_len(&pot));
	if (!pot_fits(&pot, len))
		assert(pot_count(&pot) > 0);
}

#endif /* _PROOF_POT_IND_H */
