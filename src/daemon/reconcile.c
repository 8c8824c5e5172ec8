/*
 * reconcile.c: make the engine's state match the gateway's (REST) at start-up and after
 * every hub reconnect: accounts, open positions, working orders, today's fills. Events
 * missed while disconnected are not replayed by the server (API reference §10.3), so what
 * REST says wins; every difference found is journaled.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/alerts.h"
#include "daemon/srmd.h"
#include "util/log.h"
#include "util/strutil.h"
#include "util/xalloc.h"

#define RECON_MAX_ROWS 4096
#define RECON_PARK_MAX_MS 10000 /* the longest a round waits for the hub's subscriptions */
#define VERIFY_AFTER_MS 2000    /* a close's position event not seen by then: ask REST */
#define VERIFY_MAX 4096         /* closes waiting to be seen (one per account and contract) */

struct verify_due {
	int64_t account_id;
	char contract_id[SRM_ID_MAX];
	uint64_t due_ms;            /* monotonic */
};

struct verify {
	struct srmd *d;
	int64_t account_id;
	uint64_t asked;             /* d->news_seq when asked */
};

/*
 * One round's accounts: each is judged (EV_RECHECK) as soon as its own three searches are
 * in, so an account with open risk is enforced in the first budget window, not after the
 * last account of a long start-up (3 searches per account at 160 per 60 s).
 */
struct recon_round {
	srm_ms since;               /* a resync: flat accounts first asked what changed since */
	int refs;                   /* searches still out */
	size_t n, done;             /* accounts; accounts whose searches are all in */
	struct {
		int64_t id;
		uint8_t left;           /* searches still out */
		bool failed;
	} *v;
};

struct recon {
	struct srmd *d;
	struct recon_round *round;
	size_t slot;                /* this account's index in round->v */
	int64_t account_id;
	enum gw_endpoint ep;
	uint64_t asked;             /* d->news_seq when the search was asked for */
};

static void round_unref(struct srmd *d, struct recon_round *rd);
static void full_search(struct srmd *d, struct recon_round *rd, size_t slot);

/* A search of the round is over: judge its account once all three are in and good. */
static void round_step(struct srmd *d, struct recon_round *rd, size_t slot, bool ok)
{
	if (!ok)
		rd->v[slot].failed = true;
	if (--rd->v[slot].left == 0) {
		rd->done++;
		if (!rd->v[slot].failed && d->phase != PH_STOPPING) {
			struct srm_event ev = {.kind = EV_RECHECK};

			ev.u.recheck.account_id = rd->v[slot].id;
			srmd_feed(d, &ev);
		}
	}
	round_unref(d, rd);
}

void srmd_hub_news(struct srmd *d, const struct srm_event *ev)
{
	struct hub_news *h;

	if ((d->reconciles_pending <= 0 && d->verifies_pending <= 0) ||
	    (ev->kind != EV_POSITION && ev->kind != EV_ORDER))
		return;
	if (d->n_news == d->cap_news) {
		d->cap_news = d->cap_news ? d->cap_news * 2 : 16;
		d->news = xreallocarray(d->news, d->cap_news, sizeof(*d->news));
	}
	h = &d->news[d->n_news++];
	memset(h, 0, sizeof(*h));
	h->seq = ++d->news_seq;
	if (ev->kind == EV_POSITION) {
		h->account_id = ev->u.position.account_id;
		strlcpy_s(h->contract_id, ev->u.position.contract_id, sizeof(h->contract_id));
	} else {
		h->account_id = ev->u.order.account_id;
		h->order_id = ev->u.order.id;
	}
}

/* Did the hubs report this position (contract) or order (order_id) after `asked`? */
static bool newer_news(const struct srmd *d, uint64_t asked, int64_t account_id,
		       const char *contract_id, int64_t order_id)
{
	for (size_t i = d->n_news; i-- > 0;) {
		const struct hub_news *h = &d->news[i];

		if (h->seq <= asked)
			break;
		if (h->account_id == account_id &&
		    (contract_id != NULL ? strcmp(h->contract_id, contract_id) == 0
					 : h->order_id == order_id))
			return true;
	}
	return false;
}

/*
 * Room for the rows that came (at most RECON_MAX_ROWS), not for the most that may come: 4096
 * events are 1.4 MiB, and such transient blocks stay in the heap's footprint.
 */
static struct srm_event *rows_buf(const struct gw_result *res, size_t *cap)
{
	size_t n = gw_result_rows(res);

	*cap = n == 0 ? 1 : n > RECON_MAX_ROWS ? RECON_MAX_ROWS : n;
	return xcalloc(*cap, sizeof(struct srm_event));
}

static void note(struct srmd *d, int64_t account_id, const char *text)
{
	struct srm_err err = {0};

	log_info("reconcile", "%s | account=%" PRId64, text, account_id);
	if (store_note(d->st, srmd_now(), account_id, "reconcile", text, &err) != 0)
		log_error("store", "reconcile note not saved | err=\"%s\"", err.msg);
}

/* A search or the account list failed: this round does not count as reconciled. */
static void step_failed(struct srmd *d, int64_t account_id, enum gw_endpoint ep,
			const struct gw_result *res, const char *detail)
{
	d->recon_failed = true;
	if (account_id != 0)
		snprintf(d->recon_error, sizeof(d->recon_error), "%s for account %" PRId64 " failed: %s%s%.80s",
			 gw_endpoint_path(ep), account_id, res ? gw_status_name(res->status) : "",
			 detail ? " " : "", detail ? detail : "");
	else
		snprintf(d->recon_error, sizeof(d->recon_error), "%s failed: %s%s%.80s",
			 gw_endpoint_path(ep), res ? gw_status_name(res->status) : "", detail ? " " : "",
			 detail ? detail : "");
}

static void step_done(struct srmd *d)
{
	if (--d->reconciles_pending > 0)
		return;
	if (d->verifies_pending == 0)
		d->n_news = 0; /* nothing is pending that news could be newer than */
	srmd_sync_quotes(d);
	if (d->recon_failed) {
		/* not reconciled: not guarding; ask again after a backoff (1 s doubling to 30 s) */
		uint64_t delay = 1000ull << (d->recon_failures < 5 ? d->recon_failures : 5);

		d->recon_failures++;
		d->recon_failed = false;
		d->resync_wanted = true;
		d->recon_retry_ms = srmd_mono_ns() / 1000000 + (delay > 30000 ? 30000 : delay);
		log_warn("reconcile", "not reconciled; will ask again | err=\"%s\" attempt=%d delay_ms=%llu",
			 d->recon_error, d->recon_failures, (unsigned long long)delay);
		return;
	}
	d->recon_failures = 0;
	d->recon_error[0] = '\0';
	srmd_settle_restart(d);
	/*
	 * Judge every guarded account now, as if each had just had an event: an account already
	 * past its daily loss at start-up (or after a hub drop) is locked out at once, not at
	 * its next fill.
	 */
	for (size_t i = 0; i < d->n_guarded; i++) {
		struct srm_event ev = {.kind = EV_RECHECK};

		ev.u.recheck.account_id = d->guarded[i];
		srmd_feed(d, &ev);
	}
	if (d->phase == PH_RECONCILE) {
		d->phase = PH_GUARDING;
		log_info("srmd", "guarding | accounts=%zu startup_ms=%" PRId64, d->n_guarded,
			 (int64_t)((srmd_mono_ns() - d->started_ns) / 1000000));
		srmd_publish(d, "guarding", NULL);
		srmd_notify(d, "READY=1\nSTATUS=guarding");
		alerts_emit(d->alerts, AE_DAEMON_STARTED, 0, NULL, "srmd started and guards %zu account%s",
			    d->n_guarded, d->n_guarded == 1 ? "" : "s");
	}
}

/*
 * A search answer is a snapshot from when the gateway served it; a hub event that came in
 * after we asked may be newer (SRM's own close, the trader's exit). Such a position or order
 * keeps what the hub said: the answer would undo it, and the rules would act on the past.
 */
static void apply_positions(struct srmd *d, uint64_t asked, int64_t account_id,
			    struct srm_event *evs, size_t n)
{
	const struct acct *a = engine_acct(d->eng, account_id);
	char text[200];

	/* positions the engine has that the gateway no longer has: closed while we were away */
	for (size_t i = 0; a != NULL && i < a->n_pos;) {
		bool found = false;

		for (size_t k = 0; k < n; k++)
			if (strcmp(evs[k].u.position.contract_id, a->pos[i].contract_id) == 0)
				found = true;
		if (found || newer_news(d, asked, account_id, a->pos[i].contract_id, 0)) {
			i++;
			continue;
		}
		struct srm_event z = {.kind = EV_POSITION};

		z.u.position.account_id = account_id;
		z.u.position.id = a->pos[i].id;
		strlcpy_s(z.u.position.contract_id, a->pos[i].contract_id, SRM_ID_MAX);
		snprintf(text, sizeof(text), "position %s closed while disconnected", a->pos[i].contract_id);
		note(d, account_id, text);
		srmd_feed(d, &z); /* removes a->pos[i]: do not advance i */
	}
	for (size_t k = 0; k < n; k++) {
		const struct pos *p = a ? acct_pos(a, evs[k].u.position.contract_id) : NULL;
		int qty = evs[k].u.position.type == PX_PT_SHORT ? -evs[k].u.position.size : evs[k].u.position.size;

		if (newer_news(d, asked, account_id, evs[k].u.position.contract_id, 0)) {
			snprintf(text, sizeof(text), "position %s: the hub's news is newer than the "
				 "snapshot (%d); kept %d", evs[k].u.position.contract_id, qty,
				 p ? p->qty : 0);
			note(d, account_id, text);
			continue;
		}

		if (p == NULL || p->qty != qty) {
			snprintf(text, sizeof(text), "position %s is %d (was %d)",
				 evs[k].u.position.contract_id, qty, p ? p->qty : 0);
			note(d, account_id, text);
		}
		srmd_feed(d, &evs[k]);
		a = engine_acct(d->eng, account_id);
	}
}

static void apply_orders(struct srmd *d, uint64_t asked, int64_t account_id,
			 struct srm_event *evs, size_t n)
{
	const struct acct *a = engine_acct(d->eng, account_id);
	char text[200];

	for (size_t i = 0; a != NULL && i < a->n_ord;) {
		bool found = false;

		for (size_t k = 0; k < n; k++)
			if (evs[k].u.order.id == a->ord[i].id)
				found = true;
		if (found || newer_news(d, asked, account_id, NULL, a->ord[i].id)) {
			i++;
			continue;
		}
		struct srm_event z = {.kind = EV_ORDER};

		z.u.order.id = a->ord[i].id;
		z.u.order.account_id = account_id;
		strlcpy_s(z.u.order.contract_id, a->ord[i].contract_id, SRM_ID_MAX);
		z.u.order.status = PX_OS_CANCELLED;
		z.u.order.limit_price = z.u.order.stop_price = z.u.order.filled_price = PX_NULL;
		snprintf(text, sizeof(text), "order %" PRId64 " no longer working", a->ord[i].id);
		note(d, account_id, text);
		srmd_feed(d, &z);
	}
	for (size_t k = 0; k < n; k++) {
		if (newer_news(d, asked, account_id, NULL, evs[k].u.order.id))
			continue; /* the hub said more recently what became of it */
		if (a == NULL || acct_ord(a, evs[k].u.order.id) == NULL) {
			snprintf(text, sizeof(text), "working order %" PRId64 " found", evs[k].u.order.id);
			note(d, account_id, text);
		}
		srmd_feed(d, &evs[k]);
		a = engine_acct(d->eng, account_id);
	}
}

static void apply_trades(struct srmd *d, int64_t account_id, struct srm_event *evs, size_t n)
{
	char text[200];

	for (size_t k = 0; k < n; k++) {
		uint64_t before = engine_stats(d->eng).fills_dup;

		srmd_feed(d, &evs[k]);
		if (engine_stats(d->eng).fills_dup == before && !evs[k].u.trade.voided) {
			snprintf(text, sizeof(text), "missed fill %" PRId64 " reconciled", evs[k].u.trade.id);
			note(d, account_id, text);
		}
	}
}

static void on_search(struct gw_rest *r, const struct gw_result *res, void *ud)
{
	struct recon *rc = ud;
	struct srmd *d = rc->d;
	struct srm_event *evs;
	size_t n = 0, cap;
	struct srm_err err = {0};

	(void)r;
	if (res->status == GW_ECANCELLED) {
		round_step(d, rc->round, rc->slot, false);
		free(rc);
		return;
	}
	if (res->status != GW_OK) {
		log_warn("reconcile", "search failed | account=%" PRId64 " path=%s status=%s",
			 rc->account_id, gw_endpoint_path(rc->ep), gw_status_name(res->status));
		step_failed(d, rc->account_id, rc->ep, res, res->message);
		round_step(d, rc->round, rc->slot, false);
		step_done(d);
		free(rc);
		return;
	}
	evs = rows_buf(res, &cap);
	bool good = true;

	if (gw_result_events(res, evs, cap, &n, &err) != 0) {
		log_warn("reconcile", "bad search result | path=%s err=\"%s\"", gw_endpoint_path(rc->ep), err.msg);
		d->bad_events++;
		step_failed(d, rc->account_id, rc->ep, NULL, err.msg);
		good = false;
	} else if (rc->ep == GW_EP_POSITION_SEARCH_OPEN) {
		apply_positions(d, rc->asked, rc->account_id, evs, n);
	} else if (rc->ep == GW_EP_ORDER_SEARCH_OPEN) {
		apply_orders(d, rc->asked, rc->account_id, evs, n);
	} else if (rc->ep == GW_EP_TRADE_SEARCH) {
		apply_trades(d, rc->account_id, evs, n);
	} else if (rc->ep == GW_EP_ORDER_SEARCH && n > 0) {
		char text[120];

		/* orders since the hub was lost: this account gets the full look */
		snprintf(text, sizeof(text), "%zu order%s placed while disconnected: looked at in full", n,
			 n == 1 ? "" : "s");
		note(d, rc->account_id, text);
		full_search(d, rc->round, rc->slot);
	}
	free(evs);
	round_step(d, rc->round, rc->slot, good);
	step_done(d);
	free(rc);
}

static void search(struct srmd *d, struct recon_round *rd, size_t slot, enum gw_endpoint ep)
{
	struct recon *rc = xcalloc(1, sizeof(*rc));
	int64_t account_id = rd->v[slot].id;
	int ok;

	rc->d = d;
	rc->round = rd;
	rc->slot = slot;
	rc->account_id = account_id;
	rc->ep = ep;
	rd->refs++;
	rd->v[slot].left++;
	d->reconciles_pending++;
	rc->asked = d->news_seq;
	if (ep == GW_EP_POSITION_SEARCH_OPEN)
		ok = gw_position_search_open(d->rest, account_id, GW_PRIO_RECONCILE, on_search, rc);
	else if (ep == GW_EP_ORDER_SEARCH_OPEN)
		ok = gw_order_search_open(d->rest, account_id, GW_PRIO_RECONCILE, on_search, rc);
	else if (ep == GW_EP_ORDER_SEARCH)
		ok = gw_order_search(d->rest, account_id, rd->since, 0, GW_PRIO_RECONCILE, on_search, rc);
	else
		ok = gw_trade_search(d->rest, account_id, engine_last_reset(d->eng), 0,
				     GW_PRIO_RECONCILE, on_search, rc);
	if (ok != 0) {
		d->reconciles_pending--;
		d->recon_failed = true;
		snprintf(d->recon_error, sizeof(d->recon_error), "%s not sent (srmd stopping)", gw_endpoint_path(ep));
		rd->v[slot].failed = true;
		rd->v[slot].left--;
		rd->refs--;
		free(rc);
	}
}

static void full_search(struct srmd *d, struct recon_round *rd, size_t slot)
{
	search(d, rd, slot, GW_EP_POSITION_SEARCH_OPEN);
	search(d, rd, slot, GW_EP_ORDER_SEARCH_OPEN);
	search(d, rd, slot, GW_EP_TRADE_SEARCH);
}

/* Does the engine's book (restored from the state file, or from the hubs) show risk? */
static bool book_has_risk(const struct srmd *d, int64_t account_id)
{
	const struct acct *a = engine_acct(d->eng, account_id);

	return a != NULL && (a->n_pos > 0 || a->n_ord > 0);
}

/*
 * Is the user hub about to deliver every guarded account's events (connecting, or connected
 * with subscriptions still unanswered)? A snapshot taken before then can miss what changes
 * meanwhile, and an enforcement decided on it is never seen to land (a close would be asked
 * again on the stale book: closing more than the excess). A hub that is down or refuses is
 * not waited for: REST is then all there is.
 */
static bool hub_settling(const struct srmd *d)
{
	struct gw_hub_subs s;

	if (d->user_hub == NULL)
		return false;
	if (gw_hub_state(d->user_hub) == GW_HUB_CONNECTING)
		return true;
	if (gw_hub_state(d->user_hub) != GW_HUB_CONNECTED)
		return false;
	gw_hub_subs(d->user_hub, &s);
	return s.failed == 0 && s.refused == 0 && s.confirmed < s.wanted;
}

static struct recon_round *round_new(struct srmd *d)
{
	struct recon_round *rd = xcalloc(1, sizeof(*rd));

	rd->refs = 1; /* its own, until every search is asked */
	rd->n = d->n_guarded;
	rd->v = xcalloc(rd->n ? rd->n : 1, sizeof(*rd->v));
	for (size_t i = 0; i < rd->n; i++)
		rd->v[i].id = d->guarded[i];
	d->recon_round = rd;
	return rd;
}

static void round_unref(struct srmd *d, struct recon_round *rd)
{
	if (--rd->refs > 0)
		return;
	if (d->recon_round == rd)
		d->recon_round = NULL;
	free(rd->v);
	free(rd);
}

/*
 * Ask the round's searches, accounts with risk in their book (restored from the state file,
 * or told by the hubs since) first: the budget serves them in order, so they are reconciled
 * and judged in the first window.
 */
static void round_issue(struct srmd *d, struct recon_round *rd)
{
	int64_t *ids = xcalloc(rd->n ? rd->n : 1, sizeof(*ids));
	size_t k = 0;

	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < rd->n; i++)
			if (book_has_risk(d, rd->v[i].id) == (pass == 0))
				ids[k++] = rd->v[i].id;
	for (size_t i = 0; i < rd->n; i++)
		rd->v[i].id = ids[i];
	free(ids);
	for (size_t slot = 0; slot < rd->n; slot++) {
		/*
		 * A resync: an account flat with nothing working can only have changed through an
		 * order placed since the hub was lost, so one Order/search since then says whether
		 * it needs the full look (on_search). Accounts with risk get it at once.
		 */
		if (rd->since > 0 && !book_has_risk(d, rd->v[slot].id)) {
			search(d, rd, slot, GW_EP_ORDER_SEARCH);
			continue;
		}
		full_search(d, rd, slot);
	}
	for (size_t i = 0; i < rd->n; i++)
		if (rd->v[i].left == 0) /* none of its searches could be asked */
			rd->done++;
	round_unref(d, rd);
}

/* The cron: a parked round is searched once the hub settles, or after 10 s anyway. */
void srmd_reconcile_tick(struct srmd *d)
{
	struct recon_round *rd = d->recon_parked;
	uint64_t waited;

	if (rd == NULL || d->phase == PH_STOPPING)
		return; /* freed at exit (srmd_reconcile_free) */
	waited = srmd_mono_ns() / 1000000 - d->recon_parked_ms;
	bool settling = hub_settling(d); /* not: settled, or down, or refusing (no wait) */

	if (settling && waited < RECON_PARK_MAX_MS)
		return;
	if (settling)
		log_warn("reconcile", "the user hub has not confirmed its subscriptions; searching "
			 "anyway | waited_ms=%llu", (unsigned long long)waited);
	d->recon_parked = NULL;
	round_issue(d, rd);
	step_done(d);
}

bool srmd_reconcile_progress(const struct srmd *d, size_t *done, size_t *total)
{
	if (d->recon_round == NULL)
		return false;
	*done = d->recon_round->done;
	*total = d->recon_round->n;
	return true;
}

void srmd_reconcile_free(struct srmd *d)
{
	if (d->recon_parked == NULL)
		return;
	round_unref(d, d->recon_parked);
	d->recon_parked = NULL;
}

/* What an Account/search of a round carries to its answer. */
struct ask {
	struct srmd *d;
	srm_ms since;
};

static void on_accounts(struct gw_rest *r, const struct gw_result *res, void *ud)
{
	struct ask *ask = ud;
	struct srmd *d = ask->d;
	srm_ms since = ask->since;
	struct srm_event *evs;
	size_t n = 0, cap;
	struct srm_err err = {0};

	(void)r;
	free(ask);
	if (res->status == GW_ECANCELLED)
		return;
	if (res->status != GW_OK) {
		log_warn("reconcile", "Account/search failed | status=%s", gw_status_name(res->status));
		step_failed(d, 0, GW_EP_ACCOUNT_SEARCH, res, res->message);
		step_done(d);
		return;
	}
	evs = rows_buf(res, &cap);
	if (gw_result_events(res, evs, cap, &n, &err) != 0) {
		log_warn("reconcile", "bad Account/search result | err=\"%s\"", err.msg);
		free(evs);
		step_failed(d, 0, GW_EP_ACCOUNT_SEARCH, NULL, err.msg);
		step_done(d);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const struct px_account *pa = &evs[i].u.account;

		if (!config_account_selected(d->cfg, pa->id, pa->name) || srmd_guarded(d, pa->id, pa->name))
			continue;
		d->guarded = xreallocarray(d->guarded, d->n_guarded + 1, sizeof(*d->guarded));
		d->guarded[d->n_guarded++] = pa->id;
		log_info("srmd", "guarding account | id=%" PRId64 " name=%s", pa->id, pa->name);
		/* its last saved book first, so this reconcile is a diff, as after a hub drop */
		size_t bad0 = store_bad_rows(d->st, NULL, 0);

		if (store_load_book(d->st, d->eng, pa->id, engine_last_reset(d->eng), &err) != 0)
			log_warn("store", "saved positions and orders not restored | account=%" PRId64
				 " err=\"%s\"", pa->id, err.msg);
		else if (store_bad_rows(d->st, NULL, 0) > bad0)
			log_warn("store", "saved positions or orders out of range skipped (the reconcile "
				 "corrects them) | account=%" PRId64, pa->id);
		if (d->user_hub != NULL)
			gw_hub_subscribe_account(d->user_hub, pa->id);
	}
	/* account events first (RULE-010 runs at start-up and after every reconnect) */
	for (size_t i = 0; i < n; i++)
		srmd_feed(d, &evs[i]);
	struct recon_round *rd = round_new(d);

	rd->since = since;

	if (d->recon_parked != NULL) { /* an older round still waiting: it goes first */
		struct recon_round *old = d->recon_parked;

		d->recon_parked = NULL;
		round_issue(d, old);
		step_done(d);
	}
	if (hub_settling(d)) {
		/* searched only once the hub delivers what changes after the snapshot */
		d->recon_parked = rd;
		d->recon_parked_ms = srmd_mono_ns() / 1000000;
		d->reconciles_pending++;
	} else {
		round_issue(d, rd);
	}
	free(evs);
	step_done(d);
}

void srmd_reconcile_since(struct srmd *d, const char *why, srm_ms since)
{
	struct ask *ask = xcalloc(1, sizeof(*ask));

	log_info("reconcile", "reconciling with the gateway | why=\"%s\" since=%" PRId64, why, since);
	d->resync_wanted = false;
	d->reconciles_pending++;
	strlcpy_s(d->recon_why, why, sizeof(d->recon_why));
	ask->d = d;
	ask->since = since;
	if (gw_account_search(d->rest, true, GW_PRIO_RECONCILE, on_accounts, ask) != 0) {
		d->reconciles_pending--;
		free(ask);
	}
}

void srmd_reconcile(struct srmd *d, const char *why)
{
	srmd_reconcile_since(d, why, 0);
}

/* ---- a close's result looked up when the hub did not show it ---- */

void srmd_verify_later(struct srmd *d, int64_t account_id, const char *contract_id)
{
	uint64_t due = srmd_mono_ns() / 1000000 + VERIFY_AFTER_MS;

	for (size_t i = 0; i < d->n_verify; i++)
		if (d->verify[i].account_id == account_id &&
		    strcmp(d->verify[i].contract_id, contract_id) == 0) {
			d->verify[i].due_ms = due;
			return;
		}
	if (d->n_verify == VERIFY_MAX) {
		log_warn("reconcile", "too many closes waiting to be seen; this one is not looked up "
			 "| account=%" PRId64 " contract=%s", account_id, contract_id);
		return;
	}
	if (d->n_verify == d->cap_verify) {
		d->cap_verify = d->cap_verify ? d->cap_verify * 2 : 16;
		d->verify = xreallocarray(d->verify, d->cap_verify, sizeof(*d->verify));
	}
	d->verify[d->n_verify].account_id = account_id;
	strlcpy_s(d->verify[d->n_verify].contract_id, contract_id, SRM_ID_MAX);
	d->verify[d->n_verify].due_ms = due;
	d->n_verify++;
}


static void on_verify(struct gw_rest *r, const struct gw_result *res, void *ud)
{
	struct verify *v = ud;
	struct srmd *d = v->d;
	struct srm_event *evs;
	size_t n = 0, cap;
	struct srm_err err = {0};

	(void)r;
	d->verifies_pending--;
	if (res->status == GW_OK) {
		evs = rows_buf(res, &cap);
		if (gw_result_events(res, evs, cap, &n, &err) == 0) {
			log_info("reconcile", "a close not seen to land, positions looked up | "
				 "account=%" PRId64 " positions=%zu", v->account_id, n);
			apply_positions(d, v->asked, v->account_id, evs, n);
		} else {
			log_warn("reconcile", "bad Position/searchOpen result | err=\"%s\"", err.msg);
			d->bad_events++;
		}
		free(evs);
	} else if (res->status != GW_ECANCELLED) {
		/* the next reconcile (or blind poll) sees it; the engine's close window holds meanwhile */
		log_warn("reconcile", "positions not looked up after a close | account=%" PRId64
			 " status=%s", v->account_id, gw_status_name(res->status));
	}
	if (d->verifies_pending == 0 && d->reconciles_pending == 0)
		d->n_news = 0;
	free(v);
}

void srmd_verify_tick(struct srmd *d)
{
	uint64_t now = srmd_mono_ns() / 1000000;

	if (d->rest == NULL || (d->phase != PH_GUARDING && d->phase != PH_RECONCILE))
		return;
	for (size_t i = 0; i < d->n_verify;) {
		int64_t id = d->verify[i].account_id;
		struct verify *v;

		if (d->verify[i].due_ms > now) {
			i++;
			continue;
		}
		/*
		 * The book shows the close landed (its position event, or its fills, came; or the
		 * trader's own exit got there): nothing to look up. Only a book that still shows
		 * the position short of the close's target is looked up.
		 */
		if (!engine_close_unseen(d->eng, id, d->verify[i].contract_id)) {
			d->verify[i] = d->verify[--d->n_verify];
			continue;
		}
		/* one search answers every close of the account */
		for (size_t k = d->n_verify; k-- > 0;)
			if (d->verify[k].account_id == id)
				d->verify[k] = d->verify[--d->n_verify];
		v = xcalloc(1, sizeof(*v));
		v->d = d;
		v->account_id = id;
		v->asked = d->news_seq;
		d->verifies_pending++;
		/*
		 * In the enforcement class: whether a close landed is part of enforcing it, and
		 * behind a long start-up's searches it would wait past the engine's close window.
		 * Bounded by the closes themselves (one lookup per account per close).
		 */
		if (gw_position_search_open(d->rest, id, GW_PRIO_ENFORCE, on_verify, v) != 0) {
			d->verifies_pending--;
			free(v);
		}
		i = 0; /* entries moved */
	}
}
