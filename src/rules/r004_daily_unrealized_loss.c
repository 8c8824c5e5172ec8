/* r004_daily_unrealized_loss.c: RULE-004: an open loss reaching the limit closes it (or all). */
#include <stddef.h>

#include "engine/rule.h"

/* The contract an event is about ("" for kinds without one). */
static const char *event_contract(const struct srm_event *ev)
{
	switch (ev->kind) {
	case EV_QUOTE:
		return ev->u.quote.contract_id;
	case EV_POSITION:
		return ev->u.position.contract_id;
	default:
		return "";
	}
}

/* scope position: only the position in the event's contract can have changed. */
static void check_position(struct rule_ctx *ctx, const struct cfg_daily_unrealized_loss *c)
{
	const struct pos *p = acct_pos(ctx->acct, event_contract(ctx->ev));
	char v[24], lim[24];
	money_t u;

	/* A stale loss is still a loss: any quote age; an unvalued contract is skipped. */
	if (p == NULL || !rule_pos_unrealized(ctx, p, false, &u) || u > -c->loss_limit)
		return;
	money_str(u, v);
	money_str(-c->loss_limit, lim);
	const char *sym = engine_symbol(ctx->eng, p->contract_id);

	rule_lockout(ctx, &c->lockout, NULL, false, "unrealized %s on %s reached limit %s", v, sym,
		     lim);
	rule_act(ctx, ACT_CLOSE_CONTRACT, p->contract_id, "unrealized %s on %s reached limit %s", v,
		 sym, lim);
}

/* scope account: the sum of what can be valued (a stale loss still counts). */
static void check_account(struct rule_ctx *ctx, const struct cfg_daily_unrealized_loss *c)
{
	char v[24], lim[24];
	money_t u;

	if (ctx->acct->n_pos == 0)
		return;
	(void)rule_acct_unrealized(ctx, false, &u);
	if (u > -c->loss_limit)
		return;
	money_str(u, v);
	money_str(-c->loss_limit, lim);
	rule_lockout(ctx, &c->lockout, NULL, true, "account unrealized %s reached limit %s", v,
		     lim);
	/* Again while the breach holds (lockout none or already held): repeats are dropped. */
	if (ctx->acct->n_ord > 0 || c->lockout.mode == LOCKOUT_NONE)
		rule_act(ctx, ACT_CANCEL_ALL, NULL, "account unrealized %s reached limit %s", v,
			 lim);
	rule_act(ctx, ACT_CLOSE_ALL, NULL, "account unrealized %s reached limit %s", v, lim);
}

static void check(struct rule_ctx *ctx)
{
	const struct cfg_daily_unrealized_loss *c = &ctx->cfg->daily_unrealized_loss;

	if (c->loss_limit <= 0)
		return;
	if (c->scope == SCOPE_ACCOUNT)
		check_account(ctx, c);
	else
		check_position(ctx, c);
}

/* The views: the account's open loss against the limit. */
static bool measure(const struct engine *e, const struct acct *a, const void *cfg,
		    struct rule_measure *m)
{
	const struct cfg_daily_unrealized_loss *c = cfg;
	money_t u = 0;

	(void)engine_acct_unrealized(e, a, false, &u);
	*m = (struct rule_measure){ .label = "open loss", .unit = MEASURE_LOSS, .used = u < 0 ? (double)-u / 100.0 : 0,
				    .limit = (double)c->loss_limit / 100.0 };
	return c->loss_limit > 0;
}

/* ---- the config block ---- */

#define T struct cfg_daily_unrealized_loss
static const struct opt opts[] = {
	CFG_RULE_COMMON(T, "true", NULL),
	CFG_OPT("loss_limit", T_MONEY, T, loss_limit, .def = "300", .safer = SAFER_LOWER, .help = "positive money"),
	CFG_OPT("scope", T_ENUM, T, scope, .names = scope_names, .def = "position",
		.help = "position (close that one) | account (close all)"),
	CFG_OPT("lockout", T_LOCKOUT, T, lockout, .def = "none", .safer = SAFER_LONGER),
	{ 0 },
};
#undef T

const struct rule_def rule_daily_unrealized_loss = {
	.id = "RULE-004",
	.block = {
		.name = "daily_unrealized_loss",
		.summary = "unrealized loss of a position or of the account.",
		.opts = opts,
		.cfg_offset = offsetof(struct rules_cfg, daily_unrealized_loss),
	},
	.wakes_on = EVM_QUOTE | EVM_POSITION,
	.state_size = 0,
	.check = check,
	.measure = measure,
	.on_reset = NULL,
};
