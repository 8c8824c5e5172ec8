/* r001_max_contracts.c: RULE-001: the account's contracts (net or gross) over the limit. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "engine/rule.h"
#include "rules/exposure.h"
#include "util/strutil.h"

static const char *count_name(enum count_mode m)
{
	return m == COUNT_GROSS ? "gross" : "net";
}

/* The account's scope: every contract, counted net or gross, weighted. */
static struct expo_scope scope_of(const struct engine *e, const struct cfg_max_contracts *c)
{
	return (struct expo_scope){ .eng = e, .gross = c->count == COUNT_GROSS,
				    .weights = c->weights, .n_weights = c->n_weights };
}

/* Exposure of the positions alone in units (contracts x weight); *net gets the signed sum. */
static int64_t pos_exposure(const struct acct *a, const struct expo_scope *s, int64_t *net)
{
	int64_t sum = 0;

	for (size_t i = 0; i < a->n_pos; i++)
		sum += a->pos[i].qty * expo_weight(s, a->pos[i].contract_id);
	*net = sum;
	return expo_held(a, s);
}

/* Close `excess` units, the position that grew last first (net: only the net's side). */
static void reduce(struct rule_ctx *ctx, const struct expo_scope *s, int64_t excess, int sign,
		   const char *why)
{
	const struct acct *a = ctx->acct;
	bool eligible[RULE_MAX_POS];

	for (size_t i = 0; i < a->n_pos && i < RULE_MAX_POS; i++)
		eligible[i] = sign == 0 || (sign > 0) == (a->pos[i].qty > 0);
	expo_reduce_last_grown(ctx, s, excess, eligible, why);
}

static void check(struct rule_ctx *ctx)
{
	const struct cfg_max_contracts *c = &ctx->cfg->max_contracts;
	const struct acct *a = ctx->acct;
	struct expo_scope sc = scope_of(ctx->eng, c);
	int64_t net, have;
	char why[160], h[24];
	bool scaled;

	/* a timer: the settle time of a cancel that waited for an order's own event */
	if (ctx->ev->kind != EV_POSITION && ctx->ev->kind != EV_ORDER && ctx->ev->kind != EV_TIMER)
		return;
	if (c->limit < 0)
		return;
	int limit = expo_scaled_limit(ctx->eng, a, c->limit, c->scaling, c->n_scaling, &scaled);
	int64_t bound = (int64_t)limit * CFG_PPM;

	have = pos_exposure(a, &sc, &net);
	if (have > bound) {
		snprintf(why, sizeof(why), "%s contracts %s over limit %d%s", count_name(c->count),
			 millionths_text(have, h, sizeof(h)), limit, scaled ? " (scaling plan)" : "");
		rule_lockout(ctx, &c->lockout, NULL, false, "%s", why);
		if (c->action == SIZE_REDUCE_TO_LIMIT) {
			reduce(ctx, &sc, have - bound, c->count == COUNT_NET ? (net > 0 ? 1 : -1) : 0,
			       why);
		} else {
			rule_act(ctx, ACT_CANCEL_ALL, NULL, "%s", why);
			rule_act(ctx, ACT_CLOSE_ALL, NULL, "%s", why);
		}
	}
	/*
	 * The whole account's worst case, at every order and position change: working orders
	 * that could open or add, what is left of them, the last grown cancelled first until
	 * the rest fits (an order that fit when it came is not cancelled for a newer one).
	 */
	if (have > bound && c->action == SIZE_CLOSE_ALL)
		return; /* cancel_all is on its way */
	(void)expo_cancel_excess(ctx, &sc, have > bound ? have : bound, count_name(c->count), limit,
				 scaled ? " (scaling plan)" : "", &c->lockout, NULL);
}

/* The views: the positions' contracts, counted as configured, against the limit. */
static bool measure(const struct engine *e, const struct acct *a, const void *cfg,
		    struct rule_measure *m)
{
	const struct cfg_max_contracts *c = cfg;
	struct expo_scope sc = scope_of(e, c);
	int64_t net;
	bool scaled;
	int limit = expo_scaled_limit(e, a, c->limit, c->scaling, c->n_scaling, &scaled);

	*m = (struct rule_measure){ .label = "contracts", .unit = MEASURE_CONTRACTS,
				    .used = (double)pos_exposure(a, &sc, &net) / CFG_PPM,
				    .limit = limit };
	return limit > 0;
}

/* ---- the config block ---- */

static const char *const count_names[] = { "net", "gross", NULL };

#define T struct cfg_max_contracts
static const struct opt opts[] = {
	CFG_RULE_COMMON(T, "true", NULL),
	CFG_OPT("limit", T_INT, T, limit, .min = 0, .safer = SAFER_LOWER, .def = "4",
		.help = "most contracts allowed; breach when over (integer >= 0)"),
	CFG_OPT("count", T_ENUM, T, count, .names = count_names, .def = "net",
		.help = "net (|sum of signed sizes|) | gross (sum of |sizes|)"),
	CFG_OPT("action", T_ENUM, T, action, .names = size_action_names, .def = "close_all",
		.help = "close_all | reduce_to_limit (close the excess)"),
	CFG_OPT("lockout", T_LOCKOUT, T, lockout, .def = "none", .safer = SAFER_LONGER),
	CFG_LIST("weights", T_WEIGHTS, T, n_weights, weights, .def = "{}", .safer = SAFER_HEAVIER,
		 .help = "SYMBOL: what one contract counts (MES: 0.1 = ten micros count as one mini); "
			 "not listed: 1"),
	CFG_LIST("scaling", T_STEPS, T, n_scaling, scaling, .def = "[]", .safer = SAFER_LOWER,
		 .help = "the firm's scaling plan: [{above: PROFIT, limit: N}, ...]; the day's limit is "
			 "the step the profit since the start allows (max_loss_limit's balances) at the "
			 "reset, never raised intraday; at most `limit`"),
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
	.wakes_on = EVM_POSITION | EVM_ORDER | EVM_TIMER,
	.state_size = 0,
	.check = check,
	.measure = measure,
	.on_reset = NULL,
};
