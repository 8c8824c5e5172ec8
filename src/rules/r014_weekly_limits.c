/*
 * r014_weekly_limits.c: RULE-014: the trading week's loss limit, profit target and trade
 * count. The week runs from Sunday's 17:00 CT session open to Friday's close: a trading day
 * belongs to the week of the date it begins on, a day begun on Sunday to the next (holidays
 * as configured only move the resets). Reaching a limit cancels all, closes all and locks the
 * account out until the reset that opens the next week.
 *
 * The week is the days before today, kept in the rule's persisted memory, plus today as the
 * engine counts it (its fills deduplicated, voided ones out, restored after a restart). The
 * memory also holds today's totals as last seen, so a day whose reset srmd slept through is
 * folded in when srmd comes back.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "engine/calendar.h"
#include "engine/rule.h"
#include "rules/ledger.h"
#include "util/timefmt.h"

extern const struct rule_def rule_weekly_limits;

/* What outlives a restart (rule_def.persist_size). */
struct week_memory {
	int32_t week;           /* the Monday (days since 1970-01-01) of the week these are of */
	int32_t inited;
	struct day_ledger l;    /* the week's days */
};

/*
 * The week of the trading day that begins at day_start (a reset): the Monday of the date it
 * begins on, a Sunday's being the next day's (Sunday's open is the week's first session).
 */
static int32_t week_of(const struct calendar *cal, srm_ms day_start)
{
	struct tz_local lt;
	int32_t d;

	tz_localtime(cal->zone, day_start, &lt);
	d = lt.days + (weekday_from_days(lt.days) == 0 ? 1 : 0);
	return d - (weekday_from_days(d) + 6) % 7;
}

/* The reset that opens the week after this one (INT64_MAX when none within 3 weeks). */
static srm_ms week_end(const struct calendar *cal, srm_ms day_start)
{
	int32_t w = week_of(cal, day_start);
	srm_ms r = cal_next_reset(cal, day_start);

	for (int i = 0; i < 21; i++, r = cal_next_reset(cal, r))
		if (week_of(cal, r) != w)
			return r;
	return INT64_MAX;
}

/* Today is day_start: fold the day the memory last saw into the week, or begin a new week. */
static void roll(const struct engine *e, struct week_memory *m, srm_ms day_start)
{
	int32_t w = week_of(engine_calendar(e), day_start);

	if (!m->inited || w != m->week) {
		*m = (struct week_memory){ .week = w, .inited = 1 };
		ledger_begin(&m->l, day_start);
		return;
	}
	ledger_roll(&m->l, day_start);
}

static void check(struct rule_ctx *ctx)
{
	const struct cfg_weekly_limits *c = &ctx->cfg->weekly_limits;
	struct week_memory *m = ctx->state;
	const struct acct *a = ctx->acct;
	srm_ms today = engine_last_reset(ctx->eng);
	struct week_memory was = *m;
	money_t pnl;
	int64_t trades;
	char v[32], lim[32], until[40];

	roll(ctx->eng, m, today);
	(void)ledger_see(&m->l, a);
	if (memcmp(&was, m, sizeof(*m)) != 0)
		rule_memory_changed(ctx);
	ledger_totals(&m->l, a, c->include_fees, &pnl, &trades);

	const char *why = NULL;

	if (c->loss_limit > 0 && pnl <= -c->loss_limit) {
		money_str(-c->loss_limit, lim);
		why = "loss limit";
	} else if (c->profit_target > 0 && pnl >= c->profit_target) {
		money_str(c->profit_target, lim);
		why = "profit target";
	} else if (c->max_trades > 0 && trades > c->max_trades) {
		snprintf(lim, sizeof(lim), "%d", c->max_trades);
		why = "trade limit";
	} else {
		return;
	}
	srm_ms end = week_end(engine_calendar(ctx->eng), today);
	struct lockout_spec spec = { .mode = LOCKOUT_UNTIL_NEXT_WINDOW };

	const char *what = c->include_fees ? "P&L net of fees" : "P&L";

	if (strcmp(why, "trade limit") == 0) {
		what = "trades";
		snprintf(v, sizeof(v), "%lld", (long long)trades);
	} else {
		money_str(pnl, v);
	}
	iso_format_short(end, until, sizeof(until));
	rule_lockout(ctx, &spec, NULL, true, "the week's %s %s reached its %s %s; locked out until "
		     "the week's reset %s", what, v, why, lim, until);
	if (a->n_ord > 0)
		rule_act(ctx, ACT_CANCEL_ALL, NULL, "the week's %s reached", why);
	if (a->n_pos > 0)
		rule_act(ctx, ACT_CLOSE_ALL, NULL, "the week's %s reached", why);
}

/* The lockout's end: the reset that opens the next trading week. */
static srm_ms next_window(const struct rule_ctx *ctx)
{
	return week_end(engine_calendar(ctx->eng), engine_last_reset(ctx->eng));
}

/* The daily reset: today's totals join the week (or a new week begins). */
static void on_reset(struct rule_ctx *ctx)
{
	struct week_memory *m = ctx->state;
	struct week_memory was = *m;

	if (!m->inited)
		return;
	if (m->l.day_start == engine_last_reset(ctx->eng))
		ledger_reset(&m->l, m->l.day_start); /* an admin's reset: the day stays in the week */
	else
		roll(ctx->eng, m, engine_last_reset(ctx->eng));
	if (memcmp(&was, m, sizeof(*m)) != 0)
		rule_memory_changed(ctx);
}

static bool measure(const struct engine *e, const struct acct *a, const void *cfg,
		    struct rule_measure *out)
{
	const struct cfg_weekly_limits *c = cfg;
	const struct week_memory *st = a->rstate[rule_index_of(&rule_weekly_limits)];
	struct week_memory m = *st;
	money_t pnl;
	int64_t trades;

	roll(e, &m, engine_last_reset(e));
	ledger_totals(&m.l, a, c->include_fees, &pnl, &trades);
	if (c->loss_limit > 0) {
		*out = (struct rule_measure){ .label = "weekly loss", .unit = MEASURE_LOSS,
					      .used = pnl < 0 ? (double)-pnl / 100.0 : 0,
					      .limit = (double)c->loss_limit / 100.0 };
		return true;
	}
	if (c->profit_target > 0) {
		*out = (struct rule_measure){ .label = "weekly profit", .unit = MEASURE_MONEY,
					      .used = pnl > 0 ? (double)pnl / 100.0 : 0,
					      .limit = (double)c->profit_target / 100.0 };
		return true;
	}
	if (c->max_trades > 0) {
		*out = (struct rule_measure){ .label = "weekly trades", .unit = MEASURE_FILLS,
					      .used = (double)trades, .limit = c->max_trades };
		return true;
	}
	return false;
}

/* A new config: the week's lockout ends when the rule is turned off. */
static const char *lockout_unwanted(const void *cfg, const struct lockout *l)
{
	const struct cfg_weekly_limits *c = cfg;

	(void)l;
	if (!c->enabled)
		return "weekly limits turned off";
	if (c->loss_limit <= 0 && c->profit_target <= 0 && c->max_trades <= 0)
		return "no weekly limit set";
	return NULL;
}

/* ---- the config block ---- */

#define T struct cfg_weekly_limits
static const struct opt opts[] = {
	CFG_RULE_COMMON(T, "false", "off unless you turn it on (a firm profile may)"),
	CFG_OPT("loss_limit", T_MONEY, T, loss_limit, .zero_ok = true, .def = "~", .safer = SAFER_LOWER_ON,
		.help = "the week's P&L at minus this locks the account out until the week's reset; ~ = off"),
	CFG_OPT("profit_target", T_MONEY, T, profit_target, .zero_ok = true, .def = "~",
		.safer = SAFER_LOWER_ON,
		.help = "the week's P&L at this closes and locks out to keep the profit; ~ = off"),
	CFG_OPT("max_trades", T_INT, T, max_trades, .min = 0, .def = "0", .safer = SAFER_LOWER_ON,
		.help = "fills in the trading week; 0 = off"),
	CFG_OPT("include_fees", T_BOOL, T, include_fees, .def = "true", .safer = SAFER_TRUE,
		.help = "the P&L net of fees"),
	{ 0 },
};
#undef T

const struct rule_def rule_weekly_limits = {
	.id = "RULE-014",
	.block = {
		.name = "weekly_limits",
		.summary = "the trading week's P&L and trades (Sunday's open to Friday's close).",
		.opts = opts,
		.cfg_offset = offsetof(struct rules_cfg, weekly_limits),
	},
	.wakes_on = EVM_TRADE | EVM_POSITION | EVM_ACCOUNT,
	.state_size = sizeof(struct week_memory),
	.persist_size = sizeof(struct week_memory),
	.persist_version = 1,
	.check = check,
	.recheck_trade = true,
	.on_reset = on_reset,
	.measure = measure,
	.next_window = next_window,
	.lockout_unwanted = lockout_unwanted,
};
