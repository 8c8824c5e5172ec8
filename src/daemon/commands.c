/* commands.c: srmd's IPC command table: trader reads, and admin commands behind `auth`. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/alerts.h"
#include "daemon/srmd.h"
#include "daemon/view.h"
#include "engine/rule.h"
#include "util/log.h"
#include "util/strutil.h"
#include "util/timefmt.h"
#include "util/tz.h"
#include "util/xalloc.h"

#define CMD_ADMIN 1u

struct cmd_ctx {
	struct srmd *d;
	struct ipc_client *c;
	struct ipc_req *req;
};

struct cmd_entry {
	const char *name;
	unsigned flags;
	void (*exec)(struct cmd_ctx *x);
};

static void reply(struct cmd_ctx *x, cJSON *data)
{
	char *line = ipc_reply_ok(x->req->id, data);

	if (line != NULL)
		ipc_client_send(x->c, line);
	free(line);
}

static void reply_err(struct cmd_ctx *x, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void reply_err(struct cmd_ctx *x, const char *code, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	char *line;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	line = ipc_reply_err(x->req->id, code, msg);
	if (line != NULL)
		ipc_client_send(x->c, line);
	free(line);
}

static void audit(struct cmd_ctx *x, const char *what, bool ok)
{
	struct srm_err err = {0};

	if (store_audit(x->d->st, srmd_now(), x->c->uid, what, ok, &err) != 0)
		log_error("store", "audit not saved | err=\"%s\"", err.msg);
	log_info("admin", "%s | uid=%ld ok=%d", what, x->c->uid, ok);
}

/* ---- trader commands ---- */

static bool arg_account(struct cmd_ctx *x, int64_t *id)
{
	struct srm_err err = {0};

	*id = 0;
	if (ipc_arg_int64(x->req, "account", id, &err) != 0) {
		reply_err(x, "bad_args", "%s", err.msg);
		return false;
	}
	if (*id != 0 && engine_acct(x->d->eng, *id) == NULL) {
		reply_err(x, "unknown_account", "account %" PRId64 " is not guarded", *id);
		return false;
	}
	return true;
}

static const char *hub_state_name(struct gw_hub *h)
{
	if (h == NULL)
		return "down";
	switch (gw_hub_state(h)) {
	case GW_HUB_CONNECTED:
		return "connected";
	case GW_HUB_CONNECTING:
		return "connecting";
	default:
		return "down";
	}
}

static const char *rest_state(struct srmd *d)
{
	struct gw_rest_stats st;
	bool open = false;

	if (d->rest == NULL)
		return "down";
	gw_rest_stats(d->rest, &st);
	if (!st.have_token)
		return "down";
	for (int ep = 0; ep < GW_EP_COUNT; ep++)
		if (gw_rest_breaker(d->rest, (enum gw_endpoint)ep) != GW_BREAKER_CLOSED)
			open = true;
	return open ? "degraded" : "ok";
}

static const struct alerts *x_alerts(const struct srmd *d)
{
	return d->alerts;
}


/* What a hub keeps subscribed and what the server confirmed (gw_hub_subs). */
static void add_subs(cJSON *g, const char *key, const struct gw_hub *h)
{
	struct gw_hub_subs s;
	cJSON *o;

	if (h == NULL)
		return;
	gw_hub_subs(h, &s);
	o = cJSON_AddObjectToObject(g, key);
	cJSON_AddNumberToObject(o, "wanted", (double)s.wanted);
	cJSON_AddNumberToObject(o, "confirmed", (double)s.confirmed);
	cJSON_AddNumberToObject(o, "failed", (double)s.failed);
	cJSON_AddNumberToObject(o, "refused", (double)s.refused);
	if (s.last_error[0] != '\0')
		cJSON_AddStringToObject(o, "lastError", s.last_error);
}

static cJSON *daemon_view(struct srmd *d)
{
	cJSON *o = cJSON_CreateObject(), *g = cJSON_CreateObject();
	static const char *const phases[] = {"starting", "login", "reconciling", "guarding", "stopping"};
	struct gw_rest_stats rs;
	char buf[40];

	char why[300];
	bool guarded = srmd_guard(d, why, sizeof(why));

	cJSON_AddStringToObject(o, "version", SRMD_VERSION);
	cJSON_AddNumberToObject(o, "uptimeS", (double)(srmd_mono_ns() - d->started_ns) / 1e9);
	cJSON_AddStringToObject(o, "phase", phases[d->phase]);
	cJSON_AddBoolToObject(o, "guarded", guarded);
	if (!guarded)
		cJSON_AddStringToObject(o, "notGuarded", why);
	cJSON_AddStringToObject(o, "guardSince", iso_format_short(d->guard_since, buf, sizeof(buf)));
	if (d->last_error[0] != '\0')
		cJSON_AddStringToObject(o, "lastError", d->last_error);
	cJSON_AddStringToObject(g, "rest", rest_state(d));
	cJSON_AddStringToObject(g, "userHub", hub_state_name(d->user_hub));
	cJSON_AddStringToObject(g, "marketHub", hub_state_name(d->market_hub));
	add_subs(g, "userHubSubscriptions", d->user_hub);
	add_subs(g, "marketHubSubscriptions", d->market_hub);
	if (d->rest != NULL) {
		gw_rest_stats(d->rest, &rs);
		if (rs.token_exp > 0)
			cJSON_AddStringToObject(g, "tokenExpires", iso_format_short(rs.token_exp * 1000, buf, sizeof(buf)));
	}
	cJSON_AddItemToObject(o, "gateway", g);
	{
		uint64_t st[4];
		cJSON *al = cJSON_CreateObject();

		alerts_stats(x_alerts(d), st);
		cJSON_AddNumberToObject(al, "queued", (double)st[0]);
		cJSON_AddNumberToObject(al, "delivered", (double)st[1]);
		cJSON_AddNumberToObject(al, "failed", (double)st[2]);
		cJSON_AddNumberToObject(al, "coalesced", (double)st[3]);
		cJSON_AddItemToObject(o, "alerts", al);
	}
	if (d->last_event_ms > 0)
		cJSON_AddStringToObject(o, "lastEvent", iso_format_short(d->last_event_ms, buf, sizeof(buf)));
	cJSON_AddNumberToObject(o, "events", (double)d->events);
	cJSON_AddNumberToObject(o, "inFlight", (double)exec_inflight(d));
	cJSON_AddBoolToObject(o, "dryRun", d->cfg->daemon.dry_run);
	cJSON_AddStringToObject(o, "tradingDayStart", iso_format_short(engine_last_reset(d->eng), buf, sizeof(buf)));
	cJSON_AddStringToObject(o, "nextReset", iso_format_short(engine_next_reset(d->eng), buf, sizeof(buf)));
	cJSON_AddStringToObject(o, "timezone", d->cfg->daemon.timezone);
	cJSON *hol = cJSON_CreateArray();

	for (size_t i = 0; i < d->cfg->daemon.n_holidays; i++) {
		int y, m, dd;
		char date[16];

		civil_from_days(d->cfg->daemon.holidays[i], &y, &m, &dd);
		snprintf(date, sizeof(date), "%04d-%02d-%02d", y, m, dd);
		cJSON_AddItemToArray(hol, cJSON_CreateString(date));
	}
	cJSON_AddItemToObject(o, "holidays", hol);
	return o;
}

static void cmd_ping(struct cmd_ctx *x)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "version", SRMD_VERSION);
	reply(x, o);
}

static void cmd_status(struct cmd_ctx *x)
{
	int64_t id;
	cJSON *o, *arr;
	const struct acct *a;
	size_t i = 0;

	if (!arg_account(x, &id))
		return;
	o = cJSON_CreateObject();
	arr = cJSON_CreateArray();
	cJSON_AddItemToObject(o, "daemon", daemon_view(x->d));
	while ((a = engine_acct_next(x->d->eng, &i)) != NULL)
		if ((id == 0 || a->id == id) && srmd_guarded(x->d, a->id, a->name))
			cJSON_AddItemToArray(arr, view_account(x->d->eng, a));
	cJSON_AddItemToObject(o, "accounts", arr);
	reply(x, o);
}

static void cmd_lockouts(struct cmd_ctx *x)
{
	int64_t id;

	if (arg_account(x, &id))
		reply(x, view_lockouts(x->d->eng, id));
}

static void cmd_rules(struct cmd_ctx *x)
{
	int64_t id;
	cJSON *arr;
	const struct acct *a;
	size_t i = 0;

	if (!arg_account(x, &id))
		return;
	arr = cJSON_CreateArray();
	while ((a = engine_acct_next(x->d->eng, &i)) != NULL) {
		if ((id != 0 && a->id != id) || !srmd_guarded(x->d, a->id, a->name))
			continue;
		cJSON *o = cJSON_CreateObject();

		cJSON_AddNumberToObject(o, "accountId", (double)a->id);
		cJSON_AddItemToObject(o, "rules", view_rules(x->d->eng, a));
		cJSON_AddItemToArray(arr, o);
	}
	reply(x, arr);
}

static void history_row(const struct journal_entry *e, void *ud)
{
	cJSON *o = cJSON_CreateObject();
	char buf[40];

	cJSON_AddNumberToObject(o, "id", (double)e->id);
	cJSON_AddStringToObject(o, "ts", iso_format_short(e->ts_ms, buf, sizeof(buf)));
	cJSON_AddNumberToObject(o, "accountId", (double)e->account_id);
	if (e->rule[0] != '\0')
		cJSON_AddStringToObject(o, "rule", e->rule);
	if (e->action[0] != '\0')
		cJSON_AddStringToObject(o, "action", e->action);
	if (e->contract_id[0] != '\0')
		cJSON_AddStringToObject(o, "contractId", e->contract_id);
	if (e->order_id != 0)
		cJSON_AddNumberToObject(o, "orderId", (double)e->order_id);
	if (e->size != 0)
		cJSON_AddNumberToObject(o, "size", (double)e->size);
	if (e->until[0] != '\0') {
		/* a lockout's end is kept as epoch ms; the CLI's JSON has one time format, ISO-8601 */
		char *end;
		long long ms = strtoll(e->until, &end, 10);

		if (end != e->until && *end == '\0')
			cJSON_AddStringToObject(o, "until", iso_format_short((srm_ms)ms, buf, sizeof(buf)));
		else
			cJSON_AddStringToObject(o, "until", e->until);
	}
	if (e->reason[0] != '\0')
		cJSON_AddStringToObject(o, "reason", e->reason);
	if (e->dry_run)
		cJSON_AddTrueToObject(o, "dryRun");
	if (e->has_outcome)
		cJSON_AddStringToObject(o, "outcome", e->outcome);
	if (e->has_latency)
		cJSON_AddNumberToObject(o, "latencyUs", (double)e->latency_us);
	cJSON_AddItemToArray((cJSON *)ud, o);
}

static void cmd_history(struct cmd_ctx *x)
{
	struct srm_err err = {0};
	const char *since = NULL;
	int64_t id = 0, limit = 200;
	srm_ms since_ms = 0;
	cJSON *arr;

	if (ipc_arg_string(x->req, "since", &since, &err) != 0 ||
	    ipc_arg_int64(x->req, "account", &id, &err) != 0 ||
	    ipc_arg_int64(x->req, "limit", &limit, &err) != 0) {
		reply_err(x, "bad_args", "%s", err.msg);
		return;
	}
	if (since != NULL && iso_parse(since, &since_ms) != 0) {
		int64_t ms;

		if (duration_parse(since, &ms) != 0) {
			reply_err(x, "bad_args", "since: expected an ISO time or a duration like 2h, got \"%s\"", since);
			return;
		}
		since_ms = srmd_now() - ms;
	}
	if (limit < 0 || limit > 10000) {
		reply_err(x, "bad_args", "limit: expected 0 to 10000, got %lld", (long long)limit);
		return;
	}
	arr = cJSON_CreateArray();
	if (limit > 0 && store_history(x->d->st, since_ms, id, limit, history_row, arr, &err) != 0) {
		cJSON_Delete(arr);
		reply_err(x, "store", "%s", err.msg);
		return;
	}
	reply(x, arr);
}

/* ---- report: a trading day's summary per account ---- */

/* One enforcement of the day (store_enforcements) into the account's array. */
static void report_row(const struct journal_entry *e, void *ud)
{
	cJSON *o = cJSON_CreateObject();
	char buf[40];

	cJSON_AddStringToObject(o, "ts", iso_format_short(e->ts_ms, buf, sizeof(buf)));
	cJSON_AddStringToObject(o, "rule", e->rule);
	cJSON_AddStringToObject(o, "action", e->action);
	if (e->contract_id[0] != '\0')
		cJSON_AddStringToObject(o, "contractId", e->contract_id);
	cJSON_AddStringToObject(o, "reason", e->reason);
	if (e->has_outcome)
		cJSON_AddStringToObject(o, "outcome", e->outcome);
	if (e->dry_run)
		cJSON_AddTrueToObject(o, "dryRun");
	cJSON_AddItemToArray((cJSON *)ud, o);
}

/*
 * {"day":"YYYY-MM-DD"} (default: the current trading day), {"account":N}: per account the
 * day's realized P&L, fees, net, trades, and every enforcement with its rule and reason. A
 * day D is the trading day that ends at D's reset (17:00 CT on D for the default reset).
 */
static void cmd_report(struct cmd_ctx *x)
{
	struct srm_err err = {0};
	const struct engine *e = x->d->eng;
	const char *day = NULL;
	int64_t id;
	srm_ms from, to;
	bool live = true;
	char buf[40];
	int32_t days;

	if (!arg_account(x, &id))
		return;
	if (ipc_arg_string(x->req, "day", &day, &err) != 0) {
		reply_err(x, "bad_args", "%s", err.msg);
		return;
	}
	from = engine_last_reset(e);
	to = engine_next_reset(e);
	if (day != NULL) {
		if (date_parse(day, &days) != 0) {
			reply_err(x, "bad_args", "day: expected YYYY-MM-DD, got \"%s\"", day);
			return;
		}
		srm_ms end = tz_local_to_utc(x->d->zone, (int64_t)days * 86400 +
					     (int64_t)x->d->cfg->daemon.reset_min * 60);

		if (end != to) {
			if (end > to) {
				reply_err(x, "bad_args", "day: %s has not begun", day);
				return;
			}
			live = false;
			to = end;
			from = end - 86400000; /* refined from the saved day below */
		}
	}
	cJSON *o = cJSON_CreateObject(), *arr = cJSON_CreateArray();
	const struct acct *a;
	size_t i = 0;

	while ((a = engine_acct_next(e, &i)) != NULL) {
		if ((id != 0 && a->id != id) || !srmd_guarded(x->d, a->id, a->name))
			continue;
		struct day_pnl dp = { .day_start_ms = from };
		cJSON *rows = cJSON_CreateArray();
		int have = 0;

		if (live) {
			dp.realized_cents = a->realized;
			dp.fees_cents = a->fees;
			dp.trades = (int64_t)a->tc.session;
		} else {
			/* the day that began before its end: after a weekend or a holiday up to 4 days */
			have = store_day_pnl(x->d->st, a->id, to - 4 * 86400000LL, to, &dp, &err);
			if (have < 0) {
				cJSON_Delete(rows);
				cJSON_Delete(arr);
				cJSON_Delete(o);
				reply_err(x, "store", "%s", err.msg);
				return;
			}
			if (have == 1)
				dp = (struct day_pnl){ .day_start_ms = to - 86400000 };
		}
		if (store_enforcements(x->d->st, a->id, dp.day_start_ms, to, report_row, rows, &err) != 0) {
			cJSON_Delete(rows);
			cJSON_Delete(arr);
			cJSON_Delete(o);
			reply_err(x, "store", "%s", err.msg);
			return;
		}
		cJSON *ao = cJSON_CreateObject();

		cJSON_AddNumberToObject(ao, "id", (double)a->id);
		cJSON_AddStringToObject(ao, "name", a->name);
		cJSON_AddStringToObject(ao, "from", iso_format_short(dp.day_start_ms, buf, sizeof(buf)));
		cJSON_AddBoolToObject(ao, "recorded", live || have == 0);
		cJSON_AddNumberToObject(ao, "realizedPnl", (double)dp.realized_cents / 100.0);
		cJSON_AddNumberToObject(ao, "fees", (double)dp.fees_cents / 100.0);
		cJSON_AddNumberToObject(ao, "netPnl", (double)(dp.realized_cents - dp.fees_cents) / 100.0);
		cJSON_AddNumberToObject(ao, "trades", (double)dp.trades);
		cJSON_AddNumberToObject(ao, "enforced", cJSON_GetArraySize(rows));
		cJSON_AddItemToObject(ao, "actions", rows);
		cJSON_AddItemToArray(arr, ao);
	}
	if (day != NULL)
		cJSON_AddStringToObject(o, "day", day);
	else
		cJSON_AddStringToObject(o, "day", "today");
	cJSON_AddBoolToObject(o, "live", live);
	cJSON_AddStringToObject(o, "to", iso_format_short(to, buf, sizeof(buf)));
	cJSON_AddItemToObject(o, "accounts", arr);
	reply(x, o);
}

static void add_line(const char *line, void *ud)
{
	cJSON_AddItemToArray((cJSON *)ud, cJSON_CreateString(line));
}

static void cmd_logs(struct cmd_ctx *x)
{
	struct srm_err err = {0};
	int64_t n = 50;
	const char *level = NULL, *grep = NULL;
	enum log_level min = LOG_DEBUG;
	cJSON *arr;

	if (ipc_arg_int64(x->req, "n", &n, &err) != 0 || ipc_arg_string(x->req, "level", &level, &err) != 0 ||
	    ipc_arg_string(x->req, "grep", &grep, &err) != 0) {
		reply_err(x, "bad_args", "%s", err.msg);
		return;
	}
	if (level != NULL && log_level_parse(level, &min) != 0) {
		reply_err(x, "bad_args", "level: expected debug, info, warn or error, got \"%s\"", level);
		return;
	}
	if (n < 0 || n > 2000) {
		reply_err(x, "bad_args", "n: expected 0 to 2000, got %lld", (long long)n);
		return;
	}
	arr = cJSON_CreateArray();
	if (n > 0)
		log_tail((size_t)n, min, grep, add_line, arr);
	reply(x, arr);
}

static void cmd_subscribe(struct cmd_ctx *x)
{
	x->c->subscribed = true;
	reply(x, NULL);
}

/* ---- auth ---- */

static void cmd_auth(struct cmd_ctx *x)
{
	struct srm_err err = {0};
	const char *pw = NULL;
	const char *hash = x->d->cfg->admin.password_hash;

	if (ipc_arg_string(x->req, "password", &pw, &err) != 0 || pw == NULL) {
		reply_err(x, "bad_args", "auth needs args.password");
		return;
	}
	if (hash == NULL || hash[0] == '\0') {
		reply_err(x, "no_admin", "no admin password is configured (admin.password_hash); create one with `srm admin passwd`");
		return;
	}
	/* the reply comes later, from auth.c (hashed off the loop, limited per uid) */
	auth_attempt(x->d->auth, x->c, x->req->id, pw, hash);
}

/* ---- admin ---- */

/* An admin act is an event like the gateway's: journaled, recorded, replayed (SPEC §3). */
static void admin_event(struct cmd_ctx *x, enum ev_kind kind, const struct ev_admin *ad)
{
	struct srm_event ev = {.kind = kind};

	ev.u.admin = *ad;
	srmd_feed(x->d, &ev);
}

static void cmd_lockout_set(struct cmd_ctx *x)
{
	struct srm_err err = {0};
	int64_t id = 0;
	const char *dur = NULL, *reason = "set by admin";
	bool until_reset = false, permanent = false;
	enum until_kind u;
	srm_ms until_ts = 0;
	char what[300];

	if (ipc_arg_int64(x->req, "account", &id, &err) != 0 || ipc_arg_string(x->req, "for", &dur, &err) != 0 ||
	    ipc_arg_bool(x->req, "untilReset", &until_reset, &err) != 0 ||
	    ipc_arg_bool(x->req, "permanent", &permanent, &err) != 0 ||
	    ipc_arg_string(x->req, "reason", &reason, &err) != 0) {
		reply_err(x, "bad_args", "%s", err.msg);
		return;
	}
	if (id == 0 || !srmd_guarded(x->d, id, "")) {
		reply_err(x, "unknown_account", "account %" PRId64 " is not guarded", id);
		return;
	}
	if (dur != NULL) {
		int64_t ms;

		if (duration_parse(dur, &ms) != 0 || ms <= 0) {
			reply_err(x, "bad_args", "for: expected a duration like 90s, 15m, 2h, got \"%s\"", dur);
			return;
		}
		u = UNTIL_TIME;
		until_ts = srmd_now() + ms;
	} else if (permanent) {
		u = UNTIL_PERMANENT;
	} else if (until_reset) {
		u = UNTIL_RESET;
	} else {
		reply_err(x, "bad_args", "say how long: for (\"2h\"), untilReset or permanent");
		return;
	}
	struct ev_admin ad = {.account_id = id, .until = u, .until_ts = until_ts};

	strlcpy_s(ad.reason, reason, sizeof(ad.reason));
	admin_event(x, EV_ADMIN_LOCKOUT, &ad);
	snprintf(what, sizeof(what), "lockout set %" PRId64 " (%s)", id, reason);
	audit(x, what, true);
	reply(x, view_lockouts(x->d->eng, id));
}

static void cmd_lockout_clear(struct cmd_ctx *x)
{
	struct srm_err err = {0};
	int64_t id = 0;
	char what[100];

	if (ipc_arg_int64(x->req, "account", &id, &err) != 0) {
		reply_err(x, "bad_args", "%s", err.msg);
		return;
	}
	if (id == 0 || !srmd_guarded(x->d, id, "")) {
		reply_err(x, "unknown_account", "account %" PRId64 " is not guarded", id);
		return;
	}
	admin_event(x, EV_ADMIN_CLEAR, &(struct ev_admin){.account_id = id});
	snprintf(what, sizeof(what), "lockout clear %" PRId64, id);
	audit(x, what, true);
	reply(x, view_lockouts(x->d->eng, id));
}

static void cmd_reset(struct cmd_ctx *x)
{
	struct srm_err err = {0};
	int64_t id = 0;
	char what[100];

	if (ipc_arg_int64(x->req, "account", &id, &err) != 0) {
		reply_err(x, "bad_args", "%s", err.msg);
		return;
	}
	if (id != 0 && !srmd_guarded(x->d, id, "")) {
		reply_err(x, "unknown_account", "account %" PRId64 " is not guarded", id);
		return;
	}
	admin_event(x, EV_ADMIN_RESET, &(struct ev_admin){.account_id = id});
	snprintf(what, sizeof(what), "reset %" PRId64, id);
	audit(x, what, true);
	reply(x, NULL);
}

/* "RULE-003", "3", or the config key "daily_realized_loss" -> 2; -1 when unknown. */
static int rule_index(const char *s)
{
	for (int r = 0; r < RULE_COUNT; r++)
		if (str_eq_ci(s, rule_id_name(r)) || strcmp(s, rule_table[r]->block.name) == 0)
			return r;
	char *end;
	long n = strtol(s, &end, 10);

	return *end == '\0' && n >= 1 && n <= RULE_COUNT ? (int)n - 1 : -1;
}

static void cmd_enforce(struct cmd_ctx *x)
{
	struct srm_err err = {0};
	int64_t id = 0;
	const char *rule = NULL;
	bool dry = false;
	char what[160];
	int r;

	if (ipc_arg_int64(x->req, "account", &id, &err) != 0 || ipc_arg_string(x->req, "rule", &rule, &err) != 0 ||
	    ipc_arg_bool(x->req, "dryRun", &dry, &err) != 0) {
		reply_err(x, "bad_args", "%s", err.msg);
		return;
	}
	if (id == 0 || !srmd_guarded(x->d, id, "")) {
		reply_err(x, "unknown_account", "account %" PRId64 " is not guarded", id);
		return;
	}
	if (rule == NULL || (r = rule_index(rule)) < 0) {
		reply_err(x, "bad_args", "rule: expected RULE-001..RULE-012 or a rule name, got \"%s\"", rule ? rule : "");
		return;
	}
	cJSON *arr = cJSON_CreateArray();

	/* the actions this event decides are also the reply */
	x->d->capture = arr;
	admin_event(x, EV_ADMIN_ENFORCE, &(struct ev_admin){.account_id = id, .rule = r, .dry_run = dry});
	x->d->capture = NULL;
	snprintf(what, sizeof(what), "enforce %" PRId64 " %s%s", id, rule_id_name(r), dry ? " (dry run)" : "");
	audit(x, what, true);
	reply(x, arr);
}

static void cmd_config_reload(struct cmd_ctx *x)
{
	/* read and checked off the loop; the reply (and the audit row) come when it is done */
	srmd_reload(x->d, x->c, x->req->id);
}

static void cmd_config_show(struct cmd_ctx *x)
{
	struct config_diag diag = {0};
	char *text = NULL;
	cJSON *o;
	int64_t id = 0;

	if (!arg_account(x, &id))
		return;
	/* --effective ACCOUNT: the merged rules and where each value comes from (no secrets) */
	if (id != 0) {
		const struct acct *a = engine_acct(x->d->eng, id);

		text = config_effective_text(x->d->cfg, id, a->name[0] != '\0' ? a->name : NULL);
		if (text == NULL) {
			reply_err(x, "internal", "out of memory");
			return;
		}
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "path", x->d->config_path);
		cJSON_AddStringToObject(o, "text", text);
		free(text);
		audit(x, "config show --effective", true);
		reply(x, o);
		return;
	}
	/* secrets are found in the parsed YAML by key, not by matching text */
	if (config_redacted(x->d->config_path, &text, &diag) != 0) {
		reply_err(x, "config_unreadable", "%s", diag.n > 0 ? diag.msgs[0] : x->d->config_path);
		return;
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "path", x->d->config_path);
	cJSON_AddStringToObject(o, "text", text);
	free(text);
	audit(x, "config show", true);
	reply(x, o);
}

static void cmd_stop(struct cmd_ctx *x)
{
	audit(x, "daemon stop", true);
	reply(x, NULL);
	srmd_shutdown(x->d, 0);
}

static const struct cmd_entry cmd_table[] = {
	{"ping", 0, cmd_ping},
	{"status", 0, cmd_status},
	{"lockouts", 0, cmd_lockouts},
	{"rules", 0, cmd_rules},
	{"history", 0, cmd_history},
	{"report", 0, cmd_report},
	{"logs", 0, cmd_logs},
	{"subscribe", 0, cmd_subscribe},
	{"auth", 0, cmd_auth},
	{"admin.lockout.set", CMD_ADMIN, cmd_lockout_set},
	{"admin.lockout.clear", CMD_ADMIN, cmd_lockout_clear},
	{"admin.reset", CMD_ADMIN, cmd_reset},
	{"admin.enforce", CMD_ADMIN, cmd_enforce},
	{"admin.config.reload", CMD_ADMIN, cmd_config_reload},
	{"admin.config.show", CMD_ADMIN, cmd_config_show},
	{"admin.daemon.stop", CMD_ADMIN, cmd_stop},
};

void srmd_ipc_request(struct ipc_client *c, struct ipc_req *req, void *ud)
{
	struct cmd_ctx x = {.d = ud, .c = c, .req = req};

	for (size_t i = 0; i < sizeof(cmd_table) / sizeof(cmd_table[0]); i++) {
		if (strcmp(cmd_table[i].name, req->cmd) != 0)
			continue;
		if ((cmd_table[i].flags & CMD_ADMIN) && !c->authed) {
			char what[100];

			snprintf(what, sizeof(what), "%s (not authenticated)", req->cmd);
			audit(&x, what, false);
			reply_err(&x, "auth_required", "%s needs `auth` with the admin password first", req->cmd);
			return;
		}
		cmd_table[i].exec(&x);
		return;
	}
	reply_err(&x, "unknown_command", "unknown command \"%s\"", req->cmd);
}
