/* fills.c: the P&L tracker and trade counter: fills deduplicated by id, voids reversed. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine_int.h"
#include "util/xalloc.h"

static uint64_t mix(uint64_t x)
{
	x ^= x >> 31;
	x *= 0x7fb5d329728ea185ULL;
	x ^= x >> 27;
	x *= 0x81dadef4bc2dd44dULL;
	x ^= x >> 33;
	return x;
}

static struct fill_slot *fill_find(struct engine *e, int64_t id)
{
	if (e->fills_cap == 0)
		return NULL;
	size_t m = e->fills_cap - 1, i = mix((uint64_t)id) & m;

	while (e->fills[i].account_id != 0) {
		if (e->fills[i].f.id == id)
			return &e->fills[i];
		i = (i + 1) & m;
	}
	return NULL;
}

static void fill_insert_raw(struct fill_slot *tab, size_t cap, const struct fill_slot *s)
{
	size_t m = cap - 1, i = mix((uint64_t)s->f.id) & m;

	while (tab[i].account_id != 0)
		i = (i + 1) & m;
	tab[i] = *s;
}

static void fills_rehash(struct engine *e, size_t cap)
{
	struct fill_slot *tab = xcalloc(cap, sizeof(*tab));

	for (size_t i = 0; i < e->fills_cap; i++)
		if (e->fills[i].account_id != 0)
			fill_insert_raw(tab, cap, &e->fills[i]);
	free(e->fills);
	e->fills = tab;
	e->fills_cap = cap;
}

static struct fill_slot *fill_insert(struct engine *e, int64_t account_id, const struct fill_rec *f)
{
	struct fill_slot s = {.account_id = account_id, .f = *f};

	if ((e->n_fills + 1) * 2 > e->fills_cap)
		fills_rehash(e, e->fills_cap ? e->fills_cap * 2 : 1024);
	fill_insert_raw(e->fills, e->fills_cap, &s);
	e->n_fills++;
	return fill_find(e, f->id);
}

/* ---- trade counter: fill times of the last hour, ascending ---- */

#define HOUR_MS 3600000

static void tc_prune(struct trade_counter *tc, srm_ms now)
{
	size_t k = 0;

	while (k < tc->n && tc->t[k] <= now - HOUR_MS)
		k++;
	if (k > 0) {
		memmove(tc->t, tc->t + k, (tc->n - k) * sizeof(tc->t[0]));
		tc->n -= k;
	}
}

static void tc_add(struct trade_counter *tc, srm_ms at, srm_ms now)
{
	tc->session++;
	tc_prune(tc, now);
	if (at <= now - HOUR_MS)
		return;
	if (tc->n == TC_CAP) { /* over TC_CAP fills an hour: forget the oldest */
		memmove(tc->t, tc->t + 1, (tc->n - 1) * sizeof(tc->t[0]));
		tc->n--;
	}
	if (tc->n == tc->cap) {
		tc->cap = tc->cap ? tc->cap * 2 : 16;
		if (tc->cap > TC_CAP)
			tc->cap = TC_CAP;
		tc->t = xreallocarray(tc->t, tc->cap, sizeof(tc->t[0]));
	}
	size_t i = tc->n;

	while (i > 0 && tc->t[i - 1] > at) {
		tc->t[i] = tc->t[i - 1];
		i--;
	}
	tc->t[i] = at;
	tc->n++;
}

static void tc_remove(struct trade_counter *tc, srm_ms at)
{
	if (tc->session > 0)
		tc->session--;
	for (size_t i = tc->n; i-- > 0;) {
		if (tc->t[i] == at) {
			memmove(tc->t + i, tc->t + i + 1, (tc->n - i - 1) * sizeof(tc->t[0]));
			tc->n--;
			return;
		}
	}
}

void tc_clear(struct trade_counter *tc)
{
	tc->n = 0;
	tc->session = 0;
}

/* Fills of the window ending now; a fill stamped a little ahead (the gateway's clock) counts. */
int acct_trades_within(const struct acct *a, srm_ms now, srm_ms window_ms)
{
	const struct trade_counter *tc = &a->tc;
	int n = 0;

	for (size_t i = tc->n; i-- > 0;) {
		if (tc->t[i] <= now - window_ms)
			break;
		if (tc->t[i] <= now + SRM_CLOCK_SKEW_MS)
			n++;
	}
	return n;
}

int fills_day(const struct engine *e, const struct acct *a, srm_ms at)
{
	srm_ms start = a->reset_at > e->last_reset ? a->reset_at : e->last_reset;

	if (at < start)
		return -1;
	return at < e->next_reset ? 0 : 1;
}

static void add_fill(struct engine *e, struct acct *a, const struct fill_rec *f)
{
	a->realized = money_add(a->realized, f->pnl);
	a->fees = money_add(a->fees, f->fees);
	if (!f->srm)
		tc_add(&a->tc, f->at, e->now);
}

/* Count a new fill: P&L always; the trade counter only for the trader's own fills. */
static bool count_fill(struct engine *e, struct acct *a, const struct fill_rec *f)
{
	fill_insert(e, a->id, f);
	if (f->voided) {
		e->stats.fills_voided++;
		return false;
	}
	if (fills_day(e, a, f->at) != 0)
		return false; /* another trading day's fill: remembered, not counted today */
	add_fill(e, a, f);
	return true;
}

void fills_recount(struct engine *e, struct acct *a)
{
	for (size_t i = 0; i < e->fills_cap; i++) {
		const struct fill_slot *s = &e->fills[i];

		if (s->account_id == a->id && !s->f.voided && fills_day(e, a, s->f.at) == 0)
			add_fill(e, a, &s->f);
	}
}

bool fills_apply(struct engine *e, struct acct *a, const struct px_trade *t)
{
	struct fill_slot *s = fill_find(e, t->id);

	if (s != NULL) {
		if (!t->voided || s->f.voided) {
			e->stats.fills_dup++;
			return false;
		}
		/* A counted fill is voided now: reverse it. */
		s->f.voided = true;
		e->stats.fills_voided++;
		if (fills_day(e, a, s->f.at) == 0) {
			a->realized = money_add(a->realized, -s->f.pnl);
			a->fees = money_add(a->fees, -s->f.fees);
			if (!s->f.srm)
				tc_remove(&a->tc, s->f.at);
		}
		return true;
	}
	struct fill_rec f = {
		.id = t->id,
		.at = t->created,
		.pnl = isnan(t->profit_and_loss) ? 0 : money_from_double(t->profit_and_loss),
		.fees = money_from_double(t->fees),
		.closing = !isnan(t->profit_and_loss),
		.voided = t->voided,
	};

	f.srm = !f.voided && closes_fill(e, a, t);
	if (!count_fill(e, a, &f))
		return false;
	market_fill_print(e, t->contract_id, t->price, t->created);
	if (f.closing)
		book_fill_closed(e, a, t->contract_id, t->size);
	return true;
}

bool fills_restore(struct engine *e, struct acct *a, const struct fill_rec *f)
{
	if (fill_find(e, f->id) != NULL) {
		e->stats.fills_dup++;
		return false;
	}
	return count_fill(e, a, f);
}

/* At the reset: forget fills of earlier days (their times exclude them from now on anyway). */
void fills_reset(struct engine *e)
{
	size_t cap = e->fills_cap;
	struct fill_slot *old = e->fills;

	if (cap == 0)
		return;
	e->fills = xcalloc(cap, sizeof(*e->fills));
	e->n_fills = 0;
	for (size_t i = 0; i < cap; i++)
		if (old[i].account_id != 0 && old[i].f.at >= e->last_reset) {
			fill_insert_raw(e->fills, cap, &old[i]);
			e->n_fills++;
		}
	free(old);
}

const struct fill_rec *engine_fill(const struct engine *e, int64_t fill_id)
{
	const struct fill_slot *s = fill_find((struct engine *)e, fill_id);

	return s != NULL ? &s->f : NULL;
}

const struct fill_rec *engine_fill_next(const struct engine *e, int64_t account_id, size_t *i)
{
	for (; *i < e->fills_cap; (*i)++) {
		const struct fill_slot *s = &e->fills[*i];

		if (s->account_id != 0 && (account_id == 0 || s->account_id == account_id)) {
			(*i)++;
			return &s->f;
		}
	}
	return NULL;
}
