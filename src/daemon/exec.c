/*
 * exec.c: the executor: engine actions -> gateway calls at enforcement priority. The same
 * (account, contract, kind, order) is never sent twice while one is in flight; outcomes
 * and latencies are journaled; a failure is logged, published as an alert, and retried at
 * the account's next event (the breach still holds, so the engine asks again).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "daemon/srmd.h"
#include "util/log.h"
#include "util/strutil.h"
#include "util/timefmt.h"

size_t exec_inflight(const struct srmd *d)
{
	size_t n = 0;

	for (size_t i = 0; i < SRMD_MAX_INFLIGHT; i++)
		n += d->inflight[i].used;
	return n;
}

static struct inflight *inflight_claim(struct srmd *d, int64_t account_id, enum act_kind kind,
				       const char *contract_id, int64_t order_id, int size)
{
	struct inflight *free_slot = NULL;

	for (size_t i = 0; i < SRMD_MAX_INFLIGHT; i++) {
		struct inflight *f = &d->inflight[i];

		if (!f->used) {
			if (free_slot == NULL)
				free_slot = f;
			continue;
		}
		if (f->account_id == account_id && f->kind == kind && f->order_id == order_id &&
		    f->size == size && strcmp(f->contract_id, contract_id) == 0)
			return NULL; /* already on the wire */
	}
	if (free_slot == NULL)
		return NULL;
	memset(free_slot, 0, sizeof(*free_slot));
	free_slot->used = true;
	free_slot->account_id = account_id;
	free_slot->kind = kind;
	free_slot->order_id = order_id;
	free_slot->size = size;
	strlcpy_s(free_slot->contract_id, contract_id, sizeof(free_slot->contract_id));
	free_slot->d = d;
	return free_slot;
}

static void publish_outcome(struct srmd *d, const struct inflight *f, const char *outcome,
			    int64_t latency_us)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "accountId", (double)f->account_id);
	cJSON_AddStringToObject(o, "action", act_kind_name(f->kind));
	if (f->contract_id[0])
		cJSON_AddStringToObject(o, "contractId", f->contract_id);
	if (f->order_id)
		cJSON_AddNumberToObject(o, "orderId", (double)f->order_id);
	cJSON_AddStringToObject(o, "outcome", outcome);
	cJSON_AddNumberToObject(o, "latencyUs", (double)latency_us);
	srmd_publish(d, "outcome", o);
}

static void on_done(struct gw_rest *r, const struct gw_result *res, void *ud)
{
	struct inflight *f = ud;
	struct srmd *d = f->d;
	char outcome[200];
	int64_t latency_us = (int64_t)((srmd_mono_ns() - f->sent_ns) / 1000);
	struct srm_err err = {0};

	(void)r;
	/* Already done by someone else (the trader, a fill, a racing close): the goal holds. */
	bool gone = res->status == GW_EAPI && res->error_code == 2 &&
		    (res->ep == GW_EP_POSITION_CLOSE || res->ep == GW_EP_POSITION_PARTIAL_CLOSE ||
		     res->ep == GW_EP_ORDER_CANCEL);

	if (res->status == GW_OK)
		strlcpy_s(outcome, "ok", sizeof(outcome));
	else if (gone)
		strlcpy_s(outcome, res->ep == GW_EP_ORDER_CANCEL ? "ok: order already gone" : "ok: already flat",
			  sizeof(outcome));
	else if (res->status == GW_EAPI)
		snprintf(outcome, sizeof(outcome), "failed: %s (%d)%s%.120s",
			 res->error_name ? res->error_name : "error", res->error_code,
			 res->message[0] ? ": " : "", res->message);
	else
		snprintf(outcome, sizeof(outcome), "failed: %s%s%.120s", gw_status_name(res->status),
			 res->message[0] ? ": " : "", res->message);
	if (res->status == GW_ECANCELLED)
		snprintf(outcome, sizeof(outcome), "cancelled: srmd stopped before the answer");
	if (f->journal_id > 0 &&
	    store_journal_outcome(d->st, f->journal_id, srmd_now(), outcome, latency_us, &err) != 0)
		log_error("store", "journal outcome not saved | err=\"%s\"", err.msg);
	if (res->status == GW_OK || gone)
		log_info("exec", "enforced | action=%s account=%" PRId64 " contract=%s latency_us=%" PRId64,
			 act_kind_name(f->kind), f->account_id, f->contract_id, latency_us);
	else
		log_error("exec", "enforcement failed | action=%s account=%" PRId64 " contract=%s outcome=\"%s\"",
			  act_kind_name(f->kind), f->account_id, f->contract_id, outcome);
	if (res->status != GW_ECANCELLED)
		publish_outcome(d, f, outcome, latency_us);
	if (res->status != GW_OK && !gone && res->status != GW_ECANCELLED) {
		/* escalate: the lockout stays, the next event for the account asks again */
		cJSON *al = cJSON_CreateObject();

		/* a refused close is not in flight any more: the next one is asked for whole */
		if (f->kind == ACT_CLOSE_CONTRACT || f->kind == ACT_PARTIAL_CLOSE)
			engine_close_failed(d->eng, f->account_id, f->contract_id);

		cJSON_AddNumberToObject(al, "accountId", (double)f->account_id);
		cJSON_AddStringToObject(al, "message", outcome);
		cJSON_AddStringToObject(al, "action", act_kind_name(f->kind));
		srmd_publish(d, "alert", al);
	}
	f->used = false;
}

static void send_one(struct srmd *d, const struct srm_action *a, int64_t journal_id,
		     enum act_kind kind, const char *contract_id, int64_t order_id)
{
	/*
	 * A partial close trimmed by the engine next to another of that contract (two rules at
	 * once) is a different request: the engine already made sure they do not overlap.
	 */
	struct inflight *f = inflight_claim(d, a->account_id, kind, contract_id, order_id,
					    kind == ACT_PARTIAL_CLOSE ? a->size : 0);
	int rc = -1;

	if (f == NULL) {
		if (journal_id > 0)
			store_journal_outcome(d->st, journal_id, srmd_now(), "skipped: the same request is in flight", 0, NULL);
		return;
	}
	f->journal_id = journal_id;
	f->sent_ns = srmd_mono_ns();
	switch (kind) {
	case ACT_CLOSE_CONTRACT:
		rc = gw_position_close(d->rest, a->account_id, contract_id, GW_PRIO_ENFORCE, on_done, f);
		break;
	case ACT_PARTIAL_CLOSE:
		rc = gw_position_partial_close(d->rest, a->account_id, contract_id, a->size,
					       GW_PRIO_ENFORCE, on_done, f);
		break;
	case ACT_CANCEL_ORDER:
		rc = gw_order_cancel(d->rest, a->account_id, order_id, GW_PRIO_ENFORCE, on_done, f);
		break;
	case ACT_PLACE_STOP:
		rc = gw_order_place(d->rest, a->account_id, contract_id, PX_OT_STOP, a->side, a->size,
				    PX_NULL, a->stop_price, NULL, GW_PRIO_ENFORCE, on_done, f);
		break;
	case ACT_MODIFY_STOP:
		rc = gw_order_modify(d->rest, a->account_id, order_id, 0, PX_NULL, a->stop_price,
				     GW_PRIO_ENFORCE, on_done, f);
		break;
	default:
		break;
	}
	if (rc != 0)
		f->used = false;
}

void exec_action(struct srmd *d, const struct srm_action *a, int64_t journal_id)
{
	char buf[1024];
	struct acct *acct;

	if (action_to_json(a, buf, sizeof(buf)) > 0) {
		cJSON *j = cJSON_Parse(buf);

		if (j != NULL)
			srmd_publish(d, "action", j);
	}
	log_info("rules", "%s | account=%" PRId64 " rule=%s action=%s contract=%s dry_run=%d",
		 a->reason, a->account_id, rule_id_name(a->rule), act_kind_name(a->kind),
		 a->contract_id, a->dry_run);
	if (a->kind == ACT_LOCKOUT || a->kind == ACT_UNLOCK || a->kind == ACT_ALERT) {
		if (journal_id > 0)
			store_journal_outcome(d->st, journal_id, srmd_now(), "recorded", 0, NULL);
		return;
	}
	if (a->dry_run) {
		if (journal_id > 0)
			store_journal_outcome(d->st, journal_id, srmd_now(), "dry_run", 0, NULL);
		return;
	}
	acct = engine_acct(d->eng, a->account_id);
	switch (a->kind) {
	case ACT_CLOSE_ALL:
		for (size_t i = 0; acct != NULL && i < acct->n_pos; i++)
			send_one(d, a, journal_id, ACT_CLOSE_CONTRACT, acct->pos[i].contract_id, 0);
		if ((acct == NULL || acct->n_pos == 0) && journal_id > 0)
			store_journal_outcome(d->st, journal_id, srmd_now(), "ok: nothing to close", 0,
					      NULL);
		break;
	case ACT_CANCEL_ALL:
		for (size_t i = 0; acct != NULL && i < acct->n_ord; i++)
			send_one(d, a, journal_id, ACT_CANCEL_ORDER, acct->ord[i].contract_id,
				 acct->ord[i].id);
		if ((acct == NULL || acct->n_ord == 0) && journal_id > 0)
			store_journal_outcome(d->st, journal_id, srmd_now(), "ok: nothing to cancel", 0,
					      NULL);
		break;
	default:
		send_one(d, a, journal_id, a->kind, a->contract_id, a->order_id);
		break;
	}
}
