/* r010_auth_loss_guard.c: RULE-010: the broker says canTrade=false: lock, cancel (and flatten). */
#include <stddef.h>

#include "engine/rule.h"

struct guard_state {
	bool blocked;   /* we acted on canTrade=false and have not seen canTrade=true since */
};

/* Does a lockout of this rule hold on the account (e.g. restored after a restart)? */
static bool have_lock(const struct rule_ctx *ctx)
{
	const struct lockout *l;
	size_t i = 0;

	while ((l = engine_lockout_next(ctx->eng, &i)) != NULL)
		if (l->account_id == ctx->acct->id && l->rule == ctx->rule)
			return true;
	return false;
}

static void check(struct rule_ctx *ctx)
{
	const struct cfg_auth_loss_guard *c = &ctx->cfg->auth_loss_guard;
	struct guard_state *st = ctx->state;

	if (ctx->ev->kind != EV_ACCOUNT)
		return;
	if (ctx->acct->can_trade) {
		st->blocked = false;
		if (c->auto_clear && have_lock(ctx))
			rule_unlock(ctx, NULL, "broker reports canTrade=true");
		return;
	}
	/* Once per loss of canTrade: repeated account events change nothing. */
	if (st->blocked)
		return;
	st->blocked = true;
	if (have_lock(ctx))
		return;

	const struct lockout_spec perm = {.mode = LOCKOUT_PERMANENT};

	rule_lockout(ctx, &perm, NULL, c->flatten, "broker reports canTrade=false");
	/* positions kept: so are their stops and targets (cancel-all would strip them) */
	if (!c->flatten)
		rule_cancel_opening(ctx, "broker reports canTrade=false");
}

/* ---- the config block ---- */

#define T struct cfg_auth_loss_guard
static const struct opt opts[] = {
	CFG_RULE_COMMON(T, "true", NULL),
	CFG_OPT("flatten", T_BOOL, T, flatten, .def = "true", .safer = SAFER_TRUE, .help = "also close positions"),
	CFG_OPT("auto_clear", T_BOOL, T, auto_clear, .def = "true",
		.help = "lift the lockout when canTrade returns"),
	{ 0 },
};
#undef T

const struct rule_def rule_auth_loss_guard = {
	.id = "RULE-010",
	.block = {
		.name = "auth_loss_guard",
		.summary = "the broker says the account cannot trade (canTrade: false).",
		.opts = opts,
		.cfg_offset = offsetof(struct rules_cfg, auth_loss_guard),
	},
	.wakes_on = EVM_ACCOUNT,
	.state_size = sizeof(struct guard_state),
	.check = check,
	.on_reset = NULL,
};
