// SPDX-License-Identifier: GPL-2.0
/*
 * The pot from empty, contents included: every sequence of POT_OPS
 * operations on a pot of POT_SIZE bytes, one byte of any cookie watched.
 * See ../lib/pot_model.h for the runs and ../lib/pot_check.h for the
 * properties.
 */
#include "fortune_pot.h"

#include "pot_model.h"

int main(void)
{
	pot_run();
	return 0;
}
