/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The contract of pot_slot_offset(), for the unbounded proof: the module's
 * own function, redeclared with what it requires and what it ensures.
 *
 * Every slot the pot reads or writes is at pot_slot_offset(), and each
 * unbounded step reads dozens of them, before and after the step (the
 * drop's harness calls it 105 times).  Checked at every call, the offset
 * arithmetic and the bound of the slot's read are one property each for
 * all the calls together, which no solver closed in 15 min of CPU
 * (README, "The pot's proofs").  With the contract, each is proved once:
 *
 *   - ../pot_ind_slot enforces it (goto-instrument --enforce-contract):
 *     the function's body, from any fields the precondition admits, on
 *     every pot size from POT_MIN_SIZE to POT_MAX_SIZE, meets the
 *     postcondition, with every wrap and pointer check of the body;
 *   - the other unbounded harnesses replace each call by it
 *     (--replace-call-with-contract, CONTRACTS in ../Makefile.ind): CBMC
 *     asserts the precondition at the call, as a property of the proof,
 *     and assumes the postcondition, which is what the function returns.
 *
 * The precondition is the part of the invariant (pot_inv_fields()) that
 * places the slots, and a rank that is stored; the postcondition is the
 * offset itself, in 64-bit arithmetic that cannot wrap, and that the slot
 * lies inside the buffer.  Only the proofs see this declaration; CBMC
 * reads the contract from it, gcc never compiles it.
 */
#ifndef _PROOF_POT_CONTRACT_H
#define _PROOF_POT_CONTRACT_H

#include "fortune_pot.h"

static inline u32 pot_slot_offset(const struct fortune_pot *pot, u32 rank)
__CPROVER_requires(pot->old_top <= pot->size &&
		   (u64)pot->old_count * POT_SLOT_SIZE <= pot->old_top &&
		   (u64)pot->new_count * POT_SLOT_SIZE <=
			pot->size - pot->old_top &&
		   rank < (u64)pot->old_count + pot->new_count)
__CPROVER_ensures((u64)__CPROVER_return_value + POT_SLOT_SIZE <= pot->size &&
		  (rank < pot->old_count ?
		   (u64)__CPROVER_return_value +
			((u64)rank + 1) * POT_SLOT_SIZE == pot->old_top :
		   (u64)__CPROVER_return_value +
			((u64)rank - pot->old_count + 1) * POT_SLOT_SIZE ==
			pot->size));

#endif /* _PROOF_POT_CONTRACT_H */
