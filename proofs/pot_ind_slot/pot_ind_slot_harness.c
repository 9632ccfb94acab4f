// SPDX-License-Identifier: GPL-2.0
/*
 * The contract of pot_slot_offset() (../lib/pot_contract.h), enforced
 * (ENFORCE in the Makefile): for every pot size from 64 bytes to 1 GiB,
 * any fields and any rank that its precondition admits, the offset is
 * where the slot of that rank is, inside the buffer, with no wrap on the
 * way.  The other unbounded harnesses replace each call by the contract.
 * The probe shows that the precondition admits large pots of two
 * generations, so that the proof is not vacuous.
 */
#include "fortune_pot.h"

#include "pot_contract.h"

u32 nondet_u32(void);

static struct fortune_pot pot;

int main(void)
{
	u32 rank = nondet_u32();

	pot.size = nondet_u32();
	__CPROVER_assume(pot.size >= POT_MIN_SIZE && pot.size <= POT_MAX_SIZE);
	pot.old_top = nondet_u32();
	pot.old_count = nondet_u32();
	pot.new_count = nondet_u32();
	pot_slot_offset(&pot, rank);
	__CPROVER_assert(!(pot.old_count > 1000 && pot.new_count > 1000 &&
			   rank > pot.old_count),
			 "probe: a rank of the newer of two large generations");
	return 0;
}
