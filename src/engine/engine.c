/* engine.c: the one door: engine_apply / engine_advance apply the event, move time, wake the rules. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine_int.h"
#include "util/strutil.h"
#include "util/xalloc.h"

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
			struct srm_action *x = out_act(e, ACT_ALERT, r, a->id, NULL, global_dry_run(e),
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

/*
 * The daily reset (only NULL: every account, at the scheduled time) or an admin's reset of
 * one account now (or of every account: only NULL with admin). Today's totals start again
 * from the fills that belong to the new day (stamped at or after it: the gateway's clock ran
 * ahead, or a fill came before the reset for just after it).
 */
void daily_reset(struct engine *e, struct acct *only, bool admin)
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
			lock_release_at(e, i, global_dry_run(e), "daily reset");
	}
}

/* The event that reports the account unchanged: rules look again. */
void event_of_acct(const struct acct *a, struct srm_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->kind = EV_ACCOUNT;
	ev->u.account.id = a->id;
	strlcpy_s(ev->u.account.name, a->name, sizeof(ev->u.account.name));
	ev->u.account.balance = a->balance;
	ev->u.account.can_trade = a->can_trade;
}

/* The event that reports a position (or a working order) unchanged: rules look again. */
void event_of_pos(const struct acct *a, const struct pos *p, struct srm_event *ev)
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

void event_of_ord(const struct acct *a, const struct ord *o, struct srm_event *ev)
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
void event_nil_trade(const struct engine *e, const struct acct *a, struct srm_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->kind = EV_TRADE;
	ev->u.trade.account_id = a->id;
	ev->u.trade.created = e->now;
	ev->u.trade.profit_and_loss = PX_NULL;
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
		event_of_acct(a, &ev);
		run_rules(e, a, &ev, 0, NULL);
	}
	event_nil_trade(e, a, &ev);
	for (int r = 0; r < RULE_COUNT; r++)
		if (rule_table[r]->recheck_trade && (rule_table[r]->wakes_on & EVM_TRADE))
			run_rule(e, r, a, &ev, 0, NULL);
	for (size_t i = 0; i < a->n_pos; i++) {
		const struct pos p = a->pos[i];

		event_of_pos(a, &p, &ev);
		run_rules(e, a, &ev, p.qty, NULL);
	}
	for (size_t i = 0; i < a->n_ord; i++) {
		const struct ord o = a->ord[i];

		event_of_ord(a, &o, &ev);
		run_rules(e, a, &ev, 0, &o);
		guard_event(e, a, &ev, 0);
	}
	guard_grown(e, a);
	guard_keep_flat(e, a);
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
		event_of_pos(a, p, &ev);
		run_rules(e, a, &ev, p->qty, NULL);
		guard_keep_flat(e, a);
		return;
	}
	if (t->t.rule == TIMER_LOCK_END) {
		for (size_t i = 0; i < e->n_locks; i++) {
			const struct lockout *l = &e->locks[i];

			if (l->id == (uint64_t)t->t.key && l->until == UNTIL_TIME && l->until_ts <= e->now) {
				lock_release_at(e, i, global_dry_run(e), "lockout expired");
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
			out_finalize(e);
		}
		e->now = now;
		for (;;) {
			srm_ms at;
			struct timer t;

			if (!timer_peek(e, &at) || at > now)
				break;
			timer_pop(e, &t);
			fire_timer(e, &t);
			out_finalize(e);
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
			out_finalize(e); /* each timer decides at its own time, before what comes next */
		} else if (e->next_reset <= now) {
			e->now = e->next_reset;
			e->last_reset = e->next_reset;
			e->next_reset = cal_next_reset(&e->cal, e->last_reset);
			fills_reset(e);
			daily_reset(e, NULL, false);
			out_finalize(e);
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
	struct srm_action *x = out_act(e, ACT_ALERT, -1, a->id, o->contract_id,
					  global_dry_run(e),
					  "order %lld has %s %d, which SRM does not know: it is "
					  "treated as a working order that could fill", (long long)o->id,
					  field == 1 ? "status" : "type", value);

	x->order_id = o->id;
}

static struct act_list result(struct engine *e)
{
	out_finalize(e);
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

			event_of_pos(a, p, &ev);
			run_rules(e, a, &ev, p->qty, NULL);
		}
		for (size_t k = 0; k < a->n_ord; k++) {
			if (strcmp(a->ord[k].contract_id, contract_id) != 0)
				continue;
			const struct ord snapshot = a->ord[k];
			struct srm_event ev;

			event_of_ord(a, &snapshot, &ev);
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

static void set_config(struct engine *e, const struct srm_config *cfg, const struct tz *zone);

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
		guard_apply(e, a, ev, prev);
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
		guard_apply(e, a, ev, 0);
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

		book_apply_contract(e, &ev->u.contract);
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
	case EV_CONFIG:
		if (ev->u.config.cfg == NULL || ev->u.config.zone == NULL)
			break;
		set_config(e, ev->u.config.cfg, ev->u.config.zone);
		/* a tighter limit holds now, not at the account's next event */
		for (size_t i = 0; i < e->n_accts && ev->u.config.judge; i++)
			rejudge(e, e->accts[i]);
		break;
	case EV_TIMER:
	case EV_KIND_COUNT:
		break;
	}
	return result(e);
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

static void set_config(struct engine *e, const struct srm_config *cfg, const struct tz *zone)
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
			lock_release_at(e, i, global_dry_run(e), why);
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
