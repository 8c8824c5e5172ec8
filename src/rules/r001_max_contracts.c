/* r001_max_contracts.c: RULE-001: the account's contracts (net or gross) over the limit. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "engine/rule.h"
#include "rules/exposure.h"

static const char *count_name(enum count_mode m)
{
	return m == COUNT_GROSS ? "gross" : "net";
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

	/* a timer: the settle time of a cancel that waited for an order's own event */
	if (ctx->ev->kind != EV_POSITION && ctx->ev->kind != EV_ORDER && ctx->ev->kind != EV_TIMER)
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
	/*
	 * The whole account's worst case, at every order and position change: working orders
	 * that could open or add, what is left of them, the last grown cancelled first until
	 * the rest fits (an order that fit when it came is not cancelled for a newer one).
	 */
	struct expo_scope sc = { .eng = ctx->eng, .gross = c->count == COUNT_GROSS };

	if (have > c->limit && c->action == SIZE_CLOSE_ALL)
		return; /* cancel_all is on its way */
	(void)expo_cancel_excess(ctx, &sc, have > c->limit ? have : c->limit,
				 count_name(c->count), c->limit, "", &c->lockout, NULL);
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
	CFG_OPT("limit", T_INT, T, limit, .min = 0, .safer = SAFER_LOWER, .def = "4",
		.help = "most contracts allowed; breach when over (integer >= 0)"),
	CFG_OPT("count", T_ENUM, T, count, .names = count_names, .def = "net",
		.help = "net (|sum of signed sizes|) | gross (sum of |sizes|)"),
	CFG_OPT("action", T_ENUM, T, action, .names = size_action_names, .def = "close_all",
		.help = "close_all | reduce_to_limit (close the excess)"),
	CFG_OPT("lockout", T_LOCKOUT, T, lockout, .def = "none", .safer = SAFER_LONGER),
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
