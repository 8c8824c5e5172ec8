/* engine.c: engine_apply / engine_advance: apply the event, wake the rules, guard lockouts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine_int.h"
#include "util/strutil.h"
#include "util/xalloc.h"

#define RECENT_MS 2000

/* ---- output ---- */

struct srm_action *out_push(struct engine *e)
{
	if (e->n_out == e->cap_out) {
		e->cap_out = e->cap_out ? e->cap_out * 2 : 64;
		e->out = xreallocarray(e->out, e->cap_out, sizeof(*e->out));
	}
	struct srm_action *a = &e->out[e->n_out++];

	memset(a, 0, sizeof(*a));
	a->stop_price = PX_NULL;
	return a;
}

static bool recent_same(const struct recent *r, const struct srm_action *a)
{
	return r->account_id == a->account_id && r->kind == a->kind && r->order_id == a->order_id &&
	       r->size == a->size && strcmp(r->contract_id, a->contract_id) == 0;
}

bool recent_find(struct engine *e, const struct srm_action *a)
{
	size_t i = 0;

	while (i < e->n_recent) {
		struct recent *r = &e->recent[i];

		if (e->now - r->at >= RECENT_MS) {
			*r = e->recent[--e->n_recent];
			continue;
		}
		if (recent_same(r, a))
			return true;
		i++;
	}
	return false;
}

void recent_note(struct engine *e, const struct srm_action *a)
{
	if (e->n_recent == e->cap_recent) {
		e->cap_recent = e->cap_recent ? e->cap_recent * 2 : 32;
		e->recent = xreallocarray(e->recent, e->cap_recent, sizeof(*e->recent));
	}
	struct recent *r = &e->recent[e->n_recent++];

	r->account_id = a->account_id;
	r->kind = a->kind;
	r->order_id = a->order_id;
	r->size = a->size;
	r->at = e->now;
	strlcpy_s(r->contract_id, a->contract_id, sizeof(r->contract_id));
}

void recent_forget_result(struct engine *e, const struct ev_result *res)
{
	for (size_t i = 0; i < e->n_recent;) {
		const struct recent *r = &e->recent[i];

		if (r->account_id == res->account_id && (int)r->kind == res->kind &&
		    r->order_id == res->order_id && strcmp(r->contract_id, res->contract_id) == 0 &&
		    (res->kind != ACT_PARTIAL_CLOSE || r->size == res->size))
			e->recent[i] = e->recent[--e->n_recent];
		else
			i++;
	}
}

/*
 * An event that answers earlier requests ends their suppression, so the rules may ask again
 * if the breach still holds. Only the event that shows the result counts: a position event
 * answers closes of that contract (and close_all); an order event answers the cancel or
 * modify of that order (and cancel_all, and a stop placed on that contract). The order event
 * of our own closing order must not re-arm a close: the position has not changed yet, and
 * asking again would close twice.
 */
void recent_forget(struct engine *e, const struct srm_event *ev)
{
	bool pos = ev->kind == EV_POSITION;
	int64_t account_id = pos ? ev->u.position.account_id : ev->u.order.account_id;
	const char *cid = pos ? ev->u.position.contract_id : ev->u.order.contract_id;
	size_t i = 0;

	while (i < e->n_recent) {
		const struct recent *r = &e->recent[i];
		bool answered = false;

		if (r->account_id == account_id) {
			bool same = strcmp(r->contract_id, cid) == 0;

			if (pos)
				answered = r->kind == ACT_CLOSE_ALL ||
					   ((r->kind == ACT_CLOSE_CONTRACT || r->kind == ACT_PARTIAL_CLOSE ||
					     r->kind == ACT_PLACE_STOP) && same);
			else
				answered = r->kind == ACT_CANCEL_ALL ||
					   ((r->kind == ACT_CANCEL_ORDER || r->kind == ACT_MODIFY_STOP) &&
					    r->order_id == ev->u.order.id) ||
					   (r->kind == ACT_PLACE_STOP && same);
		}
		if (answered)
			e->recent[i] = e->recent[--e->n_recent];
		else
			i++;
	}
}

static bool global_dry_run(const struct engine *e)
{
	return e->cfg->daemon.dry_run;
}

static bool rule_dry(const struct engine *e, const struct rules_cfg *cfg, int rule)
{
	return global_dry_run(e) || (rule >= 0 && rule_dry_flag(cfg, rule));
}

/* Room for 64 more actions, so pointers handed to a rule stay valid while it runs. */
static void out_reserve(struct engine *e)
{
	if (e->n_out + 64 > e->cap_out) {
		e->cap_out = (e->n_out + 64) * 2;
		e->out = xreallocarray(e->out, e->cap_out, sizeof(*e->out));
	}
}

/*
 * close_all and cancel_all become one request per position and per working order: the
 * gateway has no "all" call, and each request is tracked on its own (requests.c, and the
 * closes in flight of closes.c, which can then trim a close already partly on its way).
 */
static void expand_all(struct engine *e)
{
	size_t n = e->n_out, from = e->done, k = 0, extra = 0;

	if (from >= n)
		return; /* nothing new (out may not even be allocated yet) */
	for (size_t i = from; i < n; i++) {
		const struct srm_action *x = &e->out[i];
		const struct acct *a;

		if (x->kind != ACT_CLOSE_ALL && x->kind != ACT_CANCEL_ALL)
			continue;
		a = book_acct(e, x->account_id, false);
		if (a != NULL)
			extra += x->kind == ACT_CLOSE_ALL ? a->n_pos : a->n_ord;
	}
	/* rebuild this batch in order in scratch room past the end of out, then move it down */
	if (2 * n + extra > e->cap_out) {
		e->cap_out = (2 * n + extra) * 2;
		e->out = xreallocarray(e->out, e->cap_out, sizeof(*e->out));
	}
	struct srm_action *src = e->out, *dst = e->out + n;

	for (size_t i = from; i < n; i++) {
		const struct srm_action *x = &src[i];
		const struct acct *a;

		if (x->kind != ACT_CLOSE_ALL && x->kind != ACT_CANCEL_ALL) {
			dst[k++] = *x;
			continue;
		}
		a = book_acct(e, x->account_id, false);
		if (a == NULL)
			continue; /* nothing to close or cancel */
		if (x->kind == ACT_CLOSE_ALL) {
			for (size_t p = 0; p < a->n_pos; p++) {
				struct srm_action *y = &dst[k++];

				*y = *x;
				y->kind = ACT_CLOSE_CONTRACT;
				strlcpy_s(y->contract_id, a->pos[p].contract_id, sizeof(y->contract_id));
			}
		} else {
			for (size_t o = 0; o < a->n_ord; o++) {
				/* a suspended bracket leg goes with its entry's cancel */
				if (a->ord[o].status == PX_OS_SUSPENDED)
					continue;
				struct srm_action *y = &dst[k++];

				*y = *x;
				y->kind = ACT_CANCEL_ORDER;
				y->order_id = a->ord[o].id;
				strlcpy_s(y->contract_id, a->ord[o].contract_id, sizeof(y->contract_id));
			}
		}
	}
	memmove(e->out + from, dst, k * sizeof(*e->out));
	e->n_out = from + k;
}

/* How much of its position a close or partial close asks to remove (0: not a close). */
static int close_amount(const struct engine *e, const struct srm_action *x)
{
	const struct acct *a;
	const struct pos *p;

	if (x->kind == ACT_PARTIAL_CLOSE)
		return x->size;
	if (x->kind != ACT_CLOSE_CONTRACT)
		return 0;
	a = book_acct((struct engine *)e, x->account_id, false);
	p = a != NULL ? acct_pos(a, x->contract_id) : NULL;
	return p != NULL ? abs(p->qty) : 0;
}

/*
 * Several closes of one contract decided in one call (a size rule reduces it, a lockout
 * closes it) are one request: the one that removes the most, where it stood in the list.
 * Their wishes are not additive (each says how far the position must come down), and two
 * of the same size would otherwise be taken for a repeat and the bigger need lost.
 */
static void coalesce_closes(struct engine *e)
{
	size_t k = e->done;

	for (size_t i = e->done; i < e->n_out; i++) {
		struct srm_action *x = &e->out[i];
		int amount = close_amount(e, x);
		bool merged = false;

		if (amount > 0 && !x->dry_run) {
			for (size_t j = e->done; j < k; j++) {
				struct srm_action *y = &e->out[j];

				if (y->dry_run || close_amount(e, y) == 0 || y->account_id != x->account_id ||
				    strcmp(y->contract_id, x->contract_id) != 0)
					continue;
				if (amount > close_amount(e, y)) {
					/* the bigger one takes the earlier one's place */
					*y = *x;
				}
				merged = true;
				break;
			}
		}
		if (merged)
			continue;
		if (k != i)
			e->out[k] = *x;
		k++;
	}
	e->n_out = k;
}

/*
 * At the end of each public call, once every field is filled in: fit closes to what closes
 * in flight will not already remove, drop the requests that repeat a recent identical one
 * (docs/ENGINE.md), and remember the closes that go out.
 */
static void finalize(struct engine *e)
{
	size_t k = e->done;

	expand_all(e);
	coalesce_closes(e);

	for (size_t i = e->done; i < e->n_out; i++) {
		const struct srm_action *a = &e->out[i];
		srm_ms saved = e->now;
		bool drop, req = a->kind != ACT_LOCKOUT && a->kind != ACT_UNLOCK && a->kind != ACT_ALERT;

		e->now = a->ts;
		/* trimmed to what closes in flight leave, not a recent repeat, not on the wire now */
		drop = !closes_adjust(e, &e->out[i]) || (req && recent_find(e, a)) ||
		       (req && !reqs_claim(e, a));
		if (!drop) {
			if (req)
				recent_note(e, a);
			closes_expect(e, a);
		}
		e->now = saved;
		if (drop)
			continue;
		if (k != i)
			e->out[k] = *a;
		k++;
	}
	e->stats.actions += k - e->done;
	e->n_out = k;
	e->done = k;
}

static struct srm_action *new_action(struct engine *e, enum act_kind kind, int rule,
				     int64_t account_id, const char *contract_id, bool dry,
				     const char *fmt, va_list ap) __attribute__((format(printf, 7, 0)));

static struct srm_action *new_action(struct engine *e, enum act_kind kind, int rule,
				     int64_t account_id, const char *contract_id, bool dry,
				     const char *fmt, va_list ap)
{
	struct srm_action *a = out_push(e);

	a->kind = kind;
	a->rule = rule;
	a->ts = e->now;
	a->account_id = account_id;
	a->dry_run = dry;
	if (contract_id != NULL)
		strlcpy_s(a->contract_id, contract_id, sizeof(a->contract_id));
	vsnprintf(a->reason, sizeof(a->reason), fmt, ap);
	return a;
}

static struct srm_action *engine_act(struct engine *e, enum act_kind kind, int rule,
				     int64_t account_id, const char *contract_id, bool dry,
				     const char *fmt, ...) __attribute__((format(printf, 7, 8)));

static struct srm_action *engine_act(struct engine *e, enum act_kind kind, int rule,
				     int64_t account_id, const char *contract_id, bool dry,
				     const char *fmt, ...)
{
	va_list ap;
	struct srm_action *a;

	va_start(ap, fmt);
	a = new_action(e, kind, rule, account_id, contract_id, dry, fmt, ap);
	va_end(ap);
	return a;
}

/* ---- rule helpers (rule.h) ---- */

struct srm_action *rule_act(struct rule_ctx *ctx, enum act_kind kind, const char *contract_id,
			    const char *fmt, ...)
{
	va_list ap;
	struct srm_action *a;

	out_reserve(ctx->eng);
	va_start(ap, fmt);
	a = new_action(ctx->eng, kind, ctx->rule, ctx->acct->id, contract_id, ctx->dry_run, fmt, ap);
	va_end(ap);
	return a;
}

static void flatten_scope(struct engine *e, struct acct *a, int rule, const char *symbol, bool dry,
			  const char *why)
{
	if (symbol == NULL || symbol[0] == '\0') {
		engine_act(e, ACT_CANCEL_ALL, rule, a->id, NULL, dry, "%s", why);
		if (a->n_pos > 0)
			engine_act(e, ACT_CLOSE_ALL, rule, a->id, NULL, dry, "%s", why);
		return;
	}
	for (size_t i = 0; i < a->n_ord; i++) {
		const struct ord *o = &a->ord[i];

		if (engine_symbol_matches(e, o->contract_id, symbol) && acct_ord_opens(a, o)) {
			struct srm_action *x = engine_act(e, ACT_CANCEL_ORDER, rule, a->id,
							  o->contract_id, dry, "%s", why);

			x->order_id = o->id;
		}
	}
	for (size_t i = 0; i < a->n_pos; i++)
		if (engine_symbol_matches(e, a->pos[i].contract_id, symbol))
			engine_act(e, ACT_CLOSE_CONTRACT, rule, a->id, a->pos[i].contract_id, dry,
				   "%s", why);
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

static void lockout_start(struct engine *e, struct acct *a, int rule, enum until_kind u,
			  srm_ms until_ts, const char *symbol, bool flatten, bool dry,
			  const char *reason)
{
	const char *sym = symbol ? symbol : "";
	srm_ms end = lock_end(e, u, until_ts), since = e->now;

	for (size_t i = 0; i < e->n_locks; i++) {
		struct lockout *l = &e->locks[i];

		if (l->account_id == a->id && l->rule == rule && strcmp(l->symbol, sym) == 0) {
			if (lock_end(e, l->until, l->until_ts) >= end)
				return; /* already held at least as long */
			/* extended: the account has been locked since the first one began */
			since = l->since;
			flatten = flatten || l->flatten;
			lock_remove_at(e, i);
			break;
		}
	}
	struct lockout l = {
		.account_id = a->id, .rule = rule, .until = u, .since = since, .until_ts = until_ts,
		.flatten = flatten,
	};

	strlcpy_s(l.symbol, sym, sizeof(l.symbol));
	strlcpy_s(l.reason, reason, sizeof(l.reason));
	lock_add(e, &l);

	struct srm_action *x = engine_act(e, ACT_LOCKOUT, rule, a->id, NULL, dry, "%s", reason);

	x->until = u;
	x->until_ts = until_ts;
	strlcpy_s(x->symbol, sym, sizeof(x->symbol));
	if (flatten)
		flatten_scope(e, a, rule, sym, dry, reason);
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
	lockout_start(ctx->eng, ctx->acct, ctx->rule, u, until_ts, symbol, flatten, ctx->dry_run,
		      reason);
}

static void unlock_at(struct engine *e, size_t i, bool dry, const char *reason)
{
	struct lockout l = e->locks[i];
	struct srm_action *x;

	lock_remove_at(e, i);
	x = engine_act(e, ACT_UNLOCK, l.rule, l.account_id, NULL, dry, "%s", reason);
	strlcpy_s(x->symbol, l.symbol, sizeof(x->symbol));
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
			unlock_at(e, i, ctx->dry_run, reason);
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

void rule_reduce_last_grown(struct rule_ctx *ctx, long excess, const bool *eligible, const char *why)
{
	const struct acct *a = ctx->acct;
	uint64_t below = UINT64_MAX;

	while (excess > 0) {
		const struct pos *p = NULL;

		for (size_t i = 0; i < a->n_pos && i < RULE_MAX_POS; i++) {
			const struct pos *q = &a->pos[i];

			if (eligible[i] && q->qty != 0 && q->grew_seq < below &&
			    (p == NULL || q->grew_seq > p->grew_seq))
				p = q;
		}
		if (p == NULL)
			return;
		long q = labs((long)p->qty);

		below = p->grew_seq;
		if (q <= excess) {
			rule_act(ctx, ACT_CLOSE_CONTRACT, p->contract_id, "%s", why);
			excess -= q;
		} else {
			rule_act(ctx, ACT_PARTIAL_CLOSE, p->contract_id, "%s", why)->size = (int)excess;
			excess = 0;
		}
	}
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

/* ---- evaluation ---- */

static void run_rule(struct engine *e, int r, struct acct *a, const struct srm_event *ev,
		     int prev_qty, const struct ord *prev_ord)
{
	const struct rule_def *def = rule_table[r];

	if (def->check == NULL || !rule_enabled(a->rules, r))
		return;
	struct rule_ctx ctx = {
		.eng = e, .acct = a, .cfg = a->rules, .ev = ev, .now = e->now,
		.state = a->rstate[r], .rule = r, .dry_run = rule_dry(e, a->rules, r),
		.prev_qty = prev_qty, .prev_ord = prev_ord,
	};

	out_reserve(e);
	def->check(&ctx);
}

/*
 * warn_at: once a rule's own measure (what it watches against its limit) crosses one of
 * its shares, an alert says so, once per share per day; it is said again only after the
 * share fell back 5 points under it (no alert storm around a threshold).
 */
static void warn_check(struct engine *e, struct acct *a)
{
	for (int r = 0; r < RULE_COUNT; r++) {
		const struct cfg_warn_at *w = rule_warn_at(a->rules, r);
		const struct rule_def *d = rule_table[r];
		struct rule_measure m;

		if (w->n == 0 || !rule_enabled(a->rules, r) || d->measure == NULL)
			continue;
		if (!d->measure(e, a, rule_cfg_block(a->rules, r), &m) || m.limit <= 0)
			continue;
		double share = m.used / m.limit;
		size_t level = 0;

		while (level < w->n && share >= w->v[level])
			level++;
		if (level > a->warned[r]) {
			struct srm_action *x = engine_act(e, ACT_ALERT, r, a->id, NULL, global_dry_run(e),
							  "%s at %.0f%% of its limit (%s %.2f of %.2f)",
							  d->block.name, share * 100, m.label, m.used,
							  m.limit);

			(void)x;
			a->warned[r] = (uint8_t)level;
		} else if (a->warned[r] > 0 && share < w->v[a->warned[r] - 1] - 0.05) {
			a->warned[r] = (uint8_t)level;
		}
	}
}

static void run_rules(struct engine *e, struct acct *a, const struct srm_event *ev, int prev_qty,
		      const struct ord *prev_ord)
{
	unsigned mask = EVM(ev->kind);

	for (int r = 0; r < RULE_COUNT; r++)
		if (rule_table[r]->wakes_on & mask)
			run_rule(e, r, a, ev, prev_qty, prev_ord);
	warn_check(e, a);
}

static void describe_lock(const struct engine *e, const struct lockout *l, char *buf, size_t cap)
{
	(void)e;
	snprintf(buf, cap, "locked out by %s: %.150s", rule_id_name(l->rule), l->reason);
}

/*
 * Is a market order that reduces this position still working? A close in progress (ours or
 * the trader's): asking for another could close twice and flip the position.
 */
static bool closing_in_progress(const struct acct *a, const char *contract_id)
{
	for (size_t i = 0; i < a->n_ord; i++) {
		const struct ord *o = &a->ord[i];

		if (o->type == PX_OT_MARKET && strcmp(o->contract_id, contract_id) == 0 &&
		    ord_is_exposure(o) && acct_ord_is_reducing(a, o))
			return true;
	}
	return false;
}

/* The longest lockout holding this contract of the account that flattened its scope. */
static const struct lockout *flattening_lock(const struct engine *e, int64_t account_id,
					     const char *contract_id)
{
	const struct lockout *best = NULL;

	for (size_t i = 0; i < e->n_locks; i++) {
		const struct lockout *l = &e->locks[i];

		if (l->account_id != account_id || !l->flatten ||
		    (l->symbol[0] != '\0' && !engine_symbol_matches(e, contract_id, l->symbol)))
			continue;
		if (best == NULL ||
		    lock_end(e, l->until, l->until_ts) > lock_end(e, best->until, best->until_ts))
			best = l;
	}
	return best;
}

/*
 * A lockout that flattened its scope keeps it flat: a position still open there (its close
 * failed, or the saved book brought it back after a restart) is closed again at the
 * account's next position or order event (SPEC §6: tried again at the next event). Not while
 * a reducing market order works there (asking again could close twice and flip the
 * position); SRM's own closes in flight trim what it asks for in finalize (engine/closes.c),
 * like any close.
 */
static void keep_flat(struct engine *e, struct acct *a)
{
	char why[192];

	for (size_t i = 0; i < a->n_pos; i++) {
		const struct pos *p = &a->pos[i];
		const struct lockout *l = flattening_lock(e, a->id, p->contract_id);

		/* a size rule's partial close asked in the same call is merged with this one
		 * (coalesce_closes: the one that removes the most) */
		if (l == NULL || p->qty == 0 || closing_in_progress(a, p->contract_id))
			continue;
		describe_lock(e, l, why, sizeof(why));
		engine_act(e, ACT_CLOSE_CONTRACT, l->rule, a->id, p->contract_id,
			   rule_dry(e, a->rules, l->rule), "%s", why);
	}
}

/*
 * The longest lockout holding this contract of the account that began before this call: a
 * lockout the event itself just started (a size rule's, a symbol block's) is enforced by
 * the rule that started it, as configured (reduce to the limit, close), not by the guard.
 */
static const struct lockout *locked_earlier(const struct engine *e, int64_t account_id,
					    const char *contract_id)
{
	const struct lockout *best = NULL;

	for (size_t i = 0; i < e->n_locks; i++) {
		const struct lockout *l = &e->locks[i];

		if (l->account_id != account_id || l->call == e->calls)
			continue;
		if (l->symbol[0] != '\0' && !engine_symbol_matches(e, contract_id, l->symbol))
			continue;
		if (best == NULL || lock_end(e, l->until, l->until_ts) > lock_end(e, best->until, best->until_ts))
			best = l;
	}
	return best;
}

/* While locked: cancel orders that open or add, close positions that are new or grew. */
static void guard_event(struct engine *e, struct acct *a, const struct srm_event *ev,
			int prev_qty)
{
	char why[192];

	if (ev->kind == EV_ORDER) {
		const struct ord *o = acct_ord(a, ev->u.order.id);

		if (o == NULL || !acct_ord_opens(a, o))
			return;
		const struct lockout *l = locked_earlier(e, a->id, o->contract_id);

		if (l == NULL)
			return;
		describe_lock(e, l, why, sizeof(why));
		struct srm_action *x = engine_act(e, ACT_CANCEL_ORDER, l->rule, a->id, o->contract_id,
						  rule_dry(e, a->rules, l->rule), "%s", why);

		x->order_id = o->id;
	} else if (ev->kind == EV_POSITION) {
		const struct pos *p = acct_pos(a, ev->u.position.contract_id);

		if (p == NULL)
			return;
		bool grew = prev_qty == 0 || (prev_qty > 0) != (p->qty > 0) || abs(p->qty) > abs(prev_qty);

		if (!grew)
			return;
		const struct lockout *l = locked_earlier(e, a->id, p->contract_id);

		if (l == NULL)
			return;
		describe_lock(e, l, why, sizeof(why));
		engine_act(e, ACT_CLOSE_CONTRACT, l->rule, a->id, p->contract_id,
			   rule_dry(e, a->rules, l->rule), "%s", why);
	}
}

/* What a lockout asks of every position and order event of the account. */
static void guard(struct engine *e, struct acct *a, const struct srm_event *ev, int prev_qty)
{
	guard_event(e, a, ev, prev_qty);
	keep_flat(e, a);
}

/*
 * The daily reset (only NULL: every account, at the scheduled time) or an admin's reset of
 * one account now (or of every account: only NULL with admin). Today's totals start again
 * from the fills that belong to the new day (stamped at or after it: the gateway's clock ran
 * ahead, or a fill came before the reset for just after it).
 */
static void daily_reset(struct engine *e, struct acct *only, bool admin)
{
	for (size_t i = 0; i < e->n_accts; i++) {
		struct acct *a = e->accts[i];

		if (only != NULL && a != only)
			continue;
		a->reset_at = admin ? e->now : 0;
		memset(a->warned, 0, sizeof(a->warned));
		a->realized = 0;
		a->fees = 0;
		tc_clear(&a->tc);
		fills_recount(e, a);
		for (int r = 0; r < RULE_COUNT; r++) {
			if (rule_table[r]->on_reset == NULL)
				continue;
			struct rule_ctx ctx = {
				.eng = e, .acct = a, .cfg = a->rules, .now = e->now,
				.state = a->rstate[r], .rule = r, .dry_run = rule_dry(e, a->rules, r),
			};

			rule_table[r]->on_reset(&ctx);
		}
	}
	for (size_t i = e->n_locks; i-- > 0;) {
		const struct lockout *l = &e->locks[i];

		if (l->until == UNTIL_RESET && (only == NULL || l->account_id == only->id))
			unlock_at(e, i, global_dry_run(e), "daily reset");
	}
}

/* The event that reports the account unchanged: rules look again. */
static void acct_event(const struct acct *a, struct srm_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->kind = EV_ACCOUNT;
	ev->u.account.id = a->id;
	strlcpy_s(ev->u.account.name, a->name, sizeof(ev->u.account.name));
	ev->u.account.balance = a->balance;
	ev->u.account.can_trade = a->can_trade;
}

/* The event that reports a position (or a working order) unchanged: rules look again. */
static void pos_event(const struct acct *a, const struct pos *p, struct srm_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->kind = EV_POSITION;
	ev->u.position.id = p->id;
	ev->u.position.account_id = a->id;
	strlcpy_s(ev->u.position.contract_id, p->contract_id, sizeof(ev->u.position.contract_id));
	ev->u.position.type = p->qty > 0 ? PX_PT_LONG : PX_PT_SHORT;
	ev->u.position.size = abs(p->qty);
	ev->u.position.average_price = p->avg_price;
}

static void ord_event(const struct acct *a, const struct ord *o, struct srm_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->kind = EV_ORDER;
	ev->u.order.id = o->id;
	ev->u.order.account_id = a->id;
	strlcpy_s(ev->u.order.contract_id, o->contract_id, sizeof(ev->u.order.contract_id));
	ev->u.order.status = o->status;
	ev->u.order.type = o->type;
	ev->u.order.side = o->side;
	ev->u.order.size = o->size;
	ev->u.order.fill_volume = o->fill_volume;
	ev->u.order.limit_price = o->limit_price;
	ev->u.order.stop_price = o->stop_price;
	ev->u.order.filled_price = PX_NULL;
}

/* The fill of no size that wakes a trade-state rule at a recheck ("look at today's P&L"). */
static void nil_trade(const struct engine *e, const struct acct *a, struct srm_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->kind = EV_TRADE;
	ev->u.trade.account_id = a->id;
	ev->u.trade.created = e->now;
	ev->u.trade.profit_and_loss = PX_NULL;
}

/*
 * While locked: a position that grew since the lockout began (its close failed, or came
 * back from a restart) is closed; the positions a non-flattening lockout tolerated stay.
 */
static void guard_grown(struct engine *e, struct acct *a)
{
	char why[192];

	for (size_t i = 0; i < a->n_pos; i++) {
		const struct pos *p = &a->pos[i];
		const struct lockout *l = NULL;

		if (p->qty == 0)
			continue;
		/* any lockout holding it that began no later than its growth (not only the longest) */
		for (size_t k = 0; k < e->n_locks; k++) {
			const struct lockout *x = &e->locks[k];

			if (x->account_id == a->id && x->since <= p->grew_at &&
			    (x->symbol[0] == '\0' || engine_symbol_matches(e, p->contract_id, x->symbol)) &&
			    (l == NULL || x->since < l->since))
				l = x;
		}
		if (l == NULL)
			continue;
		describe_lock(e, l, why, sizeof(why));
		engine_act(e, ACT_CLOSE_CONTRACT, l->rule, a->id, p->contract_id,
			   rule_dry(e, a->rules, l->rule), "%s", why);
	}
}

/*
 * Judge an account's whole state again, as if its account, every position and every
 * working order had just been reported unchanged: every rule that wakes on them, the
 * trade-state rules (recheck_trade), and the lockout guard. After a reconcile, and when a
 * refused request's retry timer fires: the breach is judged by the engine's timers, not by
 * the luck of the trader's next event.
 */
static void rejudge(struct engine *e, struct acct *a)
{
	struct srm_event ev;

	if (a->seen) {
		acct_event(a, &ev);
		run_rules(e, a, &ev, 0, NULL);
	}
	nil_trade(e, a, &ev);
	for (int r = 0; r < RULE_COUNT; r++)
		if (rule_table[r]->recheck_trade && (rule_table[r]->wakes_on & EVM_TRADE))
			run_rule(e, r, a, &ev, 0, NULL);
	for (size_t i = 0; i < a->n_pos; i++) {
		const struct pos p = a->pos[i];

		pos_event(a, &p, &ev);
		run_rules(e, a, &ev, p.qty, NULL);
	}
	for (size_t i = 0; i < a->n_ord; i++) {
		const struct ord o = a->ord[i];

		ord_event(a, &o, &ev);
		run_rules(e, a, &ev, 0, &o);
		guard_event(e, a, &ev, 0);
	}
	guard_grown(e, a);
	keep_flat(e, a);
}

static void fire_timer(struct engine *e, const struct timer *t)
{
	e->stats.timers_fired++;
	if (t->t.rule == TIMER_RETRY) {
		struct acct *a = book_acct(e, t->t.account_id, false);

		if (a == NULL || a->retry_at != t->at)
			return; /* a sooner or later one replaced it */
		a->retry_at = 0;
		rejudge(e, a);
		return;
	}
	if (t->t.rule == TIMER_RECHECK) {
		/* a close was trimmed by one in flight that has lapsed now: look again */
		struct acct *a = book_acct(e, t->t.account_id, false);
		const struct pos *p = a != NULL ? acct_pos(a, t->t.contract_id) : NULL;
		struct srm_event ev;

		if (p == NULL || p->qty == 0)
			return;
		pos_event(a, p, &ev);
		run_rules(e, a, &ev, p->qty, NULL);
		keep_flat(e, a);
		return;
	}
	if (t->t.rule == TIMER_LOCK_END) {
		for (size_t i = 0; i < e->n_locks; i++) {
			const struct lockout *l = &e->locks[i];

			if (l->id == (uint64_t)t->t.key && l->until == UNTIL_TIME && l->until_ts <= e->now) {
				unlock_at(e, i, global_dry_run(e), "lockout expired");
				break;
			}
		}
		return;
	}
	struct acct *a = book_acct(e, t->t.account_id, false);

	if (a == NULL || t->t.rule >= RULE_COUNT)
		return;
	struct srm_event ev = {.kind = EV_TIMER};

	ev.u.timer = t->t;
	run_rule(e, t->t.rule, a, &ev, 0, NULL);
}

/* Past this, a gap in time is skipped over rather than lived through (see advance). */
/* a long weekend with a holiday: lived through; more is skipped (a line dated 9999) */
#define GAP_MS (8 * 24 * 3600 * 1000LL)

static void advance(struct engine *e, srm_ms now)
{
	book_cache_clear(e);
	if (now - e->now > GAP_MS) {
		/*
		 * A long gap (no event for hours, a replay that jumps months): one reset at the last
		 * of its resets, then every timer due fires once, late, at now. Lived through day
		 * by day, a rule's daily timer would fire and re-arm once a day of the gap (a line
		 * dated 9999 once took 60 s and 2.3 GB); fired at now, it re-arms from now.
		 */
		if (e->next_reset <= now) {
			srm_ms last = cal_last_reset(&e->cal, now);

			e->last_reset = last < e->next_reset ? e->next_reset : last;
			e->now = e->last_reset;
			e->next_reset = cal_next_reset(&e->cal, e->last_reset);
			fills_reset(e);
			daily_reset(e, NULL, false);
			finalize(e);
		}
		e->now = now;
		for (;;) {
			srm_ms at;
			struct timer t;

			if (!timer_peek(e, &at) || at > now)
				break;
			timer_pop(e, &t);
			fire_timer(e, &t);
			finalize(e);
		}
		return;
	}
	for (;;) {
		srm_ms at;
		bool have = timer_peek(e, &at);

		if (have && at <= now && at <= e->next_reset) {
			struct timer t;

			timer_pop(e, &t);
			if (t.at > e->now)
				e->now = t.at;
			fire_timer(e, &t);
			finalize(e); /* each timer decides at its own time, before what comes next */
		} else if (e->next_reset <= now) {
			e->now = e->next_reset;
			e->last_reset = e->next_reset;
			e->next_reset = cal_next_reset(&e->cal, e->last_reset);
			fills_reset(e);
			daily_reset(e, NULL, false);
			finalize(e);
		} else {
			break;
		}
	}
	if (now > e->now)
		e->now = now;
}

/*
 * An order with a status or type value the reference does not list was kept as working
 * exposure (fail closed): say so once per value (after ODD_SEEN_MAX values, no more alerts;
 * the orders are still kept and judged).
 */
static void odd_alert(struct engine *e, const struct acct *a, const struct px_order *o, int field,
		      int value)
{
	int64_t key = ((int64_t)field << 32) | (uint32_t)value;

	for (size_t i = 0; i < e->n_odd_seen; i++)
		if (e->odd_seen[i] == key)
			return;
	if (e->n_odd_seen == ODD_SEEN_MAX)
		return;
	e->odd_seen[e->n_odd_seen++] = key;
	struct srm_action *x = engine_act(e, ACT_ALERT, -1, a->id, o->contract_id,
					  global_dry_run(e),
					  "order %lld has %s %d, which SRM does not know: it is "
					  "treated as a working order that could fill", (long long)o->id,
					  field == 1 ? "status" : "type", value);

	x->order_id = o->id;
}

static struct act_list result(struct engine *e)
{
	finalize(e);
	return (struct act_list){.v = e->out, .n = e->n_out};
}

struct act_list engine_advance(struct engine *e, srm_ms now)
{
	book_cache_clear(e);
	e->n_out = 0;
	e->done = 0;
	e->calls++;
	advance(e, now);
	return result(e);
}

static void wake_watchers(struct engine *e, const char *contract_id, const struct srm_event *ev)
{
	struct cslot *c = book_cslot(e, contract_id, false);

	if (c == NULL)
		return;
	/* Rules may not add watchers during a quote, so the list is stable while we iterate.
	 * A quote matters only to accounts with a position in the contract. */
	for (size_t i = 0; i < c->n_watch; i++)
		if (ev->kind != EV_QUOTE || c->watch[i].pos_refs > 0)
			run_rules(e, c->watch[i].a, ev, 0, NULL);
}

static void apply_quote(struct engine *e, const struct px_quote *q)
{
	struct cslot *c = book_cslot(e, q->contract_id, true);

	if (!isnan(q->best_bid))
		c->q.bid = q->best_bid;
	if (!isnan(q->best_ask))
		c->q.ask = q->best_ask;
	if (!isnan(q->last_price))
		c->q.last = q->last_price;
	/* the older of its arrival and its own time: a quote that was old when sent is old */
	c->q.at = q->timestamp > 0 && q->timestamp < e->now ? q->timestamp : e->now;
}

static void apply_contract(struct engine *e, const struct px_contract *pc)
{
	struct cslot *c = book_cslot(e, pc->id, true);

	c->k.c = *pc;
	c->known = true;
	c->missing = false;
	symbol_from_name(pc->name, c->k.symbol, sizeof(c->k.symbol));
	root_from_id(pc->id, c->k.root, sizeof(c->k.root));
}

/*
 * New knowledge of a contract (its metadata, or that it does not exist) can change what the
 * size and symbol rules decide about positions and orders already there: evaluate them again
 * as if each had just been reported unchanged.
 */
static void reevaluate_contract(struct engine *e, const char *contract_id)
{
	struct cslot *c = book_cslot(e, contract_id, false);
	struct acct *small[64], **watchers = small;
	size_t n = 0;

	if (c == NULL)
		return;
	/* a copy: the rules may add contract slots (which moves c); every watcher, no cap */
	if (c->n_watch > sizeof(small) / sizeof(small[0]))
		watchers = xcalloc(c->n_watch, sizeof(struct acct *)); /* NOLINT(bugprone-sizeof-expression) */
	for (size_t i = 0; i < c->n_watch; i++)
		watchers[n++] = c->watch[i].a;
	for (size_t i = 0; i < n; i++) {
		struct acct *a = watchers[i];
		const struct pos *p = acct_pos(a, contract_id);

		if (p != NULL) {
			struct srm_event ev;

			pos_event(a, p, &ev);
			run_rules(e, a, &ev, p->qty, NULL);
		}
		for (size_t k = 0; k < a->n_ord; k++) {
			if (strcmp(a->ord[k].contract_id, contract_id) != 0)
				continue;
			const struct ord snapshot = a->ord[k];
			struct srm_event ev;

			ord_event(a, &snapshot, &ev);
			run_rules(e, a, &ev, 0, &snapshot);
		}
	}
	if (watchers != small)
		free(watchers);
}

static void contract_missing(struct engine *e, const char *contract_id)
{
	struct cslot *c = book_cslot(e, contract_id, true);

	if (!c->known && !c->missing) {
		c->missing = true;
		reevaluate_contract(e, contract_id);
	}
}

static void admin_lockout(struct engine *e, const struct ev_admin *ad);
static void admin_clear(struct engine *e, int64_t account_id);
static void admin_enforce(struct engine *e, int64_t account_id, int rule, bool dry_run);
static void admin_reset(struct engine *e, int64_t account_id);

struct act_list engine_apply(struct engine *e, const struct srm_event *ev, srm_ms now)
{
	struct acct *a;

	book_cache_clear(e);
	e->n_out = 0;
	e->done = 0;
	e->calls++;
	advance(e, now);
	e->stats.events++;
	switch (ev->kind) {
	case EV_ACCOUNT:
		a = book_acct(e, ev->u.account.id, true);
		book_apply_account(e, &ev->u.account, a);
		run_rules(e, a, ev, 0, NULL);
		break;
	case EV_POSITION: {
		a = book_acct(e, ev->u.position.account_id, true);
		if (book_position_stale(a, &ev->u.position)) {
			e->stats.positions_stale++;
			break;
		}
		int prev = book_apply_position(e, a, &ev->u.position);

		closes_on_position(e, a, ev->u.position.contract_id, prev);
		recent_forget(e, ev);
		run_rules(e, a, ev, prev, NULL);
		guard(e, a, ev, prev);
		struct pos *p = acct_pos(a, ev->u.position.contract_id);

		if (p != NULL)
			p->restored = false;
		break;
	}
	case EV_ORDER: {
		struct ord prev;

		a = book_acct(e, ev->u.order.account_id, true);
		bool had = book_apply_order(e, a, &ev->u.order, &prev);

		if (ev->u.order.odd_status)
			odd_alert(e, a, &ev->u.order, 1, ev->u.order.raw_status);
		if (ev->u.order.odd_type)
			odd_alert(e, a, &ev->u.order, 2, ev->u.order.raw_type);
		if (ev->u.order.type == PX_OT_MARKET && (ev->u.order.status == PX_OS_REJECTED ||
							 ev->u.order.status == PX_OS_CANCELLED ||
							 ev->u.order.status == PX_OS_EXPIRED))
			closes_order_ended(e, a, ev->u.order.contract_id);
		recent_forget(e, ev);
		run_rules(e, a, ev, 0, had ? &prev : NULL);
		guard(e, a, ev, 0);
		break;
	}
	case EV_TRADE:
		a = book_acct(e, ev->u.trade.account_id, true);
		/* stamped past the reset, by a clock a little ahead: the new day starts first */
		if (ev->u.trade.created >= e->next_reset &&
		    ev->u.trade.created - now <= SRM_CLOCK_SKEW_MS)
			advance(e, ev->u.trade.created);
		if (fills_apply(e, a, &ev->u.trade))
			run_rules(e, a, ev, 0, NULL);
		break;
	case EV_QUOTE:
		apply_quote(e, &ev->u.quote);
		wake_watchers(e, ev->u.quote.contract_id, ev);
		break;
	case EV_CONTRACT: {
		const struct cslot *c = book_cslot_c(e, ev->u.contract.id);
		bool first = c == NULL || !c->known;

		apply_contract(e, &ev->u.contract);
		wake_watchers(e, ev->u.contract.id, ev);
		if (first)
			reevaluate_contract(e, ev->u.contract.id);
		break;
	}
	case EV_ACTION_RESULT: {
		const struct ev_result *res = &ev->u.result;

		a = book_acct(e, res->account_id, false);
		if (a == NULL)
			break;
		if (!reqs_result(e, a, res))
			break;
		if (res->outcome == OUTCOME_FAILED) {
			/* not in flight any more: the next close is asked whole, the repeat not
			 * suppressed; the retry timer (requests.c) judges the account again */
			if (res->kind == ACT_CLOSE_CONTRACT || res->kind == ACT_PARTIAL_CLOSE)
				closes_drop(a, res->contract_id);
			recent_forget_result(e, res);
			break;
		}
		/*
		 * A close asked for again while it was on the wire (the position grew meanwhile,
		 * or the trader's own exit raced it): judge now what it did not cure. The closes
		 * in flight (closes.c) keep this from closing twice. A cancel, modify or placed
		 * stop that succeeded is shown by its order event: asking again before that
		 * would only repeat it (a second stop would be a second order).
		 */
		if (res->kind == ACT_CLOSE_CONTRACT || res->kind == ACT_PARTIAL_CLOSE) {
			recent_forget_result(e, res);
			rejudge(e, a);
		}
		break;
	}
	case EV_RECHECK:
		a = book_acct(e, ev->u.recheck.account_id, false);
		if (a != NULL)
			rejudge(e, a);
		break;
	case EV_CONTRACT_MISSING:
		contract_missing(e, ev->u.missing.contract_id);
		break;
	case EV_ADMIN_LOCKOUT:
		admin_lockout(e, &ev->u.admin);
		break;
	case EV_ADMIN_CLEAR:
		admin_clear(e, ev->u.admin.account_id);
		break;
	case EV_ADMIN_RESET:
		admin_reset(e, ev->u.admin.account_id);
		break;
	case EV_ADMIN_ENFORCE:
		admin_enforce(e, ev->u.admin.account_id, ev->u.admin.rule, ev->u.admin.dry_run);
		break;
	case EV_TIMER:
	case EV_KIND_COUNT:
		break;
	}
	return result(e);
}

/* ---- admin ---- */

static void admin_lockout(struct engine *e, const struct ev_admin *ad)
{
	struct acct *a;
	enum until_kind u = (enum until_kind)ad->until;

	if (ad->account_id <= 0 || (u != UNTIL_TIME && u != UNTIL_RESET && u != UNTIL_PERMANENT) ||
	    (u == UNTIL_TIME && ad->until_ts <= e->now))
		return;
	a = book_acct(e, ad->account_id, true);
	lockout_start(e, a, -1, u, u == UNTIL_TIME ? ad->until_ts : 0, NULL, true, global_dry_run(e),
		      ad->reason);
}

static void admin_clear(struct engine *e, int64_t account_id)
{
	for (size_t i = e->n_locks; i-- > 0;)
		if (e->locks[i].account_id == account_id)
			unlock_at(e, i, global_dry_run(e), "cleared by admin");
}

static void admin_enforce(struct engine *e, int64_t account_id, int rule, bool dry_run)
{
	struct acct *a;
	const struct rule_def *def;

	a = book_acct(e, account_id, false);
	if (a == NULL || rule < 0 || rule >= RULE_COUNT || rule_table[rule]->check == NULL)
		return;
	def = rule_table[rule];

	struct rule_ctx ctx = {
		.eng = e, .acct = a, .cfg = a->rules, .now = e->now, .state = a->rstate[rule],
		.rule = rule, .dry_run = dry_run || rule_dry(e, a->rules, rule),
	};
	struct srm_event ev;

	if (def->wakes_on & EVM_ACCOUNT) {
		acct_event(a, &ev);
		ctx.ev = &ev;
		out_reserve(e);
		def->check(&ctx);
	}
	if (def->wakes_on & EVM_TRADE) {
		/* "look at today's fills": an opening fill of no size adds nothing but wakes the rule */
		memset(&ev, 0, sizeof(ev));
		ev.kind = EV_TRADE;
		ev.u.trade.account_id = a->id;
		ev.u.trade.created = e->now;
		ev.u.trade.profit_and_loss = PX_NULL;
		ctx.ev = &ev;
		out_reserve(e);
		def->check(&ctx);
	}
	for (size_t i = 0; i < a->n_pos && (def->wakes_on & (EVM_POSITION | EVM_QUOTE)); i++) {
		const struct pos p = a->pos[i];

		pos_event(a, &p, &ev);
		ctx.ev = &ev;
		ctx.prev_qty = p.qty;
		out_reserve(e);
		def->check(&ctx);
	}
	ctx.prev_qty = 0;
	for (size_t i = 0; i < a->n_ord && (def->wakes_on & EVM_ORDER); i++) {
		const struct ord o = a->ord[i];

		ord_event(a, &o, &ev);
		ctx.ev = &ev;
		ctx.prev_ord = &o;
		out_reserve(e);
		def->check(&ctx);
	}
}

static void admin_reset(struct engine *e, int64_t account_id)
{
	struct acct *a = NULL;

	if (account_id != 0) {
		a = book_acct(e, account_id, false);
		if (a == NULL)
			return;
	}
	daily_reset(e, a, true);
}

/* ---- restore ---- */

void engine_restore_lockout(struct engine *e, const struct lockout *l)
{
	struct lockout c = *l;

	book_acct(e, l->account_id, true);
	lock_add(e, &c);
}

void rule_memory_changed(struct rule_ctx *ctx)
{
	ctx->acct->memory_gen++;
}

const void *engine_rule_memory(const struct engine *e, const struct acct *a, int rule, size_t *len)
{
	(void)e;
	*len = 0;
	if (rule < 0 || rule >= RULE_COUNT || rule_table[rule]->persist_size == 0 ||
	    a->rstate[rule] == NULL)
		return NULL;
	*len = rule_table[rule]->persist_size;
	return a->rstate[rule];
}

void engine_restore_rule_memory(struct engine *e, int64_t account_id, int rule, int version,
				const void *data, size_t len)
{
	struct acct *a;

	if (rule < 0 || rule >= RULE_COUNT || rule_table[rule]->persist_size == 0 ||
	    rule_table[rule]->persist_size != len || rule_table[rule]->persist_version != version)
		return;
	a = book_acct(e, account_id, true);
	if (a->rstate[rule] != NULL)
		memcpy(a->rstate[rule], data, len);
}

void engine_restore_reset(struct engine *e, int64_t account_id, srm_ms at)
{
	if (at < e->last_reset || at > e->now)
		return;
	book_acct(e, account_id, true)->reset_at = at;
}

void engine_restore_fill(struct engine *e, int64_t account_id, const struct fill_rec *f)
{
	struct acct *a = book_acct(e, account_id, true);

	/* fills_restore counts only a new, non-voided fill of the current trading day */
	if (!fills_restore(e, a, f) || !f->closing)
		return;
	for (int r = 0; r < RULE_COUNT; r++) {
		if (rule_table[r]->on_restore_fill == NULL || !rule_enabled(a->rules, r))
			continue;
		struct rule_ctx ctx = {
			.eng = e, .acct = a, .cfg = a->rules, .now = e->now,
			.state = a->rstate[r], .rule = r, .dry_run = rule_dry(e, a->rules, r),
		};

		rule_table[r]->on_restore_fill(&ctx, f);
	}
}

void engine_restore_position(struct engine *e, int64_t account_id, const struct pos *saved)
{
	struct acct *a = book_acct(e, account_id, true);
	struct px_position pp = {
		.id = saved->id, .account_id = account_id,
		.type = saved->qty < 0 ? PX_PT_SHORT : PX_PT_LONG, .size = abs(saved->qty),
		.average_price = saved->avg_price,
	};
	struct pos *p;

	if (saved->qty == 0 || acct_pos(a, saved->contract_id) != NULL)
		return;
	strlcpy_s(pp.contract_id, saved->contract_id, sizeof(pp.contract_id));
	book_apply_position(e, a, &pp);
	p = acct_pos(a, saved->contract_id);
	if (p == NULL)
		return;
	p->restored = true;
	if (saved->opened > 0 && saved->opened <= e->now)
		p->opened = saved->opened;
}

void engine_restore_order(struct engine *e, int64_t account_id, const struct ord *saved)
{
	struct acct *a = book_acct(e, account_id, true);
	struct px_order po = {
		.id = saved->id, .account_id = account_id, .status = saved->status,
		.type = saved->type, .side = saved->side, .size = saved->size,
		.limit_price = saved->limit_price, .stop_price = saved->stop_price,
		.filled_price = PX_NULL,
	};
	struct ord prev, *o;

	if (acct_ord(a, saved->id) != NULL)
		return;
	strlcpy_s(po.contract_id, saved->contract_id, sizeof(po.contract_id));
	book_apply_order(e, a, &po, &prev);
	o = acct_ord(a, saved->id);
	if (o != NULL && saved->seen > 0 && saved->seen <= e->now)
		o->seen = saved->seen;
}

void engine_restore_contract(struct engine *e, const struct px_contract *c)
{
	apply_contract(e, c);
}

/* ---- life cycle ---- */

const struct calendar *engine_calendar(const struct engine *e)
{
	return &e->cal;
}

static void set_calendar(struct engine *e)
{
	e->cal.zone = e->zone;
	e->cal.reset_min = e->cfg->daemon.reset_min;
	e->cal.holidays = e->cfg->daemon.holidays;
	e->cal.n_holidays = e->cfg->daemon.n_holidays;
}

struct engine *engine_new(const struct srm_config *cfg, const struct tz *zone, srm_ms now)
{
	struct engine *e = xcalloc(1, sizeof(*e));

	e->cfg = cfg;
	e->zone = zone;
	set_calendar(e);
	e->now = now;
	e->last_reset = cal_last_reset(&e->cal, now);
	e->next_reset = cal_next_reset(&e->cal, now);
	return e;
}

void engine_set_config(struct engine *e, const struct srm_config *cfg, const struct tz *zone)
{
	e->cfg = cfg;
	e->zone = zone;
	set_calendar(e);
	e->next_reset = cal_next_reset(&e->cal, e->now);
	for (size_t i = 0; i < e->n_accts; i++)
		e->accts[i]->rules = config_rules_for_account(cfg, e->accts[i]->id,
							      e->accts[i]->name[0] != '\0' ? e->accts[i]->name : NULL);
	/* A rule may end its lockouts the new config no longer wants (a symbol unblocked). */
	for (size_t i = e->n_locks; i-- > 0;) {
		const struct lockout *l = &e->locks[i];
		struct acct *a = book_acct(e, l->account_id, false);
		const struct rule_def *d = l->rule >= 0 && l->rule < RULE_COUNT ? rule_table[l->rule] : NULL;
		const char *why;

		if (a == NULL || d == NULL || d->lockout_unwanted == NULL)
			continue;
		why = d->lockout_unwanted(rule_cfg_block(a->rules, l->rule), l);
		if (why != NULL)
			unlock_at(e, i, global_dry_run(e), why);
	}
}

void engine_free(struct engine *e)
{
	if (e == NULL)
		return;
	book_free(e);
	free(e->fills);
	free(e->locks);
	free(e->heap);
	free(e->recent);
	free(e->out);
	free(e);
}

/* ---- read access ---- */

srm_ms engine_now(const struct engine *e) { return e->now; }
srm_ms engine_last_reset(const struct engine *e) { return e->last_reset; }
srm_ms engine_next_reset(const struct engine *e) { return e->next_reset; }
const struct srm_config *engine_config(const struct engine *e) { return e->cfg; }
const struct tz *engine_zone(const struct engine *e) { return e->zone; }
struct engine_stats engine_stats(const struct engine *e) { return e->stats; }

const struct acct *engine_acct(const struct engine *e, int64_t account_id)
{
	return book_acct((struct engine *)e, account_id, false);
}

const struct acct *engine_acct_next(const struct engine *e, size_t *i)
{
	return *i < e->n_accts ? e->accts[(*i)++] : NULL;
}
