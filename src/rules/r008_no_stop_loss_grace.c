/* r008_no_stop_loss_grace.c: RULE-008: a position without a stop past `grace` is closed/stopped. */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>

#include "engine/rule.h"

/* The contract an event is about ("" for kinds without one). */
static const char *event_contract(const struct srm_event *ev)
{
	switch (ev->kind) {
	case EV_POSITION:
		return ev->u.position.contract_id;
	case EV_ORDER:
		return ev->u.order.contract_id;
	case EV_TIMER:
		return ev->u.timer.contract_id;
	default:
		return "";
	}
}

/* Place a protective stop stop_ticks from the average price, or close when it cannot be priced. */
static void place_stop(struct rule_ctx *ctx, const struct pos *p, const char *sym, double secs)
{
	const struct contract *k = engine_contract(ctx->eng, p->contract_id);
	int ticks = ctx->cfg->trade_management.stop_ticks;
	double tick = k != NULL ? k->c.tick_size : 0.0;

	if (!(tick > 0.0) || !isfinite(tick) || ticks <= 0) {
		rule_act(ctx, ACT_CLOSE_CONTRACT, p->contract_id,
			 "%s %+d without a stop for %.1fs; cannot place a stop (%s), closing", sym,
			 p->qty, secs, ticks <= 0 ? "stop_ticks not set" : "tick size unknown");
		return;
	}
	double off = (double)ticks * tick;
	double px = p->qty > 0 ? p->avg_price - off : p->avg_price + off;

	px = round(px / tick) * tick;
	struct srm_action *a;

	a = rule_act(ctx, ACT_PLACE_STOP, p->contract_id,
		     "%s %+d without a stop for %.1fs: stop %d ticks from %.2f at %.2f", sym,
		     p->qty, secs, ticks, p->avg_price, px);

	a->side = p->qty > 0 ? PX_ASK : PX_BID;
	a->size = abs(p->qty);
	a->stop_price = px;
}

/* Act when the position has been open at least grace and has no working stop. */
static void check_pos(struct rule_ctx *ctx, const struct cfg_no_stop_loss_grace *c,
		      const struct pos *p)
{
	srm_ms age = ctx->now - p->opened;

	if (age < c->grace_ms || rule_find_stop(ctx, p->contract_id) != NULL)
		return;
	const char *sym = engine_symbol(ctx->eng, p->contract_id);
	double secs = (double)age / 1000.0;

	if (c->action == GRACE_PLACE_STOP) {
		place_stop(ctx, p, sym, secs);
		return;
	}
	rule_act(ctx, ACT_CLOSE_CONTRACT, p->contract_id,
		 "%s %+d without a stop for %.1fs (grace %.1fs)", sym, p->qty, secs,
		 (double)c->grace_ms / 1000.0);
}

static void check(struct rule_ctx *ctx)
{
	const struct cfg_no_stop_loss_grace *c = &ctx->cfg->no_stop_loss_grace;
	const struct srm_event *ev = ctx->ev;
	const struct pos *p = acct_pos(ctx->acct, event_contract(ev));

	if (p == NULL)
		return;
	if (ev->kind == EV_TIMER) {
		/* A timer of an earlier position in this contract: that one is gone. */
		if (ev->u.timer.key != p->id)
			return;
	} else if (ev->kind == EV_POSITION) {
		/*
		 * new, reversed, a new position id in the contract (it began at this event), or
		 * the first sight of one put back after a restart
		 */
		bool fresh = ctx->prev_qty == 0 || (ctx->prev_qty > 0) != (p->qty > 0) ||
			     p->opened == ctx->now || p->restored;

		if (fresh && c->grace_ms > 0)
			rule_timer(ctx, p->opened + c->grace_ms, p->id, p->contract_id);
	}
	check_pos(ctx, c, p);
}

/* A position without a stop: closed (or given one) when its grace ends. */
static bool pos_deadline(const struct engine *e, const struct acct *a, const void *cfg,
			 const struct pos *p, srm_ms *at, const char **what)
{
	const struct cfg_no_stop_loss_grace *c = cfg;

	(void)e;
	if (p->qty == 0 || engine_pos_stop(a, p->contract_id) != NULL)
		return false;
	*at = p->opened + c->grace_ms;
	*what = c->action == GRACE_PLACE_STOP ? "gets a stop" : "closes";
	return true;
}

/* ---- the config block ---- */

static const char *const grace_names[] = { "close_position", "place_stop", NULL };

#define T struct cfg_no_stop_loss_grace
static const struct opt opts[] = {
	CFG_RULE_COMMON(T, "true", NULL),
	CFG_OPT("grace", T_DURATION, T, grace_ms, .min = 0, .safer = SAFER_LOWER, .def = "30s",
		.help = "time a position may have no stop"),
	CFG_OPT("action", T_ENUM, T, action, .names = grace_names, .def = "close_position",
		.help = "close_position | place_stop (at trade_management.auto_stop.stop_ticks)"),
	{ 0 },
};
#undef T

const struct rule_def rule_no_stop_loss_grace = {
	.id = "RULE-008",
	.block = {
		.name = "no_stop_loss_grace",
		.summary = "a position must get a stop order within the grace period.",
		.opts = opts,
		.cfg_offset = offsetof(struct rules_cfg, no_stop_loss_grace),
	},
	.wakes_on = EVM_POSITION | EVM_ORDER | EVM_TIMER,
	.state_size = 0,
	.check = check,
	.on_reset = NULL,
	.pos_deadline = pos_deadline,
};
