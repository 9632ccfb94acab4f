// SPDX-License-Identifier: GPL-2.0
/*
 * The unbounded step: from any state that satisfies the invariant, with
 * any number of cookies, on a pot of any size the module accepts,
 * nothing: every property readers rely on holds (pot_check()); see ../lib/pot_ind.h.
 */
#include "fortune_pot.h"

#include "pot_ind.h"

int main(void)
{
	pot_ind_start(IND_READ);
	pot_assuming = 0;
	pot_check_ranks(ind_a, ind_b);
	return 0;
}
