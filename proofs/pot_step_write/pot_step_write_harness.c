// SPDX-License-Identifier: GPL-2.0
/*
 * The inductive step for one kind of operation, from any state that
 * satisfies the invariant; see ../lib/pot_step.h.
 */
#include "fortune_pot.h"

#define POT_ONLY_OP	0
#include "pot_step.h"

int main(void)
{
	pot_step_start();
	__CPROVER_assume(pot_op());
	pot_step_end();
	return 0;
}
