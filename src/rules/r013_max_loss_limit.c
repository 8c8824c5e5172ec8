/*
 * r013_max_loss_limit.c: RULE-013: the firm's Maximum Loss Limit. The gateway reports no
 * floor and no high-water mark (firm-rules.md), so SRM keeps them, persisted across
 * restarts: equity (the balance plus open P&L) at or under the floor plus the buffer
 * cancels all, closes all and locks the account out.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "engine/rule.h"

extern const struct rule_def rule_max_loss_limit;

/* What outlives a restart (rule_def.persist_size: the first part of the state). */
struct mll_memory {
	money_t start;          /* the starting balance the floor locks at */
	money_t high;           /* the high-water mark (end-of-day balance, or equity intraday) */
	money_t floor;          /* never goes down */
	money_t day_start;      /* the balance when this trading day began */
	int32_t inited;
	int32_t pad;
};

struct mll_state {
	struct mll_memory m;
	money_t last_balance;   /* the balance as of the last look (the day's close at a reset) */
};

static money_t min_m(money_t a, money_t b)
{
	return a < b ? a : b;
}

static money_t max_m(money_t a, money_t b)
{
	return a > b ? a : b;
}

/* The balance now: the gateway's, or the day's start plus what closed today, the lower. */
static money_t balance_now(const struct acct *a, const struct mll_memory *m)
{
	money_t from_fills = money_add(money_add(m->day_start, a->realized), -a->fees);

	return a->seen ? min_m(money_from_double(a->balance), from_fills) : from_fills;
}

/* The floor the high-water mark asks for now; it only ever goes up. */
static void trail(const struct cfg_max_loss_limit *c, struct mll_memory *m)
{
	money_t want = money_add(m->high, -c->max_loss);

	if (c->trailing == MLL_STATIC)
		want = money_add(m->start, -c->max_loss);
	else if (c->lock_at_start && want > m->start)
		want = m->start;
	m->floor = max_m(m->floor, want);
}

/* The first balance seen (or the configured one) starts the cycle; seeds place it mid-cycle. */
static bool init(struct rule_ctx *ctx, const struct cfg_max_loss_limit *c, struct mll_state *st)
{
	struct mll_memory *m = &st->m;

	if (m->inited)
		return true;
	if (!ctx->acct->seen && c->starting_balance <= 0)
		return false;
	money_t bal = money_from_double(ctx->acct->balance);

	/* SRM may start mid-day: today's closed P&L is in the balance already */
	m->day_start = ctx->acct->seen ? money_add(money_add(bal, -ctx->acct->realized), ctx->acct->fees)
				       : c->starting_balance;
	m->start = c->starting_balance > 0 ? c->starting_balance : m->day_start;
	m->high = c->high_water_seed > 0 ? c->high_water_seed : max_m(m->start, m->day_start);
	m->floor = c->floor_seed > 0 ? c->floor_seed : 0;
	trail(c, m);
	m->inited = 1;
	st->last_balance = m->day_start;
	rule_memory_changed(ctx);
	return true;
}

static void check(struct rule_ctx *ctx)
{
	const struct cfg_max_loss_limit *c = &ctx->cfg->max_loss_limit;
	struct mll_state *st = ctx->state;
	struct mll_memory *m = &st->m;
	char eq[24], fl[24], buf[24], ml[24];
	money_t unrealized = 0;

	if (c->max_loss <= 0 || !init(ctx, c, st))
		return;
	st->last_balance = balance_now(ctx->acct, m);
	/* a stale loss is still a loss; a position that cannot be valued is left out (and said) */
	if (ctx->acct->n_pos > 0)
		(void)rule_acct_unrealized(ctx, false, &unrealized);
	money_t equity = money_add(st->last_balance, unrealized);

	if (c->trailing == MLL_INTRADAY && equity > m->high) {
		money_t floor0 = m->floor;

		m->high = equity;
		trail(c, m);
		if (m->floor != floor0)
			rule_memory_changed(ctx);
	}
	if (equity > money_add(m->floor, c->buffer))
		return;
	money_str(equity, eq);
	money_str(m->floor, fl);
	money_str(c->buffer, buf);
	money_str(c->max_loss, ml);
	rule_lockout(ctx, &c->lockout, NULL, true,
		     "equity %s reached the floor %s + buffer %s (max loss %s)", eq, fl, buf, ml);
	/* again while the breach holds: the engine drops repeats, a refused close is retried */
	if (ctx->acct->n_ord > 0 || c->lockout.mode == LOCKOUT_NONE)
		rule_act(ctx, ACT_CANCEL_ALL, NULL, "equity %s reached the floor %s + buffer %s", eq,
			 fl, buf);
	if (ctx->acct->n_pos > 0)
		rule_act(ctx, ACT_CLOSE_ALL, NULL, "equity %s reached the floor %s + buffer %s", eq,
			 fl, buf);
}

/* The reset: the day's closing balance moves an end-of-day floor, and starts the new day. */
static void on_reset(struct rule_ctx *ctx)
{
	const struct cfg_max_loss_limit *c = &ctx->cfg->max_loss_limit;
	struct mll_state *st = ctx->state;
	struct mll_memory *m = &st->m;

	if (!m->inited || c->max_loss <= 0)
		return;
	money_t close = st->last_balance;

	if (c->trailing == MLL_END_OF_DAY)
		m->high = max_m(m->high, close);
	trail(c, m);
	m->day_start = close;
	rule_memory_changed(ctx);
}

static bool measure(const struct engine *e, const struct acct *a, const void *cfg,
		    struct rule_measure *out)
{
	const struct cfg_max_loss_limit *c = cfg;
	money_t floor, buffer, day_start, unrealized = 0;

	if (c->max_loss <= 0 || !mll_floor(e, a, &floor, &buffer, &day_start))
		return false;
	(void)engine_acct_unrealized(e, a, false, &unrealized);
	const struct mll_state *st = a->rstate[rule_index_of(&rule_max_loss_limit)];
	money_t equity = money_add(balance_now(a, &st->m), unrealized);
	money_t room = c->max_loss - buffer; /* equity from the top of the range to the trigger */
	money_t left = money_add(equity, -money_add(floor, buffer));

	if (room <= 0)
		room = 1;
	*out = (struct rule_measure){
		.label = "max loss", .unit = MEASURE_LOSS,
		.used = left >= room ? 0 : (double)(room - (left > 0 ? left : 0)) / 100.0,
		.limit = (double)room / 100.0,
		.has_floor = true, .floor = (double)floor / 100.0,
		.distance = (double)money_add(equity, -floor) / 100.0,
	};
	return true;
}

/* RULE-013's memory of the account when it is on and has seen a balance, else NULL. */
static const struct mll_memory *mll_memory_of(const struct acct *a, const struct cfg_max_loss_limit **c)
{
	int r = rule_index_of(&rule_max_loss_limit);
	const struct mll_state *st = a->rstate[r];

	*c = rule_cfg_block(a->rules, r);
	return (*c)->enabled && st != NULL && st->m.inited ? &st->m : NULL;
}

bool mll_floor(const struct engine *e, const struct acct *a, money_t *floor, money_t *buffer,
	       money_t *day_start)
{
	const struct cfg_max_loss_limit *c;
	const struct mll_memory *m = mll_memory_of(a, &c);

	(void)e;
	if (m == NULL)
		return false;
	*floor = m->floor;
	*buffer = c->buffer;
	*day_start = m->day_start;
	return true;
}

bool mll_start(const struct engine *e, const struct acct *a, money_t *start, money_t *day_start)
{
	const struct cfg_max_loss_limit *c;
	const struct mll_memory *m = mll_memory_of(a, &c);

	(void)e;
	if (m == NULL)
		return false;
	*start = m->start;
	*day_start = m->day_start;
	return true;
}

/* ---- the config block ---- */

static const char *const trailing_names[] = { "end_of_day", "intraday", "static", NULL };

#define T struct cfg_max_loss_limit
static const struct opt opts[] = {
	CFG_RULE_COMMON(T, "false", "off unless you turn it on (a firm profile turns it on)"),
	CFG_OPT("max_loss", T_MONEY, T, max_loss, .def = "2000", .safer = SAFER_LOWER,
		.help = "the firm's Maximum Loss Limit: the floor trails this far under the high"),
	CFG_OPT("trailing", T_ENUM, T, trailing, .names = trailing_names, .def = "end_of_day",
		.help = "end_of_day (the high is the day's closing balance, moved at the reset) | "
			"intraday (the highest equity seen) | static (starting balance - max_loss)"),
	CFG_OPT("starting_balance", T_MONEY, T, starting_balance, .zero_ok = true, .def = "~",
		.help = "the account's starting balance; ~ = the first balance SRM sees"),
	CFG_OPT("lock_at_start", T_BOOL, T, lock_at_start, .def = "true", .safer = SAFER_TRUE,
		.help = "the floor stops trailing once it reaches the starting balance"),
	CFG_OPT("buffer", T_MONEY, T, buffer, .zero_ok = true, .def = "100", .safer = SAFER_HIGHER,
		.help = "act this far above the floor, before the firm would"),
	CFG_OPT("floor", T_MONEY, T, floor_seed, .zero_ok = true, .def = "~",
		.help = "installing mid-cycle: the floor the firm shows now; ~ = from the start"),
	CFG_OPT("high_water", T_MONEY, T, high_water_seed, .zero_ok = true, .def = "~",
		.help = "installing mid-cycle: the high-water mark the firm shows now"),
	CFG_OPT("lockout", T_LOCKOUT, T, lockout, .def = "until_reset", .safer = SAFER_LONGER),
	{ 0 },
};
#undef T

const struct rule_def rule_max_loss_limit = {
	.id = "RULE-013",
	.block = {
		.name = "max_loss_limit",
		.summary = "the firm's Maximum Loss Limit: a floor trailing the high-water mark.",
		.opts = opts,
		.cfg_offset = offsetof(struct rules_cfg, max_loss_limit),
	},
	.wakes_on = EVM_TRADE | EVM_QUOTE | EVM_POSITION | EVM_ACCOUNT,
	.state_size = sizeof(struct mll_state),
	.persist_size = sizeof(struct mll_memory),
	.persist_version = 1,
	.check = check,
	.recheck_trade = true,
	.on_reset = on_reset,
	.measure = measure,
};
