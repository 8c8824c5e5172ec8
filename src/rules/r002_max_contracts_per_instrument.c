/* r002_max_contracts_per_instrument.c: RULE-002: one symbol's contracts over its limit. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/rule.h"
#include "rules/exposure.h"
#include "util/strutil.h"

/*
 * A symbol groups the contracts a trader calls by one name (ESZ6 and ESH7 are both "ES").
 * Its count is the sum over its contracts of |position|: each contract's position is
 * already net, and two expiries held are that many contracts.
 */
struct group {
	const struct engine *eng;
	const char *symbol;     /* engine_symbol of the event's contract; "" = unknown shape */
	const char *contract;   /* the event's contract (the group when symbol is "") */
};

static bool in_group(const struct group *g, const char *contract_id)
{
	if (g->symbol[0] == '\0')
		return strcmp(contract_id, g->contract) == 0;
	if (strcmp(contract_id, g->contract) == 0)
		return true;
	return str_eq_ci(engine_symbol(g->eng, contract_id), g->symbol);
}

/* The limit for the event's contract; *unknown says it came from unknown_symbol: block. */
static int symbol_limit(const struct rule_ctx *ctx, const char *contract_id, bool *unknown)
{
	const struct cfg_max_contracts_per_instrument *c = &ctx->cfg->max_contracts_per_instrument;

	*unknown = false;
	for (size_t i = 0; i < c->n_limits && i < CFG_MAX_SYMBOL_LIMITS; i++)
		if (engine_symbol_matches(ctx->eng, contract_id, c->limits[i].symbol))
			return c->limits[i].limit;
	/* unknown: the gateway said it has no such contract (not merely "not looked up yet") */
	if (engine_contract_is_missing(ctx->eng, contract_id) && c->unknown_symbol == UNKNOWN_BLOCK) {
		*unknown = true;
		return 0;
	}
	return c->default_limit;
}

static bool scope_in(const struct expo_scope *s, const char *contract_id)
{
	return in_group(s->arg, contract_id);
}

/* Close `excess` units of the group, the position that grew last first. */
static void reduce(struct rule_ctx *ctx, const struct expo_scope *s, const struct group *g,
		   int64_t excess, const char *why)
{
	const struct acct *a = ctx->acct;
	bool eligible[RULE_MAX_POS];

	for (size_t i = 0; i < a->n_pos && i < RULE_MAX_POS; i++)
		eligible[i] = in_group(g, a->pos[i].contract_id);
	expo_reduce_last_grown(ctx, s, excess, eligible, why);
}

static void close_group(struct rule_ctx *ctx, const struct group *g, const char *why)
{
	const struct acct *a = ctx->acct;

	for (size_t i = 0; i < a->n_pos; i++)
		if (in_group(g, a->pos[i].contract_id))
			rule_act(ctx, ACT_CLOSE_CONTRACT, a->pos[i].contract_id, "%s", why);
}

static void lock(struct rule_ctx *ctx, const struct group *g, const char *why)
{
	const struct cfg_max_contracts_per_instrument *c = &ctx->cfg->max_contracts_per_instrument;

	/* Without a symbol the lockout would cover the whole account: leave it out. */
	if (g->symbol[0] != '\0')
		rule_lockout(ctx, &c->lockout, g->symbol, false, "%s", why);
}

static void check(struct rule_ctx *ctx)
{
	const struct cfg_max_contracts_per_instrument *c = &ctx->cfg->max_contracts_per_instrument;
	const struct acct *a = ctx->acct;
	const char *cid;
	bool unknown, scaled;
	char why[160], h[24];

	if (ctx->ev->kind == EV_POSITION)
		cid = ctx->ev->u.position.contract_id;
	else if (ctx->ev->kind == EV_ORDER)
		cid = ctx->ev->u.order.contract_id;
	else if (ctx->ev->kind == EV_TIMER) /* a cancel that waited for an order's own event */
		cid = ctx->ev->u.timer.contract_id;
	else
		return;
	struct group g = {.eng = ctx->eng, .symbol = engine_symbol(ctx->eng, cid), .contract = cid};
	const char *name = g.symbol[0] != '\0' ? g.symbol : cid;
	int limit = symbol_limit(ctx, cid, &unknown);

	if (limit < 0)
		return;
	limit = expo_scaled_limit(ctx->eng, a, limit, c->scaling, c->n_scaling, &scaled);

	struct expo_scope sc = { .eng = ctx->eng, .in = scope_in, .arg = &g, .per_contract = true,
				 .weights = c->weights, .n_weights = c->n_weights };
	int64_t have = expo_held(a, &sc), bound = (int64_t)limit * CFG_PPM;
	const char *note = unknown ? " (unknown contract)" : scaled ? " (scaling plan)" : "";

	if (have > bound) {
		snprintf(why, sizeof(why), "%s contracts %s over limit %d%s", name,
			 millionths_text(have, h, sizeof(h)), limit, note);
		lock(ctx, &g, why);
		if (c->action == SIZE_REDUCE_TO_LIMIT)
			reduce(ctx, &sc, &g, have - bound, why);
		else
			close_group(ctx, &g, why);
	}
	/*
	 * The symbol's worst case at every order and position change in it: working orders that
	 * could open or add, the last grown cancelled first until the rest fits.
	 */
	const struct lockout_spec none = { .mode = LOCKOUT_NONE };

	(void)expo_cancel_excess(ctx, &sc, have > bound ? have : bound, name, limit, note,
				 g.symbol[0] != '\0' ? &c->lockout : &none, g.symbol);
}

/* ---- the config block ---- */

static const char *const unknown_names[] = { "block", "allow", NULL };

#define T struct cfg_max_contracts_per_instrument
static const struct opt opts[] = {
	CFG_RULE_COMMON(T, "true", NULL),
	CFG_LIST("limits", T_LIMITS, T, n_limits, limits, .def = "{MNQ: 4, ES: 1}",
		 .help = "SYMBOL: most contracts (integer >= 0); at most 64"),
	CFG_OPT("default_limit", T_INT, T, default_limit, .min = 0, .safer = SAFER_LOWER, .def = "2",
		.help = "limit of a symbol not listed in limits"),
	CFG_OPT("unknown_symbol", T_ENUM, T, unknown_symbol, .names = unknown_names, .def = "block",
		.help = "contract not in the contract cache yet: block (limit 0) | allow (default_limit)"),
	CFG_OPT("action", T_ENUM, T, action, .names = size_action_names, .def = "reduce_to_limit",
		.help = "close_all | reduce_to_limit"),
	CFG_OPT("lockout", T_LOCKOUT, T, lockout, .def = "none", .safer = SAFER_LONGER),
	CFG_LIST("weights", T_WEIGHTS, T, n_weights, weights, .def = "{}", .safer = SAFER_HEAVIER,
		 .help = "SYMBOL: what one contract counts against its limit (MES: 0.1); not listed: 1"),
	CFG_LIST("scaling", T_STEPS, T, n_scaling, scaling, .def = "[]", .safer = SAFER_LOWER,
		 .help = "a scaling plan as in max_contracts: no symbol's limit above the day's step"),
	{ 0 },
};
#undef T

const struct rule_def rule_max_contracts_per_instrument = {
	.id = "RULE-002",
	.block = {
		.name = "max_contracts_per_instrument",
		.summary = "contracts per symbol (ES, MNQ: the contract name without month and year).",
		.opts = opts,
		.cfg_offset = offsetof(struct rules_cfg, max_contracts_per_instrument),
	},
	.wakes_on = EVM_POSITION | EVM_ORDER | EVM_TIMER,
	.state_size = 0,
	.check = check,
	.on_reset = NULL,
};
