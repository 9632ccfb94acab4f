/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The cookie pot: where cookies live and in what order.
 *
 * This is the pot's own logic, apart from procfs, user memory and locking,
 * so that KUnit can test it on its own (fortune_kunit.c).  The caller
 * serialises every call.
 *
 * The pot is one buffer of @size bytes and needs no memory beyond it.  The
 * text of each cookie is stacked from the bottom of the buffer upwards; for
 * each cookie an 8-byte slot, holding where its text starts and its length,
 * is stacked from the top downwards.  The slots form an array in the order
 * the cookies were added, so the n-th oldest cookie is found in O(1), which
 * is what random order needs.  A cookie thus uses its length plus
 * FORTUNE_COOKIE_OVERHEAD bytes, and as long as nothing has been evicted the
 * two stacks grow towards each other until they meet: a cookie fits exactly
 * when used + len + FORTUNE_COOKIE_OVERHEAD <= size.
 *
 * Eviction drops the oldest cookie, which frees text at the bottom and a
 * slot at the top, out of reach of the gap in the middle.  The pot then works
 * like a bip-buffer: once the middle gap is too small, a newer generation of
 * cookies starts again at both ends of the buffer, in the room the evicted
 * cookies left, while the older generation drains.  When the older
 * generation is empty, the newer one takes its place.  A cookie's text is
 * never split, so after evictions the room in use can be fragmented and
 * pot_largest() may be less than size - used - FORTUNE_COOKIE_OVERHEAD.
 * A write of len bytes that drops the oldest cookie until pot_largest() is
 * at least len drops a cookie only while the texts it dropped add up to
 * less than 2 * len: only dropped texts make room for a text that the
 * middle gap cannot take, and the older generation may drain just short of
 * len before the newer one must free len more.  proofs/ proves this, and
 * that every offset below stays inside the buffer, with CBMC.
 *
 *   0                                                       size
 *   | newer | free | older | middle gap | older | free | newer |
 *   | text  |      | text  |            | slots |      | slots |
 *                  ^ start of          ^ old_end      ^ old_top
 *                    the oldest
 */
#ifndef _FORTUNE_POT_H
#define _FORTUNE_POT_H

#include <linux/minmax.h>
#include <linux/string.h>
#include <linux/types.h>

#include "fortune.h"

#define POT_SLOT_SIZE	FORTUNE_COOKIE_OVERHEAD

/* Where one cookie's text is; stored in the pot, possibly unaligned. */
struct pot_slot {
	u32 start;
	u32 len;
};

/**
 * struct fortune_pot - the cookies and the read cursor
 * @mem:       the buffer, @size bytes
 * @size:      bytes in @mem
 * @used:      text plus overhead of every stored cookie
 * @old_top:   the older generation's slots hang down from here
 * @old_count: cookies in the older generation
 * @old_end:   end of the older generation's newest text
 * @new_count: cookies in the newer generation (0: there is none)
 * @new_end:   end of the newer generation's newest text
 * @cursor:    in seq order, the rank of the next cookie to hand out
 * @added:     cookies pushed since pot_init(): the next cookie's serial
 */
struct fortune_pot {
	char *mem;
	u32 size;
	u32 used;
	u32 old_top;
	u32 old_count;
	u32 old_end;
	u32 new_count;
	u32 new_end;
	u32 cursor;
	u64 added;
};

static inline void pot_clear(struct fortune_pot *pot)
{
	pot->used = 0;
	pot->old_top = pot->size;
	pot->old_count = 0;
	pot->old_end = 0;
	pot->new_count = 0;
	pot->new_end = 0;
	pot->cursor = 0;
}

/* Serials go on across pot_clear(): a serial names one cookie, ever. */
static inline void pot_init(struct fortune_pot *pot, char *mem, u32 size)
{
	pot->mem = mem;
	pot->size = size;
	pot->added = 0;
	pot_clear(pot);
}

static inline u32 pot_count(const struct fortune_pot *pot)
{
	return pot->old_count + pot->new_count;
}

/* The longest cookie an empty pot could hold. */
static inline u32 pot_max_len(const struct fortune_pot *pot)
{
	return pot->size - POT_SLOT_SIZE;
}

/* Offset of the slot of the cookie of @rank, 0 being the oldest. */
static inline u32 pot_slot_offset(const struct fortune_pot *pot, u32 rank)
{
	if (rank < pot->old_count)
		return pot->old_top - (rank + 1) * POT_SLOT_SIZE;
	return pot->size - (rank - pot->old_count + 1) * POT_SLOT_SIZE;
}

static inline struct pot_slot pot_slot(const struct fortune_pot *pot, u32 rank)
{
	struct pot_slot slot;

	memcpy(&slot, pot->mem + pot_slot_offset(pot, rank), sizeof(slot));
	return slot;
}

/* Free bytes between the older generation's text and its slots. */
static inline u32 pot_middle_gap(const struct fortune_pot *pot)
{
	return pot->old_top - pot->old_count * POT_SLOT_SIZE - pot->old_end;
}

/* Whether a cookie of @len bytes goes into the middle gap. */
static inline bool pot_fits_middle(const struct fortune_pot *pot, u32 len)
{
	return !pot->new_count && len + POT_SLOT_SIZE <= pot_middle_gap(pot);
}

/*
 * The longest text the newer generation can take now: it needs one more
 * slot between its own slots and the older ones, and its text must end
 * before the oldest cookie's text starts.
 */
static inline u32 pot_newer_room(const struct fortune_pot *pot)
{
	u32 slots_low = pot->size - pot->new_count * POT_SLOT_SIZE;

	if (!pot->old_count || slots_low - pot->old_top < POT_SLOT_SIZE)
		return 0;
	return pot_slot(pot, 0).start - pot->new_end;
}

/* The longest cookie that can be added now without evicting anything. */
static inline u32 pot_largest(const struct fortune_pot *pot)
{
	u32 largest = pot_newer_room(pot);

	if (!pot->new_count && pot_middle_gap(pot) > POT_SLOT_SIZE)
		largest = max(largest, pot_middle_gap(pot) - POT_SLOT_SIZE);
	return largest;
}

/*
 * Whether a cookie of @len bytes, 1 or more, can be added now without
 * evicting.  (A cookie of 0 bytes "fits" even a full pot, whose slots it
 * would overwrite: fortune.c refuses empty writes long before.)
 */
static inline bool pot_fits(const struct fortune_pot *pot, u32 len)
{
	/* The middle gap, when it fits, is the cheapest test of all. */
	return pot_fits_middle(pot, len) || len <= pot_largest(pot);
}

/*
 * Where the text of a cookie of @len bytes goes; @len must be at most
 * pot_largest().  The caller fills it in and then calls pot_push(), or
 * abandons it: nothing changes until pot_push().
 */
static inline char *pot_room(const struct fortune_pot *pot, u32 len)
{
	return pot->mem + (pot_fits_middle(pot, len) ? pot->old_end : pot->new_end);
}

/* Stores the cookie of @len bytes that the caller wrote at pot_room(). */
static inline void pot_push(struct fortune_pot *pot, u32 len)
{
	struct pot_slot slot = { .len = len };

	if (pot_fits_middle(pot, len)) {
		slot.start = pot->old_end;
		pot->old_end += len;
		pot->old_count++;
	} else {
		slot.start = pot->new_end;
		pot->new_end += len;
		pot->new_count++;
	}
	memcpy(pot->mem + pot_slot_offset(pot, pot_count(pot) - 1), &slot,
	       sizeof(slot));
	pot->used += len + POT_SLOT_SIZE;
	pot->added++;
}

/* Drops the oldest cookie; the pot must not be empty. */
static inline void pot_drop_oldest(struct fortune_pot *pot)
{
	pot->used -= pot_slot(pot, 0).len + POT_SLOT_SIZE;
	pot->old_top -= POT_SLOT_SIZE;
	pot->old_count--;
	/* Ranks shift down by one: keep pointing at the same next cookie. */
	if (pot->cursor)
		pot->cursor--;
	if (pot->old_count)
		return;
	/* The older generation is gone; the newer one (if any) takes over. */
	pot->old_top = pot->size;
	pot->old_count = pot->new_count;
	pot->old_end = pot->new_end;
	pot->new_count = 0;
	pot->new_end = 0;
}

/*
 * Drops the oldest cookies until one of @len bytes fits, and returns how
 * many it dropped.  @len must be at most pot_max_len(), which an empty pot
 * takes.
 */
static inline u32 pot_make_room(struct fortune_pot *pot, u32 len)
{
	u32 dropped = 0;

	while (!pot_fits(pot, len)) {
		pot_drop_oldest(pot);
		dropped++;
	}
	return dropped;
}

/*
 * Serials.  The n-th cookie pushed since pot_init() has serial n - 1.
 * Cookies leave only from the oldest end (pot_drop_oldest()) or all at
 * once (pot_clear()), so the pot always holds the newest pot_count() of
 * them, and the cookie of @rank has serial added - pot_count() + @rank.
 */
static inline u64 pot_serial(const struct fortune_pot *pot, u32 rank)
{
	return pot->added - pot_count(pot) + rank;
}

/* Whether the cookie of @serial is still in the pot; if so, its @rank. */
static inline bool pot_find_serial(const struct fortune_pot *pot, u64 serial,
				   u32 *rank)
{
	u64 oldest = pot->added - pot_count(pot);

	if (serial < oldest || serial >= pot->added)
		return false;
	*rank = serial - oldest;
	return true;
}

/* The text of the cookie of @rank and its length. */
static inline const char *pot_cookie(const struct fortune_pot *pot, u32 rank,
				     u32 *len)
{
	struct pot_slot slot = pot_slot(pot, rank);

	*len = slot.len;
	return pot->mem + slot.start;
}

/* In seq order, the rank of the next cookie: after the newest, the oldest. */
static inline u32 pot_next_rank(const struct fortune_pot *pot)
{
	return pot->cursor < pot_count(pot) ? pot->cursor : 0;
}

/*
 * The rank of the cookie @pos places after the next one in seq order,
 * round the pot (FORTUNE_IOC_PEEK's position); @pos < pot_count().
 */
static inline u32 pot_peek_rank(const struct fortune_pot *pot, u32 pos)
{
	u32 next = pot_next_rank(pot);
	u32 to_end = pot_count(pot) - next;

	return pos < to_end ? next + pos : pos - to_end;
}

/* Records that the cookie of @rank was handed out in seq order. */
static inline void pot_taken(struct fortune_pot *pot, u32 rank)
{
	pot->cursor = rank + 1;
}

#ifdef POT_GHOST_CAP
/*
 * The ghost model of the pot, for the proofs (proofs/) and the KUnit tests
 * (fortune_kunit.c) only: compiled in where POT_GHOST_CAP is defined
 * before this header, never in the module.  It is what the pot must hold,
 * with none of its layout, so that both judge the pot by the same model
 * and a counterexample CBMC finds replays as a KUnit case.
 *
 * The pot only ever drops its oldest cookie or all of them, so it holds
 * the newest @count cookies pushed: serials added - count to added - 1,
 * the cookie of rank r being serial added - count + r.  For each the model
 * keeps its length (and a mark, for the caller's own use) in a ring of
 * POT_GHOST_CAP entries (a power of two) indexed by serial, which must
 * exceed the number of cookies ever stored at once.  Seq order (SPEC): the
 * next cookie is the first one added after the last one taken, else the
 * oldest; @after is the serial after the last one taken (0: none since the
 * last clear).
 */
struct pot_ghost {
	u64 added;
	u32 count;
	u64 after;
	u64 used;
#ifndef POT_GHOST_APART
	u32 lens[POT_GHOST_CAP];
	char marks[POT_GHOST_CAP];
#endif
};

/*
 * With POT_GHOST_APART (the unbounded proof, whose ring is too large for
 * CBMC to flatten as an array of fixed size), the ring is two arrays that
 * the proof allocates, for the one ghost there is.
 */
#ifdef POT_GHOST_APART
static u32 *pot_ghost_lens;
static char *pot_ghost_marks;
#define GHOST_LENS(g)	pot_ghost_lens
#define GHOST_MARKS(g)	pot_ghost_marks
#else
#define GHOST_LENS(g)	((g)->lens)
#define GHOST_MARKS(g)	((g)->marks)
#endif

static inline void ghost_init(struct pot_ghost *g)
{
	g->added = 0;
	g->count = 0;
	g->after = 0;
	g->used = 0;
}

static inline u64 ghost_oldest(const struct pot_ghost *g)
{
	return g->added - g->count;
}

static inline u32 ghost_len(const struct pot_ghost *g, u32 rank)
{
	return GHOST_LENS(g)[(ghost_oldest(g) + rank) % POT_GHOST_CAP];
}

static inline char ghost_mark(const struct pot_ghost *g, u32 rank)
{
	return GHOST_MARKS(g)[(ghost_oldest(g) + rank) % POT_GHOST_CAP];
}

static inline void ghost_push(struct pot_ghost *g, u32 len, char mark)
{
	GHOST_LENS(g)[g->added % POT_GHOST_CAP] = len;
	GHOST_MARKS(g)[g->added % POT_GHOST_CAP] = mark;
	g->added++;
	g->count++;
	g->used += (u64)len + POT_SLOT_SIZE;
}

/* Drops the oldest cookie and returns its length. */
static inline u32 ghost_drop_oldest(struct pot_ghost *g)
{
	u32 len = ghost_len(g, 0);

	g->count--;
	g->used -= (u64)len + POT_SLOT_SIZE;
	return len;
}

static inline void ghost_clear(struct pot_ghost *g)
{
	g->count = 0;
	g->after = 0;
	g->used = 0;
}

static inline u32 ghost_next_rank(const struct pot_ghost *g)
{
	u64 next = g->after > ghost_oldest(g) ? g->after : ghost_oldest(g);

	return next < g->added ? next - ghost_oldest(g) : 0;
}

static inline void ghost_taken(struct pot_ghost *g, u32 rank)
{
	g->after = ghost_oldest(g) + rank + 1;
}

/* PEEK: the cookie @pos places after the next one, round the pot. */
static inline u32 ghost_peek_rank(const struct pot_ghost *g, u32 pos)
{
	return (ghost_next_rank(g) + pos) % g->count;
}
#endif /* POT_GHOST_CAP */

#endif /* _FORTUNE_POT_H */
