/*
 * exec.c: the executor: engine actions -> gateway calls at enforcement priority. It only
 * sends: the engine expands close_all/cancel_all into one request per position and order,
 * and never asks for a request that is already on the wire (engine/requests.c). Each
 * answer is journaled with its latency, published, and fed back to the engine as an
 * EV_ACTION_RESULT: a refusal makes the engine try again on a timer while the breach holds.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/alerts.h"
#include "daemon/srmd.h"
#include "daemon/view.h"
#include "util/log.h"
#include "util/strutil.h"
#include "util/timefmt.h"
#include "util/xalloc.h"
#include "engine/rule.h"

/* One enforcement request on the wire. */
struct inflight {
	struct srmd *d;
	int64_t account_id;
	int64_t order_id;
	enum act_kind kind;
	int size;
	char contract_id[SRM_ID_MAX];
	int64_t journal_id;
	uint64_t sent_ns;       /* CLOCK_MONOTONIC */
	char rule[16];          /* for the alert */
	char order_text[24];
	char reason[192];
};

size_t exec_inflight(const struct srmd *d)
{
	return d->n_inflight;
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

/* Tell the engine how a request went (it judges the account again or arms a retry). */
static void feed_result(struct srmd *d, const struct inflight *f, enum act_outcome outcome)
{
	struct srm_event ev = {.kind = EV_ACTION_RESULT};

	if (d->phase == PH_STOPPING)
		return;
	ev.u.result.account_id = f->account_id;
	ev.u.result.kind = f->kind;
	strlcpy_s(ev.u.result.contract_id, f->contract_id, sizeof(ev.u.result.contract_id));
	ev.u.result.order_id = f->order_id;
	ev.u.result.size = f->size;
	ev.u.result.outcome = outcome;
	srmd_feed(d, &ev);
}

static void on_done(struct gw_rest *r, const struct gw_result *res, void *ud)
{
	struct inflight *f = ud;
	struct srmd *d = f->d;
	char outcome[200];
	int64_t latency_us = (int64_t)((srmd_mono_ns() - f->sent_ns) / 1000);
	struct srm_err err = {0};

	(void)r;
	d->n_inflight--;
	/* Already done by someone else (the trader, a fill, a racing close): the goal holds. */
	bool gone = gw_goal(res) == GW_GOAL_ALREADY;

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
	if (res->status == GW_OK || gone) {
		log_info("exec", "enforced | action=%s account=%" PRId64 " contract=%s latency_us=%" PRId64,
			 act_kind_name(f->kind), f->account_id, f->contract_id, latency_us);
		alerts_emit(d->alerts, AE_ENFORCED, f->account_id, f->rule, "%s %s%s%s (%s, %.1f ms): %s",
			    act_kind_name(f->kind), f->contract_id, f->order_id ? " order " : "",
			    f->order_id ? f->order_text : "", outcome, (double)latency_us / 1000.0,
			    f->reason);
	} else if (res->status != GW_ECANCELLED) {
		log_error("exec", "enforcement failed; the engine tries again while the breach holds | "
			  "action=%s account=%" PRId64 " contract=%s outcome=\"%s\"",
			  act_kind_name(f->kind), f->account_id, f->contract_id, outcome);
		alerts_emit(d->alerts, AE_ENFORCEMENT_FAILED, f->account_id, f->rule,
			    "%s %s %s; SRM keeps trying while the breach holds: %s",
			    act_kind_name(f->kind), f->contract_id, outcome, f->reason);
	}
	if (res->status != GW_ECANCELLED)
		publish_outcome(d, f, outcome, latency_us);
	if (res->status != GW_OK && !gone && res->status != GW_ECANCELLED) {
		cJSON *al = cJSON_CreateObject();

		cJSON_AddNumberToObject(al, "accountId", (double)f->account_id);
		cJSON_AddStringToObject(al, "message", outcome);
		cJSON_AddStringToObject(al, "action", act_kind_name(f->kind));
		srmd_publish(d, "alert", al);
	}
	if (res->status == GW_OK && (f->kind == ACT_CLOSE_CONTRACT || f->kind == ACT_PARTIAL_CLOSE))
		srmd_verify_later(d, f->account_id, f->contract_id);
	if (res->status != GW_ECANCELLED)
		feed_result(d, f, res->status == GW_OK ? OUTCOME_OK : gone ? OUTCOME_GONE : OUTCOME_FAILED);
	free(f);
}

/* Put one request on the wire; false when it could not even be queued (then journaled). */
static bool send_one(struct srmd *d, const struct srm_action *a, int64_t journal_id)
{
	struct inflight *f = xcalloc(1, sizeof(*f));
	int rc = -1;

	f->d = d;
	f->account_id = a->account_id;
	f->order_id = a->order_id;
	f->kind = a->kind;
	f->size = a->size;
	strlcpy_s(f->contract_id, a->contract_id, sizeof(f->contract_id));
	strlcpy_s(f->rule, rule_id_name(a->rule), sizeof(f->rule));
	strlcpy_s(f->reason, a->reason, sizeof(f->reason));
	snprintf(f->order_text, sizeof(f->order_text), "%" PRId64, a->order_id);
	f->journal_id = journal_id;
	f->sent_ns = srmd_mono_ns();
	switch (a->kind) {
	case ACT_CLOSE_CONTRACT:
		rc = gw_position_close(d->rest, a->account_id, a->contract_id, GW_PRIO_ENFORCE, on_done, f);
		break;
	case ACT_PARTIAL_CLOSE:
		rc = gw_position_partial_close(d->rest, a->account_id, a->contract_id, a->size,
					       GW_PRIO_ENFORCE, on_done, f);
		break;
	case ACT_CANCEL_ORDER:
		rc = gw_order_cancel(d->rest, a->account_id, a->order_id, GW_PRIO_ENFORCE, on_done, f);
		break;
	case ACT_PLACE_STOP:
		rc = gw_order_place(d->rest, a->account_id, a->contract_id, PX_OT_STOP, a->side, a->size,
				    PX_NULL, a->stop_price, NULL, GW_PRIO_ENFORCE, on_done, f);
		break;
	case ACT_MODIFY_STOP:
		rc = gw_order_modify(d->rest, a->account_id, a->order_id, 0, PX_NULL, a->stop_price,
				     GW_PRIO_ENFORCE, on_done, f);
		break;
	default:
		break;
	}
	if (rc == 0) {
		d->n_inflight++;
		return true;
	}
	if (journal_id > 0)
		store_journal_outcome(d->st, journal_id, srmd_now(), "failed: not sent (srmd stopping)", 0, NULL);
	feed_result(d, f, OUTCOME_FAILED);
	free(f);
	return false;
}

bool exec_sends(const struct srm_action *a)
{
	return !a->dry_run &&
	       (a->kind == ACT_CLOSE_CONTRACT || a->kind == ACT_PARTIAL_CLOSE ||
		a->kind == ACT_CANCEL_ORDER || a->kind == ACT_PLACE_STOP ||
		a->kind == ACT_MODIFY_STOP);
}

const char *exec_unsent_outcome(const struct srm_action *a)
{
	return a->dry_run ? "dry_run" : "recorded";
}

void exec_send(struct srmd *d, const struct srm_action *a, int64_t journal_id)
{
	if (exec_sends(a))
		send_one(d, a, journal_id);
}

void exec_report(struct srmd *d, const struct srm_action *a, int64_t journal_id,
		 bool outcome_saved)
{
	if (!exec_sends(a) && journal_id > 0 && !outcome_saved)
		store_journal_outcome(d->st, journal_id, srmd_now(), exec_unsent_outcome(a), 0, NULL);
	srmd_publish(d, "action", view_action(a));
	if (a->kind == ACT_LOCKOUT) {
		char until[40] = "the reset";

		if (a->until == UNTIL_PERMANENT)
			strlcpy_s(until, "an admin clears it", sizeof(until));
		else if (a->until == UNTIL_TIME)
			iso_format_short(a->until_ts, until, sizeof(until));
		alerts_emit(d->alerts, AE_LOCKOUT, a->account_id, rule_id_name(a->rule),
			    "locked out%s%s until %s: %s", a->symbol[0] ? " of " : "", a->symbol, until,
			    a->reason);
	} else if (a->kind == ACT_UNLOCK) {
		alerts_emit(d->alerts, AE_UNLOCK, a->account_id, rule_id_name(a->rule), "%s%s%s",
			    a->symbol[0] ? a->symbol : "", a->symbol[0] ? ": " : "", a->reason);
	} else if (a->kind == ACT_ALERT) {
		alerts_emit(d->alerts, AE_WARN, a->account_id, rule_id_name(a->rule), "%s", a->reason);
	}
	log_info("rules", "%s | account=%" PRId64 " rule=%s action=%s contract=%s dry_run=%d",
		 a->reason, a->account_id, rule_id_name(a->rule), act_kind_name(a->kind),
		 a->contract_id, a->dry_run);
}
