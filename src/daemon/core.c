/* core.c: one event through the daemon: engine first, then one transaction, then the wire. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon/srmd.h"
#include "daemon/view.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/strutil.h"
#include "util/xalloc.h"
#include "wire/record.h"
#include "wire/wire.h"

srm_ms srmd_now(void)
{
	return clock_wall_ms();
}

uint64_t srmd_mono_ns(void)
{
	return clock_mono_ns();
}

bool srmd_guarded(const struct srmd *d, int64_t account_id, const char *name)
{
	for (size_t i = 0; i < d->n_guarded; i++)
		if (d->guarded[i] == account_id)
			return true;
	(void)name;
	return false;
}

static void contract_looked_up(struct srmd *d, const struct gw_result *res, const char *id)
{
	struct srm_event ev[1];
	size_t n = 0;
	struct srm_err err = {0};

	if (gw_goal(res) == GW_GOAL_NO_CONTRACT) {
		struct srm_event miss = {.kind = EV_CONTRACT_MISSING};

		log_warn("rest", "the gateway does not know this contract | contract=%s", id);
		strlcpy_s(miss.u.missing.contract_id, id, sizeof(miss.u.missing.contract_id));
		srmd_feed(d, &miss);
		return;
	}
	if (res->status != GW_OK) {
		log_warn("rest", "contract lookup failed; will ask again at its next event | contract=%s status=%s",
			 id, gw_status_name(res->status));
		for (size_t i = 0; i < d->n_looked_up; i++)
			if (strcmp(d->looked_up[i], id) == 0) {
				memcpy(d->looked_up[i], d->looked_up[--d->n_looked_up], SRM_ID_MAX);
				break;
			}
		return;
	}
	if (gw_result_events(res, ev, 1, &n, &err) != 0 || n != 1) {
		log_warn("rest", "contract lookup: bad answer | contract=%s err=\"%s\"", id, err.msg);
		return;
	}
	srmd_feed(d, &ev[0]);
}

struct lookup_ctx {
	struct srmd *d;
	char id[SRM_ID_MAX];
};

static void on_contract(struct gw_rest *r, const struct gw_result *res, void *ud)
{
	struct lookup_ctx *lc = ud;

	(void)r;
	if (res->status != GW_ECANCELLED)
		contract_looked_up(lc->d, res, lc->id);
	free(lc);
}

/* Ask once for the metadata of a contract we have not seen (lowest priority). */
static void want_contract(struct srmd *d, const char *id)
{
	if (id[0] == '\0' || engine_contract(d->eng, id) != NULL)
		return;
	for (size_t i = 0; i < d->n_looked_up; i++)
		if (strcmp(d->looked_up[i], id) == 0)
			return;
	if (d->n_looked_up == d->cap_looked_up) {
		d->cap_looked_up = d->cap_looked_up ? d->cap_looked_up * 2 : 32;
		d->looked_up = xreallocarray(d->looked_up, d->cap_looked_up, sizeof(*d->looked_up));
	}
	strlcpy_s(d->looked_up[d->n_looked_up++], id, SRM_ID_MAX);
	struct lookup_ctx *lc = xcalloc(1, sizeof(*lc));

	lc->d = d;
	strlcpy_s(lc->id, id, sizeof(lc->id));
	if (gw_contract_search_by_id(d->rest, id, GW_PRIO_LOOKUP, on_contract, lc) != 0)
		free(lc);
}


static const char *event_contract(const struct srm_event *ev)
{
	switch (ev->kind) {
	case EV_ORDER:
		return ev->u.order.contract_id;
	case EV_POSITION:
		return ev->u.position.contract_id;
	case EV_TRADE:
		return ev->u.trade.contract_id;
	default:
		return "";
	}
}

void srmd_sync_quotes(struct srmd *d)
{
	const char **ids = NULL;
	size_t n = 0, cap = 0, i = 0;
	const struct acct *a;

	if (d->market_hub == NULL)
		return;
	/* every contract held or worked, however many (the hub refuses past its own bound) */
	while ((a = engine_acct_next(d->eng, &i)) != NULL) {
		for (size_t k = 0; k < a->n_pos + a->n_ord; k++) {
			const char *c = k < a->n_pos ? a->pos[k].contract_id : a->ord[k - a->n_pos].contract_id;
			bool dup = false;

			for (size_t j = 0; j < n && !dup; j++)
				dup = strcmp(ids[j], c) == 0;
			if (dup)
				continue;
			if (n == cap) {
				cap = cap ? cap * 2 : 64;
				ids = xreallocarray(ids, cap, sizeof(*ids));
			}
			ids[n++] = c;
		}
	}
	if (gw_hub_set_quotes(d->market_hub, ids, n) != 0) {
		if (!d->quotes_refused)
			log_error("hub", "cannot subscribe to the quotes of every contract held or worked: "
				  "the P&L of some is not seen | contracts=%zu", n);
		d->quotes_refused = true;
	} else {
		d->quotes_refused = false;
	}
	free(ids);
}

/* Persist (one transaction: journal rows, lockouts, fills) before anything is sent. */
static void persist_and_execute(struct srmd *d, const struct srm_event *ev, struct act_list l)
{
	struct srm_err err = {0};
	int64_t small[64], *ids = small;
	bool lock_changed = false;
	size_t n = l.n;

	if (n == 0 && (ev == NULL || ev->kind != EV_TRADE) &&
	    (ev == NULL || ev->kind != EV_CONTRACT))
		return;
	/* every action is journaled and sent, however many one event decides (no silent cap) */
	if (n > sizeof(small) / sizeof(small[0]))
		ids = xcalloc(n, sizeof(*ids));
	if (store_begin(d->st, &err) != 0)
		goto failed;
	if (ev != NULL && ev->kind == EV_TRADE) {
		/* a hash lookup, not a walk over the day's fills: this runs for every trade */
		const struct fill_rec *f = engine_fill(d->eng, ev->u.trade.id);

		if (f != NULL &&
		    store_save_fill(d->st, ev->u.trade.account_id, ev->u.trade.contract_id, f, &err) != 0)
			goto rollback;
	}
	if (ev != NULL && ev->kind == EV_CONTRACT && store_save_contract(d->st, &ev->u.contract, &err) != 0)
		goto rollback;
	for (size_t i = 0; i < n; i++) {
		ids[i] = store_journal(d->st, &l.v[i], &err);
		if (ids[i] < 0)
			goto rollback;
		/* what is not sent has its outcome now: no second write before the requests */
		if (!exec_sends(&l.v[i]) &&
		    store_journal_outcome(d->st, ids[i], srmd_now(), exec_unsent_outcome(&l.v[i]), 0,
					  &err) != 0)
			goto rollback;
		if (l.v[i].kind == ACT_LOCKOUT || l.v[i].kind == ACT_UNLOCK)
			lock_changed = true;
	}
	if (lock_changed && store_save_lockouts(d->st, d->eng, &err) != 0)
		goto rollback;
	if (store_commit(d->st, &err) != 0)
		goto failed;
	/* every request on the wire first; publishing, alerts and logging can wait */
	for (size_t i = 0; i < n; i++)
		exec_send(d, &l.v[i], ids[i]);
	for (size_t i = 0; i < n; i++)
		exec_report(d, &l.v[i], ids[i], true);
	goto out;
rollback:
	store_rollback(d->st);
failed:
	/* A full disk must not stop enforcement: act anyway, say loudly that nothing was saved. */
	for (size_t i = 0; i < n; i++)
		exec_send(d, &l.v[i], 0);
	log_error("store", "could not persist, enforcing anyway | err=\"%s\"", err.msg);
	for (size_t i = 0; i < n; i++)
		exec_report(d, &l.v[i], 0, false);
out:
	if (ids != small)
		free(ids);
}

/* --record: every event the engine gets, as a line `srm replay` reads (wire/record.h). */
void srmd_record(struct srmd *d, srm_ms ts, const struct srm_event *ev)
{
	char *line = record_line(ts, ev);

	if (line == NULL)
		return;
	if (fprintf(d->record, "%s\n", line) < 0 || fflush(d->record) != 0) {
		log_error("srmd", "--record: cannot write; recording stops");
		(void)fclose(d->record);
		d->record = NULL;
	}
	free(line);
}

static void feed_one(struct srmd *d, const struct srm_event *ev);

/* Feed what waited (it may add more), then allow feeding again. */
static void drain_later(struct srmd *d)
{
	for (size_t i = 0; i < d->n_later; i++) {
		struct srm_event next = d->later[i];

		feed_one(d, &next);
	}
	d->n_later = 0;
	d->feeding = false;
}

void srmd_handle_actions(struct srmd *d, struct act_list l)
{
	bool outer = !d->feeding;

	d->feeding = true;
	persist_and_execute(d, NULL, l);
	if (outer)
		drain_later(d);
}

static void mark_dirty(struct srmd *d, int64_t account_id)
{
	for (size_t i = 0; i < d->n_dirty; i++)
		if (d->dirty[i] == account_id)
			return;
	if (d->n_dirty == d->cap_dirty) {
		d->cap_dirty = d->cap_dirty ? d->cap_dirty * 2 : 8;
		d->dirty = xreallocarray(d->dirty, d->cap_dirty, sizeof(*d->dirty));
	}
	d->dirty[d->n_dirty++] = account_id;
}

/* A rule's persisted memory of an account changed (a trailing floor moved): save it too. */
static void mark_memory_changes(struct srmd *d)
{
	const struct acct *a;
	size_t i = 0;

	while ((a = engine_acct_next(d->eng, &i)) != NULL) {
		size_t k;

		for (k = 0; k < d->n_mem_gen && d->mem_gen[k].id != a->id; k++)
			;
		if (k == d->n_mem_gen) {
			d->mem_gen = xreallocarray(d->mem_gen, d->n_mem_gen + 1, sizeof(*d->mem_gen));
			d->mem_gen[d->n_mem_gen++] = (struct srmd_mem_gen){ .id = a->id, .gen = 0 };
		}
		if (d->mem_gen[k].gen != a->memory_gen) {
			d->mem_gen[k].gen = a->memory_gen;
			mark_dirty(d, a->id);
		}
	}
}

void srmd_save_books(struct srmd *d)
{
	struct srm_err err = {0};

	mark_memory_changes(d);
	if (d->n_dirty == 0)
		return;
	if (store_begin(d->st, &err) != 0)
		goto failed;
	for (size_t i = 0; i < d->n_dirty; i++) {
		const struct acct *a = engine_acct(d->eng, d->dirty[i]);

		if (a != NULL && store_save_account(d->st, d->eng, a, &err) != 0) {
			store_rollback(d->st);
			goto failed;
		}
	}
	if (store_commit(d->st, &err) != 0)
		goto failed;
	d->n_dirty = 0;
	if (d->book_save_failing)
		log_info("store", "positions and orders are saved again");
	d->book_save_failing = false;
	return;
failed:
	/* Only the restart's head start is lost: the reconcile after a restart rebuilds the book. */
	if (!d->book_save_failing)
		log_error("store", "could not save positions and orders; will retry | err=\"%s\"",
			  err.msg);
	d->book_save_failing = true;
}

/*
 * One event through the engine, the store and the executor. An event that arrives while
 * another is being fed (an answer delivered inside a send, a reconcile row inside a feed)
 * waits until that one is done: the engine's action list is not reentrant.
 */
void srmd_feed(struct srmd *d, const struct srm_event *ev)
{
	if (d->feeding) {
		if (d->n_later == d->cap_later) {
			d->cap_later = d->cap_later ? d->cap_later * 2 : 16;
			d->later = xreallocarray(d->later, d->cap_later, sizeof(*d->later));
		}
		d->later[d->n_later++] = *ev;
		return;
	}
	d->feeding = true;
	feed_one(d, ev);
	drain_later(d);
}

static void feed_one(struct srmd *d, const struct srm_event *ev)
{
	int64_t acct = ev_account_id(ev);
	struct act_list l;

	if (acct != 0) {
		const char *name = ev->kind == EV_ACCOUNT ? ev->u.account.name : "";

		if (!srmd_guarded(d, acct, name))
			return;
	}
	d->events++;
	d->last_event_ms = srmd_now();
	if (d->record != NULL)
		srmd_record(d, d->last_event_ms, ev);
	l = engine_apply(d->eng, ev, d->last_event_ms);
	if (d->capture != NULL) {
		for (size_t i = 0; i < l.n; i++)
			cJSON_AddItemToArray(d->capture, view_action(&l.v[i]));
		d->capture = NULL;
	}
	persist_and_execute(d, ev, l);
	/* the saved account row carries today's P&L and trade count: a fill changes it too */
	if (acct != 0 && (ev->kind == EV_POSITION || ev->kind == EV_ORDER || ev->kind == EV_ACCOUNT ||
			  ev->kind == EV_TRADE))
		mark_dirty(d, acct);
	/* an admin's reset is saved at once: a restart must not bring back the day it ended */
	if (ev->kind == EV_ADMIN_RESET) {
		size_t i = 0;
		const struct acct *a;

		while ((a = engine_acct_next(d->eng, &i)) != NULL)
			if (ev->u.admin.account_id == 0 || a->id == ev->u.admin.account_id)
				mark_dirty(d, a->id);
		srmd_save_books(d);
	}
	if (ev->kind == EV_ORDER || ev->kind == EV_POSITION || ev->kind == EV_TRADE) {
		const char *cid = event_contract(ev);
		int st = ev->kind == EV_ORDER ? ev->u.order.status : PX_OS_OPEN;
		bool gone = (ev->kind == EV_POSITION && ev->u.position.size == 0) ||
			    (ev->kind == EV_ORDER && st != PX_OS_OPEN && st != PX_OS_PENDING &&
			     st != PX_OS_SUSPENDED);

		want_contract(d, cid);
		/* the quote set changes only when a contract comes in or may have gone out */
		if (ev->kind != EV_TRADE && d->market_hub != NULL &&
		    (gone || !gw_hub_has_quote(d->market_hub, cid)))
			srmd_sync_quotes(d);
	}
}
