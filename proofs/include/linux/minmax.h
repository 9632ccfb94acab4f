/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space stand-in for <linux/minmax.h>, for the CBMC proofs only.  The
 * kernel's versions also refuse mixed types at compile time; the module's
 * own build (W=1) keeps checking that.
 */
#ifndef _PROOF_LINUX_MINMAX_H
#define _PROOF_LINUX_MINMAX_H

#define min(a, b)	({ __typeof__(a) _a = (a); __typeof__(b) _b = (b); \
			   _a < _b ? _a : _b; })
#define max(a, b)	({ __typeof__(a) _a = (a); __typeof__(b) _b = (b); \
			   _a > _b ? _a : _b; })

#endif /* _PROOF_LINUX_MINMAX_H */
