// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/fortune, a fortune cookie pot in the kernel.
 *
 * After the fortune module of "Access the Linux kernel using the /proc
 * filesystem" (M. Tim Jones, IBM developerWorks, 2006): every write(2) to
 * /proc/fortune adds one cookie to the pot, and every file opened for
 * reading takes the next one (at its first read or lseek), which that file
 * then reads like a small file.
 *
 * The pot itself (fortune_pot.h) is one vmalloc'd buffer of pot_size bytes.
 * A small cookie is copied to the stack before the lock and then into the
 * pot; a big one goes straight into the pot's free room under the lock,
 * with page faults disabled, and is committed only once it is known to be
 * good.  A file copies its cookie out into a snapshot that every file
 * reading the same cookie shares, so that reads of any size, pread, lseek,
 * sendfile and splice see the same bytes whatever happens to the pot
 * meanwhile, and the memory of open files does not grow with their number.
 */

#include <linux/atomic.h>
#include <linux/fs.h>
#include <linux/hashtable.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/proc_fs.h>
#include <linux/random.h>
#include <linux/ratelimit.h>
#include <linux/refcount.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/uio.h>
#include <linux/vmalloc.h>

#include <asm/word-at-a-time.h>

#include "fortune.h"
#include "fortune_compat.h"
#include "fortune_pot.h"

#define POT_SIZE_MIN	64
#define POT_SIZE_MAX	SZ_1G	/* 1073741824, as param_refused() says */

enum fortune_order {
	ORDER_SEQ,
	ORDER_RANDOM,
};

static const char * const order_names[] = {
	[ORDER_SEQ]	= "seq",
	[ORDER_RANDOM]	= "random",
};

/* Bytes reserved for cookies; fixed once the module is loaded. */
static unsigned int pot_size = 4096;

/* How an open picks its cookie, an enum fortune_order; may change any time. */
static int order = ORDER_SEQ;

/* Whether a write that does not fit drops the oldest cookies to make room. */
static bool evict;

/* Serialises the pot, its cursor, the counters and the snapshot table. */
static DEFINE_MUTEX(pot_lock);

/* The cookies; under pot_lock. */
static struct fortune_pot pot;

/*
 * The counters of FORTUNE_IOC_STATS (the rest is read off the pot), but for
 * refused writes: a write may be refused before it takes the lock.
 */
static struct fortune_stats counters;
static atomic64_t refused_writes = ATOMIC64_INIT(0);

/* A full pot is worth a line in the log, but not one per refused write. */
static struct ratelimit_state full_notice =
	RATELIMIT_STATE_INIT_FLAGS(full_notice, HZ, 1, RATELIMIT_MSG_ON_RELEASE);

/* Logs a refused parameter value, which sysfs hands over with a newline. */
static int param_refused(const char *name, const char *val,
			 const char *allowed)
{
	pr_err("invalid %s '%.*s' (allowed: %s)\n", name,
	       (int)strcspn(val, "\n"), val, allowed);
	return -EINVAL;
}

static int pot_size_set(const char *val, const struct kernel_param *kp)
{
	unsigned int size;

	if (kstrtouint(val, 0, &size) || size < POT_SIZE_MIN ||
	    size > POT_SIZE_MAX)
		return param_refused("pot_size", val, "64 to 1073741824");
	*(unsigned int *)kp->arg = size;
	return 0;
}

static const struct kernel_param_ops pot_size_ops = {
	.set	= pot_size_set,
	.get	= param_get_uint,
};

module_param_cb(pot_size, &pot_size_ops, &pot_size, 0444);
MODULE_PARM_DESC(pot_size,
		 "Bytes reserved for cookies, 64 to 1073741824, at load only (default 4096)");

static int order_set(const char *val, const struct kernel_param *kp)
{
	int i = sysfs_match_string(order_names, val);

	if (i < 0)
		return param_refused("order", val, "seq, random");
	WRITE_ONCE(*(int *)kp->arg, i);
	return 0;
}

static int order_get(char *buffer, const struct kernel_param *kp)
{
	return scnprintf(buffer, PAGE_SIZE, "%s\n",
			 order_names[READ_ONCE(*(int *)kp->arg)]);
}

static const struct kernel_param_ops order_ops = {
	.set	= order_set,
	.get	= order_get,
};

module_param_cb(order, &order_ops, &order, 0644);
MODULE_PARM_DESC(order,
		 "Which cookie an open takes: seq (in the order added, the default) or random");

static int evict_set(const char *val, const struct kernel_param *kp)
{
	bool on;

	/* As param_set_bool(), but a write that pairs with READ_ONCE(). */
	if (!val)
		val = "Y";
	if (kstrtobool(val, &on))
		return param_refused("evict", val, "Y, N, 1, 0");
	WRITE_ONCE(*(bool *)kp->arg, on);
	return 0;
}

static const struct kernel_param_ops evict_ops = {
	.flags	= KERNEL_PARAM_OPS_FL_NOARG,
	.set	= evict_set,
	.get	= param_get_bool,
};

module_param_cb(evict, &evict_ops, &evict, 0644);
MODULE_PARM_DESC(evict,
		 "Y: a write that does not fit drops the oldest cookies; N: it fails with ENOSPC (default)");

/*
 * Snapshots.  A file reads a snapshot of its cookie: the cookie's text and a
 * newline, copied out of the pot once, so that writes, clears and evictions
 * cannot change what the file reads.
 *
 * A small snapshot (SNAP_SMALL bytes at most) is the file's own: it is part
 * of the constant an open file costs, and the file frees it without the
 * lock.  A bigger one is shared by every file that takes the same cookie,
 * found by the cookie's serial number: the n-th cookie ever added has
 * serial n, and since cookies leave the pot only from the oldest end
 * (eviction) or all at once (clear), the pot always holds the newest
 * pot_count() of them, so the cookie of rank r is serial
 * added - pot_count() + r.  Serials are never reused, so a snapshot found
 * by serial is always the right text, even after its cookie left the pot.
 * The module's memory is thus the pot, plus at most 256 bytes per open
 * file, plus one snapshot per big cookie that open files read, however
 * many files read it.
 */
struct fortune_snap {
	refcount_t ref;		/* files reading it; under pot_lock at 0 */
	struct hlist_node node;	/* in snaps if shared, under pot_lock */
	u64 serial;
	size_t cap;		/* bytes text[] has room for */
	size_t len;		/* bytes of text[] the file reads */
	char text[];
};

/* The shared snapshots that open files read, by serial; under pot_lock. */
static DEFINE_HASHTABLE(snaps, 6);

/* What a file that found the pot empty reads: nothing, ever. */
static struct fortune_snap nothing;

/*
 * A snapshot this small is a file's own, and is allocated before the lock,
 * on the guess that the next cookie fits (take_hint); a bigger one only once
 * the lock has said how big, and one at a time (snap_alloc_lock), so that
 * many files taking one big cookie at once cannot each allocate a copy.
 */
#define SNAP_SMALL	(256 - sizeof(struct fortune_snap))

/* Bytes the next take will probably copy; a hint, read without the lock. */
static u32 take_hint;

/* One allocation of a snapshot bigger than SNAP_SMALL at a time. */
static DEFINE_MUTEX(snap_alloc_lock);

static struct fortune_snap *snap_alloc(size_t cap)
{
	struct fortune_snap *snap;

	snap = kvmalloc(struct_size(snap, text, cap),
			GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (snap) {
		snap->cap = cap;
		INIT_HLIST_NODE(&snap->node);
	}
	return snap;
}

/*
 * memcpy() for a short cookie, a word at a time.  On x86 CPUs with ERMS but
 * without FSRM (and under QEMU's TCG) memcpy() is one `rep movsb`, whose
 * start-up costs more than the copy of a few dozen bytes; the copies made
 * under the pot's lock are mostly that short.
 */
static __always_inline void copy_short(char *to, const char *from, size_t len)
{
	size_t i = 0;
	u64 word;

	/* memcpy()s of a constant 8 bytes: the compiler makes them moves. */
	for (; i + sizeof(word) <= len; i += sizeof(word)) {
		memcpy(&word, from + i, sizeof(word));
		memcpy(to + i, &word, sizeof(word));
	}
	for (; i < len; i++)
		to[i] = from[i];
}

static struct fortune_snap *snap_find(u64 serial)
{
	struct fortune_snap *snap;

	hash_for_each_possible(snaps, snap, node, serial)
		if (snap->serial == serial)
			return snap;
	return NULL;
}

/* Drops a file's reference; the last one frees the snapshot. */
static void snap_put(struct fortune_snap *snap)
{
	if (snap == &nothing)
		return;
	/* Only shared ones are hashed, and they stay so until freed. */
	if (hlist_unhashed(&snap->node)) {
		kvfree(snap);
		return;
	}
	if (!refcount_dec_and_mutex_lock(&snap->ref, &pot_lock))
		return;
	hash_del(&snap->node);
	mutex_unlock(&pot_lock);
	kvfree(snap);
}

/*
 * Gives @file the next cookie in the current order, or nothing for an empty
 * pot, unless another thread did first.  Makes no allocation and copies at
 * most the cookie: it shares a big cookie's snapshot if there is one, else
 * fills *@spare, if that is big enough, and takes it over.  Returns 0 once
 * the file has its snapshot, else the capacity a spare must have.
 */
static size_t fortune_take_locked(struct file *file,
				  struct fortune_snap **spare)
{
	bool random = READ_ONCE(order) == ORDER_RANDOM;
	struct fortune_snap *snap;
	const char *text;
	u32 count = pot_count(&pot);
	u32 rank, len;
	u64 serial;

	lockdep_assert_held(&pot_lock);

	if (file->private_data)
		return 0;
	if (!count) {
		/* Pairs with the acquire in fortune_take(). */
		smp_store_release(&file->private_data, &nothing);
		return 0;
	}
	rank = random ? get_random_u32_below(count) : pot_next_rank(&pot);
	serial = pot_serial(&pot, rank);
	text = pot_cookie(&pot, rank, &len);
	snap = len + 1 > SNAP_SMALL ? snap_find(serial) : NULL;
	if (snap) {
		refcount_inc(&snap->ref);
	} else {
		if (!*spare || (*spare)->cap < (size_t)len + 1)
			return (size_t)len + 1;
		snap = *spare;
		*spare = NULL;
		if (len < SNAP_SMALL)
			copy_short(snap->text, text, len);
		else
			memcpy(snap->text, text, len);
		snap->text[len] = '\n';
		snap->len = (size_t)len + 1;
		snap->serial = serial;
		refcount_set(&snap->ref, 1);
		if (len + 1 > SNAP_SMALL)
			hash_add(snaps, &snap->node, serial);
	}
	if (!random) {
		pot_taken(&pot, rank);
		/* Written only when it changes: other CPUs read its line. */
		pot_cookie(&pot, pot_next_rank(&pot), &len);
		if (take_hint != len + 1)
			WRITE_ONCE(take_hint, len + 1);
	}
	counters.served++;
	/* Pairs with the acquire in fortune_take(): the text is there. */
	smp_store_release(&file->private_data, snap);
	return 0;
}

/*
 * The snapshot @file reads: taken at its first read, pread, lseek, sendfile
 * or splice, not at open, so that a file only opened (or used for ioctls)
 * takes nothing.  A failure (ENOMEM, or a signal while waiting for the lock)
 * takes nothing and moves no cursor.
 */
static struct fortune_snap *fortune_take(struct file *file)
{
	struct fortune_snap *spare = NULL, *snap;
	bool serialised = false;
	size_t need;
	u32 hint;

	/*
	 * Set once, under the lock; pairs with the release in
	 * fortune_take_locked(), so that the text is seen with the pointer.
	 */
	snap = smp_load_acquire(&file->private_data);
	if (snap)
		return snap;
	hint = READ_ONCE(take_hint);
	if (hint <= SNAP_SMALL)
		spare = snap_alloc(SNAP_SMALL);
	for (;;) {
		if (mutex_lock_interruptible(&pot_lock)) {
			snap = ERR_PTR(-ERESTARTSYS);
			break;
		}
		need = fortune_take_locked(file, &spare);
		mutex_unlock(&pot_lock);
		if (!need) {
			snap = file->private_data;
			break;
		}
		kvfree(spare);
		spare = NULL;
		if (need > SNAP_SMALL && !serialised) {
			/* Then look again: another taker may have made it. */
			if (mutex_lock_interruptible(&snap_alloc_lock)) {
				snap = ERR_PTR(-ERESTARTSYS);
				break;
			}
			serialised = true;
			continue;
		}
		spare = snap_alloc(max(need, SNAP_SMALL));
		if (!spare) {
			snap = ERR_PTR(-ENOMEM);
			break;
		}
	}
	if (serialised)
		mutex_unlock(&snap_alloc_lock);
	kvfree(spare);
	return snap;
}

static int fortune_release(struct inode *inode, struct file *file)
{
	if (file->private_data)
		snap_put(file->private_data);
	return 0;
}

static ssize_t fortune_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	const struct fortune_snap *snap = fortune_take(iocb->ki_filp);
	loff_t pos = iocb->ki_pos;
	size_t copied;

	if (IS_ERR(snap))
		return PTR_ERR(snap);
	if (pos >= snap->len || !iov_iter_count(to))
		return 0;
	copied = copy_to_iter(snap->text + pos, snap->len - pos, to);
	if (!copied)
		return -EFAULT;
	iocb->ki_pos = pos + copied;
	return copied;
}

static loff_t fortune_lseek(struct file *file, loff_t offset, int whence)
{
	const struct fortune_snap *snap = &nothing;

	/* A file open for writing only takes nothing, and is empty. */
	if (file->f_mode & FMODE_READ) {
		snap = fortune_take(file);
		if (IS_ERR(snap))
			return PTR_ERR(snap);
	}
	/* As in a regular file, one may seek past the end and read 0 there. */
	return generic_file_llseek_size(file, offset, whence, MAX_LFS_FILESIZE,
					snap->len);
}

/*
 * Why a write whose bytes are not a cookie fails: EFAULT if any of its
 * @count bytes cannot be read, else EINVAL (it holds a NUL byte).  Only
 * called once something was found wrong, so its cost does not matter.
 */
static int fortune_bad_bytes(const char __user *buf, size_t count)
{
	const char __user *end = buf + count;
	const char __user *p;
	char c __maybe_unused;	/* read only to see that it can be */

	for (p = buf; p < end; p = PTR_ALIGN(p + 1, PAGE_SIZE))
		if (get_user(c, p))
			return -EFAULT;
	if (get_user(c, end - 1))
		return -EFAULT;
	return -EINVAL;
}

/* A cookie of up to this many bytes is copied to the stack before the lock. */
#define WRITE_SMALL	256

/*
 * Copies the @count bytes at @buf to @to (aligned to a word), a word at a
 * time, in one window of user access, and says whether they hold a NUL
 * byte: 0, -EINVAL (a NUL byte; every byte was read) or -EFAULT.  Inside
 * the window nothing may be called (objtool checks): the words are stored
 * with plain assignments, not memcpy(), which a KASAN build makes a call.
 *
 * This is strncpy_from_user() without the stop at a NUL and without its
 * hardened-usercopy check of @to, which costs more than the copy of a
 * cookie of a few dozen bytes.  The only caller passes a buffer on its own
 * stack with @count checked against its size, a bound the compiler can see
 * (the check exists to catch sizes computed at run time).  Every read lies
 * inside @buf: the last few bytes are read one by one.
 */
static int fortune_copy_small(char *to, const char __user *buf, size_t count)
{
	const struct word_at_a_time zeros = WORD_AT_A_TIME_CONSTANTS;
	unsigned long word, data, nul = 0;
	size_t i = 0;

	if (!user_read_access_begin(buf, count))
		return -EFAULT;
	if (IS_ENABLED(CONFIG_HAVE_EFFICIENT_UNALIGNED_ACCESS)) {
		for (; i + sizeof(word) <= count; i += sizeof(word)) {
			unsafe_get_user(word,
					(const unsigned long __user *)(buf + i),
					fault);
			nul |= has_zero(word, &data, &zeros);
			*(unsigned long *)(to + i) = word;
		}
	}
	for (; i < count; i++) {
		unsafe_get_user(to[i], buf + i, fault);
		nul |= !to[i];
	}
	user_read_access_end();
	return nul ? -EINVAL : 0;

fault:
	user_read_access_end();
	return -EFAULT;
}

/* Why fortune_store() could not store a cookie under the lock. */
enum store_again {
	STORE_FAULT = 1,	/* a page of the buffer is not there */
	STORE_NUL,		/* the buffer holds a NUL byte */
	STORE_COPY,		/* evicting needs a copy made first */
};

/*
 * Stores the cookie of @len bytes that @copy holds (already checked) or,
 * when @copy is NULL, that @buf holds, copied straight into the pot with
 * page faults disabled, so that the lock is never held across a fault.
 * Returns 0, -ENOSPC, or an enum store_again for the caller to act on
 * without the lock.
 */
static __always_inline int fortune_store(const char __user *buf,
					 const char *copy, u32 len)
{
	char *room;
	long copied;

	lockdep_assert_held(&pot_lock);

	if (!pot_fits(&pot, len)) {
		if (!READ_ONCE(evict))
			return -ENOSPC;
		if (!copy)
			return STORE_COPY;
		counters.evicted += pot_make_room(&pot, len);
	}
	room = pot_room(&pot, len);
	if (copy && len <= WRITE_SMALL) {
		copy_short(room, copy, len);
	} else if (copy) {
		memcpy(room, copy, len);
	} else {
		/* One pass: copies, and stops at a NUL byte. */
		pagefault_disable();
		copied = strncpy_from_user(room, buf, len);
		pagefault_enable();
		if (copied < 0)
			return STORE_FAULT;
		if (copied < len)
			return STORE_NUL;
	}
	pot_push(&pot, len);
	return 0;
}

/*
 * Adds a cookie too big for the stack: straight from user memory into the
 * pot under the lock, or, to evict, through a copy of its own made before
 * the lock, since eviction is the one step a failed write could not take
 * back.  A page fault drops the lock, is taken, and the store starts over.
 */
static noinline int fortune_add_big(const char __user *buf,
				    size_t count, u32 len)
{
	char *copy = NULL;
	long copied;
	int ret;

	for (;;) {
		if (mutex_lock_interruptible(&pot_lock)) {
			ret = -ERESTARTSYS;
			break;
		}
		ret = fortune_store(buf, copy, len);
		mutex_unlock(&pot_lock);
		if (ret == STORE_FAULT) {
			ret = fortune_bad_bytes(buf, count);
			if (ret == -EFAULT)
				break;
			continue;	/* every page is there now */
		}
		if (ret == STORE_NUL) {
			ret = fortune_bad_bytes(buf, count);
			break;
		}
		if (ret != STORE_COPY)
			break;
		copy = kvmalloc(len, GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
		if (!copy) {
			ret = -ENOMEM;
			break;
		}
		copied = strncpy_from_user(copy, buf, len);
		if (copied != len) {
			ret = copied < 0 ? -EFAULT : fortune_bad_bytes(buf, count);
			break;
		}
	}
	kvfree(copy);
	/* What the pot refused, the bytes may refuse first. */
	if (ret == -ENOSPC || ret == -ENOMEM) {
		if (fortune_bad_bytes(buf, count) == -EFAULT)
			ret = -EFAULT;
		else if (strnlen_user(buf, len) <= len)
			ret = -EINVAL;
	}
	return ret;
}

/*
 * Adds the cookie that one write(2) of @count bytes at @buf holds.  When
 * several errors apply, the first of these wins: EINVAL for a count of 0,
 * EFBIG (decided on the count and on whether the last byte, which must be
 * readable, is a newline), EFAULT (a byte that cannot be read), EINVAL (a
 * NUL byte, or nothing but a newline), and only then what depends on the
 * pot: ENOSPC, or ENOMEM for an evicting write's copy.
 *
 * A small cookie is copied onto the stack before the lock, in one pass that
 * also finds NUL bytes (fortune_copy_small()): a page fault on the user's
 * buffer then holds no lock, and under the lock only a short copy is left.
 * A big one goes straight into the pot (fortune_add_big()).
 *
 * The path of a small write is one function, from fortune_write() to the
 * store, copies included: in a path this short the calls and returns were
 * a measurable part of the cost.
 */
static __always_inline int fortune_add(const char __user *buf, size_t count)
{
	/* Not zeroed (CONFIG_INIT_STACK_ALL_ZERO): only bytes copied in are read. */
	char small[WRITE_SMALL] __aligned(sizeof(long)) __uninitialized;
	size_t len = count;
	char last;
	int ret;

	if (!count)
		return -EINVAL;
	/* Decided before reading: a count of gigabytes is refused at once. */
	if (count - 1 > pot_max_len(&pot))
		return -EFBIG;
	if (count > sizeof(small)) {
		if (get_user(last, buf + count - 1))
			return -EFAULT;
		len -= last == '\n';
		if (len > pot_max_len(&pot))
			return -EFBIG;
		return fortune_add_big(buf, count, len);
	}

	ret = fortune_copy_small(small, buf, count);
	if (ret) {
		/* Which error: the README's order needs the last byte first. */
		if (get_user(last, buf + count - 1))
			return -EFAULT;
		if (count - (last == '\n') > pot_max_len(&pot))
			return -EFBIG;
		return ret;
	}
	len -= small[count - 1] == '\n';
	if (len > pot_max_len(&pot))
		return -EFBIG;
	if (!len)
		return -EINVAL;
	if (mutex_lock_interruptible(&pot_lock))
		return -ERESTARTSYS;
	ret = fortune_store(buf, small, len);
	mutex_unlock(&pot_lock);
	return ret;
}

static ssize_t fortune_write(struct file *file, const char __user *buf,
			     size_t count, loff_t *ppos)
{
	int ret = fortune_add(buf, count);
	u64 refused;

	if (!ret)
		return count;
	if (ret == -ERESTARTSYS)
		return ret;
	refused = atomic64_inc_return(&refused_writes);
	if (ret == -ENOSPC && __ratelimit(&full_notice))
		pr_warn("pot full: %llu writes refused so far\n", refused);
	return ret;
}

static long fortune_ioctl_stats(void __user *arg)
{
	struct fortune_stats stats;

	if (mutex_lock_interruptible(&pot_lock))
		return -ERESTARTSYS;
	stats = counters;
	stats.added = pot.added;
	stats.refused = atomic64_read(&refused_writes);
	stats.capacity = pot.size;
	stats.used = pot.used;
	stats.cookies = pot_count(&pot);
	stats.largest = pot_largest(&pot);
	mutex_unlock(&pot_lock);

	return copy_to_user(arg, &stats, sizeof(stats)) ? -EFAULT : 0;
}

/*
 * FORTUNE_IOC_PEEK: copies the cookie at position @pos in seq order (0 is
 * the next one) to the caller without taking it.  The copy goes straight
 * from the pot to user memory, so peeking allocates nothing; but the lock
 * is never held across a page fault: the copy runs with faults disabled,
 * and a fault drops the lock, faults the buffer in by clearing it (it is
 * about to be overwritten anyway) and starts over, as the pot may have
 * changed meanwhile.
 */
static long fortune_ioctl_peek(struct fortune_peek __user *argp)
{
	struct fortune_peek peek;
	void __user *to;
	const char *text;
	unsigned long left;
	u32 rank, len;
	long ret;

	if (copy_from_user(&peek, argp, sizeof(peek)))
		return -EFAULT;
	to = u64_to_user_ptr(peek.buf);
	for (;;) {
		len = 0;
		ret = 0;
		if (mutex_lock_interruptible(&pot_lock))
			return -ERESTARTSYS;
		peek.cookies = pot_count(&pot);
		if (peek.pos < peek.cookies) {
			rank = pot_peek_rank(&pot, peek.pos);
			text = pot_cookie(&pot, rank, &len);
			if (peek.size < len) {
				ret = -ERANGE;
			} else {
				pagefault_disable();
				left = copy_to_user(to, text, len);
				pagefault_enable();
				if (left)
					ret = -EFAULT;
			}
		} else {
			ret = -ENOENT;
		}
		mutex_unlock(&pot_lock);
		if (ret != -EFAULT)
			break;
		if (clear_user(to, len))
			return -EFAULT;
	}

	/* Here ret is 0, -ENOENT or -ERANGE: all report the count and length. */
	peek.len = len;
	if (put_user(peek.cookies, &argp->cookies) ||
	    put_user(peek.len, &argp->len))
		return -EFAULT;
	return ret;
}

static long fortune_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	switch (cmd) {
	case FORTUNE_IOC_STATS:
		return fortune_ioctl_stats((void __user *)arg);
	case FORTUNE_IOC_PEEK:
		return fortune_ioctl_peek((void __user *)arg);
	case FORTUNE_IOC_CLEAR:
		if (!(file->f_mode & FMODE_WRITE))
			return -EBADF;
		if (mutex_lock_interruptible(&pot_lock))
			return -ERESTARTSYS;
		pot_clear(&pot);
		mutex_unlock(&pot_lock);
		return 0;
	default:
		return -ENOTTY;
	}
}

static const struct proc_ops fortune_proc_ops = {
	.proc_read_iter		= fortune_read_iter,
	.proc_write		= fortune_write,
	.proc_lseek		= fortune_lseek,
	.proc_release		= fortune_release,
	.proc_ioctl		= fortune_ioctl,
#ifdef CONFIG_COMPAT
	.proc_compat_ioctl	= compat_ptr_ioctl,
#endif
};

static int __init fortune_init(void)
{
	char *mem;

	/*
	 * Not worth draining the machine's memory to find out.  In 64 bits:
	 * a 32-bit kernel with PAE can have 4 GiB of RAM or more.
	 */
	if (pot_size > (u64)totalram_pages() << PAGE_SHIFT) {
		pr_err("pot_size=%u is more than the machine's RAM\n",
		       pot_size);
		return -ENOMEM;
	}
	mem = __vmalloc(pot_size, GFP_KERNEL | __GFP_NOWARN |
			__GFP_RETRY_MAYFAIL);
	if (!mem) {
		pr_err("cannot allocate a pot of %u bytes\n", pot_size);
		return -ENOMEM;
	}
	pot_init(&pot, mem, pot_size);

	if (!proc_create("fortune", 0644, NULL, &fortune_proc_ops))
		goto err_proc;

	pr_info("loaded: pot_size=%u order=%s evict=%c\n", pot_size,
		order_names[READ_ONCE(order)], READ_ONCE(evict) ? 'Y' : 'N');
	return 0;

err_proc:
	vfree(mem);
	return -ENOMEM;
}

static void __exit fortune_exit(void)
{
	/* Waits for callers still inside, and releases files still open. */
	remove_proc_entry("fortune", NULL);
	vfree(pot.mem);
	/* Every file was released, and with it every snapshot. */
	WARN_ON(!hash_empty(snaps));
	pr_info("unloaded: %llu cookies added, %llu served\n", pot.added,
		counters.served);
}

module_init(fortune_init);
module_exit(fortune_exit);

MODULE_DESCRIPTION("Fortune cookie pot in /proc/fortune");
MODULE_AUTHOR("The fortune.ko developers");
MODULE_LICENSE("GPL");
