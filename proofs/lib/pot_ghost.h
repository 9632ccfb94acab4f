/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ghost model of the pot: what it must hold, with none of its layout.
 * Shared by the CBMC proofs (proofs/lib/pot_check.h) and the KUnit test
 * pot_matches_model (fortune_kunit.c), so that both judge the pot by the
 * same model, and a counterexample CBMC finds replays as a KUnit case.
 *
 * The pot only ever drops its oldest cookie or all of them, so it always
 * holds the newest @count cookies pushed: serials added - count to
 * added - 1, the cookie of rank r being serial added - count + r.  For each
 * the model keeps its length (and a mark, for the caller's own use), in a
 * ring of POT_GHOST_CAP entries indexed by serial, which must exceed the
 * number of cookies a run ever stores.
 *
 * Seq order (SPEC): the next cookie is the first one added after the last
 * one taken, else the oldest: @after is the serial just after the last one
 * taken (0 when none was taken since the last clear).
 */
#ifndef _PROOF_POT_GHOST_H
#define _PROOF_POT_GHOST_H

#ifndef POT_GHOST_CAP
#error "POT_GHOST_CAP: how many cookies the ghost can hold"
#endif

struct pot_ghost {
	u64 added;
	u32 count;
	u64 after;
	u64 used;
	u32 lens[POT_GHOST_CAP];
	char marks[POT_GHOST_CAP];
};

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
	return g->lens[(ghost_oldest(g) + rank) % POT_GHOST_CAP];
}

static inline char ghost_mark(const struct pot_ghost *g, u32 rank)
{
	return g->marks[(ghost_oldest(g) + rank) % POT_GHOST_CAP];
}

static inline void ghost_push(struct pot_ghost *g, u32 len, char mark)
{
	g->lens[g->added % POT_GHOST_CAP] = len;
	g->marks[g->added % POT_GHOST_CAP] = mark;
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
	return (u32)(((u64)ghost_next_rank(g) + pos) % g->count);
}

#endif /* _PROOF_POT_GHOST_H */
