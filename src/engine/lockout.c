/* lockout.c: the lockout manager: per account and account+symbol, with their ends. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine_int.h"
#include "util/strutil.h"
#include "util/xalloc.h"

struct lockout *lock_add(struct engine *e, const struct lockout *l)
{
	if (e->n_locks == e->cap_locks) {
		e->cap_locks = e->cap_locks ? e->cap_locks * 2 : 16;
		e->locks = xreallocarray(e->locks, e->cap_locks, sizeof(*e->locks));
	}
	struct lockout *n = &e->locks[e->n_locks++];

	*n = *l;
	n->id = ++e->lock_seq;
	n->call = e->calls;
	if (n->until == UNTIL_TIME) {
		struct ev_timer t = {.rule = TIMER_LOCK_END, .account_id = n->account_id, .key = (int64_t)n->id};

		timer_push(e, n->until_ts, &t);
	}
	return n;
}

void lock_remove_at(struct engine *e, size_t i)
{
	memmove(&e->locks[i], &e->locks[i + 1], (e->n_locks - i - 1) * sizeof(e->locks[0]));
	e->n_locks--;
}

/* The instant a lockout ends, for ordering: permanent is the far future. */
srm_ms lock_end(const struct engine *e, enum until_kind u, srm_ms until_ts)
{
	switch (u) {
	case UNTIL_TIME:
		return until_ts;
	case UNTIL_RESET:
		return e->next_reset;
	case UNTIL_PERMANENT:
		return INT64_MAX;
	case UNTIL_NONE:
		break;
	}
	return 0;
}

const struct lockout *engine_lockout_next(const struct engine *e, size_t *i)
{
	if (*i >= e->n_locks)
		return NULL;
	return &e->locks[(*i)++];
}

const struct lockout *engine_locked(const struct engine *e, int64_t account_id,
				    const char *contract_id)
{
	const struct lockout *best = NULL;

	for (size_t i = 0; i < e->n_locks; i++) {
		const struct lockout *l = &e->locks[i];

		if (l->account_id != account_id)
			continue;
		if (l->symbol[0] != '\0' &&
		    (contract_id == NULL || !engine_symbol_matches(e, contract_id, l->symbol)))
			continue;
		if (best == NULL || lock_end(e, l->until, l->until_ts) > lock_end(e, best->until, best->until_ts))
			best = l;
	}
	return best;
}

static void flatten_scope(struct engine *e, struct acct *a, int rule, const char *symbol, bool dry,
			  const char *why)
{
	if (symbol == NULL || symbol[0] == '\0') {
		out_act(e, ACT_CANCEL_ALL, rule, a->id, NULL, dry, "%s", why);
		if (a->n_pos > 0)
			out_act(e, ACT_CLOSE_ALL, rule, a->id, NULL, dry, "%s", why);
		return;
	}
	for (size_t i = 0; i < a->n_ord; i++) {
		const struct ord *o = &a->ord[i];

		if (engine_symbol_matches(e, o->contract_id, symbol) && acct_ord_opens(a, o)) {
			struct srm_action *x = out_act(e, ACT_CANCEL_ORDER, rule, a->id,
							  o->contract_id, dry, "%s", why);

			x->order_id = o->id;
		}
	}
	for (size_t i = 0; i < a->n_pos; i++)
		if (engine_symbol_matches(e, a->pos[i].contract_id, symbol))
			out_act(e, ACT_CLOSE_CONTRACT, rule, a->id, a->pos[i].contract_id, dry,
				   "%s", why);
}

void lock_start(struct engine *e, struct acct *a, int rule, enum until_kind u,
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

	struct srm_action *x = out_act(e, ACT_LOCKOUT, rule, a->id, NULL, dry, "%s", reason);

	x->until = u;
	x->until_ts = until_ts;
	strlcpy_s(x->symbol, sym, sizeof(x->symbol));
	if (flatten)
		flatten_scope(e, a, rule, sym, dry, reason);
}

void lock_release_at(struct engine *e, size_t i, bool dry, const char *reason)
{
	struct lockout l = e->locks[i];
	struct srm_action *x;

	lock_remove_at(e, i);
	x = out_act(e, ACT_UNLOCK, l.rule, l.account_id, NULL, dry, "%s", reason);
	strlcpy_s(x->symbol, l.symbol, sizeof(x->symbol));
}
