/* r001_max_contracts.c: RULE-001: the account's contracts (net or gross) over the limit. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "engine/rule.h"

static const char *count_name(enum count_mode m)
{
	return m == COUNT_GROSS ? "gross" : "net";
}

/* Contracts still to fill on a working order. */
static int ord_left(const struct ord *o)
{
	int left = o->size - (o->fill_volume > 0 ? o->fill_volume : 0);

	return left > 0 ? left : 0;
}

/* Exposure of the positions alone; *net gets the signed sum. */
static long pos_exposure(const struct acct *a, enum count_mode m, long *net)
{
	long sum = 0, gross = 0;

	for (size_t i = 0; i < a->n_pos; i++) {
		sum += a->pos[i].qty;
		gross += labs((long)a->pos[i].qty);
	}
	*net = sum;
	return m == COUNT_GROSS ? gross : labs(sum);
}

/* Was order x placed no later than order o (seen time, then id)? */
static bool placed_before_or_is(const struct ord *x, const struct ord *o)
{
	return x->seen < o->seen || (x->seen == o->seen && x->id <= o->id);
}

/*
 * Exposure if o and every earlier working non-reducing order filled. Later orders are left
 * out so that an order that fit when it arrived is not cancelled for the sake of a newer one.
 */
static long projected(const struct acct *a, enum count_mode m, const struct ord *o)
{
	long net, gross = pos_exposure(a, COUNT_GROSS, &net);
	long buys = 0, sells = 0;

	for (size_t i = 0; i < a->n_ord; i++) {
		const struct ord *x = &a->ord[i];

		if (!placed_before_or_is(x, o) || acct_ord_is_reducing(a, x))
			continue;
		if (x->side == PX_BID)
			buys += ord_left(x);
		else
			sells += ord_left(x);
	}
	if (m == COUNT_GROSS)
		return gross + buys + sells;
	long up = labs(net + buys), down = labs(net - sells);

	return up > down ? up : down;
}

/* Close `excess` contracts, the position that grew last first (net: only the net's side). */
static void reduce(struct rule_ctx *ctx, long excess, int sign, const char *why)
{
	const struct acct *a = ctx->acct;
	bool eligible[RULE_MAX_POS];

	for (size_t i = 0; i < a->n_pos && i < RULE_MAX_POS; i++)
		eligible[i] = sign == 0 || (sign > 0) == (a->pos[i].qty > 0);
	rule_reduce_last_grown(ctx, excess, eligible, why);
}

static void check(struct rule_ctx *ctx)
{
	const struct cfg_max_contracts *c = &ctx->cfg->max_contracts;
	const struct acct *a = ctx->acct;
	long net, have;
	char why[160];

	if (ctx->ev->kind != EV_POSITION && ctx->ev->kind != EV_ORDER)
		return;
	if (c->limit < 0)
		return;
	have = pos_exposure(a, c->count, &net);
	if (have > c->limit) {
		snprintf(why, sizeof(why), "%s contracts %ld over limit %d", count_name(c->count),
			 have, c->limit);
		rule_lockout(ctx, &c->lockout, NULL, false, "%s", why);
		if (c->action == SIZE_REDUCE_TO_LIMIT) {
			reduce(ctx, have - c->limit, c->count == COUNT_NET ? (net > 0 ? 1 : -1) : 0,
			       why);
		} else {
			rule_act(ctx, ACT_CANCEL_ALL, NULL, "%s", why);
			rule_act(ctx, ACT_CLOSE_ALL, NULL, "%s", why);
		}
	}
	if (ctx->ev->kind != EV_ORDER)
		return;
	const struct ord *o = acct_ord(a, ctx->ev->u.order.id);

	if (o == NULL || acct_ord_is_reducing(a, o))
		return;
	long would = projected(a, c->count, o);

	if (would <= c->limit || would <= have)
		return;
	snprintf(why, sizeof(why), "order %lld would take %s contracts to %ld, over limit %d",
		 (long long)o->id, count_name(c->count), would, c->limit);
	rule_lockout(ctx, &c->lockout, NULL, false, "%s", why);
	struct srm_action *x = rule_act(ctx, ACT_CANCEL_ORDER, o->contract_id, "%s", why);

	x->order_id = o->id;
}

/* The views: the positions' contracts, counted as configured, against the limit. */
static bool measure(const struct engine *e, const struct acct *a, const void *cfg,
		    struct rule_measure *m)
{
	const struct cfg_max_contracts *c = cfg;
	long net;

	(void)e;
	*m = (struct rule_measure){ .label = "contracts", .unit = MEASURE_CONTRACTS,
				    .used = (double)pos_exposure(a, c->count, &net),
				    .limit = c->limit };
	return c->limit > 0;
}

/* ---- the config block ---- */

static const char *const count_names[] = { "net", "gross", NULL };

#define T struct cfg_max_contracts
static const struct opt opts[] = {
	CFG_RULE_COMMON(T, "true", NULL),
	CFG_OPT("limit", T_INT, T, limit, .min = 0, .def = "4",
		.help = "most contracts allowed; breach when over (integer >= 0)"),
	CFG_OPT("count", T_ENUM, T, count, .names = count_names, .def = "net",
		.help = "net (|sum of signed sizes|) | gross (sum of |sizes|)"),
	CFG_OPT("action", T_ENUM, T, action, .names = size_action_names, .def = "close_all",
		.help = "close_all | reduce_to_limit (close the excess)"),
	CFG_OPT("lockout", T_LOCKOUT, T, lockout, .def = "none"),
	{ 0 },
};
#undef T

const struct rule_def rule_max_contracts = {
	.id = "RULE-001",
	.block = {
		.name = "max_contracts",
		.summary = "total contracts of the account.",
		.opts = opts,
		.cfg_offset = offsetof(struct rules_cfg, max_contracts),
	},
	.wakes_on = EVM_POSITION | EVM_ORDER,
	.state_size = 0,
	.check = check,
	.measure = measure,
	.on_reset = NULL,
};
