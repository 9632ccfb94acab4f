/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Just enough of the kernel's API for fortune.c to compile as a user-space
 * program (tests/host/take.sh), single-threaded: every <linux/...> header
 * fortune.c includes is this one.  Locks only record that they are held
 * (lockdep_assert_held() checks it), and the test can act at each lock,
 * allocation, copy from or to user memory and signal check, to change the
 * pot between a take's rounds, fail a step, or send a signal.
 */
#ifndef FORTUNE_STUB_H
#define FORTUNE_STUB_H

#define _GNU_SOURCE
#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef unsigned long long u64;
typedef long long s64;
typedef uint32_t __u32;
typedef unsigned long long __u64;
typedef unsigned int gfp_t;

#define __user
#define __init
#define __exit
#define __maybe_unused		__attribute__((unused))
#define noinline		__attribute__((noinline))
#define likely(x)		(x)
#define unlikely(x)		(x)
#define READ_ONCE(x)		(x)
#define WRITE_ONCE(x, v)	((x) = (v))
#define smp_store_release(p, v)	(*(p) = (v))
#define smp_load_acquire(p)	(*(p))
#define WARN_ON(c)		stub_warn(!!(c), #c)

#define _IO(t, n)		(((t) << 8) | (n))
#define _IOR(t, n, s)		(_IO(t, n) | (2U << 30) | (sizeof(s) << 16))
#define _IOWR(t, n, s)		(_IO(t, n) | (3U << 30) | (sizeof(s) << 16))

#define PAGE_SIZE		4096
#define HZ			100
#define SZ_64K			0x10000
#define SZ_1G			0x40000000
#define MAX_LFS_FILESIZE	((loff_t)INT64_MAX)
#define ERESTARTSYS		512
#define MAX_ERRNO		4095

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#define min(a, b)		((a) < (b) ? (a) : (b))
#define max(a, b)		((a) > (b) ? (a) : (b))
#define min_t(t, a, b)		min((t)(a), (t)(b))
#define max_t(t, a, b)		max((t)(a), (t)(b))
#define struct_size(p, m, n)	(sizeof(*(p)) + (n) * sizeof((p)->m[0]))

static inline void *ERR_PTR(long err) { return (void *)err; }
static inline long PTR_ERR(const void *p) { return (long)p; }
static inline bool IS_ERR(const void *p)
{
	return (unsigned long)p >= (unsigned long)-MAX_ERRNO;
}
#define IS_ERR_OR_NULL(p)	(!(p) || IS_ERR(p))

/* What the test watches and steers. */
struct stub {
	int warnings;
	long live_bytes;	/* kvmalloc'd and not freed */
	long allocs;		/* kvmalloc calls so far */
	long fail_alloc;	/* the allocation of this number fails */
	long user_copies;	/* copies from or to user memory so far */
	long fail_copy_from;	/* copies of this number and after fail */
	bool signal;		/* signal_pending() */
	bool fatal;		/* fatal_signal_pending(), and signal_pending() */
	u64 random;		/* the generator's state */
	/* Called when pot_lock is taken (not from within itself). */
	void (*on_pot_lock)(void);
	bool in_hook;
};

static struct stub stub = { .fail_alloc = -1, .fail_copy_from = -1,
			    .random = 88172645463325252ULL };

static inline void stub_warn(int cond, const char *what)
{
	if (cond) {
		fprintf(stderr, "WARN_ON(%s)\n", what);
		stub.warnings++;
	}
}

#define pr_err(...)		((void)0)
#define pr_warn(fmt, ...)	((void)(0 && printf(fmt, ##__VA_ARGS__)))
#define pr_info(...)		((void)0)
#define scnprintf		snprintf

/* Locks: held or not, nothing more. */
struct mutex {
	bool held;
};

typedef struct {
	bool held;
} spinlock_t;

#define DEFINE_MUTEX(name)	struct mutex name = { false }
#define lockdep_assert_held(l)	assert((l)->held)

static struct mutex pot_lock;

static inline void mutex_lock(struct mutex *m)
{
	if (m == &pot_lock && stub.on_pot_lock && !stub.in_hook) {
		stub.in_hook = true;
		stub.on_pot_lock();
		stub.in_hook = false;
	}
	assert(!m->held);
	m->held = true;
}

static inline int mutex_lock_interruptible(struct mutex *m)
{
	if (stub.signal || stub.fatal)
		return -EINTR;
	mutex_lock(m);
	return 0;
}

static inline int mutex_lock_killable(struct mutex *m)
{
	if (stub.fatal)
		return -EINTR;
	mutex_lock(m);
	return 0;
}

static inline void mutex_unlock(struct mutex *m)
{
	assert(m->held);
	m->held = false;
}

static inline void spin_lock(spinlock_t *l)
{
	assert(!l->held);
	l->held = true;
}

static inline void spin_unlock(spinlock_t *l)
{
	assert(l->held);
	l->held = false;
}

struct task_struct;
#define current			((struct task_struct *)NULL)
static inline bool signal_pending(struct task_struct *t)
{
	(void)t;
	return stub.signal || stub.fatal;
}

static inline bool fatal_signal_pending(struct task_struct *t)
{
	(void)t;
	return stub.fatal;
}

static inline void cond_resched(void)
{
}

/* Counters. */
typedef struct {
	int refs;
} refcount_t;

static inline void refcount_set(refcount_t *r, int n) { r->refs = n; }
static inline void refcount_inc(refcount_t *r)
{
	assert(r->refs > 0);
	r->refs++;
}

static inline bool refcount_dec_and_test(refcount_t *r)
{
	assert(r->refs > 0);
	return !--r->refs;
}

typedef struct {
	s64 counter;
} atomic64_t;
#define ATOMIC64_INIT(i)	{ (i) }
static inline s64 atomic64_read(atomic64_t *a) { return a->counter; }
static inline s64 atomic64_inc_return(atomic64_t *a) { return ++a->counter; }

struct ratelimit_state {
	int unused;
};
#define RATELIMIT_MSG_ON_RELEASE		1
#define RATELIMIT_STATE_INIT_FLAGS(n, i, b, f)	{ 0 }
static inline int __ratelimit(struct ratelimit_state *r) { (void)r; return 0; }

/* Memory: every live byte counted; one allocation can be made to fail. */
#define GFP_KERNEL		1u
#define GFP_KERNEL_ACCOUNT	2u
#define __GFP_NOWARN		4u
#define __GFP_RETRY_MAYFAIL	8u

static inline void *kvmalloc(size_t size, gfp_t gfp)
{
	size_t *p;

	(void)gfp;
	if (stub.allocs++ == stub.fail_alloc)
		return NULL;
	p = malloc(sizeof(size_t) * 2 + size);
	if (!p)
		return NULL;
	p[0] = size;
	stub.live_bytes += size;
	return p + 2;
}

static inline void kvfree(const void *ptr)
{
	size_t *p = (size_t *)ptr;

	if (!p)
		return;
	stub.live_bytes -= p[-2];
	free(p - 2);
}

static inline void *__vmalloc(unsigned long size, gfp_t gfp)
{
	return kvmalloc(size, gfp);
}

#define vfree		kvfree
static inline unsigned long totalram_pages(void) { return 1UL << 20; }
#define PAGE_SHIFT	12

/* An xarray as a short list: lookups are not what this tests. */
struct xarray {
	spinlock_t xa_lock;
	unsigned long index[4096];
	void *entry[4096];
	unsigned int count;
};

#define DEFINE_XARRAY(name)	struct xarray name = { { false }, { 0 }, { 0 }, 0 }
#define xa_lock(xa)		spin_lock(&(xa)->xa_lock)
#define xa_unlock(xa)		spin_unlock(&(xa)->xa_lock)

static inline void *xa_load(struct xarray *xa, unsigned long index)
{
	unsigned int i;

	for (i = 0; i < xa->count; i++)
		if (xa->index[i] == index)
			return xa->entry[i];
	return NULL;
}

static inline int xa_insert(struct xarray *xa, unsigned long index,
			    void *entry, gfp_t gfp)
{
	(void)gfp;
	if (xa_load(xa, index))
		return -EBUSY;
	if (xa->count == 4096 || stub.allocs++ == stub.fail_alloc)
		return -ENOMEM;
	xa->index[xa->count] = index;
	xa->entry[xa->count++] = entry;
	return 0;
}

static inline void *__xa_erase(struct xarray *xa, unsigned long index)
{
	unsigned int i;
	void *old;

	assert(xa->xa_lock.held);
	for (i = 0; i < xa->count; i++) {
		if (xa->index[i] != index)
			continue;
		old = xa->entry[i];
		xa->index[i] = xa->index[--xa->count];
		xa->entry[i] = xa->entry[xa->count];
		return old;
	}
	return NULL;
}

static inline bool xa_empty(struct xarray *xa) { return !xa->count; }

/* User memory is plain memory here; copies from it can be made to fail. */
static inline bool stub_copy_fails(void)
{
	return stub.fail_copy_from >= 0 &&
	       stub.user_copies++ >= stub.fail_copy_from;
}

static inline unsigned long copy_from_user(void *to, const void *from,
					   unsigned long n)
{
	if (stub_copy_fails())
		return n;
	memcpy(to, from, n);
	return 0;
}

static inline unsigned long copy_to_user(void *to, const void *from,
					 unsigned long n)
{
	if (stub_copy_fails())
		return n;
	memcpy(to, from, n);
	return 0;
}

/* As the kernel's: the length before a NUL byte, or @n if there is none. */
static inline long strncpy_from_user(char *to, const char *from, long n)
{
	long i;

	if (stub_copy_fails())
		return -EFAULT;
	for (i = 0; i < n; i++) {
		to[i] = from[i];
		if (!from[i])
			return i;
	}
	return n;
}

#define get_user(x, p)		((x) = *(p), 0)
#define put_user(x, p)		(*(p) = (x), 0)
#define u64_to_user_ptr(x)	((void *)(uintptr_t)(x))

static inline u32 get_random_u32(void)
{
	/* xorshift64 */
	stub.random ^= stub.random << 13;
	stub.random ^= stub.random >> 7;
	stub.random ^= stub.random << 17;
	return stub.random >> 32;
}

/* Files and procfs. */
#define FMODE_READ	1u
#define FMODE_WRITE	2u

struct inode;
struct file {
	unsigned int f_mode;
	void *private_data;
};

struct kiocb {
	struct file *ki_filp;
	loff_t ki_pos;
};

struct iov_iter {
	char *buf;
	size_t count;
};

static inline size_t iov_iter_count(const struct iov_iter *i)
{
	return i->count;
}

static inline size_t copy_to_iter(const void *from, size_t n,
				  struct iov_iter *i)
{
	n = min(n, i->count);
	memcpy(i->buf, from, n);
	i->buf += n;
	i->count -= n;
	return n;
}

static inline loff_t generic_file_llseek_size(struct file *f, loff_t off,
					      int whence, loff_t max,
					      loff_t eof)
{
	(void)f;
	(void)max;
	return whence == 2 ? eof + off : off;
}

struct proc_ops {
	ssize_t (*proc_read_iter)(struct kiocb *, struct iov_iter *);
	ssize_t (*proc_write)(struct file *, const char *, size_t, loff_t *);
	loff_t (*proc_lseek)(struct file *, loff_t, int);
	int (*proc_release)(struct inode *, struct file *);
	long (*proc_ioctl)(struct file *, unsigned int, unsigned long);
};

static inline void *proc_create(const char *name, int mode, void *parent,
				const struct proc_ops *ops)
{
	(void)name, (void)mode, (void)parent, (void)ops;
	return (void *)1;
}

static inline void remove_proc_entry(const char *name, void *parent)
{
	(void)name, (void)parent;
}

/* Module parameters: only what fortune.c's own code calls. */
struct kernel_param {
	void *arg;
};

struct kernel_param_ops {
	unsigned int flags;
	int (*set)(const char *, const struct kernel_param *);
	int (*get)(char *, const struct kernel_param *);
};

#define KERNEL_PARAM_OPS_FL_NOARG	1
#define module_param_cb(n, ops, arg, perm)	\
	static const void *stub_param_##n __attribute__((unused)) = (ops)
#define MODULE_PARM_DESC(n, d)
#define MODULE_DESCRIPTION(d)
#define MODULE_AUTHOR(a)
#define MODULE_LICENSE(l)
#define module_init(f)
#define module_exit(f)

static inline int param_get_uint(char *b, const struct kernel_param *kp)
{
	return sprintf(b, "%u\n", *(unsigned int *)kp->arg);
}

static inline int param_get_bool(char *b, const struct kernel_param *kp)
{
	return sprintf(b, "%c\n", *(bool *)kp->arg ? 'Y' : 'N');
}

static inline int sysfs_match_string(const char * const *a, const char *s)
{
	int i;

	for (i = 0; i < 2; i++)
		if (!strncmp(a[i], s, strlen(a[i])))
			return i;
	return -EINVAL;
}

static inline int kstrtouint(const char *s, unsigned int base,
			     unsigned int *v)
{
	char *end;

	*v = strtoul(s, &end, base);
	return *end && *end != '\n' ? -EINVAL : 0;
}

static inline int kstrtobool(const char *s, bool *v)
{
	if (*s == 'Y' || *s == 'y' || *s == '1')
		*v = true;
	else if (*s == 'N' || *s == 'n' || *s == '0')
		*v = false;
	else
		return -EINVAL;
	return 0;
}

#endif /* FORTUNE_STUB_H */
