/* r012_trade_management.c: RULE-012: auto stop on new positions, breakeven and trailing stops. */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "engine/rule.h"
#include "util/strutil.h"

#define TM_SLOTS 32         /* positions tracked per account */
#define MODIFY_GAP_MS 1000  /* at most one modify per order per second */
#define TICK_EPS 1e-6

/* What we remember of one position (keyed by contract, reset when the position changes). */
struct tm_slot {
	bool used;
	char contract_id[SRM_ID_MAX];
	int64_t pos_id;
	int sign;               /* +1 long, -1 short */
	bool be_done;           /* breakeven applied (or found already tighter) */
	bool trailing;          /* activation reached */
	double best;            /* best mark since activation */
	int64_t mod_order;      /* the order we last modified, and when */
	srm_ms mod_at;
};

struct tm_state {
	struct tm_slot s[TM_SLOTS];
};

/* The contract an event is about. */
static const char *event_contract(const struct srm_event *ev)
{
	switch (ev->kind) {
	case EV_POSITION:
		return ev->u.position.contract_id;
	case EV_ORDER:
		return ev->u.order.contract_id;
	case EV_QUOTE:
		return ev->u.quote.contract_id;
	default:
		return "";
	}
}

static double to_tick(double px, double tick)
{
	return round(px / tick) * tick;
}

static struct tm_slot *slot_find(struct tm_state *st, const char *cid)
{
	for (size_t i = 0; i < TM_SLOTS; i++)
		if (st->s[i].used && strcmp(st->s[i].contract_id, cid) == 0)
			return &st->s[i];
	return NULL;
}

/* The slot of position p (fresh when the position is new or reversed); NULL when full. */
static struct tm_slot *slot_for(struct rule_ctx *ctx, struct tm_state *st, const struct pos *p)
{
	int sign = p->qty > 0 ? 1 : -1;
	struct tm_slot *s = slot_find(st, p->contract_id);

	if (s != NULL && s->pos_id == p->id && s->sign == sign)
		return s;
	if (s == NULL) {
		/* A free slot, or one whose position is gone. */
		for (size_t i = 0; i < TM_SLOTS && s == NULL; i++)
			if (!st->s[i].used || acct_pos(ctx->acct, st->s[i].contract_id) == NULL)
				s = &st->s[i];
		if (s == NULL)
			return NULL;
	}
	memset(s, 0, sizeof(*s));
	s->used = true;
	strlcpy_s(s->contract_id, p->contract_id, sizeof(s->contract_id));
	s->pos_id = p->id;
	s->sign = sign;
	return s;
}

/* auto_stop: a new position without a working stop gets one stop_ticks from the average. */
static void auto_stop(struct rule_ctx *ctx, const struct cfg_trade_management *c,
		      const struct pos *p, double tick)
{
	const char *sym = engine_symbol(ctx->eng, p->contract_id);

	if (c->stop_ticks <= 0 || rule_find_stop(ctx, p->contract_id) != NULL)
		return;
	if (!(tick > 0.0)) {
		rule_act(ctx, ACT_ALERT, p->contract_id,
			 "cannot place an auto stop on %s %+d: tick size unknown", sym, p->qty);
		return;
	}
	double off = (double)c->stop_ticks * tick;
	double px = to_tick(p->qty > 0 ? p->avg_price - off : p->avg_price + off, tick);
	struct srm_action *a = rule_act(ctx, ACT_PLACE_STOP, p->contract_id,
					"auto stop on new %s %+d: %d ticks from %.2f at %.2f", sym,
					p->qty, c->stop_ticks, p->avg_price, px);

	a->side = p->qty > 0 ? PX_ASK : PX_BID;
	a->size = abs(p->qty);
	a->stop_price = px;
}

/* Is stop price a tighter (more protective) than b for a position of this sign? */
static bool tighter(int sign, double a, double b)
{
	return sign > 0 ? a > b + 1e-9 : a < b - 1e-9;
}

/* breakeven and trailing: move the working stop toward profit, on a fresh mark only. */
static void manage(struct rule_ctx *ctx, const struct cfg_trade_management *c,
		   const struct pos *p, struct tm_slot *s, double tick)
{
	const struct quote *q = engine_quote(ctx->eng, p->contract_id);
	double mark = quote_mark(q);

	if (!(tick > 0.0) || isnan(mark) || !engine_quote_fresh(ctx->eng, q))
		return;
	double profit = (mark - p->avg_price) / tick * (double)s->sign;
	double target = NAN;
	const char *why = NULL;

	if (c->trailing_enabled && c->distance_ticks > 0) {
		if (!s->trailing && profit + TICK_EPS >= (double)c->activation_ticks) {
			s->trailing = true;
			s->best = mark;
		} else if (s->trailing && tighter(s->sign, mark, s->best)) {
			s->best = mark;
		}
		if (s->trailing) {
			double dist = (double)(s->sign * c->distance_ticks) * tick;

			target = to_tick(s->best - dist, tick);
			why = "trailing";
		}
	}
	double be = NAN;

	if (c->breakeven_enabled && !s->be_done && profit + TICK_EPS >= (double)c->trigger_ticks)
		be = to_tick(p->avg_price + (double)(s->sign * c->offset_ticks) * tick, tick);
	if (isnan(target) && isnan(be))
		return;

	const struct ord *o = rule_find_stop(ctx, p->contract_id);

	if (o == NULL || isnan(o->stop_price))
		return;
	if (!isnan(be)) {
		if (!tighter(s->sign, be, o->stop_price))
			s->be_done = true; /* the stop is already at least as tight */
		else if (isnan(target) || tighter(s->sign, be, target)) {
			target = be;
			why = "breakeven";
		}
	}
	if (isnan(target) || !tighter(s->sign, target, o->stop_price))
		return;
	if (s->mod_order == o->id && ctx->now - s->mod_at < MODIFY_GAP_MS)
		return;
	struct srm_action *a;

	a = rule_act(ctx, ACT_MODIFY_STOP, p->contract_id,
		     "%s: %s %+d profit %.1f ticks (mark %.2f, avg %.2f): stop %.2f -> %.2f", why,
		     engine_symbol(ctx->eng, p->contract_id), p->qty, profit, mark, p->avg_price,
		     o->stop_price, target);

	a->order_id = o->id;
	a->stop_price = target;
	s->mod_order = o->id;
	s->mod_at = ctx->now;
	if (!isnan(be))
		s->be_done = true; /* target is at least as tight as breakeven */
}

static void check(struct rule_ctx *ctx)
{
	const struct cfg_trade_management *c = &ctx->cfg->trade_management;
	struct tm_state *st = ctx->state;
	const char *cid = event_contract(ctx->ev);
	const struct pos *p = acct_pos(ctx->acct, cid);

	if (p == NULL) {
		struct tm_slot *s = slot_find(st, cid);

		if (s != NULL)
			s->used = false;
		return;
	}
	const struct contract *k = engine_contract(ctx->eng, cid);
	double tick = k != NULL && isfinite(k->c.tick_size) ? k->c.tick_size : 0.0;
	bool fresh = ctx->ev->kind == EV_POSITION &&
		     (ctx->prev_qty == 0 || (ctx->prev_qty > 0) != (p->qty > 0));

	if (c->auto_stop_enabled && fresh)
		auto_stop(ctx, c, p, tick);
	if (!c->breakeven_enabled && !c->trailing_enabled)
		return;
	struct tm_slot *s = slot_for(ctx, st, p);

	if (s != NULL)
		manage(ctx, c, p, s, tick);
}

/* ---- the config block ---- */

#define T struct cfg_trade_management
static const struct opt auto_stop_opts[] = {
	CFG_OPT("enabled", T_BOOL, T, auto_stop_enabled, .def = "true",
		.help = "a new position without a stop gets one"),
	CFG_OPT("stop_ticks", T_INT, T, stop_ticks, .min = 1, .def = "20",
		.help = "ticks from entry (positive)"),
	{ 0 },
};

static const struct opt breakeven_opts[] = {
	CFG_OPT("enabled", T_BOOL, T, breakeven_enabled, .def = "true"),
	CFG_OPT("trigger_ticks", T_INT, T, trigger_ticks, .min = 1, .def = "10",
		.help = "ticks in profit before the stop moves (positive)"),
	CFG_OPT("offset_ticks", T_INT, T, offset_ticks, .min = 0, .def = "1",
		.help = "stop at entry +/- this (>= 0)"),
	{ 0 },
};

static const struct opt trailing_opts[] = {
	CFG_OPT("enabled", T_BOOL, T, trailing_enabled, .def = "false"),
	CFG_OPT("activation_ticks", T_INT, T, activation_ticks, .min = 1, .def = "20",
		.help = "ticks in profit before trailing starts (positive)"),
	CFG_OPT("distance_ticks", T_INT, T, distance_ticks, .min = 1, .def = "10",
		.help = "ticks behind the best price (positive)"),
	{ 0 },
};

static const struct opt opts[] = {
	CFG_RULE_COMMON(T, "false", "off unless you turn it on"),
	{ .key = "auto_stop", .type = T_MAP, .sub = auto_stop_opts },
	{ .key = "breakeven", .type = T_MAP, .sub = breakeven_opts },
	{ .key = "trailing", .type = T_MAP, .sub = trailing_opts },
	{ 0 },
};
#undef T

const struct rule_def rule_trade_management = {
	.id = "RULE-012",
	.block = {
		.name = "trade_management",
		.summary = "stop management (Order/place, Order/modify).",
		.opts = opts,
		.cfg_offset = offsetof(struct rules_cfg, trade_management),
	},
	.wakes_on = EVM_POSITION | EVM_QUOTE | EVM_ORDER,
	.state_size = sizeof(struct tm_state),
	.check = check,
	.on_reset = NULL,
};
