/* restore.c: what srmd saved put back at start (lockouts, fills, books, contracts, rule memory). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine_int.h"
#include "util/strutil.h"
#include "util/xalloc.h"

void engine_restore_lockout(struct engine *e, const struct lockout *l)
{
	struct lockout c = *l;

	book_acct(e, l->account_id, true);
	lock_add(e, &c);
}

const void *engine_rule_memory(const struct engine *e, const struct acct *a, int rule, size_t *len)
{
	(void)e;
	*len = 0;
	if (rule < 0 || rule >= RULE_COUNT || rule_table[rule]->persist_size == 0 ||
	    a->rstate[rule] == NULL)
		return NULL;
	*len = rule_table[rule]->persist_size;
	return a->rstate[rule];
}

void engine_restore_rule_memory(struct engine *e, int64_t account_id, int rule, int version,
				const void *data, size_t len)
{
	struct acct *a;

	if (rule < 0 || rule >= RULE_COUNT || rule_table[rule]->persist_size == 0 ||
	    rule_table[rule]->persist_size != len || rule_table[rule]->persist_version != version)
		return;
	a = book_acct(e, account_id, true);
	if (a->rstate[rule] != NULL)
		memcpy(a->rstate[rule], data, len);
}

void engine_restore_reset(struct engine *e, int64_t account_id, srm_ms at)
{
	if (at < e->last_reset || at > e->now)
		return;
	book_acct(e, account_id, true)->reset_at = at;
}

void engine_restore_fill(struct engine *e, int64_t account_id, const struct fill_rec *f)
{
	struct acct *a = book_acct(e, account_id, true);

	/* fills_restore counts only a new, non-voided fill of the current trading day */
	if (!fills_restore(e, a, f) || !f->closing)
		return;
	for (int r = 0; r < RULE_COUNT; r++) {
		if (rule_table[r]->on_restore_fill == NULL || !rule_enabled(a->rules, r))
			continue;
		struct rule_ctx ctx = {
			.eng = e, .acct = a, .cfg = a->rules, .now = e->now,
			.state = a->rstate[r], .rule = r, .dry_run = rule_dry(e, a->rules, r),
		};

		rule_table[r]->on_restore_fill(&ctx, f);
	}
}

void engine_restore_position(struct engine *e, int64_t account_id, const struct pos *saved)
{
	struct acct *a = book_acct(e, account_id, true);
	struct px_position pp = {
		.id = saved->id, .account_id = account_id,
		.type = saved->qty < 0 ? PX_PT_SHORT : PX_PT_LONG, .size = abs(saved->qty),
		.average_price = saved->avg_price,
	};
	struct pos *p;

	if (saved->qty == 0 || acct_pos(a, saved->contract_id) != NULL)
		return;
	strlcpy_s(pp.contract_id, saved->contract_id, sizeof(pp.contract_id));
	book_apply_position(e, a, &pp);
	p = acct_pos(a, saved->contract_id);
	if (p == NULL)
		return;
	p->restored = true;
	if (saved->opened > 0 && saved->opened <= e->now)
		p->opened = saved->opened;
}

void engine_restore_order(struct engine *e, int64_t account_id, const struct ord *saved)
{
	struct acct *a = book_acct(e, account_id, true);
	struct px_order po = {
		.id = saved->id, .account_id = account_id, .status = saved->status,
		.type = saved->type, .side = saved->side, .size = saved->size,
		.limit_price = saved->limit_price, .stop_price = saved->stop_price,
		.filled_price = PX_NULL,
	};
	struct ord prev, *o;

	if (acct_ord(a, saved->id) != NULL)
		return;
	strlcpy_s(po.contract_id, saved->contract_id, sizeof(po.contract_id));
	book_apply_order(e, a, &po, &prev);
	o = acct_ord(a, saved->id);
	if (o != NULL && saved->seen > 0 && saved->seen <= e->now)
		o->seen = saved->seen;
}

void engine_restore_contract(struct engine *e, const struct px_contract *c)
{
	book_apply_contract(e, c);
}
