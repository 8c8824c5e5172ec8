/*
 * lifecycle.c: srmd's life on the loop once started: the gateway's callbacks (token, login
 * backoff, hub events and states), the cron, signals, and the graceful stop. main.c parses
 * the command line and opens what these run on.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon/alerts.h"
#include "daemon/dashboard.h"
#include "daemon/srmd.h"
#include "store/store.h"
#include "util/xalloc.h"
#include "engine/rule.h"
#include "util/log.h"
#include "util/strutil.h"

void srmd_notify(struct srmd *d, const char *msg)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd;

	(void)d;
	if (path == NULL || path[0] == '\0' || strlen(path) >= sizeof(sa.sun_path))
		return;
	strlcpy_s(sa.sun_path, path, sizeof(sa.sun_path));
	if (sa.sun_path[0] == '@')
		sa.sun_path[0] = '\0';
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	(void)!sendto(fd, msg, strlen(msg), 0, (struct sockaddr *)&sa,
		      (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path)));
	close(fd);
}

/* The user hub's server timeout (30 s, the hub's default) and 5 s for the clocks. */
#define RESYNC_MARGIN_MS 35000

static void on_hub_event(struct gw_hub *hub, const struct srm_event *ev, void *ud)
{
	(void)hub;
	srmd_hub_news(ud, ev);
	srmd_feed(ud, ev);
}

static void on_hub_state(struct gw_hub *hub, enum gw_hub_state st, bool resync, void *ud)
{
	struct srmd *d = ud;

	log_info("hub", "state | hub=%s state=%d resync=%d", hub == d->user_hub ? "user" : "market", st, resync);
	if (st == GW_HUB_CONNECTED && resync && hub == d->user_hub && d->phase == PH_GUARDING) {
		/*
		 * What can have changed since the hub last delivered every account's events: the
		 * last time it was whole (on_cron), less its server timeout (a dead
		 * connection is declared so up to 30 s after its last record) and 5 s for clocks.
		 */
		srm_ms since = d->user_hub_whole > 0 ? d->user_hub_whole - RESYNC_MARGIN_MS : 0;

		srmd_reconcile_since(d, "user hub reconnected", since > 0 ? since : 0);
	}
}

/* A hub refused the token: ask for a new one (once at a time: the REST client serializes it). */
static void on_hub_unauthorized(struct gw_hub *hub, void *ud)
{
	struct srmd *d = ud;

	log_warn("hub", "the hub refused the token; getting a new one | hub=%s",
		 hub == d->user_hub ? "user" : "market");
	gw_rest_refresh(d->rest);
}

static void on_token(struct gw_rest *r, const char *token, void *ud)
{
	struct srmd *d = ud;

	(void)r;
	gw_hub_set_token(d->user_hub, token);
	gw_hub_set_token(d->market_hub, token);
	if (d->login_attempts > 0)
		srmd_login_backoff_saved(d, 0);
	d->login_attempts = 0;
	d->last_error[0] = '\0';
	if (d->phase == PH_LOGIN) {
		d->phase = PH_RECONCILE;
		gw_hub_subscribe_accounts(d->user_hub);
		gw_hub_start(d->user_hub);
		gw_hub_start(d->market_hub);
		srmd_reconcile(d, "start-up");
	}
}

static void login_again(uv_timer_t *t)
{
	struct srmd *d = t->data;

	if (d->rest != NULL && d->phase != PH_STOPPING)
		gw_rest_start(d->rest);
}

/* Start-up must not give up: log in again with a backoff (1 s doubling to a minute). */
static void on_auth_fail(struct gw_rest *r, const struct gw_result *res, void *ud)
{
	struct srmd *d = ud;
	uint64_t delay = 1000u << (d->login_attempts < 6 ? d->login_attempts : 6);

	(void)r;
	if (delay > 60000)
		delay = 60000;
	d->login_attempts++;
	snprintf(d->last_error, sizeof(d->last_error), "login failed: %s%s%.150s (attempt %d, next in %llus)",
		 res->error_name ? res->error_name : gw_status_name(res->status), res->message[0] ? ": " : "",
		 res->message, d->login_attempts, (unsigned long long)(delay / 1000));
	log_error("rest", "cannot log in to the gateway; will retry | status=%s code=%d message=\"%s\" delay_ms=%llu",
		  gw_status_name(res->status), res->error_code, res->message, (unsigned long long)delay);
	if (d->phase != PH_STOPPING) {
		srmd_login_backoff_saved(d, srmd_now() + (srm_ms)delay);
		uv_timer_start(&d->login_timer, login_again, delay, 0);
	}
}

/* An account's day as it stood just before the reset (the engine zeroes it then). */
struct day_end {
	int64_t id;
	money_t realized, fees;
	int trades;
};

struct enforced_count {
	size_t n, n_rules;
	struct { char rule[16]; size_t n; } by[RULE_COUNT + 2];
};

static void count_enforced(const struct journal_entry *e, void *ud)
{
	struct enforced_count *c = ud;
	size_t i;

	c->n++;
	for (i = 0; i < c->n_rules && strcmp(c->by[i].rule, e->rule) != 0; i++)
		;
	if (i == c->n_rules && c->n_rules < sizeof(c->by) / sizeof(c->by[0]))
		strlcpy_s(c->by[c->n_rules++].rule, e->rule, sizeof(c->by[0].rule));
	if (i < c->n_rules)
		c->by[i].n++;
}

/* alerts' end_of_day: a summary per guarded account of the day that just ended. */
static void end_of_day(struct srmd *d, const struct day_end *days, size_t n, srm_ms from, srm_ms to)
{
	for (size_t i = 0; i < n; i++) {
		struct enforced_count c = { 0 };
		struct srm_err err = {0};
		char rules[200] = "", r[32], f[32], net[32];
		size_t used = 0;

		if (d->st != NULL && store_enforcements(d->st, days[i].id, from, to, count_enforced, &c, &err) != 0)
			log_warn("alerts", "end of day: the journal cannot be read | err=\"%s\"", err.msg);
		for (size_t k = 0; k < c.n_rules && used < sizeof(rules); k++)
			used += (size_t)snprintf(rules + used, sizeof(rules) - used, "%s%s x%zu", k ? ", " : " (",
						 c.by[k].rule, c.by[k].n);
		if (c.n_rules > 0 && used < sizeof(rules) - 1)
			snprintf(rules + used, sizeof(rules) - used, ")");
		struct alert_value v[] = {
			{ "realizedPnl", (double)days[i].realized / 100.0 },
			{ "fees", (double)days[i].fees / 100.0 },
			{ "netPnl", (double)(days[i].realized - days[i].fees) / 100.0 },
			{ "trades", days[i].trades },
			{ "enforced", (double)c.n },
		};

		alerts_emit_values(d->alerts, AE_END_OF_DAY, days[i].id, v, sizeof(v) / sizeof(v[0]),
				   "day ended: realized %s, fees %s, net %s, %d trade%s, %zu enforcement%s%s",
				   money_str(days[i].realized, r), money_str(days[i].fees, f),
				   money_str(days[i].realized - days[i].fees, net), days[i].trades,
				   days[i].trades == 1 ? "" : "s", c.n, c.n == 1 ? "" : "s", rules);
	}
}

static void on_cron(uv_timer_t *t)
{
	struct srmd *d = t->data;
	struct act_list l;
	srm_ms now = srmd_now(), day_start = engine_last_reset(d->eng);
	struct day_end *days = NULL;
	size_t n_days = 0;

	/* the day ends at this turn: what each account did, before the reset zeroes it */
	if (now >= engine_next_reset(d->eng) && d->alerts != NULL) {
		const struct acct *a;
		size_t i = 0, cap = 0;

		while (engine_acct_next(d->eng, &i) != NULL)
			cap++;
		days = xcalloc(cap ? cap : 1, sizeof(*days));
		i = 0;
		while ((a = engine_acct_next(d->eng, &i)) != NULL && n_days < cap)
			if (srmd_guarded(d, a->id, a->name))
				days[n_days++] = (struct day_end){ a->id, a->realized, a->fees, a->tc.session };
	}
	/* time-driven rules (grace periods, cooldown ends, resets) fire here */
	l = engine_advance(d->eng, now);
	if (l.n > 0)
		srmd_handle_actions(d, l);
	if (days != NULL && engine_last_reset(d->eng) != day_start)
		end_of_day(d, days, n_days, day_start, engine_last_reset(d->eng));
	free(days);
	srmd_save_books(d);
	auth_cron(d->auth);
	srmd_reconcile_tick(d);
	srmd_verify_tick(d);
	/* the user hub delivers every guarded account's events now */
	if (d->user_hub != NULL && gw_hub_whole(d->user_hub))
		d->user_hub_whole = now;
	srmd_blind_poll(d);
	if (d->resync_wanted && d->reconciles_pending == 0 && d->rest != NULL &&
	    (d->phase == PH_GUARDING || d->phase == PH_RECONCILE) &&
	    srmd_mono_ns() / 1000000 >= d->recon_retry_ms)
		srmd_reconcile(d, "retry after a failed reconcile");
	{
		char why[256];
		bool ok = srmd_guard(d, why, sizeof(why));

		/* blind longer than alerts.guard_after: guard_degraded (and guard_restored after) */
		if (d->phase == PH_GUARDING || d->phase == PH_RECONCILE || d->phase == PH_LOGIN)
			alerts_guard(d->alerts, ok, why);
	}
}

static void closed_cb(void *ud)
{
	(void)ud;
}

/* The hubs close over a loop turn; what they share (the TLS context) goes after. */
static void free_ws_later(uv_timer_t *t)
{
	struct srmd *d = t->data;

	gw_ws_free(d->ws);
	d->ws = NULL;
	uv_close((uv_handle_t *)t, NULL);
}

void srmd_shutdown(struct srmd *d, int code)
{
	if (d->phase == PH_STOPPING)
		return;
	log_info("srmd", "stopping | in_flight=%zu", exec_inflight(d));
	srmd_notify(d, "STOPPING=1");
	alerts_emit(d->alerts, AE_DAEMON_STOPPING, 0, NULL, "srmd is stopping: your accounts are "
		    "no longer guarded");
	alerts_close(d->alerts);
	d->alerts = NULL;
	d->phase = PH_STOPPING;
	d->exit_code = code;
	uv_timer_stop(&d->cron);
	uv_close((uv_handle_t *)&d->cron, NULL);
	uv_timer_stop(&d->login_timer);
	uv_close((uv_handle_t *)&d->login_timer, NULL);
	uv_close((uv_handle_t *)&d->sig_term, NULL);
	uv_close((uv_handle_t *)&d->sig_int, NULL);
	uv_close((uv_handle_t *)&d->sig_hup, NULL);
	if (d->sig_extra != NULL)
		uv_close((uv_handle_t *)d->sig_extra, NULL);
	auth_shutdown(d->auth);
	dashboard_stop(d);
	if (d->ipc != NULL)
		ipc_server_close(d->ipc, closed_cb, NULL);
	gw_hub_free(d->user_hub);
	gw_hub_free(d->market_hub);
	d->user_hub = d->market_hub = NULL;
	uv_timer_start(&d->retry, free_ws_later, 20, 0);
	gw_rest_free(d->rest);
	d->rest = NULL;
}

static void on_signal(uv_signal_t *s, int signum)
{
	struct srmd *d = s->data;

	if (signum == SIGHUP) {
		srmd_reload(d, NULL, 0); /* read off the loop; the result is logged */
		return;
	}
	srmd_shutdown(d, 0);
}

void srmd_login_later(struct srmd *d, uint64_t delay_ms)
{
	uv_timer_start(&d->login_timer, login_again, delay_ms, 0);
}

int srmd_gateway_open(struct srmd *d, struct srm_err *err)
{
	struct gw_rest_opts ro = {
		.base_url = d->cfg->gateway.api_url, .username = d->cfg->gateway.username,
		.api_key = d->cfg->gateway.api_key, .ca_file = d->cfg->gateway.ca_file,
		.on_token = on_token, .on_auth_fail = on_auth_fail, .ud = d,
	};

	d->rest = gw_rest_new(d->loop, &ro, err);
	if (d->rest == NULL) {
		srm_err_prefix(err, "gateway: ");
		return -1;
	}
	d->ws = gw_ws_new(d->loop, d->cfg->gateway.ca_file, err);
	if (d->ws == NULL) {
		srm_err_prefix(err, "websocket: ");
		return -1;
	}
	struct gw_hub_opts uo = {
		.kind = GW_HUB_USER, .ws = d->ws, .url = d->cfg->gateway.user_hub_url,
		.on_event = on_hub_event, .on_state = on_hub_state, .on_unauthorized = on_hub_unauthorized, .ud = d,
	};
	struct gw_hub_opts mo = uo;

	mo.kind = GW_HUB_MARKET;
	mo.url = d->cfg->gateway.market_hub_url;
	d->user_hub = gw_hub_new(d->loop, &uo, err);
	d->market_hub = d->user_hub ? gw_hub_new(d->loop, &mo, err) : NULL;
	if (d->market_hub == NULL) {
		srm_err_prefix(err, "hub: ");
		return -1;
	}
	return 0;
}

void srmd_handles_open(struct srmd *d)
{
	uv_signal_init(d->loop, &d->sig_term);
	uv_signal_init(d->loop, &d->sig_int);
	uv_signal_init(d->loop, &d->sig_hup);
	d->sig_term.data = d->sig_int.data = d->sig_hup.data = d;
	uv_signal_start(&d->sig_term, on_signal, SIGTERM);
	uv_signal_start(&d->sig_int, on_signal, SIGINT);
	uv_signal_start(&d->sig_hup, on_signal, SIGHUP);
	uv_timer_init(d->loop, &d->cron);
	d->cron.data = d;
	uv_timer_init(d->loop, &d->retry);
	d->retry.data = d;
	uv_timer_init(d->loop, &d->login_timer);
	d->login_timer.data = d;
	uv_timer_start(&d->cron, on_cron, 100, 100);
}
