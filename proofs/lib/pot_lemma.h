/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A lemma: asserted, a property of the proof like any other, then
 * assumed, so that the properties after it start from it instead of
 * deriving it again.  Sound as long as every lemma is proved: a trace
 * that breaks one fails that lemma's own property.
 */
#ifndef _PROOF_POT_LEMMA_H
#define _PROOF_POT_LEMMA_H

#define LEMMA(cond)						\
	do {							\
		bool __lemma = (cond);				\
		__CPROVER_assert(__lemma, "lemma: " #cond);	\
		__CPROVER_assume(__lemma);			\
	} while (0)

#endif /* _PROOF_POT_LEMMA_H */
