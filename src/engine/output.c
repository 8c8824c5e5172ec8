/* output.c: the engine's actions of one call: "all" expanded per contract and order, closes of one
 * contract coalesced, fitted to closes in flight, exact repeats suppressed (docs/ENGINE.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine_int.h"
#include "util/strutil.h"
#include "util/xalloc.h"

#define RECENT_MS 2000

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
				/* nor a close in progress (SRM's own among them) */
				if (acct_ord_closing(a, &a->ord[o]))
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
void out_finalize(struct engine *e)
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

struct srm_action *out_action(struct engine *e, enum act_kind kind, int rule, int64_t account_id,
			       const char *contract_id, bool dry, const char *fmt, va_list ap)
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

struct srm_action *out_act(struct engine *e, enum act_kind kind, int rule, int64_t account_id,
			    const char *contract_id, bool dry, const char *fmt, ...)
{
	va_list ap;
	struct srm_action *a;

	va_start(ap, fmt);
	a = out_action(e, kind, rule, account_id, contract_id, dry, fmt, ap);
	va_end(ap);
	return a;
}
