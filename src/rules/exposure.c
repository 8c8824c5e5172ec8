/* exposure.c: the worst case of positions plus working orders (see exposure.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/exposure.h"
#include "rules/r013_max_loss_limit.h"
#include "util/strutil.h"
#include "util/xalloc.h"

static bool in_scope(const struct expo_scope *s, const char *contract_id)
{
	return s->in == NULL || s->in(s, contract_id);
}

int64_t expo_weight(const struct expo_scope *s, const char *contract_id)
{
	for (size_t i = 0; i < s->n_weights; i++)
		if (engine_symbol_matches(s->eng, contract_id, s->weights[i].symbol))
			return s->weights[i].ppm;
	return CFG_PPM;
}

int64_t expo_held(const struct acct *a, const struct expo_scope *s)
{
	int64_t net = 0, gross = 0;

	for (size_t i = 0; i < a->n_pos; i++) {
		if (!in_scope(s, a->pos[i].contract_id))
			continue;
		int64_t w = expo_weight(s, a->pos[i].contract_id);

		net += a->pos[i].qty * w;
		gross += llabs((int64_t)a->pos[i].qty) * w;
	}
	return s->gross || s->per_contract ? gross : llabs(net);
}

void expo_reduce_last_grown(struct rule_ctx *ctx, const struct expo_scope *s, int64_t excess,
			    const bool *eligible, const char *why)
{
	const struct acct *a = ctx->acct;
	uint64_t below = UINT64_MAX;

	while (excess > 0) {
		const struct pos *p = NULL;

		for (size_t i = 0; i < a->n_pos && i < RULE_MAX_POS; i++) {
			const struct pos *q = &a->pos[i];

			if (eligible[i] && q->qty != 0 && q->grew_seq < below &&
			    (p == NULL || q->grew_seq > p->grew_seq))
				p = q;
		}
		if (p == NULL)
			return;
		int64_t w = expo_weight(s, p->contract_id), q = llabs((int64_t)p->qty);

		below = p->grew_seq;
		if (q * w <= excess) {
			rule_act(ctx, ACT_CLOSE_CONTRACT, p->contract_id, "%s", why);
			excess -= q * w;
		} else {
			rule_act(ctx, ACT_PARTIAL_CLOSE, p->contract_id, "%s", why)->size =
				(int)((excess + w - 1) / w);
			excess = 0;
		}
	}
}

int expo_scaled_limit(const struct engine *e, const struct acct *a, int limit,
		      const struct cfg_scale_step *steps, size_t n_steps, bool *scaled)
{
	money_t start, day_start, profit;
	int step;

	*scaled = false;
	if (n_steps == 0)
		return limit;
	step = steps[0].limit; /* the profit unknown: the lowest step */
	if (mll_start(e, a, &start, &day_start)) {
		profit = money_add(day_start, -start);
		for (size_t i = 0; i < n_steps; i++)
			if (profit > steps[i].above)
				step = steps[i].limit;
	}
	if (step < limit) {
		*scaled = true;
		return step;
	}
	return limit;
}

static int64_t worst_of(int64_t qty, int64_t buys, int64_t sells)
{
	int64_t up = llabs(qty + buys), down = llabs(qty - sells);

	return up > down ? up : down;
}

/*
 * The scope's contracts and its counting orders, gathered once: a cancel then changes one
 * contract's buys or sells, and the worst case is arithmetic on these (no lookups).
 */
struct calc {
	const struct expo_scope *s;
	size_t nc, no;
	struct cc { const char *id; int64_t w, qty, buys, sells; } *c;   /* units */
	struct co { size_t at, ci; int64_t left; bool buy; uint64_t grew; } *o;
	struct cc small_c[32];
	struct co small_o[32];
};

static size_t contract_index(struct calc *k, const char *id)
{
	for (size_t i = 0; i < k->nc; i++)
		if (strcmp(k->c[i].id, id) == 0)
			return i;
	k->c[k->nc] = (struct cc){ .id = id, .w = expo_weight(k->s, id) };
	return k->nc++;
}

static void calc_init(struct calc *k, const struct acct *a, const struct expo_scope *s)
{
	size_t cap = a->n_pos + a->n_ord;

	k->s = s;
	k->nc = k->no = 0;
	k->c = cap <= 32 ? k->small_c : xcalloc(cap, sizeof(*k->c));
	k->o = a->n_ord <= 32 ? k->small_o : xcalloc(a->n_ord, sizeof(*k->o));
	for (size_t i = 0; i < a->n_pos; i++)
		if (in_scope(s, a->pos[i].contract_id)) {
			struct cc *c = &k->c[contract_index(k, a->pos[i].contract_id)];

			c->qty = a->pos[i].qty * c->w;
		}
	for (size_t i = 0; i < a->n_ord; i++) {
		const struct ord *o = &a->ord[i];

		if (!acct_ord_opens(a, o) || !in_scope(s, o->contract_id))
			continue;
		size_t ci = contract_index(k, o->contract_id);
		int64_t left = (int64_t)ord_remaining(o) * k->c[ci].w;

		k->o[k->no++] = (struct co){ .at = i, .ci = ci, .left = left,
					     .buy = o->side == PX_BID, .grew = o->grew_seq };
		if (o->side == PX_BID)
			k->c[ci].buys += left;
		else
			k->c[ci].sells += left;
	}
}

static void calc_free(struct calc *k)
{
	if (k->c != k->small_c)
		free(k->c);
	if (k->o != k->small_o)
		free(k->o);
}

static int64_t calc_worst(const struct calc *k)
{
	int64_t net = 0, gross = 0, buys = 0, sells = 0, sum = 0;

	for (size_t i = 0; i < k->nc; i++) {
		const struct cc *c = &k->c[i];

		if (k->s->per_contract) {
			sum += worst_of(c->qty, c->buys, c->sells);
			continue;
		}
		net += c->qty;
		gross += llabs(c->qty);
		buys += c->buys;
		sells += c->sells;
	}
	if (k->s->per_contract)
		return sum;
	return k->s->gross ? gross + buys + sells : worst_of(net, buys, sells);
}

int64_t expo_worst(const struct acct *a, const struct expo_scope *s, const bool *skip)
{
	struct calc k;
	int64_t w;

	calc_init(&k, a, s);
	for (size_t i = 0; skip != NULL && i < k.no; i++) {
		if (!skip[k.o[i].at])
			continue;
		if (k.o[i].buy)
			k.c[k.o[i].ci].buys -= k.o[i].left;
		else
			k.c[k.o[i].ci].sells -= k.o[i].left;
	}
	w = calc_worst(&k);
	calc_free(&k);
	return w;
}

/*
 * A position event that changed a contract, with a working order in it on the side of the
 * change (a buy when it went up, a sell when it went down): that order's own event (its
 * fillVolume) may simply not have come yet, and it would be counted twice (or a reducing
 * order that filled would look like one that opens). The cancel waits EXPO_SETTLE_MS (the
 * rule looks again at its timer); an excess still there then is real. Another contract's
 * orders, and an order's own event, are not waited for.
 */
#define EXPO_SETTLE_MS 300

static bool may_be_lagging(const struct rule_ctx *ctx, const struct calc *k, int64_t excess)
{
	const struct srm_event *ev = ctx->ev;

	if (ev->kind != EV_POSITION)
		return false;
	const char *cid = ev->u.position.contract_id;
	const struct pos *p = acct_pos(ctx->acct, cid);
	int64_t change = (int64_t)(p != NULL ? p->qty : 0) - ctx->prev_qty;

	if (change == 0 || excess > llabs(change) * expo_weight(k->s, cid))
		return false;
	for (size_t i = 0; i < k->no; i++) {
		const struct ord *o = &ctx->acct->ord[k->o[i].at];

		if (strcmp(o->contract_id, cid) == 0 && k->o[i].buy == (change > 0))
			return true;
	}
	return false;
}

size_t expo_cancel_excess(struct rule_ctx *ctx, const struct expo_scope *s, int64_t bound,
			  const char *what, int limit, const char *suffix,
			  const struct lockout_spec *lk, const char *symbol)
{
	char why[192], w[24];
	struct calc k;
	size_t n = 0;
	int64_t worst;

	if (ctx->acct->n_ord == 0)
		return 0; /* nothing to cancel: the positions alone are the size rule's */
	calc_init(&k, ctx->acct, s);
	worst = calc_worst(&k);
	if (worst > bound && may_be_lagging(ctx, &k, worst - bound)) {
		rule_timer(ctx, ctx->now + EXPO_SETTLE_MS, 0, ctx->ev->u.position.contract_id);
		calc_free(&k);
		return 0;
	}
	while (worst > bound) {
		struct co *best = NULL;

		for (size_t i = 0; i < k.no; i++)
			if (k.o[i].left > 0 && (best == NULL || k.o[i].grew > best->grew))
				best = &k.o[i];
		if (best == NULL)
			break; /* the positions alone: the size rule's reduce/close is for them */
		const struct ord *o = &ctx->acct->ord[best->at];

		snprintf(why, sizeof(why), "order %lld would take %s contracts to %s, over limit %d%s",
			 (long long)o->id, what, millionths_text(worst, w, sizeof(w)), limit, suffix);
		if (n == 0 && lk != NULL)
			rule_lockout(ctx, lk, symbol, false, "%s", why);
		rule_act(ctx, ACT_CANCEL_ORDER, o->contract_id, "%s", why)->order_id = o->id;
		if (best->buy)
			k.c[best->ci].buys -= best->left;
		else
			k.c[best->ci].sells -= best->left;
		best->left = 0;
		n++;
		worst = calc_worst(&k);
	}
	calc_free(&k);
	return n;
}
