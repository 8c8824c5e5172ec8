/*
 * requests.c: the engine's requests on the wire, and what their answers mean. A request
 * (close, partial close, cancel, place or modify a stop; not dry run) is in flight from the
 * action that asks for it until the executor reports its answer (EV_ACTION_RESULT). While
 * it is, the same request is not asked again: the wish is remembered, and the account is
 * judged again the moment the answer comes (SPEC §6: "if the breach still holds after it
 * completes, it is retried"). A refusal (after the REST client's own retries) arms a retry
 * timer with a backoff per account: the rules and the lockout guard look again then,
 * whatever the account does, for as long as the breach holds.
 */
#include <string.h>

#include "engine/engine_int.h"
#include "util/strutil.h"
#include "util/xalloc.h"

/* A request never answered (a bug, a lost callback) stops blocking its repeat after this. */
#define REQ_STALE_MS 60000

bool reqs_is_request(enum act_kind k)
{
	return k == ACT_CLOSE_CONTRACT || k == ACT_PARTIAL_CLOSE || k == ACT_CANCEL_ORDER ||
	       k == ACT_PLACE_STOP || k == ACT_MODIFY_STOP;
}

static bool same(const struct srm_req *r, int kind, const char *contract_id, int64_t order_id,
		 int size)
{
	return r->kind == kind && r->order_id == order_id && r->size == size &&
	       strcmp(r->contract_id, contract_id) == 0;
}

/* The size that tells two requests of a kind apart: partial closes by size, others not. */
static int key_size(const struct srm_action *a)
{
	return a->kind == ACT_PARTIAL_CLOSE ? a->size : 0;
}

bool reqs_claim(struct engine *e, const struct srm_action *a)
{
	struct acct *acct;

	if (a->dry_run || !reqs_is_request(a->kind))
		return true;
	acct = book_acct(e, a->account_id, true);
	for (size_t i = 0; i < acct->n_reqs;) {
		struct srm_req *r = &acct->reqs[i];

		if (e->now - r->at > REQ_STALE_MS) {
			*r = acct->reqs[--acct->n_reqs];
			continue;
		}
		if (same(r, a->kind, a->contract_id, a->order_id, key_size(a))) {
			r->again = true;
			return false;
		}
		i++;
	}
	if (acct->n_reqs == acct->cap_reqs) {
		acct->cap_reqs = acct->cap_reqs ? acct->cap_reqs * 2 : 4;
		acct->reqs = xreallocarray(acct->reqs, acct->cap_reqs, sizeof(*acct->reqs));
	}
	struct srm_req *r = &acct->reqs[acct->n_reqs++];

	memset(r, 0, sizeof(*r));
	r->kind = a->kind;
	strlcpy_s(r->contract_id, a->contract_id, sizeof(r->contract_id));
	r->order_id = a->order_id;
	r->size = key_size(a);
	r->at = e->now;
	return true;
}

size_t reqs_in_flight(const struct acct *a)
{
	return a->n_reqs;
}

srm_ms reqs_backoff_ms(int streak)
{
	int k = streak < 1 ? 0 : streak - 1;
	srm_ms ms = (srm_ms)REQ_RETRY_BASE_MS << (k > 8 ? 8 : k);

	return ms > REQ_RETRY_CAP_MS ? REQ_RETRY_CAP_MS : ms;
}

bool reqs_result(struct engine *e, struct acct *a, const struct ev_result *res)
{
	bool again = false;
	int size = res->kind == ACT_PARTIAL_CLOSE ? res->size : 0;

	for (size_t i = 0; i < a->n_reqs; i++) {
		struct srm_req *r = &a->reqs[i];

		if (same(r, res->kind, res->contract_id, res->order_id, size)) {
			again = r->again;
			*r = a->reqs[--a->n_reqs];
			break;
		}
	}
	if (res->outcome != OUTCOME_FAILED) {
		a->fail_streak = 0;
		return again;
	}
	/* refused: look again after the backoff, whatever the account does meanwhile */
	a->fail_streak++;
	srm_ms at = e->now + reqs_backoff_ms(a->fail_streak);

	if (a->retry_at == 0 || a->retry_at <= e->now || a->retry_at > at) {
		struct ev_timer t = {.rule = TIMER_RETRY, .account_id = a->id};

		timer_push(e, at, &t);
		a->retry_at = at;
	}
	return true;
}
