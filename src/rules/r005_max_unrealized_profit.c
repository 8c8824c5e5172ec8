/* r005_max_unrealized_profit.c: RULE-005: an open profit reaching target is closed to keep it. */
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

/* scope position: the position in the event's contract, valued on a fresh quote only. */
static void check_position(struct rule_ctx *ctx, const struct cfg_max_unrealized_profit *c)
{
	const struct pos *p = acct_pos(ctx->acct, event_contract(ctx->ev));
	char v[24], tgt[24];
	money_t u;

	if (p == NULL || !rule_pos_unrealized(ctx, p, true, &u) || u < c->target)
		return;
	money_str(u, v);
	money_str(c->target, tgt);
	const char *sym = engine_symbol(ctx->eng, p->contract_id);

	rule_lockout(ctx, &c->lockout, NULL, false, "unrealized profit %s on %s reached target %s",
		     v, sym, tgt);
	rule_act(ctx, ACT_CLOSE_CONTRACT, p->contract_id,
		 "unrealized profit %s on %s reached target %s", v, sym, tgt);
}

/*
 * scope account: every position must be valued on a fresh quote; a stale or unknown one
 * could hide a loss, and a profit rule is never enforced on a guess.
 */
static void check_account(struct rule_ctx *ctx, const struct cfg_max_unrealized_profit *c)
{
	char v[24], tgt[24];
	money_t u;

	if (ctx->acct->n_pos == 0 || rule_acct_unrealized(ctx, true, &u) != 0 ||
	    u < c->target)
		return;
	money_str(u, v);
	money_str(c->target, tgt);
	/* A lockout (a daily profit target) also cancels the working orders that would open. */
	rule_lockout(ctx, &c->lockout, NULL, true, "account unrealized profit %s reached target %s",
		     v, tgt);
	rule_act(ctx, ACT_CLOSE_ALL, NULL, "account unrealized profit %s reached target %s", v,
		 tgt);
}

static void check(struct rule_ctx *ctx)
{
	const struct cfg_max_unrealized_profit *c = &ctx->cfg->max_unrealized_profit;

	if (c->target <= 0)
		return;
	if (c->scope == SCOPE_ACCOUNT)
		check_account(ctx, c);
	else
		check_position(ctx, c);
}

/* The views: the account's open profit against the target. */
static bool measure(const struct engine *e, const struct acct *a, const void *cfg,
		    struct rule_measure *m)
{
	const struct cfg_max_unrealized_profit *c = cfg;
	money_t u = 0;

	(void)engine_acct_unrealized(e, a, false, &u);
	*m = (struct rule_measure){ .label = "open profit", .unit = MEASURE_MONEY, .used = u > 0 ? (double)u / 100.0 : 0,
				    .limit = (double)c->target / 100.0 };
	return c->target > 0;
}

/* ---- the config block ---- */

#define T struct cfg_max_unrealized_profit
static const struct opt opts[] = {
	CFG_RULE_COMMON(T, "false", "off unless you turn it on"),
	CFG_OPT("target", T_MONEY, T, target, .def = "1000", .help = "positive money"),
	CFG_OPT("scope", T_ENUM, T, scope, .names = scope_names, .def = "position",
		.help = "position | account"),
	CFG_OPT("lockout", T_LOCKOUT, T, lockout, .def = "none"),
	{ 0 },
};
#undef T

const struct rule_def rule_max_unrealized_profit = {
	.id = "RULE-005",
	.block = {
		.name = "max_unrealized_profit",
		.summary = "unrealized profit target: close to lock it in.",
		.opts = opts,
		.cfg_offset = offsetof(struct rules_cfg, max_unrealized_profit),
	},
	.wakes_on = EVM_QUOTE | EVM_POSITION,
	.state_size = 0,
	.check = check,
	.measure = measure,
	.on_reset = NULL,
};
