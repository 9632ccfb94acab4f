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
 * A write copies its cookie from user memory (to the stack, or for a big
 * one to a buffer of its own) and checks it before taking any lock, so no
 * lock is ever held across a page fault.  A file copies its cookie out into
 * a snapshot, its own for a small cookie and shared by serial for a big
 * one, so that reads of any size, pread, lseek, sendfile and splice see the
 * same bytes whatever happens to the pot meanwhile.  No copy of more than
 * COPY_CHUNK bytes holds pot_lock.
 */

#include <linux/atomic.h>
#include <linux/fs.h>
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
#include <linux/sched/signal.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/uio.h>
#include <linux/vmalloc.h>
#include <linux/xarray.h>

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

/* Serialises what readers see of the pot, its cursor and the counters. */
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
 * A cookie is named by its serial (fortune_pot.h): serials are never
 * reused, and a cookie's text does not move while it is in the pot, so a
 * copy can stop, drop the lock and go on where it was, once it has found
 * its cookie again by serial.
 *
 * A small snapshot (SNAP_SMALL_SIZE bytes in all) is the file's own: it is
 * allocated before the lock and filled under it.  A bigger one is shared by
 * every file reading the same cookie, found by serial in snaps, and sized
 * for that cookie only.  The module's memory is thus the pot, plus at most
 * SNAP_SMALL_SIZE bytes per open file (beyond procfs's own: procfs
 * allocates a pde_opener at open, which may fail with ENOMEM), plus one
 * snapshot per big cookie that open files read (or a take or peek is
 * copying), however many files read it.
 */
struct fortune_snap {
	refcount_t ref;		/* holders; a shared one drops to 0 under xa_lock */
	bool shared;		/* in snaps; set before it is published there */
	u64 serial;
	size_t len;		/* bytes of text[] the file reads */
	char text[];
};

#define SNAP_SMALL_SIZE	256
#define SNAP_SMALL	(SNAP_SMALL_SIZE - sizeof(struct fortune_snap))

/*
 * The shared snapshots, by serial (on a 32-bit kernel, its low 32 bits);
 * the xarray's own lock guards them and their last reference.
 */
static DEFINE_XARRAY(snaps);

/*
 * One copy of a big cookie into a new snapshot at a time, so that many files
 * taking (or peeking at) one big cookie at once make one copy between them.
 */
static DEFINE_MUTEX(snap_make_lock);

/* What a file that found the pot empty reads: nothing, ever. */
static struct fortune_snap nothing;

/* A copy that holds a lock, or none, moves this much between resched points. */
#define COPY_CHUNK	SZ_64K

static struct fortune_snap *snap_alloc(u64 serial, size_t len)
{
	struct fortune_snap *snap;
	size_t size = max_t(size_t, struct_size(snap, text, len),
			    SNAP_SMALL_SIZE);

	snap = kvmalloc(size, GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (snap) {
		refcount_set(&snap->ref, 1);
		snap->shared = false;
		snap->serial = serial;
		snap->len = len;
	}
	return snap;
}

/* A new reference to the shared snapshot of @serial, or NULL. */
static struct fortune_snap *snap_get_shared(u64 serial)
{
	struct fortune_snap *snap;

	xa_lock(&snaps);
	snap = xa_load(&snaps, (unsigned long)serial);
	if (snap && snap->serial == serial)
		refcount_inc(&snap->ref);	/* at 0 it would be gone */
	else
		snap = NULL;
	xa_unlock(&snaps);
	return snap;
}

/*
 * Drops a reference; the last one frees the snapshot.  A shared one's
 * count changes under the xarray's lock, so that a lookup never finds one
 * on its way out.
 */
static void snap_put(struct fortune_snap *snap)
{
	bool last;

	if (snap == &nothing)
		return;
	if (snap->shared) {
		xa_lock(&snaps);
		last = refcount_dec_and_test(&snap->ref);
		if (last)
			__xa_erase(&snaps, (unsigned long)snap->serial);
		xa_unlock(&snaps);
		if (!last)
			return;
	}
	kvfree(snap);
}

/*
 * Copies the cookie of @snap->serial, with a newline, into @snap, sized
 * for it, COPY_CHUNK bytes at a time under pot_lock.  Returns 0, -EAGAIN
 * if the cookie left the pot meanwhile, or -ERESTARTSYS.  Each round
 * copies a chunk, from where the last one ended, or ends the copy.  So it
 * makes progress on its own and only a fatal signal ends it: a copy that
 * any signal ended would start over at its restart, and a timer that
 * fires more often than a copy of many megabytes lasts would starve it.
 * For the same reason it waits for pot_lock, held for a chunk at most,
 * until killed.
 */
static int snap_copy(struct fortune_snap *snap)
{
	size_t done = 0, chunk;
	const char *text;
	u32 rank, len;

	while (done < snap->len - 1) {
		if (mutex_lock_killable(&pot_lock))
			return -ERESTARTSYS;
		if (!pot_find_serial(&pot, snap->serial, &rank)) {
			mutex_unlock(&pot_lock);
			return -EAGAIN;
		}
		text = pot_cookie(&pot, rank, &len);
		chunk = min_t(size_t, len - done, COPY_CHUNK);
		memcpy(snap->text + done, text + done, chunk);
		mutex_unlock(&pot_lock);
		done += chunk;
		cond_resched();
	}
	snap->text[done] = '\n';
	return 0;
}

/*
 * The shared snapshot of the big cookie of @serial and @len bytes, made if
 * nobody holds one, or NULL if the cookie left the pot.
 */
static struct fortune_snap *snap_make(u64 serial, u32 len)
{
	struct fortune_snap *snap;
	int ret;

	if (mutex_lock_interruptible(&snap_make_lock))
		return ERR_PTR(-ERESTARTSYS);
	/* Made by whoever held the lock before? */
	snap = snap_get_shared(serial);
	if (snap)
		goto out;
	snap = snap_alloc(serial, (size_t)len + 1);
	if (!snap) {
		snap = ERR_PTR(-ENOMEM);
		goto out;
	}
	ret = snap_copy(snap);
	if (!ret) {
		snap->shared = true;
		ret = xa_insert(&snaps, (unsigned long)serial, snap,
				GFP_KERNEL_ACCOUNT);
		/* Busy: a 32-bit kernel 2^32 serials on.  Keep it unshared. */
		if (ret == -EBUSY) {
			snap->shared = false;
			ret = 0;
		}
	}
	if (ret) {
		kvfree(snap);
		snap = ret == -EAGAIN ? NULL : ERR_PTR(ret);
	}
out:
	mutex_unlock(&snap_make_lock);
	return snap;
}

/* What a take carries from one round to the next. */
struct take {
	u64 serial;			/* the cookie it takes */
	u32 len;			/* and its length */
	bool drawn;			/* random order: serial was drawn */
	struct fortune_snap *small;	/* the file's own, not filled yet */
	struct fortune_snap *big;	/* the shared snapshot of serial */
};

/*
 * One round of a take, under pot_lock.  The cookie is, in seq order, the
 * next one now; in random order the one drawn before, drawn once and drawn
 * again only if it left the pot, so that every cookie is as likely,
 * whatever its size.  The take is committed (cursor, counter, the file's
 * snapshot) only here, and only with the cookie's snapshot in hand:
 * @t->small filled now, or a shared one.  Returns the file's snapshot, or
 * NULL when the shared snapshot of @t->serial must be made first.
 */
static struct fortune_snap *take_locked(struct file *file, struct take *t)
{
	bool random = READ_ONCE(order) == ORDER_RANDOM;
	struct fortune_snap *snap = file->private_data;
	u32 count = pot_count(&pot);
	const char *text;
	u32 rank, len;

	lockdep_assert_held(&pot_lock);

	if (snap)		/* another thread took for this file */
		return snap;
	if (!count) {
		/* Pairs with the acquire in fortune_take(). */
		smp_store_release(&file->private_data, &nothing);
		return &nothing;
	}
	if (!random) {
		rank = pot_next_rank(&pot);
		t->serial = pot_serial(&pot, rank);
	} else if (!t->drawn || !pot_find_serial(&pot, t->serial, &rank)) {
		rank = get_random_u32_below(count);
		t->serial = pot_serial(&pot, rank);
		t->drawn = true;
	}
	text = pot_cookie(&pot, rank, &len);
	t->len = len;
	if (len < SNAP_SMALL) {
		snap = t->small;
		t->small = NULL;
		memcpy(snap->text, text, len);
		snap->text[len] = '\n';
		snap->len = (size_t)len + 1;
		snap->serial = t->serial;
	} else if (t->big && t->big->serial == t->serial) {
		snap = t->big;
		t->big = NULL;
	} else {
		snap = snap_get_shared(t->serial);
		if (!snap)
			return NULL;
	}
	if (!random)
		pot_taken(&pot, rank);
	counters.served++;
	/* Pairs with the acquire in fortune_take(): the text is there. */
	smp_store_release(&file->private_data, snap);
	return snap;
}

/*
 * The snapshot @file reads: taken at its first read, pread, lseek, sendfile
 * or splice, not at open, so that a file only opened (or used for ioctls)
 * takes nothing.  A failure (ENOMEM, or a signal) takes nothing and moves
 * no cursor.
 *
 * A round goes again only after making the snapshot of a big cookie, and
 * then finds it unless the cookie left the pot or, in seq order, another
 * file took it meanwhile: others made progress.  A pending signal ends the
 * wait for pot_lock, but once a snapshot is made, only a fatal one does:
 * a restart would make it again, and a frequent timer would starve it.
 */
static struct fortune_snap *fortune_take(struct file *file)
{
	struct take t = { };
	struct fortune_snap *snap;
	int ret;

	/*
	 * Set once, under the lock; pairs with the release in take_locked(),
	 * so that the text is seen with the pointer.
	 */
	snap = smp_load_acquire(&file->private_data);
	if (snap)
		return snap;
	t.small = snap_alloc(0, 0);
	if (!t.small)
		return ERR_PTR(-ENOMEM);
	for (;;) {
		ret = t.big ? mutex_lock_killable(&pot_lock) :
			      mutex_lock_interruptible(&pot_lock);
		if (ret) {
			snap = ERR_PTR(-ERESTARTSYS);
			break;
		}
		snap = take_locked(file, &t);
		mutex_unlock(&pot_lock);
		if (snap)
			break;
		if (t.big)
			snap_put(t.big);
		t.big = snap_make(t.serial, t.len);
		if (IS_ERR(t.big)) {
			snap = t.big;
			t.big = NULL;
			break;
		}
		/* The cookie left the pot: draw again, unless interrupted. */
		if (!t.big && signal_pending(current)) {
			snap = ERR_PTR(-ERESTARTSYS);
			break;
		}
	}
	kvfree(t.small);
	if (t.big)
		snap_put(t.big);
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

/* A cookie of up to this many bytes is copied to the stack before the locks. */
#define WRITE_SMALL	256

/*
 * Serialises changes to the pot's room: writes and clears.  A write takes
 * it before pot_lock and may drop pot_lock while it copies a big cookie
 * into room that only writers touch.
 */
static DEFINE_MUTEX(room_lock);

/*
 * Stores the cookie of @len bytes at @text, already checked.  A big one is
 * copied into the pot without pot_lock, with resched points: the room it
 * goes to is in no cookie, and room_lock keeps other writers out of it.
 */
static int fortune_store(const char *text, u32 len)
{
	char *room;
	u32 done;
	int ret;

	/* A big cookie was copied in already: only a fatal signal ends it. */
	ret = len > WRITE_SMALL ? mutex_lock_killable(&room_lock) :
				  mutex_lock_interruptible(&room_lock);
	if (ret)
		return -ERESTARTSYS;
	mutex_lock(&pot_lock);
	if (!pot_fits(&pot, len)) {
		if (!READ_ONCE(evict)) {
			ret = -ENOSPC;
			goto out;
		}
		counters.evicted += pot_make_room(&pot, len);
	}
	room = pot_room(&pot, len);
	if (len <= COPY_CHUNK) {
		memcpy(room, text, len);
	} else {
		mutex_unlock(&pot_lock);
		for (done = 0; done < len; done += COPY_CHUNK) {
			memcpy(room + done, text + done,
			       min_t(u32, len - done, COPY_CHUNK));
			cond_resched();
		}
		mutex_lock(&pot_lock);
	}
	pot_push(&pot, len);
out:
	mutex_unlock(&pot_lock);
	mutex_unlock(&room_lock);
	return ret;
}

/*
 * Copies the @len bytes at @buf to @to, COPY_CHUNK at a time, and says
 * whether they hold a NUL byte: 0, -EINVAL (a NUL byte; every byte was
 * read), -EFAULT, or -ERESTARTSYS when a fatal signal ended it (or ended a
 * fault that userfaultfd held: the kernel retries such a fault until it is
 * served or the task is killed).
 *
 * strncpy_from_user() copies and finds a NUL byte in one pass, a word at
 * a time; after a NUL byte the rest is only read with copy_from_user(),
 * since a byte that cannot be read (EFAULT) outranks a NUL byte (EINVAL).
 * A copy in chunks has resched points, and makes progress on its own: as
 * snap_copy(), only a fatal signal ends it.
 *
 * No buffer of its own on the stack: with CONFIG_INIT_STACK_ALL_ZERO one
 * would be zeroed at every call, every small write's included.
 */
static int fortune_copy_in(char *to, const char __user *buf, size_t len)
{
	size_t done, n;
	bool nul = false;
	long copied;

	for (done = 0; done < len; done += n) {
		n = min_t(size_t, len - done, COPY_CHUNK);
		copied = nul ? 0 : strncpy_from_user(to + done, buf + done, n);
		if (copied >= 0 && copied < n) {
			nul = true;
			if (copy_from_user(to + done + copied,
					   buf + done + copied, n - copied))
				copied = -EFAULT;
		}
		if (copied < 0)
			return fatal_signal_pending(current) ? -ERESTARTSYS :
							       -EFAULT;
		if (fatal_signal_pending(current))
			return -ERESTARTSYS;
		if (len > n)
			cond_resched();
	}
	return nul ? -EINVAL : 0;
}

/*
 * As fortune_copy_in(), for a cookie there was no memory to copy: only
 * reads the @len bytes at @buf, WRITE_SMALL at a time through the stack,
 * for the error they give (EFAULT before EINVAL, as the README orders).
 */
static int fortune_check_in(const char __user *buf, size_t len)
{
	char chunk[WRITE_SMALL];
	size_t done, n;
	int ret, nul = 0;

	for (done = 0; done < len; done += n) {
		n = min_t(size_t, len - done, sizeof(chunk));
		ret = fortune_copy_in(chunk, buf + done, n);
		if (ret == -EINVAL)
			nul = ret;
		else if (ret)
			return ret;
		cond_resched();
	}
	return nul;
}

/*
 * Adds a cookie of @len bytes, too big for the stack: copied into a buffer
 * of its own first, with no lock held and page faults allowed, and checked
 * there, so that the store under the locks can neither fault nor fail half
 * way.  Without memory for the copy, the bytes are still checked first:
 * EFAULT and EINVAL come before ENOMEM.
 */
static int fortune_add_big(const char __user *buf, u32 len)
{
	char *copy;
	int ret;

	copy = kvmalloc(len, GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!copy)
		return fortune_check_in(buf, len) ?: -ENOMEM;
	ret = fortune_copy_in(copy, buf, len);
	if (!ret)
		ret = fortune_store(copy, len);
	kvfree(copy);
	return ret;
}

/*
 * Adds the cookie of a write(2) of @count bytes, 1 to WRITE_SMALL, at @buf:
 * copied to the stack, then stored.  The errors and their order are
 * fortune_add()'s.
 */
static int fortune_add_small(const char __user *buf, size_t count)
{
	char small[WRITE_SMALL];
	size_t len;
	char last;
	int ret;

	ret = fortune_copy_in(small, buf, count);
	if (ret == -ERESTARTSYS)
		return ret;
	if (ret == -EFAULT) {
		/* Which error: the README's order needs the last byte first. */
		if (get_user(last, buf + count - 1))
			return -EFAULT;
		return count - (last == '\n') > pot_max_len(&pot) ? -EFBIG :
								       -EFAULT;
	}
	/* Here every byte was read, NUL bytes or not. */
	len = count - (small[count - 1] == '\n');
	if (len > pot_max_len(&pot))
		return -EFBIG;
	if (ret)
		return ret;
	if (!len)
		return -EINVAL;
	return fortune_store(small, len);
}

/*
 * Adds the cookie that one write(2) of @count bytes at @buf holds.  When
 * several errors apply, the first of these wins: EINVAL for a count of 0,
 * EFBIG (decided on the count and on whether the last byte, which must be
 * readable, is a newline), EFAULT (a byte that cannot be read), EINVAL (a
 * NUL byte, or nothing but a newline), and only then what depends on the
 * pot: ENOSPC, or ENOMEM.
 *
 * The stack buffer of a small cookie is fortune_add_small()'s: a write
 * refused here, or a big one, does not zero it (CONFIG_INIT_STACK_ALL_ZERO).
 */
static int fortune_add(const char __user *buf, size_t count)
{
	size_t len;
	char last;

	if (!count)
		return -EINVAL;
	/* Decided before reading: a count of gigabytes is refused at once. */
	if (count - 1 > pot_max_len(&pot))
		return -EFBIG;
	if (count <= WRITE_SMALL)
		return fortune_add_small(buf, count);
	if (get_user(last, buf + count - 1))
		return -EFAULT;
	len = count - (last == '\n');
	if (len > pot_max_len(&pot))
		return -EFBIG;
	return fortune_add_big(buf, len);
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
 * One round of a PEEK, under pot_lock: finds the cookie at @peek->pos and
 * either copies it to @small (0), or, when it is big, names it by @serial
 * (1) for a shared snapshot, which *@snap is if one exists; else -ENOENT or
 * -ERANGE.  Sets @peek->cookies and @peek->len.
 */
static int peek_locked(struct fortune_peek *peek, char *small, u64 *serial,
		       struct fortune_snap **snap)
{
	const char *text;
	u32 rank, len;

	lockdep_assert_held(&pot_lock);

	peek->len = 0;
	peek->cookies = pot_count(&pot);
	if (peek->pos >= peek->cookies)
		return -ENOENT;
	rank = pot_peek_rank(&pot, peek->pos);
	text = pot_cookie(&pot, rank, &len);
	peek->len = len;
	if (peek->size < len)
		return -ERANGE;
	if (len <= WRITE_SMALL) {
		memcpy(small, text, len);
		return 0;
	}
	*serial = pot_serial(&pot, rank);
	*snap = snap_get_shared(*serial);
	return 1;
}

/*
 * FORTUNE_IOC_PEEK: copies the cookie at position @pos in seq order (0 is
 * the next one) to the caller without taking it.  The copy to the caller
 * holds no lock and may fault: a small cookie goes through the stack, a
 * big one through its shared snapshot, made as a take makes it.  The
 * caller's buffer is written only once the whole cookie is in hand, so a
 * PEEK that fails before that (ENOENT, ERANGE, ENOMEM, a signal) leaves it
 * as it was.  A round goes again only when the cookie left the pot while
 * its snapshot was made; a pending signal ends it.
 */
static long fortune_ioctl_peek(struct fortune_peek __user *argp)
{
	struct fortune_snap *snap = NULL;
	struct fortune_peek peek;
	char small[WRITE_SMALL];
	u64 serial = 0;
	long ret;

	if (copy_from_user(&peek, argp, sizeof(peek)))
		return -EFAULT;
	for (;;) {
		if (mutex_lock_interruptible(&pot_lock))
			return -ERESTARTSYS;
		ret = peek_locked(&peek, small, &serial, &snap);
		mutex_unlock(&pot_lock);
		if (ret != 1 || snap)
			break;
		snap = snap_make(serial, peek.len);
		if (IS_ERR(snap))
			return PTR_ERR(snap);
		if (snap)
			break;
		if (signal_pending(current))
			return -ERESTARTSYS;
	}
	if (ret >= 0) {
		ret = 0;
		if (copy_to_user(u64_to_user_ptr(peek.buf),
				 snap ? snap->text : small, peek.len))
			ret = fatal_signal_pending(current) ? -ERESTARTSYS :
							      -EFAULT;
	}
	if (snap)
		snap_put(snap);
	if (ret && ret != -ENOENT && ret != -ERANGE)
		return ret;
	/* Here ret is 0, -ENOENT or -ERANGE: all report the count and length. */
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
		if (mutex_lock_interruptible(&room_lock))
			return -ERESTARTSYS;
		mutex_lock(&pot_lock);
		pot_clear(&pot);
		mutex_unlock(&pot_lock);
		mutex_unlock(&room_lock);
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
	WARN_ON(!xa_empty(&snaps));
	pr_info("unloaded: %llu cookies added, %llu served\n", pot.added,
		counters.served);
}

module_init(fortune_init);
module_exit(fortune_exit);

MODULE_DESCRIPTION("Fortune cookie pot in /proc/fortune");
MODULE_AUTHOR("The fortune.ko developers");
MODULE_LICENSE("GPL");
