/* view.c: engine state -> JSON for `srm status`, `srm lockouts`, `srm rules` and the monitor. */
#include <math.h>
#include <string.h>

#include "daemon/view.h"
#include "engine/rule.h"
#include "util/timefmt.h"

static void add_time(cJSON *o, const char *key, srm_ms t)
{
	char buf[40];

	cJSON_AddStringToObject(o, key, iso_format_short(t, buf, sizeof(buf)));
}

static double dollars(money_t m)
{
	return (double)m / 100.0;
}

cJSON *view_action(const struct srm_action *a)
{
	cJSON *o = cJSON_CreateObject();

	add_time(o, "ts", a->ts);
	cJSON_AddNumberToObject(o, "accountId", (double)a->account_id);
	cJSON_AddStringToObject(o, "rule", rule_id_name(a->rule));
	cJSON_AddStringToObject(o, "action", act_kind_name(a->kind));
	if (a->contract_id[0] != '\0')
		cJSON_AddStringToObject(o, "contractId", a->contract_id);
	if (a->symbol[0] != '\0')
		cJSON_AddStringToObject(o, "symbol", a->symbol);
	if (a->order_id != 0)
		cJSON_AddNumberToObject(o, "orderId", (double)a->order_id);
	if (a->size != 0)
		cJSON_AddNumberToObject(o, "size", a->size);
	if (a->kind == ACT_PLACE_STOP)
		cJSON_AddNumberToObject(o, "side", a->side);
	if (!isnan(a->stop_price) && (a->kind == ACT_PLACE_STOP || a->kind == ACT_MODIFY_STOP))
		cJSON_AddNumberToObject(o, "stopPrice", a->stop_price);
	if (a->kind == ACT_LOCKOUT) {
		if (a->until == UNTIL_TIME)
			add_time(o, "until", a->until_ts);
		else
			cJSON_AddStringToObject(o, "until", a->until == UNTIL_RESET ? "reset" : "permanent");
	}
	if (a->dry_run)
		cJSON_AddTrueToObject(o, "dryRun");
	cJSON_AddStringToObject(o, "reason", a->reason);
	return o;
}

cJSON *view_lockout(const struct engine *e, const struct lockout *l)
{
	cJSON *o = cJSON_CreateObject();

	(void)e;
	cJSON_AddStringToObject(o, "rule", rule_id_name(l->rule));
	cJSON_AddStringToObject(o, "reason", l->reason);
	add_time(o, "since", l->since);
	if (l->until == UNTIL_TIME)
		add_time(o, "until", l->until_ts);
	else
		cJSON_AddStringToObject(o, "until", l->until == UNTIL_RESET ? "reset" : "permanent");
	if (l->symbol[0] != '\0')
		cJSON_AddStringToObject(o, "symbol", l->symbol);
	return o;
}

cJSON *view_lockouts(const struct engine *e, int64_t account_id)
{
	cJSON *arr = cJSON_CreateArray();
	const struct lockout *l;
	size_t i = 0;

	while ((l = engine_lockout_next(e, &i)) != NULL) {
		if (account_id != 0 && l->account_id != account_id)
			continue;
		cJSON *o = view_lockout(e, l);

		if (account_id == 0)
			cJSON_AddNumberToObject(o, "accountId", (double)l->account_id);
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

static const char *unit_name(enum measure_unit u)
{
	switch (u) {
	case MEASURE_LOSS:
		return "loss";
	case MEASURE_MONEY:
		return "money";
	case MEASURE_CONTRACTS:
		return "contracts";
	case MEASURE_FILLS:
		return "fills";
	}
	return "";
}

/* One rule row: enabled, state, and what the rule itself measures against its limit. */
static cJSON *rule_row(const struct engine *e, const struct acct *a, int r)
{
	const struct rule_def *d = rule_table[r];
	bool on = rule_enabled(a->rules, r);
	const char *state = on ? "ok" : "off";
	const struct lockout *l;
	struct rule_measure m;
	cJSON *o = cJSON_CreateObject();
	size_t i = 0;

	while ((l = engine_lockout_next(e, &i)) != NULL)
		if (l->account_id == a->id && l->rule == r)
			state = "breached";
	if (on && rule_dry_flag(a->rules, r) && strcmp(state, "ok") == 0)
		state = "dry_run";
	cJSON_AddStringToObject(o, "id", d->id);
	cJSON_AddStringToObject(o, "name", d->block.name);
	cJSON_AddBoolToObject(o, "enabled", on);
	cJSON_AddStringToObject(o, "state", state);
	if (on && d->measure != NULL && d->measure(e, a, rule_cfg_block(a->rules, r), &m) &&
	    m.limit > 0) {
		cJSON_AddStringToObject(o, "label", m.label);
		cJSON_AddStringToObject(o, "unit", unit_name(m.unit));
		cJSON_AddNumberToObject(o, "used", m.used);
		cJSON_AddNumberToObject(o, "limit", m.limit);
		cJSON_AddNumberToObject(o, "share", m.used / m.limit);
		if (m.has_floor) {
			cJSON_AddNumberToObject(o, "floor", m.floor);
			cJSON_AddNumberToObject(o, "distance", m.distance);
		}
		if (m.has_share)
			cJSON_AddNumberToObject(o, "day_share", m.share);
	}
	return o;
}

cJSON *view_rules(const struct engine *e, const struct acct *a)
{
	cJSON *arr = cJSON_CreateArray();

	for (int r = 0; r < RULE_COUNT; r++)
		cJSON_AddItemToArray(arr, rule_row(e, a, r));
	return arr;
}

cJSON *view_account(const struct engine *e, const struct acct *a)
{
	cJSON *o = cJSON_CreateObject(), *pos = cJSON_CreateArray(), *ord = cJSON_CreateArray();
	money_t unreal = 0;

	cJSON_AddNumberToObject(o, "id", (double)a->id);
	cJSON_AddStringToObject(o, "name", a->name);
	cJSON_AddBoolToObject(o, "canTrade", a->can_trade);
	cJSON_AddNumberToObject(o, "balance", a->balance);
	cJSON_AddItemToObject(o, "lockouts", view_lockouts(e, a->id));
	cJSON_AddNumberToObject(o, "realizedPnl", dollars(a->realized));
	cJSON_AddNumberToObject(o, "fees", dollars(a->fees));
	engine_acct_unrealized(e, a, false, &unreal);
	cJSON_AddNumberToObject(o, "unrealizedPnl", dollars(unreal));
	cJSON_AddNumberToObject(o, "tradesToday", a->tc.session);
	for (size_t i = 0; i < a->n_pos; i++) {
		const struct pos *p = &a->pos[i];
		cJSON *x = cJSON_CreateObject();
		money_t u;
		const struct quote *q = engine_quote(e, p->contract_id);

		cJSON_AddStringToObject(x, "contractId", p->contract_id);
		cJSON_AddStringToObject(x, "symbol", engine_symbol(e, p->contract_id));
		cJSON_AddNumberToObject(x, "size", p->qty);
		cJSON_AddNumberToObject(x, "averagePrice", p->avg_price);
		if (engine_pos_unrealized(e, p, false, &u))
			cJSON_AddNumberToObject(x, "unrealizedPnl", dollars(u));
		if (q != NULL)
			cJSON_AddNumberToObject(x, "quoteAgeMs", (double)(engine_now(e) - q->at));
		add_time(x, "opened", p->opened);
		const struct ord *stop = engine_pos_stop(a, p->contract_id);
		srm_ms at;
		int r;
		const char *what;

		if (stop != NULL && !isnan(stop->stop_price))
			cJSON_AddNumberToObject(x, "stopPrice", stop->stop_price);
		if (engine_pos_deadline(e, a, p, &at, &r, &what)) {
			cJSON *dl = cJSON_CreateObject();

			add_time(dl, "at", at);
			cJSON_AddStringToObject(dl, "rule", rule_id_name(r));
			cJSON_AddStringToObject(dl, "what", what);
			cJSON_AddItemToObject(x, "deadline", dl);
		}
		cJSON_AddItemToArray(pos, x);
	}
	for (size_t i = 0; i < a->n_ord; i++) {
		const struct ord *p = &a->ord[i];
		cJSON *x = cJSON_CreateObject();

		cJSON_AddNumberToObject(x, "id", (double)p->id);
		cJSON_AddStringToObject(x, "contractId", p->contract_id);
		cJSON_AddNumberToObject(x, "type", p->type);
		cJSON_AddNumberToObject(x, "side", p->side);
		cJSON_AddNumberToObject(x, "size", p->size);
		if (!isnan(p->limit_price))
			cJSON_AddNumberToObject(x, "limitPrice", p->limit_price);
		if (!isnan(p->stop_price))
			cJSON_AddNumberToObject(x, "stopPrice", p->stop_price);
		cJSON_AddItemToArray(ord, x);
	}
	cJSON_AddItemToObject(o, "positions", pos);
	cJSON_AddItemToObject(o, "orders", ord);
	cJSON_AddItemToObject(o, "rules", view_rules(e, a));
	return o;
}
