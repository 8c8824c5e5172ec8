/* admin.c: the admin's acts as engine events: lockout, clear, reset, enforce one rule now. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine_int.h"
#include "util/strutil.h"
#include "util/xalloc.h"

void admin_lockout(struct engine *e, const struct ev_admin *ad)
{
	struct acct *a;
	enum until_kind u = (enum until_kind)ad->until;

	if (ad->account_id <= 0 || (u != UNTIL_TIME && u != UNTIL_RESET && u != UNTIL_PERMANENT) ||
	    (u == UNTIL_TIME && ad->until_ts <= e->now))
		return;
	a = book_acct(e, ad->account_id, true);
	lock_start(e, a, -1, u, u == UNTIL_TIME ? ad->until_ts : 0, NULL, true, global_dry_run(e),
		      ad->reason);
}

void admin_clear(struct engine *e, int64_t account_id)
{
	for (size_t i = e->n_locks; i-- > 0;)
		if (e->locks[i].account_id == account_id)
			lock_release_at(e, i, global_dry_run(e), "cleared by admin");
}

void admin_enforce(struct engine *e, int64_t account_id, int rule, bool dry_run)
{
	struct acct *a;
	const struct rule_def *def;

	a = book_acct(e, account_id, false);
	if (a == NULL || rule < 0 || rule >= RULE_COUNT || rule_table[rule]->check == NULL)
		return;
	def = rule_table[rule];

	struct rule_ctx ctx = {
		.eng = e, .acct = a, .cfg = a->rules, .now = e->now, .state = a->rstate[rule],
		.rule = rule, .dry_run = dry_run || rule_dry(e, a->rules, rule),
	};
	struct srm_event ev;

	if (def->wakes_on & EVM_ACCOUNT) {
		event_of_acct(a, &ev);
		ctx.ev = &ev;
		out_reserve(e);
		def->check(&ctx);
	}
	if (def->wakes_on & EVM_TRADE) {
		/* "look at today's fills": an opening fill of no size adds nothing but wakes the rule */
		memset(&ev, 0, sizeof(ev));
		ev.kind = EV_TRADE;
		ev.u.trade.account_id = a->id;
		ev.u.trade.created = e->now;
		ev.u.trade.profit_and_loss = PX_NULL;
		ctx.ev = &ev;
		out_reserve(e);
		def->check(&ctx);
	}
	for (size_t i = 0; i < a->n_pos && (def->wakes_on & (EVM_POSITION | EVM_QUOTE)); i++) {
		const struct pos p = a->pos[i];

		event_of_pos(a, &p, &ev);
		ctx.ev = &ev;
		ctx.prev_qty = p.qty;
		out_reserve(e);
		def->check(&ctx);
	}
	ctx.prev_qty = 0;
	for (size_t i = 0; i < a->n_ord && (def->wakes_on & EVM_ORDER); i++) {
		const struct ord o = a->ord[i];

		event_of_ord(a, &o, &ev);
		ctx.ev = &ev;
		ctx.prev_ord = &o;
		out_reserve(e);
		def->check(&ctx);
	}
}

void admin_reset(struct engine *e, int64_t account_id)
{
	struct acct *a = NULL;

	if (account_id != 0) {
		a = book_acct(e, account_id, false);
		if (a == NULL)
			return;
	}
	daily_reset(e, a, true);
}
