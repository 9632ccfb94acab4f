// SPDX-License-Identifier: GPL-2.0
/*
 * The pot on small sizes, contents included: every sequence of POT_OPS
 * operations on a pot of POT_MIN_SIZE to POT_MAX_SIZE bytes, each pushed
 * cookie filled with a pattern of its own and read back byte for byte.
 * See ../lib/pot_model.h for the operations and the properties.
 */
#include "fortune_pot.h"

#define POT_CONTENTS 1
#include "pot_model.h"

int main(void)
{
	pot_run();
	return 0;
}
