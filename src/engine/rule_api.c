/* rule_api.c: what a rule may ask of the engine (rule.h): actions, lockouts, P&L, timers, stops. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine_int.h"
#include "util/strutil.h"
#include "util/xalloc.h"

struct srm_action *rule_act(struct rule_ctx *ctx, enum act_kind kind, const char *contract_id,
			    const char *fmt, ...)
{
	va_list ap;
	struct srm_action *a;

	out_reserve(ctx->eng);
	va_start(ap, fmt);
	a = out_action(ctx->eng, kind, ctx->rule, ctx->acct->id, contract_id, ctx->dry_run, fmt, ap);
	va_end(ap);
	return a;
}

/* Order of lockout lengths: permanent > until_reset (and next window) > duration > none. */
static int spec_rank(const struct lockout_spec *s)
{
	switch (s->mode) {
	case LOCKOUT_PERMANENT:
		return 3;
	case LOCKOUT_UNTIL_RESET:
	case LOCKOUT_UNTIL_NEXT_WINDOW:
		return 2;
	case LOCKOUT_DURATION:
		return 1;
	case LOCKOUT_NONE:
		break;
	}
	return 0;
}

bool lockout_spec_longer(const struct lockout_spec *a, const struct lockout_spec *b)
{
	if (spec_rank(a) != spec_rank(b))
		return spec_rank(a) > spec_rank(b);
	return a->mode == LOCKOUT_DURATION && a->duration_ms > b->duration_ms;
}

enum until_kind rule_until(struct rule_ctx *ctx, const struct lockout_spec *spec, srm_ms *until_ts)
{
	*until_ts = 0;
	switch (spec->mode) {
	case LOCKOUT_NONE:
		return UNTIL_NONE;
	case LOCKOUT_DURATION:
		*until_ts = ctx->now + spec->duration_ms;
		return UNTIL_TIME;
	case LOCKOUT_UNTIL_RESET:
		return UNTIL_RESET;
	case LOCKOUT_PERMANENT:
		return UNTIL_PERMANENT;
	case LOCKOUT_UNTIL_NEXT_WINDOW: {
		/* only a rule with windows offers it (its config refuses it otherwise) */
		const struct rule_def *d = ctx->rule >= 0 ? rule_table[ctx->rule] : NULL;
		srm_ms t = d != NULL && d->next_window != NULL ? d->next_window(ctx) : INT64_MAX;

		if (t == INT64_MAX)
			return UNTIL_PERMANENT;
		*until_ts = t;
		return UNTIL_TIME;
	}
	}
	return UNTIL_NONE;
}

void rule_lockout(struct rule_ctx *ctx, const struct lockout_spec *spec, const char *symbol,
		  bool flatten, const char *fmt, ...)
{
	char reason[192];
	srm_ms until_ts;
	enum until_kind u = rule_until(ctx, spec, &until_ts);
	va_list ap;

	if (u == UNTIL_NONE)
		return;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	lock_start(ctx->eng, ctx->acct, ctx->rule, u, until_ts, symbol, flatten, ctx->dry_run,
		      reason);
}

void rule_unlock(struct rule_ctx *ctx, const char *symbol, const char *fmt, ...)
{
	struct engine *e = ctx->eng;
	char reason[192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	for (size_t i = e->n_locks; i-- > 0;) {
		const struct lockout *l = &e->locks[i];

		if (l->account_id == ctx->acct->id && l->rule == ctx->rule &&
		    (symbol == NULL || strcmp(l->symbol, symbol) == 0))
			lock_release_at(e, i, ctx->dry_run, reason);
	}
}

/* An open position is this long without any quote before it is said to be unvalued. */
#define UNVALUED_AFTER_MS 30000

bool rule_pos_unrealized(struct rule_ctx *ctx, const struct pos *p, bool require_fresh, money_t *out)
{
	struct engine *e = ctx->eng;
	const char *why = NULL;

	if (engine_pos_unrealized(e, p, require_fresh, out))
		return true;
	const struct contract *c = engine_contract(e, p->contract_id);
	const struct quote *q = engine_quote(e, p->contract_id);

	if (engine_contract_is_missing(e, p->contract_id))
		why = "the gateway does not know its contract";
	else if (c == NULL && ctx->now - p->opened >= UNVALUED_AFTER_MS)
		why = "its contract's tick size and value are not known";
	else if (c != NULL && (q == NULL || isnan(quote_mark(q))) &&
		 ctx->now - p->opened >= UNVALUED_AFTER_MS)
		why = "no quote for it";
	if (why == NULL || p->unvalued_said)
		return false;
	struct pos *w = acct_pos(ctx->acct, p->contract_id);

	if (w != NULL)
		w->unvalued_said = true;
	rule_act(ctx, ACT_ALERT, p->contract_id, "%s %+d cannot be valued (%s): %s does not see it",
		 engine_symbol(e, p->contract_id), p->qty, why, rule_table[ctx->rule]->block.name);
	return false;
}

int rule_acct_unrealized(struct rule_ctx *ctx, bool require_fresh, money_t *out)
{
	int missing = 0;

	*out = 0;
	for (size_t i = 0; i < ctx->acct->n_pos; i++) {
		money_t v;

		if (rule_pos_unrealized(ctx, &ctx->acct->pos[i], require_fresh, &v))
			*out = money_add(*out, v);
		else
			missing++;
	}
	return missing;
}

void rule_cancel_opening(struct rule_ctx *ctx, const char *fmt, ...)
{
	char why[192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	for (size_t i = 0; i < ctx->acct->n_ord; i++) {
		const struct ord *o = &ctx->acct->ord[i];

		if (!acct_ord_opens(ctx->acct, o))
			continue;
		rule_act(ctx, ACT_CANCEL_ORDER, o->contract_id, "%s", why)->order_id = o->id;
	}
}

void rule_timer(struct rule_ctx *ctx, srm_ms deadline, int64_t key, const char *contract_id)
{
	struct ev_timer t = {.rule = ctx->rule, .account_id = ctx->acct->id, .key = key};

	if (contract_id != NULL)
		strlcpy_s(t.contract_id, contract_id, sizeof(t.contract_id));
	timer_push(ctx->eng, deadline, &t);
}

const struct ord *rule_find_stop(const struct rule_ctx *ctx, const char *contract_id)
{
	return engine_pos_stop(ctx->acct, contract_id);
}

const struct ord *engine_pos_stop(const struct acct *a, const char *contract_id)
{
	const struct pos *p = acct_pos(a, contract_id);

	if (p == NULL)
		return NULL;
	for (size_t i = 0; i < a->n_ord; i++) {
		const struct ord *o = &a->ord[i];

		if ((o->type == PX_OT_STOP || o->type == PX_OT_STOP_LIMIT ||
		     o->type == PX_OT_TRAILING_STOP) &&
		    strcmp(o->contract_id, contract_id) == 0 &&
		    o->side == (p->qty > 0 ? PX_ASK : PX_BID))
			return o;
	}
	return NULL;
}

bool engine_pos_deadline(const struct engine *e, const struct acct *a, const struct pos *p,
			 srm_ms *at, int *rule, const char **what)
{
	bool found = false;

	for (int r = 0; r < RULE_COUNT; r++) {
		srm_ms t;
		const char *w;

		if (rule_table[r]->pos_deadline == NULL || !rule_enabled(a->rules, r) ||
		    !rule_table[r]->pos_deadline(e, a, rule_cfg_block(a->rules, r), p, &t, &w))
			continue;
		if (!found || t < *at) {
			*at = t;
			*rule = r;
			*what = w;
			found = true;
		}
	}
	return found;
}

void rule_memory_changed(struct rule_ctx *ctx)
{
	ctx->acct->memory_gen++;
}
