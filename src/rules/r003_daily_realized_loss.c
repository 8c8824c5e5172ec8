/* r003_daily_realized_loss.c: RULE-003: a daily realized loss reaching the limit flattens, locks. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "engine/rule.h"

/* Today's total as configured: realized, minus fees, plus the unrealized given. */
static money_t day_total(const struct acct *a, const struct cfg_daily_realized_loss *c,
			 money_t unrealized)
{
	money_t total = a->realized;

	if (c->include_fees)
		total = money_add(total, -a->fees);
	return c->include_unrealized ? money_add(total, unrealized) : total;
}

/*
 * The loss limit today: loss_limit, or with cap_to_floor what the day's starting balance
 * has above RULE-013's floor plus its buffer, if that is less (*capped says so).
 */
static money_t day_limit(const struct engine *e, const struct acct *a,
			 const struct cfg_daily_realized_loss *c, bool *capped)
{
	money_t floor, buffer, start, room;

	*capped = false;
	if (!c->cap_to_floor || !mll_floor(e, a, &floor, &buffer, &start))
		return c->loss_limit;
	room = money_add(start, -money_add(floor, buffer));
	if (room < c->loss_limit) {
		*capped = true;
		return room > 1 ? room : 1; /* at the floor already: any loss breaches */
	}
	return c->loss_limit;
}

static void check(struct rule_ctx *ctx)
{
	const struct cfg_daily_realized_loss *c = &ctx->cfg->daily_realized_loss;
	char v[24], lim[48], u[24];
	money_t unrealized;
	bool capped;

	if (ctx->ev->kind != EV_TRADE && !c->include_unrealized)
		return;
	if (c->loss_limit <= 0)
		return;
	money_t limit = day_limit(ctx->eng, ctx->acct, c, &capped);
	/* A stale loss is still a loss; a position that cannot be valued is left out (and said). */
	unrealized = 0;
	if (c->include_unrealized && ctx->acct->n_pos > 0)
		(void)rule_acct_unrealized(ctx, false, &unrealized);
	money_t total = day_total(ctx->acct, c, unrealized);

	if (total > -limit)
		return;
	money_str(total, v);
	money_str(-limit, lim);
	if (capped) {
		size_t l = strlen(lim);

		snprintf(lim + l, sizeof(lim) - l, " (capped to the floor)");
	}
	money_str(unrealized, u);
	const char *what;

	if (c->include_unrealized)
		what = c->include_fees ? "P&L net of fees" : "P&L";
	else
		what = c->include_fees ? "realized net of fees" : "realized";

	rule_lockout(ctx, &c->lockout, NULL, true, "%s %s reached limit %s%s%s", what, v, lim,
		     c->include_unrealized ? " incl. unrealized " : "",
		     c->include_unrealized ? u : "");
	/*
	 * Ask again on every breaching event even when the lockout already held (or is none):
	 * the engine drops exact repeats, and a flatten that failed gets retried. Without a
	 * lockout nothing else cancels, so cancel_all goes out as the lockout's flatten would.
	 */
	if (ctx->acct->n_ord > 0 || c->lockout.mode == LOCKOUT_NONE)
		rule_act(ctx, ACT_CANCEL_ALL, NULL, "%s %s reached limit %s", what, v, lim);
	if (ctx->acct->n_pos > 0)
		rule_act(ctx, ACT_CLOSE_ALL, NULL, "%s %s reached limit %s", what, v, lim);
}

/* The views: today's loss as configured against the limit. */
static bool measure(const struct engine *e, const struct acct *a, const void *cfg,
		    struct rule_measure *m)
{
	const struct cfg_daily_realized_loss *c = cfg;
	money_t unrealized = 0;

	if (c->include_unrealized && a->n_pos > 0)
		(void)engine_acct_unrealized(e, a, false, &unrealized);
	money_t total = day_total(a, c, unrealized);
	bool capped;
	money_t limit = day_limit(e, a, c, &capped);

	*m = (struct rule_measure){ .label = "daily loss", .unit = MEASURE_LOSS,
				    .used = total < 0 ? (double)-total / 100.0 : 0,
				    .limit = (double)limit / 100.0 };
	return limit > 0;
}

/* ---- the config block ---- */

#define T struct cfg_daily_realized_loss
static const struct opt opts[] = {
	CFG_RULE_COMMON(T, "true", NULL),
	CFG_OPT("loss_limit", T_MONEY, T, loss_limit, .def = "500", .safer = SAFER_LOWER,
		.help = "breach when P&L reaches minus this (positive money)"),
	CFG_OPT("include_unrealized", T_BOOL, T, include_unrealized, .def = "false", .safer = SAFER_TRUE,
		.help = "add open positions' unrealized P&L"),
	CFG_OPT("include_fees", T_BOOL, T, include_fees, .def = "false", .safer = SAFER_TRUE, .help = "subtract fees"),
	CFG_OPT("cap_to_floor", T_BOOL, T, cap_to_floor, .def = "false", .safer = SAFER_TRUE,
		.help = "today's limit is at most the day's starting balance minus the firm's floor "
			"and buffer (max_loss_limit)"),
	CFG_OPT("lockout", T_LOCKOUT, T, lockout, .def = "until_reset", .safer = SAFER_LONGER),
	{ 0 },
};
#undef T

const struct rule_def rule_daily_realized_loss = {
	.id = "RULE-003",
	.block = {
		.name = "daily_realized_loss",
		.summary = "today's realized P&L.",
		.opts = opts,
		.cfg_offset = offsetof(struct rules_cfg, daily_realized_loss),
	},
	.wakes_on = EVM_TRADE | EVM_QUOTE | EVM_POSITION,
	.state_size = 0,
	.check = check,
	.measure = measure,
	.recheck_trade = true,
	.on_reset = NULL,
};
