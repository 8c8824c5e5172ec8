/* r009_session_block_outside.c: RULE-009: no orders or positions outside the session windows. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "engine/calendar.h"
#include "engine/rule.h"

#define ARM_FLATTEN 1   /* the armed deadline is flatten_at */
#define ARM_EDGE 2      /* the armed deadline is a window open or close */

struct session_state {
	srm_ms armed;       /* deadline of our pending timer; 0 = none */
	int armed_what;     /* ARM_* bits */
	/* inside/outside is the same from known_from until the next window edge */
	uint64_t known_key;     /* of the windows and holidays it was worked out with */
	srm_ms known_from, known_until;
	bool known_outside;
};

/* "15:30 America/Chicago (Tue)" or "... (holiday)" into buf. */
static const char *local_desc(const struct calendar *cal, srm_ms t, char *buf, size_t cap)
{
	static const char *const wd[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	struct tz_local lt;

	tz_localtime(cal->zone, t, &lt);
	snprintf(buf, cap, "%02d:%02d %s (%s%s)", lt.hour, lt.min, tz_name(cal->zone),
		 wd[lt.wday % 7], cal_is_holiday(cal, lt.days) ? ", holiday" : "");
	return buf;
}

/* Is now outside every window? With no windows configured there is no session limit. */
static bool outside(const struct cfg_session_block_outside *c, const struct calendar *cal,
		    srm_ms t)
{
	return c->n_windows > 0 && !cal_in_windows(cal, c->windows, c->n_windows, t);
}

/*
 * outside(), remembered until the next window edge (the time zone arithmetic of every window
 * on every order and position event was 8 % of the engine's time).
 */
static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 1099511628211ull;
	return h;
}

static bool outside_now(struct rule_ctx *ctx, const struct cfg_session_block_outside *c,
			const struct calendar *cal, struct session_state *st)
{
	/* a reload may change the windows or the holidays (and reuse the config's address) */
	uint64_t key = fnv(14695981039346656037ull, c->windows, c->n_windows * sizeof(c->windows[0]));

	key = fnv(key, cal->holidays, cal->n_holidays * sizeof(cal->holidays[0]));
	uintptr_t zone = (uintptr_t)cal->zone;

	key = fnv(key, &zone, sizeof(zone));
	key = fnv(key, &c->n_windows, sizeof(c->n_windows));
	if (st->known_key == key && st->known_from <= ctx->now && ctx->now < st->known_until)
		return st->known_outside;
	st->known_outside = outside(c, cal, ctx->now);
	st->known_from = ctx->now;
	st->known_until = c->n_windows > 0 ? cal_next_window_edge(cal, c->windows, c->n_windows, ctx->now)
					   : INT64_MAX;
	st->known_key = key;
	return st->known_outside;
}

/* Keep one timer armed at the next window edge or flatten_at. */
static void arm(struct rule_ctx *ctx, const struct cfg_session_block_outside *c,
		const struct calendar *cal, struct session_state *st)
{
	srm_ms edge = INT64_MAX, flat = INT64_MAX;

	if (st->armed > ctx->now)
		return;
	st->armed = 0;
	st->armed_what = 0;
	if (c->n_windows > 0)
		edge = cal_next_window_edge(cal, c->windows, c->n_windows, ctx->now);
	if (c->flatten_at_min >= 0)
		flat = cal_next_local_time(cal, c->flatten_at_min, ctx->now);
	srm_ms at = edge < flat ? edge : flat;

	if (at == INT64_MAX)
		return;
	st->armed = at;
	st->armed_what = (at == flat ? ARM_FLATTEN : 0) | (at == edge ? ARM_EDGE : 0);
	rule_timer(ctx, at, st->armed_what, NULL);
}

/* A working order that opens or adds, outside the windows: cancel it and lock out. */
static void check_order(struct rule_ctx *ctx, const struct cfg_session_block_outside *c,
			const char *when)
{
	const struct ord *o = acct_ord(ctx->acct, ctx->ev->u.order.id);

	if (o == NULL || !acct_ord_opens(ctx->acct, o))
		return;
	const char *sym = engine_symbol(ctx->eng, o->contract_id);

	rule_lockout(ctx, &c->lockout, NULL, false, "outside the session windows at %s", when);
	struct srm_action *a = rule_act(ctx, ACT_CANCEL_ORDER, o->contract_id,
					"order %lld on %s outside the session windows at %s",
					(long long)o->id, sym, when);

	a->order_id = o->id;
}

/* A position open outside the windows: close it and lock out. */
static void check_position(struct rule_ctx *ctx, const struct cfg_session_block_outside *c,
			   const char *when)
{
	const struct pos *p = acct_pos(ctx->acct, ctx->ev->u.position.contract_id);

	if (p == NULL)
		return;
	rule_lockout(ctx, &c->lockout, NULL, false, "outside the session windows at %s", when);
	rule_act(ctx, ACT_CLOSE_CONTRACT, p->contract_id,
		 "%s %+d open outside the session windows at %s", engine_symbol(ctx->eng,
		 p->contract_id), p->qty, when);
}

/*
 * A window just closed (we are outside now): every position is outside, every order that
 * opens or adds would open outside. flattened: flatten_at already asked to cancel/close all.
 */
static void window_closed(struct rule_ctx *ctx, const struct cfg_session_block_outside *c,
			  const char *when, bool flattened)
{
	struct acct *a = ctx->acct;
	bool opening = false;

	for (size_t i = 0; i < a->n_ord; i++)
		if (acct_ord_opens(a, &a->ord[i]))
			opening = true;
	if (a->n_pos == 0 && !opening)
		return;
	rule_lockout(ctx, &c->lockout, NULL, false, "session window closed at %s", when);
	if (flattened)
		return;
	for (size_t i = 0; i < a->n_ord; i++) {
		const struct ord *o = &a->ord[i];

		if (!acct_ord_opens(a, o))
			continue;
		struct srm_action *x = rule_act(ctx, ACT_CANCEL_ORDER, o->contract_id,
						"order %lld on %s working after the session window "
						"closed at %s", (long long)o->id,
						engine_symbol(ctx->eng, o->contract_id), when);

		x->order_id = o->id;
	}
	for (size_t i = 0; i < a->n_pos; i++)
		rule_act(ctx, ACT_CLOSE_CONTRACT, a->pos[i].contract_id,
			 "%s %+d open after the session window closed at %s",
			 engine_symbol(ctx->eng, a->pos[i].contract_id), a->pos[i].qty, when);
}

/* Our timer fired: flatten_at and/or a window edge. */
static void on_timer(struct rule_ctx *ctx, const struct cfg_session_block_outside *c,
		     const struct calendar *cal, struct session_state *st, const char *when)
{
	/*
	 * Timers are never cancelled: only the one we hold armed counts, at its time or late (a
	 * gap of hours with no event fires every due timer once, at the end of the gap); an
	 * older timer comes before the armed time and is ignored.
	 */
	if (st->armed == 0 || st->armed > ctx->now)
		return;
	int what = st->armed_what;
	bool flattened = false;

	st->armed = 0;
	st->armed_what = 0;
	/* The config may have changed since arming: flatten only if flatten_at is still set. */
	if ((what & ARM_FLATTEN) && c->flatten_at_min >= 0 &&
	    (ctx->acct->n_ord > 0 || ctx->acct->n_pos > 0)) {
		if (ctx->acct->n_ord > 0)
			rule_act(ctx, ACT_CANCEL_ALL, NULL, "flatten_at %s", when);
		if (ctx->acct->n_pos > 0)
			rule_act(ctx, ACT_CLOSE_ALL, NULL, "flatten_at %s", when);
		flattened = true;
	}
	if ((what & ARM_EDGE) && outside(c, cal, ctx->now))
		window_closed(ctx, c, when, flattened);
}

static void check(struct rule_ctx *ctx)
{
	const struct cfg_session_block_outside *c = &ctx->cfg->session_block_outside;
	struct session_state *st = ctx->state;
	const struct calendar *cal = engine_calendar(ctx->eng);
	char when[64];

	switch (ctx->ev->kind) {
	case EV_TIMER:
		on_timer(ctx, c, cal, st, local_desc(cal, ctx->now, when, sizeof(when)));
		break;
	case EV_ORDER:
		if (outside_now(ctx, c, cal, st))
			check_order(ctx, c, local_desc(cal, ctx->now, when, sizeof(when)));
		break;
	case EV_POSITION:
		if (outside_now(ctx, c, cal, st))
			check_position(ctx, c, local_desc(cal, ctx->now, when, sizeof(when)));
		break;
	default:
		break;
	}
	arm(ctx, c, cal, st);
}

/* A lockout until_next_window ends when one of the account's windows opens next. */
static srm_ms next_window(const struct rule_ctx *ctx)
{
	const struct cfg_session_block_outside *c = &ctx->cfg->session_block_outside;
	const struct calendar *cal = engine_calendar(ctx->eng);

	return cal_next_window_open(cal, c->windows, c->n_windows, ctx->now);
}

/* ---- the config block ---- */

#define T struct cfg_session_block_outside
static const struct opt opts[] = {
	CFG_RULE_COMMON(T, "false", "off unless you turn it on"),
	CFG_LIST("windows", T_WINDOWS, T, n_windows, windows,
		 .def = "[{days: [sun, mon, tue, wed, thu], start: \"17:00\", end: \"15:10\"}]",
		 .help = "days: the days a window STARTS (sun mon tue wed thu fri sat; default every "
			 "day); start, end: \"HH:MM\", an end before the start runs past midnight; "
			 "at most 16"),
	CFG_OPT("flatten_at", T_HHMM, T, flatten_at_min, .min = 1, .def = "\"15:10\"",
		.help = "\"HH:MM\" cancel all and close all; none = never"),
	CFG_OPT("lockout", T_LOCKOUT, T, lockout, .min = 1, .def = "until_next_window"),
	{ 0 },
};
#undef T

const struct rule_def rule_session_block_outside = {
	.id = "RULE-009",
	.block = {
		.name = "session_block_outside",
		.summary = "trade only inside windows (in daemon.timezone).",
		.opts = opts,
		.cfg_offset = offsetof(struct rules_cfg, session_block_outside),
	},
	.wakes_on = EVM_ORDER | EVM_POSITION | EVM_TIMER | EVM_ACCOUNT,
	.state_size = sizeof(struct session_state),
	.check = check,
	.next_window = next_window,
	.on_reset = NULL,
};
