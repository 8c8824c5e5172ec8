/* lockout.c: the lockout manager: per account and account+symbol, with their ends. */
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
