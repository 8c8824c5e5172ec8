/*
 * closes.c: SRM's own closes in flight. The gateway says neither who sent an order nor which
 * order a close created (closeContract takes no tag and returns no id), so the engine
 * remembers, per account and contract, what it asked to close: which closing fills answer it
 * (RULE-006 must not count them as the trader's trades), and how much of the position it will
 * still remove, so that a further close asked for while the first is half filled does not
 * close the same contracts twice and flip the position.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine_int.h"
#include "util/strutil.h"
#include "util/xalloc.h"

#define CLOSE_WINDOW_MS 10000

static struct srm_close *find(struct acct *a, const char *contract_id)
{
	for (size_t i = 0; i < a->n_closes; i++)
		if (strcmp(a->closes[i].contract_id, contract_id) == 0)
			return &a->closes[i];
	return NULL;
}

/* Has the position got where the closes aimed (or gone, or turned round)? */
static bool reached(const struct acct *a, const struct srm_close *c)
{
	const struct pos *p = acct_pos(a, c->contract_id);

	if (p == NULL || p->qty == 0 || (p->qty > 0) != (c->side == PX_ASK))
		return true;
	return abs(p->qty) <= abs(c->target);
}

/* Forget closes that are seen through (fills in, and done or there) or older than the window. */
static void prune(struct engine *e, struct acct *a)
{
	for (size_t i = 0; i < a->n_closes;) {
		const struct srm_close *c = &a->closes[i];

		if (e->now - c->at > CLOSE_WINDOW_MS || (c->left <= 0 && (c->done || reached(a, c))))
			a->closes[i] = a->closes[--a->n_closes];
		else
			i++;
	}
}

int closes_covered(struct engine *e, struct acct *a, const char *contract_id)
{
	const struct srm_close *c;
	const struct pos *p;

	if (a->n_closes == 0)
		return 0;
	prune(e, a);
	c = find(a, contract_id);
	if (c == NULL || c->done || reached(a, c))
		return 0;
	p = acct_pos(a, contract_id);
	return abs(p->qty) - abs(c->target);
}

void closes_on_position(struct engine *e, struct acct *a, const char *contract_id, int prev_qty)
{
	const struct pos *p = acct_pos(a, contract_id);
	int qty = p != NULL ? p->qty : 0;
	struct srm_close *c;

	if (a->n_closes == 0)
		return;
	c = find(a, contract_id);
	/*
	 * Once there, later growth is the trader's: it is not covered by these closes. Growth
	 * before that ends them too: the trader acted, or events were missed (a hub drop) and
	 * the book was wrong about them; the next close is asked for whole, as it would be
	 * without them (stuck over a limit is worse than the rare double close this risks).
	 */
	if (c != NULL && (reached(a, c) || prev_qty == 0 || (prev_qty > 0) != (qty > 0) ||
			  abs(qty) > abs(prev_qty)))
		c->done = true;
	prune(e, a);
}

void closes_order_ended(struct engine *e, struct acct *a, const char *contract_id)
{
	struct srm_close *c;

	if (a->n_closes == 0)
		return;
	c = find(a, contract_id);
	if (c != NULL)
		c->done = true;
	prune(e, a);
}

bool closes_any(struct engine *e, struct acct *a)
{
	for (size_t i = 0; i < a->n_pos; i++)
		if (closes_covered(e, a, a->pos[i].contract_id) > 0)
			return true;
	return false;
}

static void expect(struct engine *e, struct acct *a, const struct pos *p, int size)
{
	struct srm_close *c;
	int qty = p->qty, cov, rest;

	if (qty == 0 || size <= 0)
		return;
	cov = closes_covered(e, a, p->contract_id);
	rest = abs(qty) - cov - size;
	c = find(a, p->contract_id);
	if (c == NULL) {
		if (a->n_closes == a->cap_closes) {
			a->cap_closes = a->cap_closes ? a->cap_closes * 2 : 4;
			a->closes = xreallocarray(a->closes, a->cap_closes, sizeof(*a->closes));
		}
		c = &a->closes[a->n_closes++];
		memset(c, 0, sizeof(*c));
		strlcpy_s(c->contract_id, p->contract_id, sizeof(c->contract_id));
	}
	c->side = qty > 0 ? PX_ASK : PX_BID;
	c->done = false;
	c->recheck = false;
	c->left = (c->left > 0 ? c->left : 0) + size;
	c->target = rest <= 0 ? 0 : qty > 0 ? rest : -rest;
	c->at = e->now;
}

void closes_expect(struct engine *e, const struct srm_action *x)
{
	struct acct *a;
	const struct pos *p;

	if (x->dry_run || (x->kind != ACT_CLOSE_ALL && x->kind != ACT_CLOSE_CONTRACT &&
			   x->kind != ACT_PARTIAL_CLOSE))
		return;
	a = book_acct(e, x->account_id, false);
	if (a == NULL)
		return;
	if (x->kind == ACT_CLOSE_ALL) {
		for (size_t i = 0; i < a->n_pos; i++)
			expect(e, a, &a->pos[i], abs(a->pos[i].qty));
		return;
	}
	p = acct_pos(a, x->contract_id);
	if (p != NULL)
		expect(e, a, p, x->kind == ACT_PARTIAL_CLOSE ? x->size : abs(p->qty));
}

bool closes_fill(struct engine *e, struct acct *a, const struct px_trade *t)
{
	struct srm_close *c;

	if (a->n_closes == 0 || isnan(t->profit_and_loss))
		return false;
	prune(e, a);
	c = find(a, t->contract_id);
	if (c == NULL || c->left <= 0 || c->side != t->side)
		return false;
	c->left -= t->size > 0 ? t->size : 1;
	return true;
}

bool closes_adjust(struct engine *e, struct srm_action *x)
{
	struct acct *a;
	const struct pos *p;
	int cov, want;
	size_t n;

	if (x->dry_run || (x->kind != ACT_CLOSE_CONTRACT && x->kind != ACT_PARTIAL_CLOSE))
		return true;
	a = book_acct(e, x->account_id, false);
	p = a != NULL ? acct_pos(a, x->contract_id) : NULL;
	if (p == NULL || p->qty == 0)
		return true;
	cov = closes_covered(e, a, x->contract_id);
	if (cov <= 0)
		return true;
	want = x->kind == ACT_CLOSE_CONTRACT ? abs(p->qty) : x->size;
	/* If what is in flight never lands (its events lost), the rules must look again. */
	struct srm_close *c = find(a, x->contract_id);

	if (c != NULL && !c->recheck) {
		struct ev_timer t = {.rule = TIMER_RECHECK, .account_id = a->id};

		strlcpy_s(t.contract_id, x->contract_id, sizeof(t.contract_id));
		timer_push(e, c->at + CLOSE_WINDOW_MS + 1, &t);
		c->recheck = true;
	}
	if (want <= cov)
		return false;
	x->kind = ACT_PARTIAL_CLOSE;
	x->size = want - cov;
	n = strlen(x->reason);
	snprintf(x->reason + n, sizeof(x->reason) - n, " (%d more already being closed)", cov);
	return true;
}

void closes_drop(struct acct *a, const char *contract_id)
{
	struct srm_close *c = find(a, contract_id);

	if (c != NULL)
		*c = a->closes[--a->n_closes];
}

bool engine_close_unseen(const struct engine *e, int64_t account_id, const char *contract_id)
{
	const struct acct *a = engine_acct(e, account_id);

	if (a == NULL)
		return false;
	for (size_t i = 0; i < a->n_closes; i++) {
		const struct srm_close *c = &a->closes[i];

		if (strcmp(c->contract_id, contract_id) == 0)
			return e->now - c->at <= CLOSE_WINDOW_MS && !reached(a, c);
	}
	return false;
}
