/* main.c: srmd: start-up (config, store, login, reconcile, hubs), signals, cron, shutdown. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon/srmd.h"
#include "util/log.h"
#include "util/secure.h"
#ifdef SRM_FAULT_INJECTION
#include "store/faultvfs.h"

/*
 * The test build (srmd-fault): SIGUSR2 arms the SQLite fault VFS from the spec in the file
 * $SRM_FAULT_VFS_FILE ("write:1:-1", "sync:3:2,err=full"; "off" disarms).
 */
static uv_signal_t sig_fault;

static void on_fault_signal(uv_signal_t *s, int signum)
{
	const char *path = getenv("SRM_FAULT_VFS_FILE");
	char spec[FAULTVFS_SPEC_MAX + 2] = "";
	struct srm_err err = {0};
	FILE *f;

	(void)s;
	(void)signum;
	if (path == NULL || (f = fopen(path, "r")) == NULL) {
		log_error("fault", "SIGUSR2: no $SRM_FAULT_VFS_FILE to read");
		return;
	}
	if (fgets(spec, sizeof(spec), f) == NULL)
		spec[0] = '\0';
	fclose(f);
	spec[strcspn(spec, "\r\n")] = '\0';
	if (strcmp(spec, "off") == 0 || spec[0] == '\0') {
		faultvfs_disarm();
		log_warn("fault", "SQLite fault injection off");
	} else if (faultvfs_arm_spec(spec, &err) != 0) {
		log_error("fault", "bad fault spec | err=\"%s\"", err.msg);
	} else {
		log_warn("fault", "SQLite fault injection armed | spec=\"%s\"", spec);
	}
}
#endif
#include "util/strutil.h"
#include "util/xalloc.h"

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
	if (st == GW_HUB_CONNECTED && resync && hub == d->user_hub && d->phase == PH_GUARDING)
		srmd_reconcile(d, "user hub reconnected");
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

static void on_cron(uv_timer_t *t)
{
	struct srmd *d = t->data;
	struct act_list l;

	/* time-driven rules (grace periods, cooldown ends, resets) fire here */
	l = engine_advance(d->eng, srmd_now());
	if (l.n > 0)
		srmd_handle_actions(d, l);
	srmd_save_books(d);
	auth_cron(d->auth);
	if (d->resync_wanted && d->reconciles_pending == 0 && d->rest != NULL &&
	    (d->phase == PH_GUARDING || d->phase == PH_RECONCILE) &&
	    srmd_mono_ns() / 1000000 >= d->recon_retry_ms)
		srmd_reconcile(d, "retry after a failed reconcile");
	srmd_guard(d, NULL, 0);
}

static void closed_cb(void *ud)
{
	(void)ud;
}

/* libwebsockets needs a loop turn between the hubs' close and its context's destroy. */
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
	d->phase = PH_STOPPING;
	d->exit_code = code;
	uv_timer_stop(&d->cron);
	uv_close((uv_handle_t *)&d->cron, NULL);
	uv_timer_stop(&d->login_timer);
	uv_close((uv_handle_t *)&d->login_timer, NULL);
	uv_close((uv_handle_t *)&d->sig_term, NULL);
	uv_close((uv_handle_t *)&d->sig_int, NULL);
	uv_close((uv_handle_t *)&d->sig_hup, NULL);
#ifdef SRM_FAULT_INJECTION
	uv_close((uv_handle_t *)&sig_fault, NULL);
#endif
	auth_shutdown(d->auth);
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

static void usage(FILE *f)
{
	fprintf(f, "usage: srmd --config FILE [--socket PATH] [--log-file FILE] [--new-state]\n"
		   "  Guards the accounts behind a ProjectX API key (see `man srmd`).\n"
		   "  --new-state  begin with a new state file when the one in state_dir is empty or\n"
		   "               missing (refused otherwise: it would forget every lockout)\n");
}

int main(int argc, char **argv)
{
	static struct srmd d;
	struct config_diag diag = {0};
	struct srm_err err = {0};
	const char *config = NULL, *socket_opt = getenv("SRM_SOCKET"), *log_file = NULL;
	bool new_state = false;
	FILE *logf = NULL;
	int rc = 1, opt;
	static const struct option longopts[] = {
		{"config", required_argument, NULL, 'c'},
		{"socket", required_argument, NULL, 's'},
		{"log-file", required_argument, NULL, 'l'},
		{"new-state", no_argument, NULL, 'N'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};

	d.statedir.lock_fd = -1;
	while ((opt = getopt_long(argc, argv, "c:s:l:hV", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			config = optarg;
			break;
		case 's':
			socket_opt = optarg;
			break;
		case 'l':
			log_file = optarg;
			break;
		case 'N':
			new_state = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("srmd %s\n", SRMD_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "srmd: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	if (config == NULL) {
		fprintf(stderr, "srmd: --config FILE is required\n");
		usage(stderr);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	/* the API key, the token and admin passwords never go into a core file */
	secure_no_dumps();
	/* A file that may not grow (RLIMIT_FSIZE) is a failed write, handled like a full disk. */
	signal(SIGXFSZ, SIG_IGN);
	if (log_file != NULL) {
		logf = fopen(log_file, "a");
		if (logf == NULL) {
			fprintf(stderr, "srmd: %s: %s\n", log_file, strerror(errno));
			return 2;
		}
		log_set_stream(logf);
	}
	d.started_ns = srmd_mono_ns();
	d.started_ms = srmd_now();
	d.config_path = xstrdup(config);
	d.cfg = config_load(config, &diag);
	if (d.cfg == NULL) {
		for (size_t i = 0; i < diag.n; i++)
			fprintf(stderr, "%s\n", diag.msgs[i]);
		fprintf(stderr, "srmd: invalid config, not starting\n");
		rc = 2;
		goto out;
	}
	{
		enum log_level lvl;

		if (d.cfg->daemon.log_level && log_level_parse(d.cfg->daemon.log_level, &lvl) == 0)
			log_set_level(lvl);
	}
	if (d.cfg->gateway.username == NULL || d.cfg->gateway.api_key == NULL ||
	    d.cfg->gateway.username[0] == '\0' || d.cfg->gateway.api_key[0] == '\0') {
		fprintf(stderr, "srmd: %s: gateway.username and gateway.api_key are required "
				"(set PROJECTX_USERNAME and PROJECTX_API_KEY)\n", config);
		rc = 2;
		goto out;
	}
	d.zone = tz_load(d.cfg->daemon.timezone, &err);
	if (d.zone == NULL) {
		fprintf(stderr, "srmd: timezone %s: %s\n", d.cfg->daemon.timezone, err.msg);
		goto out;
	}
	if (statedir_open(&d.statedir, d.cfg->daemon.state_dir, &err) != 0) {
		fprintf(stderr, "srmd: %s\n", err.msg);
		rc = 2;
		goto out;
	}
	{
		char path[4096];

		snprintf(path, sizeof(path), "%s/srm.db", d.cfg->daemon.state_dir);
		d.db_path = xstrdup(path);
	}
#ifdef SRM_FAULT_INJECTION
	faultvfs_register_default();
#endif
	d.st = store_open_flags(d.db_path, (new_state ? STORE_NEW_OK : 0) |
				(d.statedir.used_before ? STORE_USED_BEFORE : 0), &err);
	if (d.st == NULL) {
		fprintf(stderr, "srmd: %s\n", err.msg);
		rc = 2;
		goto out;
	}
	d.eng = engine_new(d.cfg, d.zone, srmd_now());
	if (store_load(d.st, d.eng, engine_last_reset(d.eng), &err) != 0) {
		fprintf(stderr, "srmd: %s\n", err.msg);
		goto out;
	}
	{
		char first[160];
		size_t bad = store_bad_rows(d.st, first, sizeof(first));

		if (bad > 0)
			log_warn("store", "state rows out of range were not trusted | rows=%zu first=\"%s\"",
				 bad, first);
	}
	srmd_settle_at_start(&d);
	d.loop = uv_default_loop();
	d.auth = auth_new(d.loop, d.st);
	srmd_reloader_new(&d);
	d.socket_path = xstrdup(socket_opt ? socket_opt : d.cfg->daemon.socket);
	{
		char why[600];

		if (d.socket_path[0] == '\0') {
			fprintf(stderr, "srmd: daemon.socket is not set and has no default (neither "
					"XDG_RUNTIME_DIR nor HOME is set): set it in the config\n");
			rc = 2;
			goto out;
		}
		if (statedir_parent_shared(d.socket_path, why, sizeof(why))) {
			fprintf(stderr, "srmd: %s\n", why);
			rc = 2;
			goto out;
		}
	}
	d.ipc = ipc_server_new(d.loop, d.socket_path, srmd_ipc_request, &d, &err);
	if (d.ipc == NULL) {
		fprintf(stderr, "srmd: %s\n", err.msg);
		goto out;
	}
	struct gw_rest_opts ro = {
		.base_url = d.cfg->gateway.api_url, .username = d.cfg->gateway.username,
		.api_key = d.cfg->gateway.api_key, .ca_file = d.cfg->gateway.ca_file,
		.on_token = on_token, .on_auth_fail = on_auth_fail, .ud = &d,
	};

	d.rest = gw_rest_new(d.loop, &ro, &err);
	if (d.rest == NULL) {
		fprintf(stderr, "srmd: gateway: %s\n", err.msg);
		goto out;
	}
	d.ws = gw_ws_new(d.loop, d.cfg->gateway.ca_file, &err);
	if (d.ws == NULL) {
		fprintf(stderr, "srmd: websocket: %s\n", err.msg);
		goto out;
	}
	struct gw_hub_opts uo = {
		.kind = GW_HUB_USER, .ws = d.ws, .url = d.cfg->gateway.user_hub_url,
		.on_event = on_hub_event, .on_state = on_hub_state, .ud = &d,
	};
	struct gw_hub_opts mo = uo;

	mo.kind = GW_HUB_MARKET;
	mo.url = d.cfg->gateway.market_hub_url;
	d.user_hub = gw_hub_new(d.loop, &uo, &err);
	d.market_hub = d.user_hub ? gw_hub_new(d.loop, &mo, &err) : NULL;
	if (d.market_hub == NULL) {
		fprintf(stderr, "srmd: hub: %s\n", err.msg);
		goto out;
	}
	uv_signal_init(d.loop, &d.sig_term);
	uv_signal_init(d.loop, &d.sig_int);
	uv_signal_init(d.loop, &d.sig_hup);
	d.sig_term.data = d.sig_int.data = d.sig_hup.data = &d;
	uv_signal_start(&d.sig_term, on_signal, SIGTERM);
	uv_signal_start(&d.sig_int, on_signal, SIGINT);
	uv_signal_start(&d.sig_hup, on_signal, SIGHUP);
#ifdef SRM_FAULT_INJECTION
	uv_signal_init(d.loop, &sig_fault);
	uv_signal_start(&sig_fault, on_fault_signal, SIGUSR2);
#endif
	uv_timer_init(d.loop, &d.cron);
	d.cron.data = &d;
	uv_timer_init(d.loop, &d.retry);
	d.retry.data = &d;
	uv_timer_init(d.loop, &d.login_timer);
	d.login_timer.data = &d;
	uv_timer_start(&d.cron, on_cron, 100, 100);

	log_info("srmd", "starting | version=%s config=%s socket=%s state=%s dry_run=%d", SRMD_VERSION,
		 config, d.socket_path, d.db_path, d.cfg->daemon.dry_run);
	d.phase = PH_LOGIN;
	{
		uint64_t wait = srmd_start_delay_ms(&d);

		if (wait > 0) {
			snprintf(d.last_error, sizeof(d.last_error), "waiting %llu s before logging in "
				 "(restart backoff, to spare the gateway's rate budget)",
				 (unsigned long long)(wait + 999) / 1000);
			uv_timer_start(&d.login_timer, login_again, wait, 0);
		} else {
			gw_rest_start(d.rest);
		}
	}
	uv_run(d.loop, UV_RUN_DEFAULT);
	rc = d.exit_code;
	srmd_save_books(&d);
	{
		struct srm_err cerr = {0};

		if (store_checkpoint(d.st, &cerr) != 0)
			log_warn("store", "checkpoint at exit failed | err=\"%s\"", cerr.msg);
	}
	log_info("srmd", "stopped");
out:
	if (d.loop != NULL) {
		uv_run(d.loop, UV_RUN_NOWAIT);
		uv_loop_close(d.loop);
	}
	ipc_server_free(d.ipc); /* the server struct outlives its closed handles */
	auth_free(d.auth);
	srmd_reloader_free(&d);
	engine_free(d.eng);
	store_close(d.st);
	tz_free(d.zone);
	config_free(d.cfg);
	free(d.guarded);
	free(d.dirty);
	free(d.news);
	free(d.looked_up);
	free(d.unsettled);
	free(d.later);
	free(d.config_path);
	free(d.socket_path);
	free(d.db_path);
	statedir_close(&d.statedir);
	if (logf != NULL)
		fclose(logf);
	return rc;
}
