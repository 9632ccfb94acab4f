/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Bounded runs from an empty pot: every sequence of up to POT_OPS
 * operations (pot_check.h: writes, evicting or not, as fortune.c makes
 * them, drops, clears and takes in seq order, with every length) on a pot
 * of POT_MIN_SIZE to POT_MAX_SIZE bytes, then every property of the state
 * reached (the invariant, the readers' properties and the probes).  Each
 * state reachable in at most POT_OPS steps is checked once, which costs
 * CBMC far less than checking after every step, and proves the same.
 *
 * A harness defines POT_OPS, POT_MIN_SIZE and POT_MAX_SIZE (small: the
 * buffer is a static array of POT_MAX_SIZE bytes), includes fortune_pot.h,
 * then this file, and calls pot_run().
 */
#ifndef _PROOF_POT_MODEL_H
#define _PROOF_POT_MODEL_H

/* The probes of states reachable in POT_OPS operations. */
#define POT_PROBE_OPS	POT_OPS
#include "pot_check.h"

static void pot_run(void)
{
	/*
	 * A buffer of POT_MAX_SIZE bytes, which CBMC turns into plain bits;
	 * the pot takes the first @size of them.  CBMC's bounds check is
	 * then against POT_MAX_SIZE: pot_check() asserts that every stored
	 * text and slot, and the room of every write, lies in [0, size),
	 * and the pot touches no other byte.
	 */
	static char mem[POT_MAX_SIZE];
	u32 size = nondet_u32();

	__CPROVER_assume(size >= POT_MIN_SIZE && size <= POT_MAX_SIZE);
	__CPROVER_assert(POT_OPS < POT_GHOST_CAP, "the ghost holds POT_OPS");
	pot_init(&pot, mem, size);
	replay_size = size;
	ghost_init(&ghost);
	/* One byte of one cookie, the one pushed as serial watch_serial. */
	watch_serial = nondet_u64();
	watch_val = nondet_char();
	watching = 1;
	/*
	 * From an empty pot, a drop or a take is refused and a clear changes
	 * nothing: every state of up to POT_OPS operations is the empty one
	 * (checked here) or one that a write reaches first.  So the first
	 * operation is a write, and a write into an empty pot fits
	 * (asserted: the module's pot_make_room() drops nothing); the
	 * POT_OPS - 1 others are any.  This costs CBMC one operation fewer
	 * to explore, and checks the same states.
	 */
	pot_check_all();
	op_first_write();
	for (u32 step = 1; step < POT_OPS; step++)
		if (!pot_op())
			break;
	pot_check_all();
}

#endif /* _PROOF_POT_MODEL_H */
