// SPDX-License-Identifier: GPL-2.0
/*
 * The unbounded step: from any state that satisfies the invariant, with
 * any number of cookies, on a pot of any size the module accepts,
 * one write that fits, as fortune.c makes it after pot_fits() or
 * pot_make_room(); see ../lib/pot_ind.h.
 */
#include "fortune_pot.h"

#include "pot_ind.h"
#include "pot_lemma.h"

/* The fields before the push, and where the watched byte's cookie was. */
static struct fortune_pot was;
static u32 was_slot, was_start, was_len;

static void watch_record(void)
{
	const char *text;
	u32 rank;

	was = pot;
	if (watching != 2)
		return;
	rank = watch_serial - ghost_oldest(&ghost);
	was_slot = pot_slot_offset(&pot, rank);
	text = pot_cookie(&pot, rank, &was_len);
	was_start = text - pot.mem;
}

/*
 * A push moves no stored cookie: the watched one's slot is where it was,
 * the push wrote its new slot and text apart from that slot and that
 * text, so the slot holds what it held.  ind_watched() then reads the
 * byte from there.  One solve of the read alone gave no verdict in 900 s
 * of CPU; each lemma here takes at most 900 s of wall.
 */
static void watch_kept(void)
{
	u32 rank, len, slot, room;
	const char *text;

	if (watching != 2)
		return;
	rank = watch_serial - ghost_oldest(&ghost);
	LEMMA(pot_slot_offset(&pot, rank) == was_slot);
	/* What the push wrote: the new slot, and its text at the room. */
	slot = pot_slot_offset(&pot, pot_count(&pot) - 1);
	room = pot.old_count > was.old_count ? was.old_end : was.new_end;
	len = ghost_len(&ghost, pot_count(&pot) - 1);
	LEMMA(disjoint(slot, POT_SLOT_SIZE, was_slot, POT_SLOT_SIZE));
	LEMMA((u64)room + len <= was_slot);
	LEMMA(disjoint(slot, POT_SLOT_SIZE, was_start, was_len));
	LEMMA(disjoint(room, len, was_start, was_len));
	text = pot_cookie(&pot, rank, &len);
	LEMMA(text == pot.mem + was_start && len == was_len);
}

#ifdef PROOF_CASE
/*
 * The cases of a push, for a goal clause that one solve does not close
 * ("contiguous texts", SPLIT_CASES in ../STEP): the goal's rank is not
 * stored (0: nothing to prove), is the new cookie's (1), or an older
 * cookie's, the push going into the middle gap (2), or into the newer
 * generation, the goal's cookie being of the older (3) or of the newer
 * generation (4).  Every push is one of them: ../STEP proves the clause
 * in each, a run with PROOF_CASE set to each of 0 to PROOF_CASES - 1
 * (tests/host/lint.sh checks that ../STEP has them all).
 */
#define PROOF_CASES 5
static int push_case(void)
{
	u64 r = (u64)ind_r + 1, n = pot_count(&pot);

	if (r > n)
		return 0;
	if (r == n)
		return 1;
	if (pot.old_count > was.old_count)
		return 2;
	return ind_r < pot.old_count ? 3 : 4;
}
#endif

int main(void)
{
	pot_ind_start(IND_PUSH);
	watch_record();
	op_push();
	watch_kept();
#ifdef PROOF_CASE
	__CPROVER_assume(push_case() == PROOF_CASE);
#endif
	pot_ind_end();
	return 0;
}
