// SPDX-License-Identifier: GPL-2.0
/*
 * The unbounded step: from any state that satisfies the invariant, with
 * any number of cookies, on a pot of any size the module accepts,
 * one write that fits, as fortune.c makes it after pot_fits() or
 * pot_make_room(); see ../lib/pot_ind.h.
 */
#include "fortune_pot.h"

#include "pot_ind.h"

int main(void)
{
	pot_ind_start(IND_PUSH);
	op_push();
	pot_ind_end();
	return 0;
}
