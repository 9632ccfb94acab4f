/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * The user-space interface of /proc/fortune.
 *
 * Shared by the module and by user space: fixed-size types only, so that a
 * 32-bit caller sees the same layout as the 64-bit kernel.
 */
#ifndef _FORTUNE_H
#define _FORTUNE_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define FORTUNE_PROC_PATH	"/proc/fortune"

/* Bytes of the pot a stored cookie uses beyond its own text. */
#define FORTUNE_COOKIE_OVERHEAD	8

/**
 * struct fortune_stats - what FORTUNE_IOC_STATS reports
 * @capacity: bytes reserved for cookies (the pot_size parameter)
 * @used:     bytes in use: each stored cookie's length plus
 *            FORTUNE_COOKIE_OVERHEAD
 * @cookies:  cookies stored now
 * @served:   cookies handed out to readers since load
 * @added:    cookies accepted since load
 * @refused:  writes refused since load, whatever the reason
 * @evicted:  cookies dropped to make room (evict=Y) since load
 * @largest:  the longest cookie a write could add now without eviction
 */
struct fortune_stats {
	__u64 capacity;
	__u64 used;
	__u64 cookies;
	__u64 served;
	__u64 added;
	__u64 refused;
	__u64 evicted;
	__u64 largest;
};

#define FORTUNE_IOC_MAGIC	0xF7

/* Any open file may read the statistics. */
#define FORTUNE_IOC_STATS	_IOR(FORTUNE_IOC_MAGIC, 1, struct fortune_stats)
/* Empty the pot and reset the cursor; needs a file open for writing. */
#define FORTUNE_IOC_CLEAR	_IO(FORTUNE_IOC_MAGIC, 2)

#endif /* _FORTUNE_H */
