// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/fortune, a fortune cookie pot in the kernel.
 *
 * After the fortune module of "Access the Linux kernel using the /proc
 * filesystem" (M. Tim Jones, IBM developerWorks, 2006): every write(2) to
 * /proc/fortune adds one cookie to the pot, and every open(2) for reading
 * takes the next one, which that open file then reads like a small file.
 *
 * The pot itself (fortune_pot.h) is one vmalloc'd buffer of pot_size bytes.
 * A write copies the user's bytes once, straight into the free room of the
 * pot, checking for NUL bytes as it goes, and commits them only once they
 * are known to be good; only a write that must evict cookies to fit goes
 * through a buffer of its own first.  An open copies its cookie out, so
 * that reads of any size, pread and lseek see the same bytes whatever
 * happens to the pot meanwhile.
 */

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
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "fortune.h"
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

/* Serialises the pot, its cursor and the counters in fortune_stats. */
static DEFINE_MUTEX(pot_lock);

/* The cookies; under pot_lock. */
static struct fortune_pot pot;

/* The counters of FORTUNE_IOC_STATS (the rest is read off the pot). */
static struct fortune_stats counters;

/* A full pot is worth a line in the log, but not one per refused write. */
static struct ratelimit_state full_notice =
	RATELIMIT_STATE_INIT_FLAGS(full_notice, HZ, 1, RATELIMIT_MSG_ON_RELEASE);

/* What one open file reads: its own copy of its cookie and a newline. */
struct fortune_cookie {
	size_t len;
	char text[];
};

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
	if (param_set_bool(val, kp))
		return param_refused("evict", val, "Y, N, 1, 0");
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
 * Takes the next cookie in the current order and copies it out, or returns
 * NULL for an empty pot.  The cursor moves only once the copy is made, so a
 * failed allocation takes nothing.
 */
static struct fortune_cookie *fortune_take(void)
{
	struct fortune_cookie *cookie;
	bool random = READ_ONCE(order) == ORDER_RANDOM;
	const char *text;
	u32 rank, len;

	lockdep_assert_held(&pot_lock);

	if (!pot_count(&pot))
		return NULL;
	rank = random ? get_random_u32_below(pot_count(&pot)) :
			pot_next_rank(&pot);
	text = pot_cookie(&pot, rank, &len);

	cookie = kvmalloc(struct_size(cookie, text, len + 1),
			  GFP_KERNEL_ACCOUNT);
	if (!cookie)
		return ERR_PTR(-ENOMEM);
	memcpy(cookie->text, text, len);
	cookie->text[len] = '\n';
	cookie->len = len + 1;

	if (!random)
		pot_taken(&pot, rank);
	counters.served++;
	return cookie;
}

static int fortune_open(struct inode *inode, struct file *file)
{
	struct fortune_cookie *cookie;

	/* Only an open for reading takes a cookie. */
	if (!(file->f_mode & FMODE_READ))
		return 0;

	if (mutex_lock_interruptible(&pot_lock))
		return -EINTR;
	cookie = fortune_take();
	mutex_unlock(&pot_lock);

	if (IS_ERR(cookie))
		return PTR_ERR(cookie);
	file->private_data = cookie;
	return 0;
}

static int fortune_release(struct inode *inode, struct file *file)
{
	kvfree(file->private_data);
	return 0;
}

static ssize_t fortune_read(struct file *file, char __user *buf, size_t count,
			    loff_t *ppos)
{
	const struct fortune_cookie *cookie = file->private_data;

	if (!cookie)
		return 0;
	return simple_read_from_buffer(buf, count, ppos, cookie->text,
				       cookie->len);
}

static loff_t fortune_lseek(struct file *file, loff_t offset, int whence)
{
	const struct fortune_cookie *cookie = file->private_data;

	/* As in a regular file, one may seek past the end and read 0 there. */
	return generic_file_llseek_size(file, offset, whence, MAX_LFS_FILESIZE,
					cookie ? cookie->len : 0);
}

/*
 * Copies a cookie of @len bytes from @buf to @to, stopping at a NUL byte,
 * which makes it no cookie at all.
 */
static int fortune_copy(char *to, const char __user *buf, u32 len)
{
	long copied = strncpy_from_user(to, buf, len);

	if (copied < 0)
		return -EFAULT;
	return copied < len ? -EINVAL : 0;
}

/*
 * Drops the oldest cookies until @len bytes fit, and adds the cookie.
 * Eviction is the one step a failed write could not take back, and the
 * cookie's text goes where evicted cookies were: so the cookie is first
 * copied whole into a buffer of its own, and nothing leaves the pot until
 * the copy has succeeded.
 */
static int fortune_add_evicting(const char __user *buf, u32 len)
{
	char *copy = kvmalloc(len, GFP_KERNEL_ACCOUNT);
	int ret;

	if (!copy)
		return -ENOMEM;
	ret = fortune_copy(copy, buf, len);
	if (!ret) {
		while (len > pot_largest(&pot)) {
			pot_drop_oldest(&pot);
			counters.evicted++;
		}
		memcpy(pot_room(&pot, len), copy, len);
		pot_push(&pot, len);
	}
	kvfree(copy);
	return ret;
}

/* Adds the cookie that one write(2) of @count bytes at @buf holds. */
static int fortune_add(const char __user *buf, size_t count)
{
	size_t len = count;
	char last;
	int ret;

	lockdep_assert_held(&pot_lock);

	if (!count)
		return -EINVAL;
	/* Decided before reading: a count of gigabytes is refused at once. */
	if (count - 1 > pot_max_len(&pot))
		return -EFBIG;
	if (get_user(last, buf + count - 1))
		return -EFAULT;
	if (last == '\n')
		len--;
	if (!len)
		return -EINVAL;
	if (len > pot_max_len(&pot))
		return -EFBIG;

	if (len > pot_largest(&pot))
		return READ_ONCE(evict) ? fortune_add_evicting(buf, len) :
					  -ENOSPC;

	/* Copied once, into free room: nothing is stored until pot_push(). */
	ret = fortune_copy(pot_room(&pot, len), buf, len);
	if (!ret)
		pot_push(&pot, len);
	return ret;
}

static ssize_t fortune_write(struct file *file, const char __user *buf,
			     size_t count, loff_t *ppos)
{
	int ret;

	if (mutex_lock_interruptible(&pot_lock))
		return -EINTR;
	ret = fortune_add(buf, count);
	if (!ret) {
		counters.added++;
	} else {
		counters.refused++;
		if (ret == -ENOSPC && __ratelimit(&full_notice))
			pr_warn("pot full: %llu writes refused so far\n",
				counters.refused);
	}
	mutex_unlock(&pot_lock);

	return ret ? ret : count;
}

static long fortune_ioctl_stats(void __user *arg)
{
	struct fortune_stats stats;

	if (mutex_lock_interruptible(&pot_lock))
		return -EINTR;
	stats = counters;
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
			/* Counted from the cursor, round the pot. */
			rank = (pot_next_rank(&pot) + peek.pos) % peek.cookies;
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
			return -EINTR;
		pot_clear(&pot);
		mutex_unlock(&pot_lock);
		return 0;
	default:
		return -ENOTTY;
	}
}

static const struct proc_ops fortune_proc_ops = {
	.proc_open		= fortune_open,
	.proc_read		= fortune_read,
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

	/* Not worth draining the machine's memory to find out. */
	if (pot_size > totalram_pages() << PAGE_SHIFT)
		return -ENOMEM;
	mem = __vmalloc(pot_size, GFP_KERNEL | __GFP_NOWARN |
			__GFP_RETRY_MAYFAIL);
	if (!mem)
		return -ENOMEM;
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
	pr_info("unloaded: %llu cookies added, %llu served\n", counters.added,
		counters.served);
}

module_init(fortune_init);
module_exit(fortune_exit);

MODULE_DESCRIPTION("Fortune cookie pot in /proc/fortune");
MODULE_AUTHOR("The fortune.ko developers");
MODULE_LICENSE("GPL");
