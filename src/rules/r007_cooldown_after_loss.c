/* r007_cooldown_after_loss.c: RULE-007: a big loss, or losses in a row, earn a cooldown lockout. */
#include <math.h>
#include <stddef.h>
#include <stdio.h>

#include "engine/rule.h"

struct r007_state {
	int consecutive;        /* losing closing fills in a row since the last win or reset */
};

static void check(struct rule_ctx *ctx)
{
	const struct cfg_cooldown_after_loss *c = &ctx->cfg->cooldown_after_loss;
	struct r007_state *st = ctx->state;
	const struct px_trade *t;
	const struct lockout_spec *best = NULL;
	const struct cfg_loss_tier *tier = NULL;
	char reason[192] = "", v[24], lim[24];

	if (ctx->ev->kind != EV_TRADE)
		return;
	t = &ctx->ev->u.trade;
	/* Opening fills (no profitAndLoss) neither lose nor break a streak; voids are reversals. */
	if (t->voided || isnan(t->profit_and_loss))
		return;
	/* The gross profitAndLoss of the fill, fees excluded: a trade's loss is the market's. */
	money_t pnl = money_from_double(t->profit_and_loss);

	if (pnl >= 0) {
		st->consecutive = 0;
		return;
	}
	st->consecutive++;
	money_str(pnl, v);
	for (size_t i = 0; i < c->n_tiers && i < CFG_MAX_TIERS; i++) {
		const struct cfg_loss_tier *k = &c->tiers[i];

		if (k->loss > 0 && -pnl >= k->loss && (tier == NULL || k->loss > tier->loss))
			tier = k; /* the largest matching tier */
	}
	if (tier != NULL) {
		best = &tier->cooldown;
		snprintf(reason, sizeof(reason), "loss %s reached tier %s", v,
			 money_str(-tier->loss, lim));
	}
	if (c->consecutive_count > 0 && st->consecutive >= c->consecutive_count) {
		if (best == NULL || lockout_spec_longer(&c->consecutive_cooldown, best)) {
			best = &c->consecutive_cooldown;
			snprintf(reason, sizeof(reason),
				 "%d losing trades in a row reached %d (last %s)", st->consecutive,
				 c->consecutive_count, v);
		}
		st->consecutive = 0;
	}
	if (best == NULL)
		return;
	struct lockout_spec spec = *best;

	/*
	 * A cooldown runs from the fill: one seen late (after a reconnect) gets what is left of
	 * it, or nothing. A fill time ahead of ours (clock skew) counts as now.
	 */
	if (spec.mode == LOCKOUT_DURATION && t->created > 0 && t->created < ctx->now) {
		spec.duration_ms -= ctx->now - t->created;
		if (spec.duration_ms <= 0)
			return;
	}
	rule_lockout(ctx, &spec, NULL, false, "%s", reason);
}

static void on_reset(struct rule_ctx *ctx)
{
	struct r007_state *st = ctx->state;

	st->consecutive = 0;
}

/*
 * After a restart, today's closing fills come back in fill-time order: count the streak as
 * check() did (a streak that reached consecutive_count started over then; its lockout is
 * restored by itself).
 */
static void on_restore_fill(struct rule_ctx *ctx, const struct fill_rec *f)
{
	const struct cfg_cooldown_after_loss *c = &ctx->cfg->cooldown_after_loss;
	struct r007_state *st = ctx->state;

	if (f->pnl >= 0) {
		st->consecutive = 0;
		return;
	}
	if (++st->consecutive >= c->consecutive_count && c->consecutive_count > 0)
		st->consecutive = 0;
}

/* ---- the config block ---- */

#define T struct cfg_cooldown_after_loss
static const struct opt consecutive_opts[] = {
	CFG_OPT("count", T_INT, T, consecutive_count, .min = 0, .def = "3",
		.help = "that many losing closing fills in a row (0 = off)"),
	CFG_OPT("cooldown", T_LOCKOUT, T, consecutive_cooldown, .def = "1h"),
	{ 0 },
};

static const struct opt opts[] = {
	CFG_RULE_COMMON(T, "true", NULL),
	CFG_LIST("tiers", T_TIERS, T, n_tiers, tiers,
		 .def = "[{loss: 100, cooldown: 5m}, {loss: 300, cooldown: 30m}]",
		 .help = "loss: positive money, cooldown: a lockout; the largest tier whose loss is "
			 "reached applies; at most 8"),
	{ .key = "consecutive_losses", .type = T_MAP, .sub = consecutive_opts },
	{ 0 },
};
#undef T

const struct rule_def rule_cooldown_after_loss = {
	.id = "RULE-007",
	.block = {
		.name = "cooldown_after_loss",
		.summary = "a cooldown after a losing closing fill.",
		.opts = opts,
		.cfg_offset = offsetof(struct rules_cfg, cooldown_after_loss),
	},
	.wakes_on = EVM_TRADE,
	.state_size = sizeof(struct r007_state),
	.check = check,
	.on_reset = on_reset,
	.on_restore_fill = on_restore_fill,
};
