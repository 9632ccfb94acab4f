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

/**
 * struct fortune_peek - a stored cookie, read by FORTUNE_IOC_PEEK
 * @pos:     in: which cookie, counted in the order seq hands them out:
 *           0 is the one the next read would take in seq order, 1 the one
 *           after it, and so on round the pot up to @cookies - 1
 * @cookies: out: cookies stored now
 * @buf:     in: address of the caller's buffer for the cookie's text
 * @size:    in: bytes at @buf
 * @len:     out: the cookie's length: its text without the newline that a
 *           read adds.  Also set when @size is too small (ERANGE), so the
 *           caller learns how much room to make.
 *
 * The text is copied to @buf without a NUL terminator.  Peeking takes
 * nothing: no cursor moves and nothing counts as served.  Errors: ENOENT
 * when @pos is not below @cookies (an empty pot has none), ERANGE when
 * @size < @len, EFAULT for a bad address, EINTR when interrupted while
 * waiting for the pot.  @cookies and @len are written back on success,
 * ENOENT and ERANGE.  The layout is the same for 32-bit callers.
 */
struct fortune_peek {
	__u32 pos;
	__u32 cookies;
	__u64 buf;
	__u64 size;
	__u64 len;
};

/* Read one stored cookie without taking it; any open file may ask. */
#define FORTUNE_IOC_PEEK	_IOWR(FORTUNE_IOC_MAGIC, 3, struct fortune_peek)

#endif /* _FORTUNE_H */
