/* r003_daily_realized_loss.c: RULE-003: a daily realized loss reaching the limit flattens, locks. */
#include <stddef.h>

#include "engine/rule.h"

/* Today's total as configured: realized, minus fees, plus unrealized (any quote age). */
static money_t day_total(const struct rule_ctx *ctx, const struct cfg_daily_realized_loss *c,
			 money_t *unrealized)
{
	money_t total = ctx->acct->realized;

	*unrealized = 0;
	if (c->include_fees)
		total = money_add(total, -ctx->acct->fees);
	if (c->include_unrealized && ctx->acct->n_pos > 0) {
		/* A stale loss is still a loss; positions that cannot be valued are left out. */
		(void)engine_acct_unrealized(ctx->eng, ctx->acct, false, unrealized);
		total = money_add(total, *unrealized);
	}
	return total;
}

static void check(struct rule_ctx *ctx)
{
	const struct cfg_daily_realized_loss *c = &ctx->cfg->daily_realized_loss;
	char v[24], lim[24], u[24];
	money_t unrealized;

	if (ctx->ev->kind != EV_TRADE && !c->include_unrealized)
		return;
	if (c->loss_limit <= 0)
		return;
	money_t total = day_total(ctx, c, &unrealized);

	if (total > -c->loss_limit)
		return;
	money_str(total, v);
	money_str(-c->loss_limit, lim);
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

const struct rule_def rule_daily_realized_loss = {
	.id = "RULE-003",
	.name = "daily_realized_loss",
	.wakes_on = EVM_TRADE | EVM_QUOTE | EVM_POSITION,
	.state_size = 0,
	.cfg_offset = offsetof(struct rules_cfg, daily_realized_loss),
	.check = check,
	.recheck_trade = true,
	.on_reset = NULL,
};
