/* r011_symbol_blocks.c: RULE-011: no orders or positions in blocked symbols; they stay locked. */
#include <stddef.h>
#include <stdlib.h>

#include "engine/rule.h"
#include "util/strutil.h"

/* The first entry of the list that matches the contract (exact or glob), or NULL. */
static const char *blocked_by(const struct rule_ctx *ctx, const char *contract_id)
{
	const struct cfg_symbol_blocks *c = &ctx->cfg->symbol_blocks;

	for (size_t i = 0; i < c->n_symbols && i < CFG_MAX_BLOCKED; i++)
		if (c->symbols[i][0] != '\0' &&
		    engine_symbol_matches(ctx->eng, contract_id, c->symbols[i]))
			return c->symbols[i];
	return NULL;
}

/*
 * The lockout's symbol is the list entry itself (a glob locks every symbol it matches), so
 * the engine can end it when a config reload takes the entry off the list.
 */
static void lock(struct rule_ctx *ctx, const char *pattern, const char *contract_id, bool flatten)
{
	const struct lockout_spec permanent = {.mode = LOCKOUT_PERMANENT};
	const char *sym = engine_symbol(ctx->eng, contract_id);

	if (sym[0] == '\0')
		rule_lockout(ctx, &permanent, pattern, flatten, "symbol %s is blocked", pattern);
	else if (str_eq_ci(sym, pattern))
		rule_lockout(ctx, &permanent, pattern, flatten, "symbol %s is blocked", sym);
	else
		rule_lockout(ctx, &permanent, pattern, flatten, "symbol %s is blocked by %s", sym,
			     pattern);
}

static void on_order(struct rule_ctx *ctx)
{
	const struct ord *o = acct_ord(ctx->acct, ctx->ev->u.order.id);
	const char *pattern;

	if (o == NULL || (pattern = blocked_by(ctx, o->contract_id)) == NULL)
		return;
	bool reducing = !acct_ord_opens(ctx->acct, o);

	lock(ctx, pattern, o->contract_id, ctx->cfg->symbol_blocks.close_existing);
	/* The way out stays open: an order that only reduces is never cancelled. */
	if (reducing)
		return;
	const char *sym = engine_symbol(ctx->eng, o->contract_id);
	struct srm_action *x;

	x = rule_act(ctx, ACT_CANCEL_ORDER, o->contract_id, "symbol %s is blocked", sym);
	x->order_id = o->id;
}

static void on_position(struct rule_ctx *ctx)
{
	const struct pos *p = acct_pos(ctx->acct, ctx->ev->u.position.contract_id);
	const char *pattern;

	if (p == NULL || (pattern = blocked_by(ctx, p->contract_id)) == NULL)
		return;
	if (ctx->cfg->symbol_blocks.close_existing) {
		lock(ctx, pattern, p->contract_id, true);
		rule_act(ctx, ACT_CLOSE_CONTRACT, p->contract_id, "symbol %s is blocked",
			 engine_symbol(ctx->eng, p->contract_id));
		return;
	}
	/*
	 * close_existing: false leaves positions alone. A position that appears is not locked
	 * here (the lockout guard would close it as new: it may be one held since before the
	 * block, e.g. at start-up); one that grew or reversed while blocked is locked, and the
	 * guard closes it.
	 */
	int prev = ctx->prev_qty;
	bool grew = prev != 0 && ((prev > 0) != (p->qty > 0) || abs(p->qty) > abs(prev));

	if (grew)
		lock(ctx, pattern, p->contract_id, false);
}

static void check(struct rule_ctx *ctx)
{
	if (ctx->ev->kind == EV_ORDER)
		on_order(ctx);
	else if (ctx->ev->kind == EV_POSITION)
		on_position(ctx);
}

/* A new config: a symbol lockout ends when its symbol left the list (or the rule is off). */
static const char *lockout_unwanted(const void *cfg, const struct lockout *l)
{
	const struct cfg_symbol_blocks *sb = cfg;

	if (l->symbol[0] == '\0')
		return NULL;
	for (size_t k = 0; sb->enabled && k < sb->n_symbols; k++)
		if (str_eq_ci(sb->symbols[k], l->symbol))
			return NULL;
	return "symbol no longer blocked";
}

/* ---- the config block ---- */

#define T struct cfg_symbol_blocks
static const struct opt opts[] = {
	CFG_RULE_COMMON(T, "true", NULL),
	CFG_LIST("symbols", T_GLOBS, T, n_symbols, symbols, .def = "[RTY]", .help = "at most 64"),
	CFG_OPT("close_existing", T_BOOL, T, close_existing, .def = "true", .safer = SAFER_TRUE,
		.help = "also close open positions in them"),
	{ 0 },
};
#undef T

const struct rule_def rule_symbol_blocks = {
	.id = "RULE-011",
	.block = {
		.name = "symbol_blocks",
		.summary = "symbols that must not be traded (exact or glob, case-insensitive).",
		.opts = opts,
		.cfg_offset = offsetof(struct rules_cfg, symbol_blocks),
	},
	.wakes_on = EVM_ORDER | EVM_POSITION,
	.state_size = 0,
	.check = check,
	.lockout_unwanted = lockout_unwanted,
	.on_reset = NULL,
};
