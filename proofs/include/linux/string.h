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
 */
#ifndef _PROOF_LINUX_STRING_H
#define _PROOF_LINUX_STRING_H

#include <assert.h>
#include <stddef.h>

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

#define memcpy(dst, src, n)	proof_memcpy8(dst, src, n)

#endif /* _PROOF_LINUX_STRING_H */
