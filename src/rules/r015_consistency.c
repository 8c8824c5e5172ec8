/*
 * r015_consistency.c: RULE-015: the firms' consistency rule. A payout needs the best day to
 * be at most a share (max_day_share, e.g. 0.5) of the cycle's profit, today included. Today's
 * profit T with the cycle's earlier days P keeps T <= s * (P + T), that is
 *     T <= s / (1 - s) * P,
 * so the rule locks the trader out for the day (flattening first, to keep what is made)
 * when today's P&L, open positions included, reaches that cap. With a profit_target the cap
 * is at least s x target (the day's share of the target), so a cycle's first winning day is
 * not stopped at its first dollar; with no target and no profit yet there is no cap.
 *
 * The cycle's days are in the rule's persisted memory (rules/ledger.h): a cycle begins on
 * cycle_start (or the first day SRM guards) with cycle_profit for what came before SRM.
 * A new cycle_start (after a payout) begins a new cycle.
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "engine/rule.h"
#include "rules/ledger.h"
#include "util/timefmt.h"

extern const struct rule_def rule_consistency;

/* What outlives a restart (rule_def.persist_size). */
struct cycle_memory {
	int32_t cycle;          /* the cycle_start this is of (0: began on the first day guarded) */
	int32_t inited;
	struct day_ledger l;    /* the cycle's days */
};

/*
 * Today is day_start: begin the cycle when the config names a new one, or fold the day last
 * seen into it. false: today is before the configured cycle's first day (no cap yet).
 */
static bool roll(const struct engine *e, const struct cfg_consistency *c, struct cycle_memory *m,
		 srm_ms day_start)
{
	bool begun = m->inited && m->cycle == c->cycle_start;

	/* the date only while the configured cycle has not begun (not at every quote after) */
	if (!begun && c->cycle_start != 0 && ledger_trading_date(e, day_start) < c->cycle_start)
		return false;
	if (!begun) {
		*m = (struct cycle_memory){ .cycle = c->cycle_start, .inited = 1 };
		ledger_begin(&m->l, day_start);
		return true;
	}
	ledger_roll(&m->l, day_start);
	return true;
}

/* The cycle's profit before today. */
static money_t prior_profit(const struct cfg_consistency *c, const struct cycle_memory *m)
{
	return money_add(c->cycle_profit, ledger_prior(&m->l, c->include_fees));
}

/* Today's cap: max(s / (1 - s) x prior, s x target); 0 when there is none. */
static money_t day_cap(const struct cfg_consistency *c, money_t prior)
{
	double s = (double)c->max_day_share / CFG_PPM, cap = 0;

	if (prior > 0)
		cap = s / (1 - s) * (double)prior;
	if (c->profit_target > 0 && s * (double)c->profit_target > cap)
		cap = s * (double)c->profit_target;
	if (cap <= 0)
		return 0;
	return cap >= 9e17 ? (money_t)9e17 : (money_t)llround(cap);
}

/* Today's P&L with open positions at their value (a position that cannot be valued: out). */
static money_t today_profit(struct rule_ctx *ctx, const struct cfg_consistency *c)
{
	money_t unrealized = 0;

	if (ctx->acct->n_pos > 0)
		(void)rule_acct_unrealized(ctx, false, &unrealized);
	return money_add(ledger_today(ctx->acct, c->include_fees), unrealized);
}

static void check(struct rule_ctx *ctx)
{
	const struct cfg_consistency *c = &ctx->cfg->consistency;
	struct cycle_memory *m = ctx->state;
	const struct acct *a = ctx->acct;
	struct cycle_memory was = *m;
	char v[32], lim[32], pr[32], sh[16];

	if (!roll(ctx->eng, c, m, engine_last_reset(ctx->eng)))
		return;
	(void)ledger_see(&m->l, a);
	if (memcmp(&was, m, sizeof(*m)) != 0)
		rule_memory_changed(ctx);

	money_t prior = prior_profit(c, m), cap = day_cap(c, prior), today = today_profit(ctx, c);

	if (cap <= 0 || today < cap)
		return;
	money_str(today, v);
	money_str(cap, lim);
	money_str(prior, pr);
	snprintf(sh, sizeof(sh), "%g", (double)c->max_day_share / CFG_PPM);
	rule_lockout(ctx, &c->lockout, NULL, c->flatten, "today's profit %s reached the consistency "
		     "cap %s (at most %s of the cycle's profit; %s before today)", v, lim, sh, pr);
	if (!c->flatten)
		return;
	if (a->n_ord > 0)
		rule_act(ctx, ACT_CANCEL_ALL, NULL, "today's profit reached the consistency cap %s", lim);
	if (a->n_pos > 0)
		rule_act(ctx, ACT_CLOSE_ALL, NULL, "today's profit reached the consistency cap %s", lim);
}

/* The daily reset: today joins the cycle. */
static void on_reset(struct rule_ctx *ctx)
{
	struct cycle_memory *m = ctx->state;
	struct cycle_memory was = *m;

	if (!m->inited)
		return;
	ledger_reset(&m->l, engine_last_reset(ctx->eng));
	if (memcmp(&was, m, sizeof(*m)) != 0)
		rule_memory_changed(ctx);
}

/* The views: today's profit against today's cap, and today's share of the cycle. */
static bool measure(const struct engine *e, const struct acct *a, const void *cfg,
		    struct rule_measure *out)
{
	const struct cfg_consistency *c = cfg;
	const struct cycle_memory *st = a->rstate[rule_index_of(&rule_consistency)];
	struct cycle_memory m = *st;
	money_t unrealized = 0;

	if (!roll(e, c, &m, engine_last_reset(e)))
		return false;
	money_t prior = prior_profit(c, &m), cap = day_cap(c, prior);

	if (cap <= 0)
		return false;
	if (a->n_pos > 0)
		(void)engine_acct_unrealized(e, a, false, &unrealized);
	money_t today = money_add(ledger_today(a, c->include_fees), unrealized);
	money_t total = money_add(prior, today);

	*out = (struct rule_measure){ .label = "day profit", .unit = MEASURE_MONEY,
				      .used = today > 0 ? (double)today / 100.0 : 0,
				      .limit = (double)cap / 100.0, .has_share = true,
				      .share = today > 0 && total > 0 ? (double)today / (double)total : 0 };
	return true;
}

/* A new config: the day's lockout ends when the rule is turned off. */
static const char *lockout_unwanted(const void *cfg, const struct lockout *l)
{
	const struct cfg_consistency *c = cfg;

	(void)l;
	return c->enabled ? NULL : "consistency turned off";
}

/* ---- the config block ---- */

#define T struct cfg_consistency
static const struct opt opts[] = {
	CFG_RULE_COMMON(T, "false", "off unless you turn it on (a firm profile may)"),
	CFG_OPT("max_day_share", T_FRACTION, T, max_day_share, .min = 10000, .max = 990000,
		.def = "0.5", .safer = SAFER_LOWER,
		.help = "today's profit at most this share of the cycle's profit, today included "
			"(0.5 = half; 0.01 to 0.99)"),
	CFG_OPT("cycle_start", T_DATE, T, cycle_start, .def = "~",
		.help = "the payout cycle's first trading day, \"YYYY-MM-DD\" (the date a session "
			"ends on); a new date begins a new cycle; ~ = the first day SRM guards"),
	CFG_OPT("cycle_profit", T_MONEY, T, cycle_profit, .zero_ok = true, .def = "~",
		.help = "installing mid-cycle: the cycle's profit before SRM's first day in it"),
	CFG_OPT("profit_target", T_MONEY, T, profit_target, .zero_ok = true, .def = "~",
		.safer = SAFER_LOWER_ON,
		.help = "the plan's profit target: today may always make max_day_share of it; ~ = none "
			"(no cap until the cycle has a profit)"),
	CFG_OPT("flatten", T_BOOL, T, flatten, .def = "true", .safer = SAFER_TRUE,
		.help = "close everything before locking out, to keep the day's profit"),
	CFG_OPT("include_fees", T_BOOL, T, include_fees, .def = "true", .safer = SAFER_TRUE,
		.help = "the P&L net of fees"),
	CFG_OPT("lockout", T_LOCKOUT, T, lockout, .def = "until_reset", .safer = SAFER_LONGER),
	{ 0 },
};
#undef T

const struct rule_def rule_consistency = {
	.id = "RULE-015",
	.block = {
		.name = "consistency",
		.summary = "no day's profit above a share of the payout cycle's (the firms' consistency rule).",
		.opts = opts,
		.cfg_offset = offsetof(struct rules_cfg, consistency),
	},
	.wakes_on = EVM_TRADE | EVM_POSITION | EVM_QUOTE | EVM_ACCOUNT,
	.state_size = sizeof(struct cycle_memory),
	.persist_size = sizeof(struct cycle_memory),
	.persist_version = 1,
	.check = check,
	.recheck_trade = true,
	.on_reset = on_reset,
	.measure = measure,
	.lockout_unwanted = lockout_unwanted,
};
