/* helpers.c: real events and configs for the unit tests. */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/strutil.h"
#include "util/timefmt.h"
#include "wire/wire.h"

srm_ms T(const char *iso)
{
	srm_ms t = 0;

	if (iso_parse(iso, &t) != 0)
		fail_msg("bad time in test: %s", iso);
	return t;
}

/* Every rule off (each block starts with `enabled`), whatever the list holds. */
static void disable_all(struct rules_cfg *r)
{
	for (int i = 0; i < RULE_COUNT; i++)
		*(bool *)((char *)r + rule_block(i)->cfg_offset) = false;
}

void tw_init(struct tworld *w, srm_ms now)
{
	struct srm_err err;

	memset(w, 0, sizeof(*w));
	config_rules_defaults(&w->cfg.rules);
	disable_all(&w->cfg.rules);
	w->cfg.daemon.reset_min = 17 * 60;
	w->cfg.daemon.quote_max_age_ms = 10000;
	w->zone = tz_load("America/Chicago", &err);
	if (w->zone == NULL)
		fail_msg("tz_load: %s", err.msg);
	w->eng = engine_new(&w->cfg, w->zone, now);
}

void tw_restart(struct tworld *w, srm_ms now)
{
	engine_free(w->eng);
	w->eng = engine_new(&w->cfg, w->zone, now);
}

void tw_free(struct tworld *w)
{
	engine_free(w->eng);
	tz_free(w->zone);
	free(w->cfg.overrides);
	w->eng = NULL;
	w->zone = NULL;
}

static struct act_list feed(struct tworld *w, const struct srm_event *ev, srm_ms now)
{
	w->last = engine_apply(w->eng, ev, now);
	return w->last;
}

struct act_list tw_contract(struct tworld *w, srm_ms now, const char *id, const char *name,
			    double tick_size, double tick_value)
{
	struct srm_event ev = {.kind = EV_CONTRACT};

	strlcpy_s(ev.u.contract.id, id, sizeof(ev.u.contract.id));
	strlcpy_s(ev.u.contract.name, name, sizeof(ev.u.contract.name));
	ev.u.contract.tick_size = tick_size;
	ev.u.contract.tick_value = tick_value;
	ev.u.contract.active = true;
	return feed(w, &ev, now);
}

void tw_std_contracts(struct tworld *w, srm_ms now)
{
	tw_contract(w, now, ES, "ESZ6", 0.25, 12.5);
	tw_contract(w, now, MNQ, "MNQZ6", 0.25, 0.5);
	tw_contract(w, now, NQ, "NQZ6", 0.25, 5);
	tw_contract(w, now, MES, "MESZ6", 0.25, 1.25);
	tw_contract(w, now, RTY, "RTYZ6", 0.1, 5);
	tw_contract(w, now, CL, "CLZ6", 0.01, 10);
}

struct act_list tw_account(struct tworld *w, srm_ms now, int64_t id, bool can_trade)
{
	return tw_account_bal(w, now, id, can_trade, 50000);
}

struct act_list tw_account_bal(struct tworld *w, srm_ms now, int64_t id, bool can_trade,
			       double balance)
{
	struct srm_event ev = {.kind = EV_ACCOUNT};

	ev.u.account.id = id;
	snprintf(ev.u.account.name, sizeof(ev.u.account.name), "ACC-%lld", (long long)id);
	ev.u.account.balance = balance;
	ev.u.account.can_trade = can_trade;
	ev.u.account.is_visible = true;
	ev.u.account.simulated = true;
	return feed(w, &ev, now);
}

struct act_list tw_position(struct tworld *w, srm_ms now, int64_t acct, const char *contract,
			    int qty, double avg)
{
	return tw_position_id(w, now, acct, contract,
			      acct * 1000 + (int64_t)(strlen(contract) * 7 + (unsigned char)contract[9]),
			      qty, avg);
}

struct act_list tw_position_id(struct tworld *w, srm_ms now, int64_t acct, const char *contract,
			       int64_t id, int qty, double avg)
{
	struct srm_event ev = {.kind = EV_POSITION};
	struct px_position *p = &ev.u.position;

	p->id = id;
	p->account_id = acct;
	strlcpy_s(p->contract_id, contract, sizeof(p->contract_id));
	p->created = now;
	p->type = qty > 0 ? PX_PT_LONG : qty < 0 ? PX_PT_SHORT : PX_PT_UNDEFINED;
	p->size = qty < 0 ? -qty : qty;
	p->average_price = avg;
	return feed(w, &ev, now);
}

struct act_list tw_order(struct tworld *w, srm_ms now, int64_t acct, int64_t id,
			 const char *contract, int status, int type, int side, int size,
			 double limit_price, double stop_price)
{
	return tw_order_fv(w, now, acct, id, contract, status, type, side, size, 0, limit_price,
			   stop_price);
}

struct act_list tw_order_fv(struct tworld *w, srm_ms now, int64_t acct, int64_t id,
			    const char *contract, int status, int type, int side, int size,
			    int fill_volume, double limit_price, double stop_price)
{
	struct srm_event ev = {.kind = EV_ORDER};
	struct px_order *o = &ev.u.order;

	o->id = id;
	o->account_id = acct;
	strlcpy_s(o->contract_id, contract, sizeof(o->contract_id));
	o->created = now;
	o->updated = now;
	o->status = status;
	o->type = type;
	o->side = side;
	o->size = size;
	o->fill_volume = fill_volume;
	o->limit_price = limit_price;
	o->stop_price = stop_price;
	o->filled_price = PX_NULL;
	return feed(w, &ev, now);
}

struct act_list tw_trade(struct tworld *w, srm_ms now, int64_t acct, int64_t id,
			 const char *contract, int side, int size, double price, double pnl,
			 double fees, bool voided)
{
	struct srm_event ev = {.kind = EV_TRADE};
	struct px_trade *t = &ev.u.trade;

	t->id = id;
	t->account_id = acct;
	strlcpy_s(t->contract_id, contract, sizeof(t->contract_id));
	t->created = now;
	t->price = price;
	t->profit_and_loss = pnl;
	t->fees = fees;
	t->side = side;
	t->size = size;
	t->voided = voided;
	t->order_id = id + 100000;
	return feed(w, &ev, now);
}

struct act_list tw_quote(struct tworld *w, srm_ms now, const char *contract, double bid,
			 double ask, double last)
{
	struct srm_event ev = {.kind = EV_QUOTE};
	struct px_quote *q = &ev.u.quote;

	strlcpy_s(q->contract_id, contract, sizeof(q->contract_id));
	q->best_bid = bid;
	q->best_ask = ask;
	q->last_price = last;
	q->timestamp = now;
	return feed(w, &ev, now);
}

struct act_list tw_result(struct tworld *w, srm_ms now, int64_t acct, enum act_kind kind,
			  const char *contract, int64_t order_id, int size, enum act_outcome outcome)
{
	struct srm_event ev = {.kind = EV_ACTION_RESULT};

	ev.u.result.account_id = acct;
	ev.u.result.kind = kind;
	snprintf(ev.u.result.contract_id, sizeof(ev.u.result.contract_id), "%s", contract ? contract : "");
	ev.u.result.order_id = order_id;
	ev.u.result.size = size;
	ev.u.result.outcome = outcome;
	w->last = engine_apply(w->eng, &ev, now);
	return w->last;
}

/* Admin acts are events (EV_ADMIN_*), fed like srmd's command handlers feed them. */
static struct act_list admin(struct engine *e, enum ev_kind kind, const struct ev_admin *ad,
			     srm_ms now)
{
	struct srm_event ev = {.kind = kind};

	ev.u.admin = *ad;
	return engine_apply(e, &ev, now);
}

struct act_list t_admin_lockout(struct engine *e, int64_t acct, enum until_kind until,
				srm_ms until_ts, const char *reason, srm_ms now)
{
	struct ev_admin ad = {.account_id = acct, .until = until, .until_ts = until_ts};

	snprintf(ad.reason, sizeof(ad.reason), "%s", reason);
	return admin(e, EV_ADMIN_LOCKOUT, &ad, now);
}

struct act_list t_admin_clear(struct engine *e, int64_t acct, srm_ms now)
{
	return admin(e, EV_ADMIN_CLEAR, &(struct ev_admin){.account_id = acct}, now);
}

struct act_list t_admin_reset(struct engine *e, int64_t acct, srm_ms now)
{
	return admin(e, EV_ADMIN_RESET, &(struct ev_admin){.account_id = acct}, now);
}

struct act_list t_admin_enforce(struct engine *e, int64_t acct, int rule, bool dry_run, srm_ms now)
{
	return admin(e, EV_ADMIN_ENFORCE,
		     &(struct ev_admin){.account_id = acct, .rule = rule, .dry_run = dry_run}, now);
}

struct act_list t_contract_missing(struct engine *e, const char *contract_id, srm_ms now)
{
	struct srm_event ev = {.kind = EV_CONTRACT_MISSING};

	snprintf(ev.u.missing.contract_id, sizeof(ev.u.missing.contract_id), "%s", contract_id);
	return engine_apply(e, &ev, now);
}

struct act_list tw_recheck(struct tworld *w, srm_ms now, int64_t acct)
{
	struct srm_event ev = {.kind = EV_RECHECK};

	ev.u.recheck.account_id = acct;
	w->last = engine_apply(w->eng, &ev, now);
	return w->last;
}

struct act_list tw_config(struct tworld *w, srm_ms now, const struct srm_config *cfg)
{
	struct srm_event ev = {.kind = EV_CONFIG};

	ev.u.config.cfg = cfg;
	ev.u.config.zone = w->zone;
	ev.u.config.judge = true;
	w->last = engine_apply(w->eng, &ev, now);
	return w->last;
}

struct act_list tw_advance(struct tworld *w, srm_ms now)
{
	w->last = engine_advance(w->eng, now);
	return w->last;
}

size_t t_count(struct act_list l, enum act_kind kind, int rule)
{
	size_t n = 0;

	for (size_t i = 0; i < l.n; i++)
		if (l.v[i].kind == kind && (rule == -2 || l.v[i].rule == rule))
			n++;
	return n;
}

size_t t_count_acct(struct act_list l, enum act_kind kind, int rule, int64_t acct)
{
	size_t n = 0;

	for (size_t i = 0; i < l.n; i++)
		if ((kind == ACT_KIND_COUNT || l.v[i].kind == kind) && (rule == -2 || l.v[i].rule == rule) &&
		    l.v[i].account_id == acct)
			n++;
	return n;
}

size_t t_count_rule(struct act_list l, int rule)
{
	size_t n = 0;

	for (size_t i = 0; i < l.n; i++)
		if (l.v[i].rule == rule)
			n++;
	return n;
}

const struct srm_action *t_find(struct act_list l, enum act_kind kind, int rule)
{
	for (size_t i = 0; i < l.n; i++)
		if (l.v[i].kind == kind && (rule == -2 || l.v[i].rule == rule))
			return &l.v[i];
	return NULL;
}

void t_dump(struct act_list l)
{
	char buf[1024];

	for (size_t i = 0; i < l.n; i++) {
		if (action_to_json(&l.v[i], buf, sizeof(buf)) > 0)
			fprintf(stderr, "  %s\n", buf);
	}
}
