/* admin_init.c: first run: `srm admin init` writes a safe config, `srm admin check` tests it. */
#include <crypt.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <uv.h>

#include "cli/cli.h"
#include "cli/client.h"
#include "cli/opts.h"
#include "config/config.h"
#include "gateway/hub.h"
#include "gateway/rest.h"
#include "store/store.h"
#include "util/log.h"
#include "util/strutil.h"

/* The real TopstepX endpoints (shared/projectx-api.md §1). */
#define DEF_API_URL "https://api.topstepx.com"
#define DEF_USER_HUB_URL "https://rtc.topstepx.com/hubs/user"
#define DEF_MARKET_HUB_URL "https://rtc.topstepx.com/hubs/market"

#define PROBE_TIMEOUT_MS 25000
#define MAX_ACCOUNTS 256

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

/* "api InvalidCredentials: bad key" from a failed REST result (never a secret). */
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

/* Log in, list the accounts and (want_hubs) connect both hubs; results in p. -1: cannot start. */
static int probe_run(struct probe *p, const char *api_url, const char *user_hub,
		     const char *market_hub, const char *username, const char *api_key,
		     const char *ca_file, bool want_hubs)
{
	struct srm_err err = {0};
	struct gw_rest_opts ro = {
		.base_url = api_url, .username = username, .api_key = api_key, .ca_file = ca_file,
		.connect_timeout_ms = 5000, .total_timeout_ms = 10000, .max_attempts = 2,
		.on_token = on_token, .on_auth_fail = on_auth_fail, .ud = p,
	};
	int rc = 0;

	memset(p, 0, sizeof(*p));
	p->want_hubs = want_hubs;
	p->evs = calloc(MAX_ACCOUNTS, sizeof(*p->evs));
	if (p->evs == NULL || uv_loop_init(&p->loop) != 0) {
		free(p->evs);
		p->evs = NULL;
		fprintf(stderr, "srm: out of memory\n");
		return -1;
	}
	uv_timer_init(&p->loop, &p->timer);
	p->timer.data = p;
	p->rest = gw_rest_new(&p->loop, &ro, &err);
	if (p->rest != NULL && want_hubs) {
		p->ws = gw_ws_new(&p->loop, ca_file, &err);
		for (int i = 0; i < 2 && p->ws != NULL; i++) {
			struct gw_hub_opts ho = {
				.kind = i == 0 ? GW_HUB_USER : GW_HUB_MARKET, .ws = p->ws,
				.url = i == 0 ? user_hub : market_hub, .handshake_timeout_ms = 10000,
				.reconnect_min_ms = 60000, .reconnect_max_ms = 60000,
				.on_event = on_hub_event, .on_state = on_hub_state, .ud = p,
			};

			p->hub[i] = gw_hub_new(&p->loop, &ho, &err);
			if (p->hub[i] == NULL)
				break;
		}
	}
	if (p->rest == NULL || (want_hubs && (p->ws == NULL || p->hub[1] == NULL))) {
		fprintf(stderr, "srm: gateway client: %s\n", err.msg);
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

static void probe_free(struct probe *p)
{
	free(p->evs);
	p->evs = NULL;
}

/* The gateway client logs in logfmt for srmd; the CLI prints its own lines. */
static FILE *quiet_logs(void)
{
	FILE *f = getenv("SRM_DEBUG") ? NULL : fopen("/dev/null", "w");

	if (f != NULL)
		log_set_stream(f);
	return f;
}

static void loud_logs(FILE *f)
{
	if (f != NULL) {
		log_set_stream(NULL);
		(void)fclose(f);
	}
}

/* ---- srm admin init ---- */

/* mkdir -p of the directory part of path (0700). */
static int mkdir_parents(const char *path)
{
	char buf[4096];
	char *slash;

	if (strlcpy_s(buf, path, sizeof(buf)) >= sizeof(buf))
		return -1;
	slash = strrchr(buf, '/');
	if (slash == NULL || slash == buf)
		return 0;
	*slash = '\0';
	for (char *q = buf + 1; *q != '\0'; q++) {
		if (*q != '/')
			continue;
		*q = '\0';
		if (mkdir(buf, 0700) != 0 && errno != EEXIST)
			return -1;
		*q = '/';
	}
	return mkdir(buf, 0700) != 0 && errno != EEXIST ? -1 : 0;
}

/* A line from stdin (prompt on stderr), trimmed; -1 at EOF or when empty. */
static int read_line(const char *prompt, char *out, size_t cap)
{
	size_t n;

	if (isatty(STDIN_FILENO))
		fputs(prompt, stderr);
	if (fgets(out, (int)cap, stdin) == NULL)
		return -1;
	n = strlen(out);
	while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r' || out[n - 1] == ' ' ||
			 out[n - 1] == '\t'))
		out[--n] = '\0';
	return n > 0 ? 0 : -1;
}

/* The username and key: environment, else asked (the key without echo on a terminal). */
static int read_credentials(char *user, size_t ucap, char *key, size_t kcap)
{
	const char *eu = getenv("PROJECTX_USERNAME"), *ek = getenv("PROJECTX_API_KEY");

	if (eu != NULL && eu[0] != '\0')
		strlcpy_s(user, eu, ucap);
	else if (read_line("ProjectX username: ", user, ucap) != 0) {
		fprintf(stderr, "srm: no ProjectX username (set PROJECTX_USERNAME or type it)\n");
		return -1;
	}
	if (ek != NULL && ek[0] != '\0') {
		strlcpy_s(key, ek, kcap);
	} else if (isatty(STDIN_FILENO)) {
		char *k = getpass("ProjectX API key (not shown): ");

		if (k == NULL || k[0] == '\0') {
			fprintf(stderr, "srm: no ProjectX API key\n");
			return -1;
		}
		strlcpy_s(key, k, kcap);
		explicit_bzero(k, strlen(k));
	} else if (read_line("", key, kcap) != 0) {
		fprintf(stderr, "srm: no ProjectX API key (set PROJECTX_API_KEY or pipe it in)\n");
		return -1;
	}
	return 0;
}

/* Write text to path with mode 0600, atomically; never over an existing file unless force. */
static int write_config(const char *path, const char *text, bool force)
{
	char tmp[4200];
	size_t len = strlen(text), off = 0;
	int fd;

	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		fprintf(stderr, "srm: cannot write %s: %s\n", tmp, strerror(errno));
		return -1;
	}
	while (off < len) {
		ssize_t w = write(fd, text + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	if (off < len || fchmod(fd, 0600) != 0 || fsync(fd) != 0) {
		fprintf(stderr, "srm: cannot write %s: %s\n", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		return -1;
	}
	close(fd);
	if (force ? rename(tmp, path) != 0 : link(tmp, path) != 0) {
		fprintf(stderr, "srm: cannot create %s: %s%s\n", path, strerror(errno),
			errno == EEXIST ? " (use --force to replace it)" : "");
		unlink(tmp);
		return -1;
	}
	if (!force)
		unlink(tmp);
	return 0;
}

static const struct cli_opt init_opts[] = {
	{ "config", 'c', "FILE", "where to write it (default $XDG_CONFIG_HOME/srm/srm.yaml or "
				 "~/.config/srm/srm.yaml)" },
	{ "force", 'f', NULL, "overwrite an existing file" },
	{ "system", 0, NULL, "for the system service: /etc/srm/srm.yaml (state in /var/lib/srm, the "
			     "socket in /run/srm) and /etc/srm/srm.env (0600) with the credentials" },
	{ "api-url", 0, "URL", "the firm's ProjectX API (default " DEF_API_URL ")" },
	{ "user-hub-url", 0, "URL", "its user hub" },
	{ "market-hub-url", 0, "URL", "its market hub" },
	{ 0 },
};

static const struct cli_spec init_spec = {
	.name = "admin init", .args = "", .opts = init_opts,
	.summary = "Write a first config: asks for the ProjectX username and API key (or reads\n"
		   "$PROJECTX_USERNAME and $PROJECTX_API_KEY), logs in to check them and lists the\n"
		   "accounts, asks for an admin password (or $SRM_ADMIN_PASSWORD), and writes a commented\n"
		   "config (0600) with dry_run: true and the credentials as ${ENV} references.",
	.more = "A firm's profile sets the three URLs at once: gateway.firm in the config (see the README).",
};

static const struct cli_opt check_opts[] = {
	{ "config", 'c', "FILE", "the config to check (default ~/.config/srm/srm.yaml)" },
	{ 0 },
};

static const struct cli_spec check_spec = {
	.name = "admin check", .args = "", .opts = check_opts,
	.summary = "Check everything srmd needs, a line each with its timing: the config, the login,\n"
		   "both hubs, the accounts it will guard, the state store and whether srmd runs.\n"
		   "Exit 0 when all pass, 1 otherwise.",
};

/* Does the config text srm is about to write load? (credentials set for the check only) */
static int text_loads(const char *text, const char *path, const char *user, const char *key)
{
	struct config_diag diag = {0};
	struct srm_config *cfg;
	bool set_u = getenv("PROJECTX_USERNAME") == NULL, set_k = getenv("PROJECTX_API_KEY") == NULL;

	if (set_u)
		setenv("PROJECTX_USERNAME", user, 1);
	if (set_k)
		setenv("PROJECTX_API_KEY", key, 1);
	cfg = config_load_string(text, path, &diag);
	if (set_u)
		unsetenv("PROJECTX_USERNAME");
	if (set_k)
		unsetenv("PROJECTX_API_KEY");
	if (cfg == NULL) {
		fprintf(stderr, "srm: internal error: the new config does not load:\n");
		for (size_t i = 0; i < diag.n; i++)
			fprintf(stderr, "  %s\n", diag.msgs[i]);
		return -1;
	}
	config_free(cfg);
	return 0;
}

int cmd_admin_init(int argc, char **argv)
{
	const char *config = NULL, *api = DEF_API_URL, *uhub = DEF_USER_HUB_URL;
	const char *mhub = DEF_MARKET_HUB_URL;
	bool force = false, sys_service = false;
	char path[4096], user[256], key[512], hash[CRYPT_OUTPUT_SIZE];
	struct px_account *accts = NULL;
	struct probe p;
	struct stat sb;
	char *text;
	FILE *quiet;
	int rc = 1;

	struct cli_parsed pa;

	rc = cli_parse(&init_spec, argc, argv, &pa);
	if (rc != 0)
		return rc == CLI_HELP ? 0 : rc;
	rc = 1;
	config = cli_val(&init_spec, &pa, "config");
	force = cli_flag(&init_spec, &pa, "force");
	sys_service = cli_flag(&init_spec, &pa, "system");
	if (cli_val(&init_spec, &pa, "api-url") != NULL)
		api = cli_val(&init_spec, &pa, "api-url");
	if (cli_val(&init_spec, &pa, "user-hub-url") != NULL)
		uhub = cli_val(&init_spec, &pa, "user-hub-url");
	if (cli_val(&init_spec, &pa, "market-hub-url") != NULL)
		mhub = cli_val(&init_spec, &pa, "market-hub-url");
	if (config != NULL)
		strlcpy_s(path, config, sizeof(path));
	else if (sys_service)
		strlcpy_s(path, "/etc/srm/srm.yaml", sizeof(path));
	else if (cli_default_config(path, sizeof(path)) != 0) {
		fprintf(stderr, "srm: neither XDG_CONFIG_HOME nor HOME is set; give --config FILE\n");
		return 2;
	}
	if (!force && stat(path, &sb) == 0) {
		fprintf(stderr, "srm: %s already exists; not overwriting it (use --force to replace it)\n",
			path);
		return 1;
	}
	if (read_credentials(user, sizeof(user), key, sizeof(key)) != 0)
		return 1;

	printf("logging in to %s as %s ...\n", api, user);
	fflush(stdout);
	quiet = quiet_logs();
	if (probe_run(&p, api, uhub, mhub, user, key, NULL, false) != 0) {
		loud_logs(quiet);
		goto out;
	}
	loud_logs(quiet);
	if (!p.login.ok) {
		fprintf(stderr, "srm: ProjectX login failed for user %s at %s: %s\n"
			"srm: check the username and the API key (ProjectX settings > API); nothing was "
			"written\n", user, api, p.login.err);
		goto out;
	}
	printf("login ok (%.1f ms)\n", p.login.ms);
	if (!p.search.ok) {
		fprintf(stderr, "srm: Account/search failed: %s; nothing was written\n", p.search.err);
		goto out;
	}
	accts = calloc(p.n_accounts + 1, sizeof(*accts));
	if (accts == NULL)
		goto out;
	if (p.n_accounts == 0) {
		printf("warning: this key sees no active account yet; srmd will guard accounts as they "
		       "appear (accounts: all)\n");
	} else {
		printf("accounts this key can see (%zu):\n  %-12s %-28s %14s  %s\n", p.n_accounts, "ID",
		       "NAME", "BALANCE", "CAN TRADE");
		for (size_t i = 0; i < p.n_accounts; i++) {
			accts[i] = p.evs[i].u.account;
			printf("  %-12lld %-28s %14.2f  %s\n", (long long)accts[i].id, accts[i].name,
			       accts[i].balance, accts[i].can_trade ? "yes" : "no");
		}
	}
	fflush(stdout);
	if (admin_hash_password(hash, sizeof(hash)) != 0) {
		fprintf(stderr, "srm: no admin password; nothing was written\n");
		goto out;
	}
	{
		struct init_params ip = {
			.api_url = api, .user_hub_url = uhub, .market_hub_url = mhub,
			.password_hash = hash, .accounts = accts, .n_accounts = p.n_accounts,
			.system = sys_service,
		};

		text = init_config_text(&ip);
	}
	if (text == NULL || text_loads(text, path, user, key) != 0 || mkdir_parents(path) != 0 ||
	    write_config(path, text, force) != 0) {
		fprintf(stderr, "srm: %s was not written\n", path);
		free(text);
		goto out;
	}
	free(text);
	if (sys_service) {
		char dir[4096], env[4200], body[1024];

		path_dirname(path, dir, sizeof(dir));
		snprintf(env, sizeof(env), "%s/srm.env", dir);
		snprintf(body, sizeof(body),
			 "# srm.env: the credentials srmd.service reads (EnvironmentFile); mode 0600\n"
			 "PROJECTX_USERNAME=%s\nPROJECTX_API_KEY=%s\n", user, key);
		if (write_config(env, body, force) != 0) {
			explicit_bzero(body, sizeof(body));
			fprintf(stderr, "srm: %s was not written\n", env);
			goto out;
		}
		explicit_bzero(body, sizeof(body));
		printf("wrote %s (mode 0600): the service reads the credentials there\n", env);
		rc = 0;
		printf("\nnext: useradd --system --user-group --home-dir /var/lib/srm --shell "
		       "/usr/sbin/nologin srm; usermod -aG srm YOU;\n      srm admin check --config %s; "
		       "systemctl enable --now srmd\n", path);
		goto out;
	}
	rc = 0;
	printf("\nwrote %s (mode 0600, dry_run: true, all accounts, the example's rules)\n\n"
	       "next steps:\n"
	       "  1. srmd reads the credentials from the environment (the key is not in the file):\n"
	       "       export PROJECTX_USERNAME='%s' PROJECTX_API_KEY=...\n"
	       "  2. review the limits in the file, then test everything:\n"
	       "       srm admin check --config %s\n"
	       "  3. start guarding (in dry run: it journals what it would do, sends nothing):\n"
	       "       srm admin daemon start --config %s\n"
	       "  4. after a trading day of `srm history` showing what you expect, set\n"
	       "     daemon.dry_run: false in the file and run `srm admin config reload`.\n",
	       path, user, path, path);
out:
	explicit_bzero(key, sizeof(key));
	free(accts);
	probe_free(&p);
	return rc;
}

/* ---- srm admin check ---- */

static void line(const char *what, const char *status, double ms, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* One result line: "  login          ok      123 ms  text". ms < 0: no timing. */
static void line(const char *what, const char *status, double ms, const char *fmt, ...)
{
	char t[24] = "";
	va_list ap;

	if (ms >= 0)
		snprintf(t, sizeof(t), "%.1f ms", ms);
	printf("  %-16s %-5s %8s  ", what, status, t);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
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
static bool check_store(const struct srm_config *cfg)
{
	char path[4200];
	struct srm_err err = {0};
	struct stat sb;
	uint64_t t0 = uv_hrtime();

	snprintf(path, sizeof(path), "%s/srm.db", cfg->daemon.state_dir);
	if (stat(path, &sb) != 0) {
		if (can_create(cfg->daemon.state_dir)) {
			line("store", "ok", since_ms(t0),
			     "%s not created yet (srmd creates it at its first start)", path);
			return true;
		}
		line("store", "FAIL", since_ms(t0), "%s missing and %s cannot be created (not writable)",
		     path, cfg->daemon.state_dir);
		return false;
	}
	if (access(path, R_OK | W_OK) != 0) {
		line("store", "FAIL", since_ms(t0), "%s: %s", path, strerror(errno));
		return false;
	}
	struct store *st = store_open(path, &err);

	if (st == NULL) {
		line("store", "FAIL", since_ms(t0), "%s", err.msg);
		return false;
	}
	store_close(st);
	line("store", "ok", since_ms(t0), "%s opened read-write (schema %d)", path,
	     STORE_SCHEMA_VERSION);
	return true;
}

/* Is srmd answering on its socket? (information: not needed for the check to pass) */
static void check_daemon(const char *config)
{
	struct cli_opts o = {0};
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char sock[108];
	uint64_t t0 = uv_hrtime();
	int fd;

	o.config = config;
	cli_socket_path(&o, sock, sizeof(sock));
	strlcpy_s(sa.sun_path, sock, sizeof(sa.sun_path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		line("daemon", "ok", since_ms(t0), "srmd is running (socket %s)", sock);
	else
		line("daemon", "-", -1, "srmd is not running (no socket at %s); start it with "
		     "`srm admin daemon start --config %s`", sock, config);
	if (fd >= 0)
		close(fd);
}

/* Append a failed step's name to the summary. */
static void add_failed(char *buf, size_t cap, const char *what)
{
	size_t n = strlen(buf);

	snprintf(buf + n, cap - n, "%s%s", n > 0 ? ", " : "", what);
}

int cmd_admin_check(int argc, char **argv)
{
	const char *config = NULL;
	char path[4096], failed[512] = "";
	struct config_diag diag = {0};
	struct srm_config *cfg;
	struct probe p;
	FILE *quiet;
	size_t guarded = 0;
	int rc;

	struct cli_parsed pa;

	rc = cli_parse(&check_spec, argc, argv, &pa);
	if (rc != 0)
		return rc == CLI_HELP ? 0 : rc;
	config = cli_val(&check_spec, &pa, "config");
	if (config != NULL)
		strlcpy_s(path, config, sizeof(path));
	else if (cli_default_config(path, sizeof(path)) != 0) {
		fprintf(stderr, "srm: neither XDG_CONFIG_HOME nor HOME is set; give --config FILE\n");
		return 2;
	}
	cfg = config_load_env(path, &diag, true); /* an unset credential is a failed login line */
	if (cfg == NULL) {
		for (size_t i = 0; i < diag.n; i++)
			fprintf(stderr, "%s\n", diag.msgs[i]);
		fprintf(stderr, "srm: check failed: config %s does not load (%zu error%s)\n", path,
			diag.n, diag.n == 1 ? "" : "s");
		return 1;
	}
	printf("srm admin check: %s%s\n", path, cfg->daemon.dry_run ? " (dry_run: true)" : "");
	line("config", "ok", -1, "loaded");
	for (size_t i = 0; i < diag.n_notes; i++)
		line("config", "warn", -1, "%s", diag.notes[i]);
#define FAILED(what) add_failed(failed, sizeof(failed), what)

	if (cfg->gateway.username == NULL || cfg->gateway.username[0] == '\0' ||
	    cfg->gateway.api_key == NULL || cfg->gateway.api_key[0] == '\0') {
		line("login", "FAIL", -1, "gateway.username / gateway.api_key are empty (export "
		     "PROJECTX_USERNAME and PROJECTX_API_KEY)");
		FAILED("login");
		goto local;
	}
	quiet = quiet_logs();
	rc = probe_run(&p, cfg->gateway.api_url, cfg->gateway.user_hub_url,
		       cfg->gateway.market_hub_url, cfg->gateway.username, cfg->gateway.api_key,
		       cfg->gateway.ca_file, true);
	loud_logs(quiet);
	if (rc != 0) {
		FAILED("gateway client");
		probe_free(&p);
		goto local;
	}
	if (p.login.ok) {
		line("login", "ok", p.login.ms, "Auth/loginKey at %s as %s", cfg->gateway.api_url,
		     cfg->gateway.username);
	} else {
		line("login", "FAIL", p.login.ms, "Auth/loginKey at %s as %s: %s", cfg->gateway.api_url,
		     cfg->gateway.username, p.login.err);
		FAILED("login");
	}
	if (p.search.ok) {
		for (size_t i = 0; i < p.n_accounts; i++)
			guarded += config_account_selected(cfg, p.evs[i].u.account.id,
							   p.evs[i].u.account.name);
		line("accounts", guarded > 0 ? "ok" : "FAIL", p.search.ms,
		     "Account/search: %zu active, %zu guarded", p.n_accounts, guarded);
		if (guarded == 0)
			FAILED("accounts (no visible account matches `accounts:`)");
		for (size_t i = 0; i < p.n_accounts; i++) {
			const struct px_account *a = &p.evs[i].u.account;
			char what[40];

			if (!config_account_selected(cfg, a->id, a->name))
				continue;
			snprintf(what, sizeof(what), "account %lld", (long long)a->id);
			line(what, a->can_trade ? "ok" : "warn", -1, "%s, balance %.2f, %s", a->name,
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
			line(what, "FAIL", -1, "listed in accounts: but not found by Account/search");
			FAILED(what);
		}
	} else {
		line("accounts", "FAIL", p.search.ms,
		     "Account/search: %s", p.search.err);
		FAILED("accounts");
	}
	for (int i = 0; i < 2; i++) {
		const char *name = i == 0 ? "user hub" : "market hub";
		const char *url = i == 0 ? cfg->gateway.user_hub_url : cfg->gateway.market_hub_url;

		if (!p.login.ok) {
			line(name, "FAIL", -1, "%s: not tried (no session)", url);
			FAILED(name);
		} else if (p.hubs[i].ok) {
			line(name, "ok", p.hubs[i].ms, "%s: connected, handshake done", url);
		} else {
			line(name, "FAIL", p.hubs[i].ms, "%s: %s", url, p.hubs[i].err);
			FAILED(name);
		}
	}
	probe_free(&p);
local:
	if (!check_store(cfg))
		FAILED("store");
	check_daemon(path);
#undef FAILED
	config_free(cfg);
	if (failed[0] != '\0') {
		printf("check FAILED: %s\n", failed);
		fprintf(stderr, "srm: check failed: %s\n", failed);
		return 1;
	}
	printf("all checks passed\n");
	return 0;
}
