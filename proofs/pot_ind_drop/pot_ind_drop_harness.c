// SPDX-License-Identifier: GPL-2.0
/*
 * The unbounded step: from any state that satisfies the invariant, with
 * any number of cookies, on a pot of any size the module accepts,
 * one drop of the oldest cookie: the body of pot_make_room()'s loop,
 * whose guard is proved here too; see ../lib/pot_ind.h.
 */
#include "fortune_pot.h"

#include "pot_ind.h"

int main(void)
{
	pot_ind_start(IND_DROP);
	evict_guard();
	op_drop_oldest();
	pot_ind_end();
	return 0;
}
