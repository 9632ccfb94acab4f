// SPDX-License-Identifier: GPL-2.0
/*
 * The pot's arithmetic for every size the module accepts (64 bytes to
 * 1 GiB) and cookies of any length up to the largest: every sequence of
 * POT_OPS operations, with --unsigned-overflow-check, bounds and pointer
 * checks on the buffer (malloc'd at its symbolic size), and the model's
 * properties on where texts and slots lie.  Texts are not filled in, so
 * that the proof does not depend on the size; ../pot_contents checks
 * the bytes themselves.
 */
#include "fortune_pot.h"

#define POT_CONTENTS 0
#include "pot_model.h"

int main(void)
{
	pot_run();
	return 0;
}
