/* exposure.c: the worst case of positions plus working orders (see exposure.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/exposure.h"
#include "util/xalloc.h"

static bool in_scope(const struct expo_scope *s, const char *contract_id)
{
	return s->in == NULL || s->in(s, contract_id);
}

long expo_held(const struct acct *a, const struct expo_scope *s)
{
	long net = 0, gross = 0;

	for (size_t i = 0; i < a->n_pos; i++) {
		if (!in_scope(s, a->pos[i].contract_id))
			continue;
		net += a->pos[i].qty;
		gross += labs((long)a->pos[i].qty);
	}
	return s->gross || s->per_contract ? gross : labs(net);
}

static long worst_of(long qty, long buys, long sells)
{
	long up = labs(qty + buys), down = labs(qty - sells);

	return up > down ? up : down;
}

/*
 * The scope's contracts and its counting orders, gathered once: a cancel then changes one
 * contract's buys or sells, and the worst case is arithmetic on these (no lookups).
 */
struct calc {
	const struct expo_scope *s;
	size_t nc, no;
	struct cc { const char *id; long qty, buys, sells; } *c;
	struct co { size_t at, ci; long left; bool buy; uint64_t grew; } *o;
	struct cc small_c[32];
	struct co small_o[32];
};

static size_t contract_index(struct calc *k, const char *id)
{
	for (size_t i = 0; i < k->nc; i++)
		if (strcmp(k->c[i].id, id) == 0)
			return i;
	k->c[k->nc] = (struct cc){ .id = id };
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
		if (in_scope(s, a->pos[i].contract_id))
			k->c[contract_index(k, a->pos[i].contract_id)].qty = a->pos[i].qty;
	for (size_t i = 0; i < a->n_ord; i++) {
		const struct ord *o = &a->ord[i];

		if (!acct_ord_opens(a, o) || !in_scope(s, o->contract_id))
			continue;
		size_t ci = contract_index(k, o->contract_id);

		k->o[k->no++] = (struct co){ .at = i, .ci = ci, .left = ord_remaining(o),
					     .buy = o->side == PX_BID, .grew = o->grew_seq };
		if (o->side == PX_BID)
			k->c[ci].buys += ord_remaining(o);
		else
			k->c[ci].sells += ord_remaining(o);
	}
}

static void calc_free(struct calc *k)
{
	if (k->c != k->small_c)
		free(k->c);
	if (k->o != k->small_o)
		free(k->o);
}

static long calc_worst(const struct calc *k)
{
	long net = 0, gross = 0, buys = 0, sells = 0, sum = 0;

	for (size_t i = 0; i < k->nc; i++) {
		const struct cc *c = &k->c[i];

		if (k->s->per_contract) {
			sum += worst_of(c->qty, c->buys, c->sells);
			continue;
		}
		net += c->qty;
		gross += labs(c->qty);
		buys += c->buys;
		sells += c->sells;
	}
	if (k->s->per_contract)
		return sum;
	return k->s->gross ? gross + buys + sells : worst_of(net, buys, sells);
}

long expo_worst(const struct acct *a, const struct expo_scope *s, const bool *skip)
{
	struct calc k;
	long w;

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

static bool may_be_lagging(const struct rule_ctx *ctx, const struct calc *k, long excess)
{
	const struct srm_event *ev = ctx->ev;

	if (ev->kind != EV_POSITION)
		return false;
	const char *cid = ev->u.position.contract_id;
	const struct pos *p = acct_pos(ctx->acct, cid);
	long change = (long)(p != NULL ? p->qty : 0) - ctx->prev_qty;

	if (change == 0 || excess > labs(change))
		return false;
	for (size_t i = 0; i < k->no; i++) {
		const struct ord *o = &ctx->acct->ord[k->o[i].at];

		if (strcmp(o->contract_id, cid) == 0 && k->o[i].buy == (change > 0))
			return true;
	}
	return false;
}

size_t expo_cancel_excess(struct rule_ctx *ctx, const struct expo_scope *s, long bound,
			  const char *what, int limit, const char *suffix,
			  const struct lockout_spec *lk, const char *symbol)
{
	char why[192];
	struct calc k;
	size_t n = 0;
	long worst;

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

		snprintf(why, sizeof(why), "order %lld would take %s contracts to %ld, over limit %d%s",
			 (long long)o->id, what, worst, limit, suffix);
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
