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

static bool counts(const struct acct *a, const struct expo_scope *s, size_t i, const bool *skip)
{
	const struct ord *o = &a->ord[i];

	return (skip == NULL || !skip[i]) && in_scope(s, o->contract_id) && acct_ord_opens(a, o);
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

/* One contract's net worst case (RULE-002: each contract is netted on its own). */
static long contract_worst(const struct acct *a, const struct expo_scope *s, const char *cid,
			   const bool *skip)
{
	const struct pos *p = acct_pos(a, cid);
	long buys = 0, sells = 0;

	for (size_t i = 0; i < a->n_ord; i++) {
		if (strcmp(a->ord[i].contract_id, cid) != 0 || !counts(a, s, i, skip))
			continue;
		if (a->ord[i].side == PX_BID)
			buys += ord_remaining(&a->ord[i]);
		else
			sells += ord_remaining(&a->ord[i]);
	}
	return worst_of(p != NULL ? p->qty : 0, buys, sells);
}

long expo_worst(const struct acct *a, const struct expo_scope *s, const bool *skip)
{
	long net = 0, gross = 0, buys = 0, sells = 0;

	if (s->per_contract) {
		long sum = 0;

		for (size_t i = 0; i < a->n_pos; i++)
			if (in_scope(s, a->pos[i].contract_id))
				sum += contract_worst(a, s, a->pos[i].contract_id, skip);
		/* contracts with orders and no position: once each */
		for (size_t i = 0; i < a->n_ord; i++) {
			const char *cid = a->ord[i].contract_id;
			bool first = true;

			if (!counts(a, s, i, skip) || acct_pos(a, cid) != NULL)
				continue;
			for (size_t j = 0; j < i && first; j++)
				if (strcmp(a->ord[j].contract_id, cid) == 0 && counts(a, s, j, skip))
					first = false;
			if (first)
				sum += contract_worst(a, s, cid, skip);
		}
		return sum;
	}
	for (size_t i = 0; i < a->n_pos; i++) {
		if (!in_scope(s, a->pos[i].contract_id))
			continue;
		net += a->pos[i].qty;
		gross += labs((long)a->pos[i].qty);
	}
	for (size_t i = 0; i < a->n_ord; i++) {
		if (!counts(a, s, i, skip))
			continue;
		if (a->ord[i].side == PX_BID)
			buys += ord_remaining(&a->ord[i]);
		else
			sells += ord_remaining(&a->ord[i]);
	}
	return s->gross ? gross + buys + sells : worst_of(net, buys, sells);
}

size_t expo_cancel_excess(struct rule_ctx *ctx, const struct expo_scope *s, long bound,
			  const char *what, int limit, const char *suffix,
			  const struct lockout_spec *lk, const char *symbol)
{
	char why[192];
	const struct acct *a = ctx->acct;
	bool small[64], *skip = small;
	size_t n = 0;
	long worst = expo_worst(a, s, NULL);

	if (worst <= bound)
		return 0;
	if (a->n_ord > sizeof(small) / sizeof(small[0]))
		skip = xcalloc(a->n_ord, sizeof(*skip));
	else
		memset(small, 0, sizeof(small));
	while (worst > bound) {
		const struct ord *o = NULL;
		size_t at = 0;

		for (size_t i = 0; i < a->n_ord; i++)
			if (counts(a, s, i, skip) && (o == NULL || a->ord[i].grew_seq > o->grew_seq)) {
				o = &a->ord[i];
				at = i;
			}
		if (o == NULL)
			break; /* the positions alone: the size rule's reduce/close is for them */
		snprintf(why, sizeof(why), "order %lld would take %s contracts to %ld, over limit %d%s",
			 (long long)o->id, what, worst, limit, suffix);
		if (n == 0 && lk != NULL)
			rule_lockout(ctx, lk, symbol, false, "%s", why);
		struct srm_action *x = rule_act(ctx, ACT_CANCEL_ORDER, o->contract_id, "%s", why);

		x->order_id = o->id;
		skip[at] = true;
		n++;
		worst = expo_worst(a, s, skip);
	}
	if (skip != small)
		free(skip);
	return n;
}
