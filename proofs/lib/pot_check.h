/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The pot's representation invariant, the properties every state must
 * have, and the operations as fortune.c makes them, for the CBMC harnesses
 * (pot_model.h: bounded runs from an empty pot; pot_step.h: the inductive
 * step from any state that satisfies the invariant).
 *
 * The invariant (pot_inv()) ties the pot's fields and slots to the ghost
 * sequence (fortune_pot.h), for n = pot_count() cookies of ranks 0 .. n - 1:
 *
 *   - n = old_count + new_count, and new_count = 0 when old_count = 0;
 *     used = the texts' lengths + 8 n, added = the ghost's serial count;
 *   - an empty pot is reset: old_top = size, old_end = new_end = 0;
 *   - the older generation's slots hang down from old_top, the newer's from
 *     size, above old_top: 8 old_count <= old_top and
 *     8 new_count <= size - old_top; its texts are contiguous, each
 *     starting where the previous one ends, the newest ending at old_end,
 *     with old_end <= old_top - 8 old_count (the middle gap);
 *   - the newer generation's texts are contiguous from 0 to new_end, and
 *     new_end <= the oldest cookie's start (new_end = 0 when it is empty);
 *   - every slot holds the ghost's length for its rank;
 *   - the cursor is the seq position: cursor = after - oldest serial,
 *     or 0 when no cookie after the last one taken is older than that.
 *
 * Each clause is a PROP(): assumed on the harness's starting state of
 * pot_step.h, asserted after every operation.  Beside it, pot_check()
 * asserts what a reader of the pot relies on, stated without the layout:
 * every text and slot lies in the buffer, none overlaps another, every
 * cookie reads back with its length and bytes, and the fit test, the
 * largest length, serials and PEEK's ranks agree with the ghost.
 *
 * Probes: PROBE(cond, what) is an assertion that cond never holds, named
 * "probe: what"; the state must be reachable, so CBMC must find it false.
 * tests/host/prove.sh fails a harness whose probe holds (a state that
 * became unreachable: the proof would be vacuous there).
 */
#ifndef _PROOF_POT_CHECK_H
#define _PROOF_POT_CHECK_H

#include <assert.h>
#include <stdlib.h>

u32 nondet_u32(void);
u64 nondet_u64(void);
char nondet_char(void);

/*
 * PROBEn: a probe of a state that n operations from an empty pot reach at
 * the fewest; compiled in only where the harness reaches that deep
 * (POT_PROBE_OPS >= n), and not at all with POT_PROBES 0
 * (tests/host/prove-mutants.sh).  The preprocessor leaves it out, so that
 * an unreachable probe is never even reported.
 */
#define PROBE(cond, what)	__CPROVER_assert(!(cond), "probe: " what)
#define NO_PROBE(cond, what)	do { } while (0)
#if POT_PROBES && POT_PROBE_OPS >= 2
#define PROBE2	PROBE
#else
#define PROBE2	NO_PROBE
#endif
#if POT_PROBES && POT_PROBE_OPS >= 3
#define PROBE3	PROBE
#else
#define PROBE3	NO_PROBE
#endif
#if POT_PROBES && POT_PROBE_OPS >= 4
#define PROBE4	PROBE
#else
#define PROBE4	NO_PROBE
#endif
#if POT_PROBES && POT_PROBE_OPS >= 5
#define PROBE5	PROBE
#else
#define PROBE5	NO_PROBE
#endif
#if POT_PROBES && POT_PROBE_OPS >= 6
#define PROBE6	PROBE
#else
#define PROBE6	NO_PROBE
#endif

/* Assumed (harness start) or asserted (after an operation). */
static int pot_assuming;

#define PROP(cond, what)						\
	do {								\
		if (pot_assuming)					\
			__CPROVER_assume(cond);				\
		else							\
			__CPROVER_assert(cond, "invariant: " what);	\
	} while (0)

static struct fortune_pot pot;
static struct pot_ghost ghost;

/*
 * What a cookie's text holds: one byte at an offset CBMC picks (watch_off
 * in the cookie of serial watch_serial), with the value watch_val.  Every
 * operation must leave it, so every byte of every cookie is covered.
 */
static u64 watch_serial;
static u32 watch_off;
static char watch_val;
static int watching;

/*
 * Where the last write put its text: its offset in the pot, from the
 * pointer pot_room() gave.  The lemmas of a write's step (watch_kept() in
 * pot_step.h) start from it, not from the fields the push changed.
 */
static u32 write_room;

/*
 * What a run did, for scripts/cbmc-replay.sh: a counterexample's trace
 * shows these, which become a line of fortune_kunit.c's replays[].  A
 * bounded run makes fewer than POT_REPLAY_OPS operations.
 */
#define POT_REPLAY_OPS	16
static u32 replay_size;
static struct {
	u32 op;
	u32 len;
} replay_ops[POT_REPLAY_OPS];
static u32 replay_n;

/* The clauses on the pot's fields alone. */
static void pot_inv_fields(void)
{
	u32 n;
	u64 oldest = ghost_oldest(&ghost);

	PROP(pot.size >= POT_MIN_SIZE && pot.size <= POT_MAX_SIZE, "size");
	PROP(pot.old_count <= ghost.count &&
	     pot.new_count == ghost.count - pot.old_count, "count");
	n = pot_count(&pot);
	PROP(pot.old_count || !pot.new_count, "no newer without older");
	PROP(pot.used == ghost.used, "used");
	PROP(pot.added == ghost.added, "added");
	PROP(n || (pot.old_top == pot.size && !pot.old_end && !pot.new_end),
	     "empty is reset");
	PROP(pot.old_top <= pot.size, "old_top");
	PROP((u64)pot.old_count * POT_SLOT_SIZE <= pot.old_top, "old slots");
	PROP((u64)pot.new_count * POT_SLOT_SIZE <= pot.size - pot.old_top,
	     "newer slots");
	PROP(pot.old_end <= pot.old_top - pot.old_count * POT_SLOT_SIZE,
	     "middle gap");
	PROP(pot.new_count || !pot.new_end, "no newer text");
	PROP(ghost.after <= ghost.added, "after");
	PROP(pot.cursor == (ghost.after > oldest ? ghost.after - oldest : 0),
	     "cursor");
}

/*
 * The clauses on the cookie of rank @r, if it is stored: its slot, and
 * where its text is against the previous cookie's of its generation and
 * the generation's ends.
 */
static void pot_inv_rank(u32 r)
{
	struct pot_slot slot, prev;
	u64 end;

	if (r >= pot_count(&pot))
		return;
	slot = pot_slot(&pot, r);
	end = (u64)slot.start + slot.len;
	PROP(slot.len == ghost_len(&ghost, r), "slot length");
	PROP(end <= pot.size, "text in pot");
	if (r == pot.old_count)
		PROP(slot.start == 0, "newer at 0");
	if (r && r != pot.old_count) {
		prev = pot_slot(&pot, r - 1);
		PROP(slot.start == (u64)prev.start + prev.len,
		     "contiguous texts");
	}
	if (r + 1 == pot.old_count)
		PROP(end == pot.old_end, "old_end");
	if (r + 1 == pot_count(&pot) && pot.new_count)
		PROP(end == pot.new_end, "new_end");
}

/*
 * The representation invariant: the fields, then every stored cookie
 * (at most POT_GHOST_CAP: the bounded harnesses store fewer), then where
 * the newer generation's texts end.
 */
static void pot_inv(void)
{
	u32 r;

	pot_inv_fields();
	for (r = 0; r < pot_count(&pot) && r < POT_GHOST_CAP; r++)
		pot_inv_rank(r);
	if (pot.new_count)
		PROP(pot.new_end <= pot_slot(&pot, 0).start,
		     "newer below the oldest");
}

/* [a, a + alen) and [b, b + blen) do not overlap. */
static int disjoint(u64 a, u64 alen, u64 b, u64 blen)
{
	return a + alen <= b || b + blen <= a;
}

/* Where the cookie of @rank is, checked against the ghost. */
static u32 check_cookie(u32 rank)
{
	u32 len, start, slot = pot_slot_offset(&pot, rank);
	const char *text = pot_cookie(&pot, rank, &len);

	start = (u32)(text - pot.mem);
	assert(text >= pot.mem);
	assert(len == ghost_len(&ghost, rank));
	assert(start <= pot.size && len <= pot.size - start);
	assert(slot <= pot.size - POT_SLOT_SIZE);
	/* A text never overlaps a slot, its own included. */
	assert(disjoint(start, len, slot, POT_SLOT_SIZE));
	assert(pot_serial(&pot, rank) == ghost_oldest(&ghost) + rank);
	if (watching == 2 && watch_serial == ghost_oldest(&ghost) + rank)
		assert(text[watch_off] == watch_val);
	return start;
}

/*
 * The watched byte, if its cookie is still stored, read where the module
 * finds that cookie now.
 */
static void check_watched(void)
{
	u64 oldest = ghost_oldest(&ghost);
	const char *text;
	u32 len;

	if (watching != 2 || watch_serial < oldest ||
	    watch_serial >= ghost.added)
		return;
	text = pot_cookie(&pot, watch_serial - oldest, &len);
	assert(text[watch_off] == watch_val);
}

/*
 * What must hold of every state, for readers of the pot, with @a and @b
 * two ranks: pot_check() passes nondeterministic ones, so each assertion
 * about them holds for every cookie and every pair of distinct cookies.
 */
static void pot_check_ranks(u32 a, u32 b)
{
	u32 n = pot_count(&pot);
	u32 largest = pot_largest(&pot);
	u32 pos, rank, start_a, start_b, len_a;
	u64 serial;

	assert(n == ghost.count);
	assert(pot.used <= pot.size);
	assert(largest <= pot_max_len(&pot));
	/* Maximal: one byte more does not fit. */
	assert(largest == pot_max_len(&pot) || !pot_fits(&pot, largest + 1));
	if (!n)
		assert(largest == pot_max_len(&pot));
	/*
	 * By the layout, a new text goes either above the older generation's
	 * newest (no newer generation; its slot below the older slots), or
	 * above the newer generation's newest and below the oldest text (a
	 * slot free above old_top).  pot_largest() fits one of them, and one
	 * byte more fits neither.
	 */
	if (n) {
		u64 gap = pot.old_top - (u64)pot.old_count * POT_SLOT_SIZE;
		u64 slots_free = pot.size - (u64)pot.new_count * POT_SLOT_SIZE -
				 pot.old_top;
		u64 below = pot_slot(&pot, 0).start;

		assert(!largest ||
		       (!pot.new_count &&
			pot.old_end + (u64)largest + POT_SLOT_SIZE <= gap) ||
		       (slots_free >= POT_SLOT_SIZE &&
			pot.new_end + (u64)largest <= below));
		assert(pot.new_count ||
		       pot.old_end + (u64)largest + 1 + POT_SLOT_SIZE > gap);
		assert(slots_free < POT_SLOT_SIZE ||
		       pot.new_end + (u64)largest + 1 > below);
	}
	assert(pot_next_rank(&pot) == ghost_next_rank(&ghost));

	/* Serials: only the stored ones are found, at their rank. */
	serial = nondet_u64();
	rank = nondet_u32();
	if (pot_find_serial(&pot, serial, &rank)) {
		assert(serial >= ghost_oldest(&ghost) && serial < ghost.added);
		assert(rank == serial - ghost_oldest(&ghost));
	} else {
		assert(serial < ghost_oldest(&ghost) || serial >= ghost.added);
	}
	if (!n)
		return;

	/* PEEK's position, round the pot from the next cookie. */
	pos = nondet_u32();
	__CPROVER_assume(pos < n);
	assert(pot_peek_rank(&pot, pos) == ghost_peek_rank(&ghost, pos));

	__CPROVER_assume(a < n);
	start_a = check_cookie(a);
	len_a = ghost_len(&ghost, a);
	__CPROVER_assume(b < n && b != a);
	start_b = check_cookie(b);
	assert(disjoint(pot_slot_offset(&pot, a), POT_SLOT_SIZE,
			pot_slot_offset(&pot, b), POT_SLOT_SIZE));
	assert(disjoint(start_a, len_a, start_b, ghost_len(&ghost, b)));
	assert(disjoint(start_a, len_a, pot_slot_offset(&pot, b),
			POT_SLOT_SIZE));
}

static void pot_check(void)
{
	pot_check_ranks(nondet_u32(), nondet_u32());
}

/* Before an operation: what a drop from this state reaches. */
static void probe_drop(const struct fortune_pot *p, u32 drops)
{
	PROBE4(drops >= p->old_count && p->new_count,
	      "hand-over while the newer generation holds cookies");
	PROBE5(drops && p->cursor > 1, "drop with the cursor above 1");
}

/*
 * The end of a write of @len bytes, once it fits: the caller writes the
 * text at pot_room(), pot_push() stores it.
 */
static void write_push(u32 len)
{
	char *room;
	u32 off;

	assert(pot_fits(&pot, len));
	room = pot_room(&pot, len);
	assert(room >= pot.mem && (u64)(room - pot.mem) + len <= pot.size);
	write_room = room - pot.mem;
	/*
	 * The caller writes the text: one byte, at an offset CBMC picks, of
	 * any value, unless it is the watched one; a stored byte it could
	 * reach is thus overwritten on some path.
	 */
	off = nondet_u32();
	__CPROVER_assume(off < len);
	if (watching == 1 && watch_serial == ghost.added) {
		watching = 2;
		watch_off = off;
		room[off] = watch_val;
	} else {
		room[off] = nondet_char();
	}
	pot_push(&pot, len);
	ghost_push(&ghost, len, 0);
	PROBE6(pot.old_count >= 2 && pot.new_count >= 2,
	      "two generations of two cookies or more");
}

/*
 * A write of @len bytes (1 <= len <= pot_max_len(), as fortune.c checks),
 * as fortune_store() makes it: if pot_fits() says no, pot_make_room()
 * drops the oldest cookies, then the caller writes the text at pot_room()
 * and pot_push() stores it.  Checked on the module's own loop: it drops a
 * cookie only while the texts it dropped before add up to less than
 * 2 * len (the eviction bound), and no more than needed (one drop fewer
 * does not fit).
 */
static void op_write(void)
{
	u32 len = nondet_u32(), dropped, i;
	u64 before = 0, all = 0;
	struct fortune_pot save = pot;

	__CPROVER_assume(len >= 1 && len <= pot_max_len(&pot));
	replay_ops[replay_n % POT_REPLAY_OPS].len = len;
	/* The fit test is the largest length. */
	assert(pot_fits(&pot, len) == (len <= pot_largest(&pot)));
	dropped = 0;
	if (!pot_fits(&pot, len)) {
		u32 n = ghost.count;

		PROBE2(1, "evicting write");
		dropped = pot_make_room(&pot, len);
		assert(dropped >= 1 && dropped <= n);
		probe_drop(&save, dropped);
		PROBE3(dropped >= 2, "double drop");
		for (i = 0; i < POT_GHOST_CAP && i < dropped; i++) {
			before = all;
			all += ghost_drop_oldest(&ghost);
		}
		/* The eviction bound: texts dropped before the last drop. */
		assert(before < 2 * (u64)len);
		PROBE6(before >= len, "tight eviction");
		/* The fewest drops: one fewer does not fit (drops write nothing). */
		for (i = 0; i + 1 < dropped && i < POT_GHOST_CAP; i++)
			pot_drop_oldest(&save);
		assert(!pot_fits(&save, len));
	}
	write_push(len);
}

/* A write into an empty pot: it fits, whatever its length. */
static void op_first_write(void)
{
	u32 len = nondet_u32();

	__CPROVER_assume(len >= 1 && len <= pot_max_len(&pot));
	replay_ops[replay_n % POT_REPLAY_OPS].op = 0;
	replay_ops[replay_n % POT_REPLAY_OPS].len = len;
	assert(!pot_count(&pot) && pot_fits(&pot, len));
	write_push(len);
	replay_n++;
}

static void op_drop_oldest(void)
{
	__CPROVER_assume(pot_count(&pot) > 0);
	probe_drop(&pot, 1);
	pot_drop_oldest(&pot);
	ghost_drop_oldest(&ghost);
}

static void op_clear(void)
{
	pot_clear(&pot);
	ghost_clear(&ghost);
}

/*
 * A take in seq order, as fortune.c does it; with @check, the cookie taken
 * is checked against the ghost (check_cookie()).
 */
static void take_seq(int check)
{
	u32 rank;

	__CPROVER_assume(pot_count(&pot) > 0);
	rank = pot_next_rank(&pot);
	assert(rank == ghost_next_rank(&ghost));
	if (check)
		check_cookie(rank);
	pot_taken(&pot, rank);
	ghost_taken(&ghost, rank);
}

static void op_take_seq(void)
{
	take_seq(1);
}

/*
 * Any one operation, chosen by CBMC; false: none (the run stops).  With
 * POT_ONLY_OP, only that one (an inductive step harness): the others are
 * not even compiled in, so that their probes are not reported unreached.
 */
#ifdef POT_ONLY_OP
#define POT_HAS_OP(op)	((op) == POT_ONLY_OP)
#else
#define POT_HAS_OP(op)	1
#endif

static int pot_op(void)
{
#ifdef POT_ONLY_OP
	u32 op = POT_ONLY_OP;
#else
	u32 op = nondet_u32();
#endif

	replay_ops[replay_n % POT_REPLAY_OPS].op = op;
	switch (op) {
#if POT_HAS_OP(0)
	case 0:
		op_write();
		break;
#endif
#if POT_HAS_OP(1)
	case 1:
		op_drop_oldest();
		break;
#endif
#if POT_HAS_OP(2)
	case 2:
		op_clear();
		break;
#endif
#if POT_HAS_OP(3)
	case 3:
		op_take_seq();
		break;
#endif
	default:
		return 0;
	}
	replay_n++;
	return 1;
}

/* Every property of a state: the invariant, then what readers rely on. */
static void pot_check_all(void)
{
	pot_assuming = 0;
	pot_inv();
	pot_check();
}

#endif /* _PROOF_POT_CHECK_H */
