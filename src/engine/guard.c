/* guard.c: the lockout guard: while an account is locked, what opens or grows is cancelled or closed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine_int.h"
#include "util/strutil.h"
#include "util/xalloc.h"

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

		if (strcmp(o->contract_id, contract_id) == 0 && acct_ord_closing(a, o))
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
void guard_keep_flat(struct engine *e, struct acct *a)
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
		out_act(e, ACT_CLOSE_CONTRACT, l->rule, a->id, p->contract_id,
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
void guard_event(struct engine *e, struct acct *a, const struct srm_event *ev,
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
		struct srm_action *x = out_act(e, ACT_CANCEL_ORDER, l->rule, a->id, o->contract_id,
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
		out_act(e, ACT_CLOSE_CONTRACT, l->rule, a->id, p->contract_id,
			   rule_dry(e, a->rules, l->rule), "%s", why);
	}
}

/* What a lockout asks of every position and order event of the account. */
void guard_apply(struct engine *e, struct acct *a, const struct srm_event *ev, int prev_qty)
{
	guard_event(e, a, ev, prev_qty);
	guard_keep_flat(e, a);
}

/*
 * While locked: a position that grew since the lockout began (its close failed, or came
 * back from a restart) is closed; the positions a non-flattening lockout tolerated stay.
 */
void guard_grown(struct engine *e, struct acct *a)
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
		out_act(e, ACT_CLOSE_CONTRACT, l->rule, a->id, p->contract_id,
			   rule_dry(e, a->rules, l->rule), "%s", why);
	}
}
