/* check.c: `srmd --check`: load a config as srmd does, log in, list the accounts, reach the hubs, report. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <uv.h>

#include "config/config.h"
#include "daemon/check.h"
#include "daemon/statedir.h"
#include "gateway/hub.h"
#include "gateway/rest.h"
#include "store/store.h"
#include "util/log.h"
#include "util/strutil.h"
#include "util/xalloc.h"

#define PROBE_TIMEOUT_MS 25000
#define MAX_ACCOUNTS 256
/* config notes (8), login, accounts, one per account seen or listed, hubs, store, daemon */
#define MAX_LINES (16 + 2 * MAX_ACCOUNTS + CFG_MAX_ACCOUNT_SEL)

/* ---- one pass against the gateway: login, Account/search, optionally both hubs ---- */

struct probe_step {
	bool done, ok;
	double ms;          /* -1: not timed */
	char err[600];
};

struct probe {
	uv_loop_t loop;
	uv_timer_t timer;
	struct gw_rest *rest;
	struct gw_ws *ws;
	struct gw_hub *hub[2];
	bool want_hubs, tearing_down, finished;
	int ticks;
	uint64_t t_login, t_search, t_hub[2];
	struct probe_step login, search, hubs[2];
	struct srm_event *evs;
	size_t n_accounts;
};

static double since_ms(uint64_t t0)
{
	return (double)(uv_hrtime() - t0) / 1e6;
}

static void step_fail(struct probe_step *s, uint64_t t0, const char *why)
{
	if (s->done)
		return;
	s->done = true;
	s->ok = false;
	s->ms = t0 ? since_ms(t0) : -1;
	snprintf(s->err, sizeof(s->err), "%s", why);
}

static bool probe_done(const struct probe *p)
{
	if (!p->login.done || !p->search.done)
		return false;
	if (!p->want_hubs || !p->login.ok)
		return true;
	return p->hubs[0].done && p->hubs[1].done;
}

/* "errorCode 3 InvalidCredentials: bad key" from a failed REST result (never a secret). */
static void result_text(const struct gw_result *res, char *out, size_t cap)
{
	bool msg = res->message[0] != '\0' &&
		   (res->error_name == NULL || strcmp(res->message, res->error_name) != 0);

	if (res->status == GW_EAPI)
		snprintf(out, cap, "errorCode %d%s%s%s%s", res->error_code,
			 res->error_name ? " " : "", res->error_name ? res->error_name : "",
			 msg ? ": " : "", msg ? res->message : "");
	else if (res->http_status != 0)
		snprintf(out, cap, "%s, HTTP %d%s%s", gw_status_name(res->status), res->http_status,
			 res->message[0] ? ": " : "", res->message);
	else
		snprintf(out, cap, "%s%s%s", gw_status_name(res->status), res->message[0] ? ": " : "",
			 res->message);
}

static void on_token(struct gw_rest *rest, const char *token, void *ud)
{
	struct probe *p = ud;

	(void)rest;
	if (p->login.done)
		return;
	p->login.done = p->login.ok = true;
	p->login.ms = since_ms(p->t_login);
	p->t_search = uv_hrtime(); /* Account/search was queued behind the login */
	if (!p->want_hubs)
		return;
	for (int i = 0; i < 2; i++) {
		gw_hub_set_token(p->hub[i], token);
		p->t_hub[i] = uv_hrtime();
		if (gw_hub_start(p->hub[i]) != 0)
			step_fail(&p->hubs[i], p->t_hub[i], "could not start the connection");
	}
}

static void on_auth_fail(struct gw_rest *rest, const struct gw_result *res, void *ud)
{
	struct probe *p = ud;
	char why[512];

	(void)rest;
	if (p->login.done)
		return;
	result_text(res, why, sizeof(why));
	step_fail(&p->login, p->t_login, why);
}

static void on_accounts(struct gw_rest *rest, const struct gw_result *res, void *ud)
{
	struct probe *p = ud;
	struct srm_err err = {0};
	char why[512];

	(void)rest;
	if (p->search.done)
		return;
	if (res->status != GW_OK) {
		if (res->status == GW_EAUTH || res->status == GW_ECANCELLED)
			step_fail(&p->search, 0, "not tried (no session)");
		else {
			result_text(res, why, sizeof(why));
			step_fail(&p->search, p->t_search, why);
		}
		return;
	}
	if (gw_result_events(res, p->evs, MAX_ACCOUNTS, &p->n_accounts, &err) != 0) {
		snprintf(why, sizeof(why), "bad answer: %s", err.msg);
		step_fail(&p->search, p->t_search, why);
		return;
	}
	p->search.done = p->search.ok = true;
	p->search.ms = since_ms(p->t_search);
}

static void on_hub_state(struct gw_hub *hub, enum gw_hub_state st, bool resync, void *ud)
{
	struct probe *p = ud;
	int i = hub == p->hub[0] ? 0 : 1;

	(void)resync;
	if (p->hubs[i].done || p->tearing_down)
		return;
	if (st == GW_HUB_CONNECTED) {
		p->hubs[i].done = p->hubs[i].ok = true;
		p->hubs[i].ms = since_ms(p->t_hub[i]);
	} else if (st == GW_HUB_WAITING) {
		step_fail(&p->hubs[i], p->t_hub[i],
			  "connection or handshake failed (the hub refused or did not answer)");
	}
}

static void on_hub_event(struct gw_hub *hub, const struct srm_event *ev, void *ud)
{
	(void)hub;
	(void)ev;
	(void)ud;
}

/* While probing: a deadline. While tearing down: let libwebsockets close, then stop. */
static void on_timer(uv_timer_t *t)
{
	struct probe *p = t->data;

	if (!p->tearing_down) {
		step_fail(&p->login, p->t_login, "timed out");
		step_fail(&p->search, 0, "timed out");
		for (int i = 0; i < 2; i++)
			step_fail(&p->hubs[i], p->t_hub[i], "timed out");
		return;
	}
	if (++p->ticks == 10) {
		gw_ws_free(p->ws);
		p->ws = NULL;
	} else if (p->ticks >= 20) {
		uv_timer_stop(t);
		p->finished = true;
	}
}

/* Log in, list the accounts and (want_hubs) connect both hubs; results in p. -1 + why: cannot start. */
static int probe_run(struct probe *p, const struct srm_config *cfg, bool want_hubs, char *why,
		     size_t cap)
{
	struct srm_err err = {0};
	struct gw_rest_opts ro = {
		.base_url = cfg->gateway.api_url, .username = cfg->gateway.username,
		.api_key = cfg->gateway.api_key, .ca_file = cfg->gateway.ca_file,
		.connect_timeout_ms = 5000, .total_timeout_ms = 10000, .max_attempts = 2,
		.on_token = on_token, .on_auth_fail = on_auth_fail, .ud = p,
	};
	int rc = 0;

	memset(p, 0, sizeof(*p));
	p->want_hubs = want_hubs;
	p->evs = xcalloc(MAX_ACCOUNTS, sizeof(*p->evs));
	if (uv_loop_init(&p->loop) != 0) {
		snprintf(why, cap, "cannot make an event loop");
		return -1;
	}
	uv_timer_init(&p->loop, &p->timer);
	p->timer.data = p;
	p->rest = gw_rest_new(&p->loop, &ro, &err);
	if (p->rest != NULL && want_hubs) {
		p->ws = gw_ws_new(&p->loop, cfg->gateway.ca_file, &err);
		for (int i = 0; i < 2 && p->ws != NULL; i++) {
			struct gw_hub_opts ho = {
				.kind = i == 0 ? GW_HUB_USER : GW_HUB_MARKET, .ws = p->ws,
				.url = i == 0 ? cfg->gateway.user_hub_url : cfg->gateway.market_hub_url,
				.handshake_timeout_ms = 10000,
				.reconnect_min_ms = 60000, .reconnect_max_ms = 60000,
				.on_event = on_hub_event, .on_state = on_hub_state, .ud = p,
			};

			p->hub[i] = gw_hub_new(&p->loop, &ho, &err);
			if (p->hub[i] == NULL)
				break;
		}
	}
	if (p->rest == NULL || (want_hubs && (p->ws == NULL || p->hub[1] == NULL))) {
		snprintf(why, cap, "%s", err.msg);
		rc = -1;
	} else {
		p->t_login = uv_hrtime();
		gw_rest_start(p->rest);
		gw_account_search(p->rest, true, GW_PRIO_RECONCILE, on_accounts, p);
		uv_timer_start(&p->timer, on_timer, PROBE_TIMEOUT_MS, 0);
		while (!probe_done(p))
			uv_run(&p->loop, UV_RUN_ONCE);
	}
	/* tear down: the handles close over a few loop turns */
	p->tearing_down = true;
	gw_hub_free(p->hub[0]);
	gw_hub_free(p->hub[1]);
	p->hub[0] = p->hub[1] = NULL;
	gw_rest_free(p->rest);
	p->rest = NULL;
	uv_timer_start(&p->timer, on_timer, 20, 20);
	while (!p->finished)
		uv_run(&p->loop, UV_RUN_ONCE);
	uv_close((uv_handle_t *)&p->timer, NULL);
	uv_run(&p->loop, UV_RUN_NOWAIT);
	uv_loop_close(&p->loop);
	return rc;
}

/* ---- the report: one line per step, printed for a human or as JSON ---- */

struct check_line {
	char what[40];
	char status[8];     /* ok, warn, FAIL, - */
	double ms;          /* -1: not timed */
	char text[1200];
	char error[600];    /* a failed step's cause alone (init quotes it) */
};

struct report {
	struct check_line *lines;
	size_t n;
	char failed[512];
	cJSON *failed_json;
};

static struct check_line *add_line(struct report *r, const char *what, const char *status,
				   double ms, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Add a result line; a FAIL names its step in the summary. */
static struct check_line *add_line(struct report *r, const char *what, const char *status,
				   double ms, const char *fmt, ...)
{
	struct check_line *l;
	va_list ap;

	if (r->n == MAX_LINES)
		return NULL; /* cannot happen: MAX_LINES covers every input's bound */
	l = &r->lines[r->n++];
	strlcpy_s(l->what, what, sizeof(l->what));
	strlcpy_s(l->status, status, sizeof(l->status));
	l->ms = ms;
	va_start(ap, fmt);
	vsnprintf(l->text, sizeof(l->text), fmt, ap);
	va_end(ap);
	return l;
}

static void add_failed(struct report *r, const char *what)
{
	size_t n = strlen(r->failed);

	snprintf(r->failed + n, sizeof(r->failed) - n, "%s%s", n > 0 ? ", " : "", what);
	cJSON_AddItemToArray(r->failed_json, cJSON_CreateString(what));
}

/* Nearest existing ancestor of dir is writable (so srmd can create it). */
static bool can_create(const char *dir)
{
	char buf[4096];
	char *slash;

	strlcpy_s(buf, dir, sizeof(buf));
	for (;;) {
		if (access(buf, F_OK) == 0)
			return access(buf, W_OK | X_OK) == 0;
		slash = strrchr(buf, '/');
		if (slash == NULL)
			return access(".", W_OK) == 0;
		if (slash == buf) {
			buf[1] = '\0';
		} else {
			*slash = '\0';
		}
	}
}

/* The store: open it read-write when it exists, else check srmd could create it. */
static bool check_store(struct report *r, const struct srm_config *cfg)
{
	char path[4200];
	struct srm_err err = {0};
	struct stat sb;
	uint64_t t0 = uv_hrtime();

	snprintf(path, sizeof(path), "%s/srm.db", cfg->daemon.state_dir);
	if (stat(path, &sb) != 0) {
		if (can_create(cfg->daemon.state_dir)) {
			add_line(r, "store", "ok", since_ms(t0),
				 "%s not created yet (srmd creates it at its first start)", path);
			return true;
		}
		add_line(r, "store", "FAIL", since_ms(t0),
			 "%s missing and %s cannot be created (not writable)", path,
			 cfg->daemon.state_dir);
		return false;
	}
	if (access(path, R_OK | W_OK) != 0) {
		add_line(r, "store", "FAIL", since_ms(t0), "%s: %s", path, strerror(errno));
		return false;
	}
	struct store *st = store_open(path, &err);

	if (st == NULL) {
		add_line(r, "store", "FAIL", since_ms(t0), "%s", err.msg);
		return false;
	}
	store_close(st);
	add_line(r, "store", "ok", since_ms(t0), "%s opened read-write (schema %d)", path,
		 STORE_SCHEMA_VERSION);
	return true;
}

/* Is an srmd answering on the socket srmd would listen on? (information, unless srmd would refuse it) */
static bool check_daemon(struct report *r, const char *sock, const char *config)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char why[600];
	uint64_t t0 = uv_hrtime();
	int fd;

	if (sock[0] == '\0') {
		add_line(r, "daemon", "FAIL", -1, "daemon.socket is not set and has no default (neither "
			 "XDG_RUNTIME_DIR nor HOME is set): set it in the config");
		return false;
	}
	if (statedir_parent_shared(sock, why, sizeof(why))) {
		add_line(r, "daemon", "FAIL", -1, "%s", why);
		return false;
	}
	strlcpy_s(sa.sun_path, sock, sizeof(sa.sun_path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		add_line(r, "daemon", "ok", since_ms(t0), "srmd is running (socket %s)", sock);
	else
		add_line(r, "daemon", "-", -1, "srmd is not running (no socket at %s); start it with "
			 "`srm admin daemon start --config %s`", sock, config);
	if (fd >= 0)
		close(fd);
	return true;
}

/* The login, the accounts and (unless login_only) both hubs, from one probe. */
static void check_gateway(struct report *r, const struct srm_config *cfg, bool login_only,
			  cJSON *accounts)
{
	struct probe p;
	char why[600] = "";
	size_t guarded = 0;

	if (probe_run(&p, cfg, !login_only, why, sizeof(why)) != 0) {
		struct check_line *l = add_line(r, "gateway client", "FAIL", -1, "%s", why);

		if (l != NULL)
			strlcpy_s(l->error, why, sizeof(l->error));
		add_failed(r, "gateway client");
		free(p.evs);
		return;
	}
	if (p.login.ok) {
		add_line(r, "login", "ok", p.login.ms, "Auth/loginKey at %s as %s", cfg->gateway.api_url,
			 cfg->gateway.username);
	} else {
		struct check_line *l = add_line(r, "login", "FAIL", p.login.ms,
						"Auth/loginKey at %s as %s: %s", cfg->gateway.api_url,
						cfg->gateway.username, p.login.err);

		if (l != NULL)
			strlcpy_s(l->error, p.login.err, sizeof(l->error));
		add_failed(r, "login");
	}
	if (p.search.ok) {
		for (size_t i = 0; i < p.n_accounts; i++) {
			const struct px_account *a = &p.evs[i].u.account;
			bool sel = config_account_selected(cfg, a->id, a->name);
			cJSON *o = cJSON_CreateObject();

			guarded += sel;
			cJSON_AddNumberToObject(o, "id", (double)a->id);
			cJSON_AddStringToObject(o, "name", a->name);
			cJSON_AddNumberToObject(o, "balance", a->balance);
			cJSON_AddBoolToObject(o, "canTrade", a->can_trade);
			cJSON_AddBoolToObject(o, "guarded", sel);
			cJSON_AddItemToArray(accounts, o);
		}
		add_line(r, "accounts", guarded > 0 ? "ok" : "FAIL", p.search.ms,
			 "Account/search: %zu active, %zu guarded", p.n_accounts, guarded);
		if (guarded == 0)
			add_failed(r, "accounts (no visible account matches `accounts:`)");
		for (size_t i = 0; i < p.n_accounts; i++) {
			const struct px_account *a = &p.evs[i].u.account;
			char what[40];

			if (!config_account_selected(cfg, a->id, a->name))
				continue;
			snprintf(what, sizeof(what), "account %lld", (long long)a->id);
			add_line(r, what, a->can_trade ? "ok" : "warn", -1, "%s, balance %.2f, %s", a->name,
				 a->balance, a->can_trade ? "can trade" : "cannot trade now (canTrade: false)");
		}
		for (size_t k = 0; k < cfg->accounts.n; k++) {
			bool seen = false;
			char what[40];

			if (cfg->accounts.v[k].id == 0)
				continue;
			for (size_t i = 0; i < p.n_accounts; i++)
				seen |= p.evs[i].u.account.id == cfg->accounts.v[k].id;
			if (seen)
				continue;
			snprintf(what, sizeof(what), "account %lld", (long long)cfg->accounts.v[k].id);
			add_line(r, what, "FAIL", -1, "listed in accounts: but not found by Account/search");
			add_failed(r, what);
		}
	} else {
		struct check_line *l = add_line(r, "accounts", "FAIL", p.search.ms, "Account/search: %s",
						p.search.err);

		if (l != NULL)
			strlcpy_s(l->error, p.search.err, sizeof(l->error));
		add_failed(r, "accounts");
	}
	for (int i = 0; i < 2 && !login_only; i++) {
		const char *name = i == 0 ? "user hub" : "market hub";
		const char *url = i == 0 ? cfg->gateway.user_hub_url : cfg->gateway.market_hub_url;

		if (!p.login.ok) {
			add_line(r, name, "FAIL", -1, "%s: not tried (no session)", url);
			add_failed(r, name);
		} else if (p.hubs[i].ok) {
			add_line(r, name, "ok", p.hubs[i].ms, "%s: connected, handshake done", url);
		} else {
			add_line(r, name, "FAIL", p.hubs[i].ms, "%s: %s", url, p.hubs[i].err);
			add_failed(r, name);
		}
	}
	free(p.evs);
}

/* One result line: "  login            ok    123.4 ms  text". */
static void print_line(const struct check_line *l)
{
	char t[24] = "";

	if (l->ms >= 0)
		snprintf(t, sizeof(t), "%.1f ms", l->ms);
	printf("  %-16s %-5s %8s  %s\n", l->what, l->status, t, l->text);
}

static cJSON *line_json(const struct check_line *l)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "check", l->what);
	cJSON_AddStringToObject(o, "status", l->status);
	if (l->ms >= 0)
		cJSON_AddNumberToObject(o, "ms", l->ms);
	else
		cJSON_AddNullToObject(o, "ms");
	cJSON_AddStringToObject(o, "detail", l->text);
	if (l->error[0] != '\0')
		cJSON_AddStringToObject(o, "error", l->error);
	return o;
}

/* Print the JSON object and free it; a stdout that cannot take it is a failed check. */
static int print_json(cJSON *o, int rc)
{
	char *s = cJSON_PrintUnformatted(o);

	cJSON_Delete(o);
	if (s == NULL)
		return 1;
	if (printf("%s\n", s) < 0)
		rc = 1;
	free(s);
	return rc;
}

/* The config did not load: every error, and exit 1. */
static int report_unloaded(const struct srmd_check_opts *o, const struct config_diag *diag)
{
	if (o->json) {
		cJSON *j = cJSON_CreateObject(), *errs = cJSON_AddArrayToObject(j, "errors");

		cJSON_AddStringToObject(j, "config", o->config);
		cJSON_AddBoolToObject(j, "loaded", false);
		cJSON_AddBoolToObject(j, "ok", false);
		for (size_t i = 0; i < diag->n; i++)
			cJSON_AddItemToArray(errs, cJSON_CreateString(diag->msgs[i]));
		return print_json(j, 1);
	}
	for (size_t i = 0; i < diag->n; i++)
		fprintf(stderr, "%s\n", diag->msgs[i]);
	fprintf(stderr, "srmd: check failed: config %s does not load (%zu error%s)\n", o->config,
		diag->n, diag->n == 1 ? "" : "s");
	return 1;
}

/* The gateway client logs in logfmt for a running srmd; the report is the check's output. */
static FILE *quiet_logs(bool keep)
{
	FILE *f = keep || getenv("SRM_DEBUG") ? NULL : fopen("/dev/null", "w");

	if (f != NULL)
		log_set_stream(f);
	return f;
}

int srmd_check(const struct srmd_check_opts *o)
{
	struct config_diag diag = {0};
	struct report r = {0};
	struct srm_config *cfg;
	cJSON *accounts = cJSON_CreateArray();
	FILE *quiet = NULL;
	int rc;

	/*
	 * srmd's own loader; an unset ${NAME} is read as "" and reported as a failed line (srmd
	 * would refuse the file), so that one run names every problem.
	 */
	cfg = config_load_env(o->config, &diag, true);
	if (cfg == NULL) {
		cJSON_Delete(accounts);
		return report_unloaded(o, &diag);
	}
	r.lines = xcalloc(MAX_LINES, sizeof(*r.lines));
	r.failed_json = cJSON_CreateArray();
	add_line(&r, "config", "ok", -1, "loaded");
	for (size_t i = 0; i < diag.n_notes; i++)
		add_line(&r, "config", "FAIL", -1, "%s", diag.notes[i]);
	if (diag.n_notes > 0)
		add_failed(&r, "config");
	if (cfg->gateway.username == NULL || cfg->gateway.username[0] == '\0' ||
	    cfg->gateway.api_key == NULL || cfg->gateway.api_key[0] == '\0') {
		add_line(&r, "login", "FAIL", -1, "gateway.username / gateway.api_key are empty (export "
			 "PROJECTX_USERNAME and PROJECTX_API_KEY)");
		add_failed(&r, "login");
	} else {
		quiet = quiet_logs(o->keep_logs);
		check_gateway(&r, cfg, o->login_only, accounts);
		if (quiet != NULL) {
			log_set_stream(NULL);
			(void)fclose(quiet);
		}
	}
	if (!o->login_only) {
		if (!check_store(&r, cfg))
			add_failed(&r, "store");
		if (!check_daemon(&r, o->socket != NULL ? o->socket : cfg->daemon.socket, o->config))
			add_failed(&r, "daemon");
	}
	rc = r.failed[0] != '\0' ? 1 : 0;
	if (o->json) {
		cJSON *j = cJSON_CreateObject(), *lines = cJSON_CreateArray();

		cJSON_AddStringToObject(j, "config", o->config);
		cJSON_AddBoolToObject(j, "loaded", true);
		cJSON_AddBoolToObject(j, "dryRun", cfg->daemon.dry_run);
		cJSON_AddBoolToObject(j, "ok", rc == 0);
		for (size_t i = 0; i < r.n; i++)
			cJSON_AddItemToArray(lines, line_json(&r.lines[i]));
		cJSON_AddItemToObject(j, "checks", lines);
		cJSON_AddItemToObject(j, "accounts", accounts);
		cJSON_AddItemToObject(j, "failed", r.failed_json);
		accounts = r.failed_json = NULL;
		rc = print_json(j, rc);
	} else {
		printf("srmd --check: %s%s\n", o->config, cfg->daemon.dry_run ? " (dry_run: true)" : "");
		for (size_t i = 0; i < r.n; i++)
			print_line(&r.lines[i]);
		if (rc != 0) {
			printf("check FAILED: %s\n", r.failed);
			fprintf(stderr, "srmd: check failed: %s\n", r.failed);
		} else {
			printf("all checks passed\n");
		}
		if (fflush(stdout) != 0)
			rc = 1;
	}
	cJSON_Delete(accounts);
	cJSON_Delete(r.failed_json);
	free(r.lines);
	config_free(cfg);
	return rc;
}
