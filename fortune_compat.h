/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel APIs fortune.ko needs that older supported kernels lack, in
 * one place.  Each stand-in is named after the release whose API it
 * replaces, so it can go when that release leaves the supported range.
 *
 * Supported: Linux 5.10 (<linux/minmax.h>; the two-argument __vmalloc of
 * 5.8 and struct proc_ops of 5.6 come with it) to the newest.
 */
#ifndef FORTUNE_COMPAT_H
#define FORTUNE_COMPAT_H

#include <linux/random.h>
#include <linux/types.h>

/*
 * The floor, by the newest API it rests on rather than by version number,
 * so that no patch level slips through.  Kbuild says the same in one line
 * before compiling anything.
 */
#ifndef __CHECKER__	/* sparse cannot evaluate it; the compiler does */
#if !__has_include("linux/minmax.h")
#error "fortune needs Linux 5.10 or later (<linux/minmax.h>)"
#endif
#endif

/*
 * Linux 6.2 (and 6.1.4 among the stable releases) has
 * get_random_u32_below().  Kbuild looks for it in the kernel's own
 * <linux/random.h>, since a stable backport makes the version useless.
 * Before it, the same multiply-and-shift gives a value below ceil that is
 * as uniform as a fortune needs.
 */
#ifndef FORTUNE_HAVE_GET_RANDOM_U32_BELOW
static inline u32 compat_6_2_get_random_u32_below(u32 ceil)
{
	return (u32)(((u64)get_random_u32() * ceil) >> 32);
}

#define get_random_u32_below compat_6_2_get_random_u32_below
#endif

#endif /* FORTUNE_COMPAT_H */
