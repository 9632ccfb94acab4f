/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The inductive proof's harnesses include this file, after fortune_pot.h,
 * and call pot_step_start() then one part of the proof:
 *
 *   pot_step_write, _drop, _clear, _take: from ANY state that satisfies
 *   the representation invariant (pot_check.h, pot_inv()), with a pot of
 *   any size from POT_MIN_SIZE to POT_MAX_SIZE bytes (symbolic; the buffer
 *   malloc'd at exactly that size, its bytes arbitrary) holding up to
 *   POT_STEP_COOKIES cookies of any lengths, any cursor and any serials,
 *   one operation of that kind (a write, evicting or not, through the
 *   module's pot_fits() and pot_make_room(); a drop; a clear; a take in
 *   seq order) keeps the invariant and one watched byte of any cookie;
 *   pot_readers: ANY state that satisfies the invariant has every readers'
 *   property of pot_check() (so the step harnesses need not repeat them).
 *
 * By induction over the operations (the initial state satisfies it, which
 * ../pot_contents checks from pot_init()), every state reached through
 * states of at most POT_STEP_COOKIES cookies satisfies the invariant, after
 * any number of operations, on pots of every size in the range.
 */
#ifndef _PROOF_POT_STEP_H
#define _PROOF_POT_STEP_H

#include "fortune_pot.h"

/* Every probe: each state must satisfy the invariant, one step away. */
#define POT_PROBE_OPS	1000
#include "pot_check.h"
#include "pot_lemma.h"

struct pot_ghost nondet_ghost(void);

/*
 * Before the step: where the watched byte's cookie was (its slot's offset,
 * its text's, its length), and the ghost's count of writes.
 */
static u32 was_slot, was_start, was_len;
static u64 was_added;

static void pot_step_start(void)
{
	u32 size = nondet_u32(), r, w;
	u64 used = 0;

	__CPROVER_assert(POT_STEP_COOKIES + 1 < POT_GHOST_CAP,
			 "the ghost holds a step's cookies");
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

	/* Any ghost sequence of up to POT_STEP_COOKIES cookies. */
	ghost = nondet_ghost();
	/* Fewer than 2^62 writes since the module was loaded. */
	__CPROVER_assume(ghost.added < (1ULL << 62));
	__CPROVER_assume(ghost.count <= POT_STEP_COOKIES &&
			 ghost.count <= ghost.added);
	for (r = 0; r < ghost.count && r < POT_GHOST_CAP; r++) {
		__CPROVER_assume(ghost_len(&ghost, r) >= 1);
		used += (u64)ghost_len(&ghost, r) + POT_SLOT_SIZE;
	}
	ghost.used = used;

	/* Any pot that represents it. */
	pot_assuming = 1;
	pot_inv();

	/* One byte of any stored cookie is watched. */
	if (ghost.count) {
		u32 len;
		const char *text;

		w = nondet_u32();
		__CPROVER_assume(w < ghost.count);
		text = pot_cookie(&pot, w, &len);
		watch_off = nondet_u32();
		__CPROVER_assume(watch_off < len);
		watch_serial = ghost_oldest(&ghost) + w;
		watch_val = text[watch_off];
		watching = 2;
		was_slot = pot_slot_offset(&pot, w);
		was_start = text - pot.mem;
		was_len = len;
		/* For the bound of check_watched()'s read. */
		LEMMA((u64)was_start + was_len <= pot.size);
	}
	was_added = ghost.added;
}

/*
 * After the step, lemmas: no step moves a stored cookie, so if the
 * watched one is still stored, its slot is where it was and holds what it
 * held, and a write put its new slot and its text (at write_room) apart
 * from that slot and that text.  check_watched() then reads the byte
 * from there; without these lemmas, that read after a write gave no
 * verdict in two hours of CPU (README).  The push's harness states the
 * same, its room from the fields before the push (../pot_ind_push).
 */
static void watch_kept(void)
{
	u64 oldest = ghost_oldest(&ghost);
	u32 rank, last, slot, len;
	const char *text;

	if (watching != 2 || watch_serial < oldest ||
	    watch_serial >= ghost.added)
		return;
	rank = watch_serial - oldest;
	LEMMA(pot_slot_offset(&pot, rank) == was_slot);
	if (ghost.added != was_added) {
		last = pot_count(&pot) - 1;
		slot = pot_slot_offset(&pot, last);
		len = ghost_len(&ghost, last);
		LEMMA(disjoint(slot, POT_SLOT_SIZE, was_slot, POT_SLOT_SIZE));
		LEMMA((u64)write_room + len <= was_slot);
		LEMMA(disjoint(slot, POT_SLOT_SIZE, was_start, was_len));
		LEMMA(disjoint(write_room, len, was_start, was_len));
	}
	text = pot_cookie(&pot, rank, &len);
	LEMMA(text == pot.mem + was_start && len == was_len);
}

/* One operation, then the invariant and the watched byte. */
static void pot_step_end(void)
{
	pot_assuming = 0;
	watch_kept();
	pot_inv();
	check_watched();
	if (ghost.count) {
		u32 r = nondet_u32();

		__CPROVER_assume(r < ghost.count);
		/*
		 * Every cookie where the ghost has it.  The watched byte is
		 * checked: check_cookie() would read it again at a rank CBMC
		 * must first find equal to the watched one (that read gave
		 * no verdict in two hours of CPU after a write).
		 */
		watching = 0;
		check_cookie(r);
	}
}

#endif /* _PROOF_POT_STEP_H */
