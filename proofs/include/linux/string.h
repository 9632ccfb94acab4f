/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space stand-in for <linux/string.h>, for the CBMC proofs only.
 *
 * fortune_pot.h copies only struct pot_slot (8 bytes) with memcpy(), to
 * and from a possibly unaligned place in the pot.  This memcpy() copies
 * those 8 bytes one by one, so that CBMC checks each access against the
 * object (--bounds-check, --pointer-check) as its own library's does, but
 * without making an array copy of the whole pot, which on a pot of
 * symbolic size costs it far more; any other size fails the proof.
 *
 * With PROOF_MEMCPY_WORD (the unbounded harnesses, ../../Makefile.ind) it
 * copies the 8 bytes as one unaligned 64-bit word instead: CBMC checks
 * that whole access against the object at once, one property a copy
 * instead of eight, each of which costs minutes on a buffer of symbolic
 * size (README, "The pot's proofs").
 */
#ifndef _PROOF_LINUX_STRING_H
#define _PROOF_LINUX_STRING_H

#include <assert.h>
#include <stddef.h>

#ifdef PROOF_MEMCPY_WORD
typedef unsigned long long proof_word __attribute__((aligned(1)));

static inline void *proof_memcpy8(void *dst, const void *src, size_t n)
{
	assert(n == 8);
	*(proof_word *)dst = *(const proof_word *)src;
	return dst;
}
#else
static inline void *proof_memcpy8(void *dst, const void *src, size_t n)
{
	char *d = dst;
	const char *s = src;

	assert(n == 8);
	d[0] = s[0];
	d[1] = s[1];
	d[2] = s[2];
	d[3] = s[3];
	d[4] = s[4];
	d[5] = s[5];
	d[6] = s[6];
	d[7] = s[7];
	return dst;
}
#endif

#define memcpy(dst, src, n)	proof_memcpy8(dst, src, n)

#endif /* _PROOF_LINUX_STRING_H */
