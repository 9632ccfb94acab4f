// SPDX-License-Identifier: GPL-2.0
/*
 * The unbounded step: from any state that satisfies the invariant, with
 * any number of cookies, on a pot of any size the module accepts,
 * one take in seq order; see ../lib/pot_ind.h.
 */
#include "fortune_pot.h"

#include "pot_ind.h"

int main(void)
{
	pot_ind_start(IND_TAKE);
	/* The cookie taken: pot_ind_readers proves it of any cookie. */
	take_seq(0);
	pot_ind_end();
	return 0;
}
