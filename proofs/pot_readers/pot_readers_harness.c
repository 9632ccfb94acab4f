// SPDX-License-Identifier: GPL-2.0
/*
 * The invariant is enough for readers: any state that satisfies it has
 * every property of pot_check() (texts and slots in the buffer and apart,
 * lengths, bytes and serials as the ghost says, PEEK's ranks, the fit test
 * and pot_largest() maximal); see ../lib/pot_step.h.
 */
#include "fortune_pot.h"

#include "pot_step.h"

int main(void)
{
	pot_step_start();
	pot_check();
	return 0;
}
