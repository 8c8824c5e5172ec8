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

/* The views: executions this session against the session's limit. */
static bool measure(const struct engine *e, const struct acct *a, const void *cfg,
		    struct rule_measure *m)
{
	const struct cfg_trade_frequency_limit *c = cfg;

	(void)e;
	*m = (struct rule_measure){ .label = "trades", .unit = MEASURE_FILLS, .used = a->tc.session,
				    .limit = c->per_session };
	return c->per_session > 0;
}

/* ---- the config block ---- */

#define T struct cfg_trade_frequency_limit
static const struct opt cooldown_opts[] = {
	CFG_OPT("per_minute", T_LOCKOUT, T, cooldown_minute, .def = "60s"),
	CFG_OPT("per_hour", T_LOCKOUT, T, cooldown_hour, .def = "30m"),
	CFG_OPT("per_session", T_LOCKOUT, T, cooldown_session, .def = "until_reset"),
	{ 0 },
};

static const struct opt opts[] = {
	CFG_RULE_COMMON(T, "true", NULL),
	/* the trade counter keeps the last hour's fills up to TC_CAP: a larger limit could never breach */
	CFG_OPT("per_minute", T_INT, T, per_minute, .min = 0, .safer = SAFER_LOWER_ON, .max = TC_CAP - 24, .def = "3",
		.help = "executions per rolling minute, 0 = off, at most 1000"),
	CFG_OPT("per_hour", T_INT, T, per_hour, .min = 0, .safer = SAFER_LOWER_ON, .max = TC_CAP - 24, .def = "10",
		.help = "per rolling hour, 0 = off, at most 1000"),
	CFG_OPT("per_session", T_INT, T, per_session, .min = 0, .safer = SAFER_LOWER_ON, .def = "50",
		.help = "since the daily reset, 0 = off"),
	{ .key = "cooldown", .type = T_MAP, .sub = cooldown_opts,
	  .help = "lockout when a window is exceeded (the longest if several)" },
	{ 0 },
};
#undef T

const struct rule_def rule_trade_frequency_limit = {
	.id = "RULE-006",
	.block = {
		.name = "trade_frequency_limit",
		.summary = "executions (non-voided fills) per rolling window; 0 turns a window off.",
		.opts = opts,
		.cfg_offset = offsetof(struct rules_cfg, trade_frequency_limit),
	},
	.wakes_on = EVM_TRADE,
	.state_size = 0,
	.check = check,
	.measure = measure,
	.on_reset = NULL,
};
