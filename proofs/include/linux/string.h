/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space stand-in for <linux/string.h>, for the CBMC proofs only:
 * CBMC's own memcpy() checks every byte it touches against the object.
 */
#ifndef _PROOF_LINUX_STRING_H
#define _PROOF_LINUX_STRING_H

#include <string.h>

#endif /* _PROOF_LINUX_STRING_H */
