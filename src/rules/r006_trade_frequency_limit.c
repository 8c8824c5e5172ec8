/* r006_trade_frequency_limit.c: RULE-006: too many fills in a window earn its cooldown lockout. */
#include <stddef.h>

#include "engine/rule.h"

#define MINUTE_MS 60000
#define HOUR_MS 3600000

static void check(struct rule_ctx *ctx)
{
	const struct cfg_trade_frequency_limit *c = &ctx->cfg->trade_frequency_limit;
	const struct lockout_spec *best = NULL;
	const char *window = "";
	int count = 0, limit = 0;

	/* The engine wakes rules for new fills and for voids; only a new fill adds one. */
	if (ctx->ev->kind != EV_TRADE || ctx->ev->u.trade.voided)
		return;
	/* The fills of SRM's own closes are not the trader's trades (docs/DECISIONS.md). */
	const struct fill_rec *f = engine_fill(ctx->eng, ctx->ev->u.trade.id);

	if (f != NULL && f->srm)
		return;
	const struct acct *a = ctx->acct;
	const struct {
		int limit, count;
		const struct lockout_spec *cooldown;
		const char *name;
	} w[] = {
		{c->per_minute, c->per_minute > 0 ? acct_trades_within(a, ctx->now, MINUTE_MS) : 0,
		 &c->cooldown_minute, "the last minute"},
		{c->per_hour, c->per_hour > 0 ? acct_trades_within(a, ctx->now, HOUR_MS) : 0,
		 &c->cooldown_hour, "the last hour"},
		{c->per_session, ctx->acct->tc.session, &c->cooldown_session, "this session"},
	};

	for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++) {
		if (w[i].limit <= 0 || w[i].count <= w[i].limit)
			continue; /* 0 is off; a count limit breaches when over it */
		if (best == NULL || lockout_spec_longer(w[i].cooldown, best)) {
			best = w[i].cooldown;
			window = w[i].name;
			count = w[i].count;
			limit = w[i].limit;
		}
	}
	if (best == NULL)
		return;
	rule_lockout(ctx, best, NULL, false, "%d fills in %s over limit %d", count, window, limit);
}

const struct rule_def rule_trade_frequency_limit = {
	.id = "RULE-006",
	.name = "trade_frequency_limit",
	.wakes_on = EVM_TRADE,
	.state_size = 0,
	.cfg_offset = offsetof(struct rules_cfg, trade_frequency_limit),
	.check = check,
	.on_reset = NULL,
};
