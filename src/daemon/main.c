/* main.c: srmd's start-up: the command line, config, state directory, store, engine, socket; then the loop. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/alerts.h"
#include "daemon/check.h"
#include "daemon/dashboard.h"
#include "daemon/srmd.h"
#include "wire/record.h"
#include "util/log.h"
#include "util/secure.h"
#include "util/strutil.h"
#include "util/xalloc.h"
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
	(void)fclose(f);
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

static void usage(FILE *f)
{
	fprintf(f, "usage: srmd --config FILE [--socket PATH] [--log-file FILE] [--new-state] [--record FILE]\n"
		   "       srmd --check --config FILE [--socket PATH] [--json] [--login-only]\n"
		   "  Guards the accounts behind a ProjectX API key (see `man srmd`).\n"
		   "  --new-state  begin with a new state file when the one in state_dir is empty or\n"
		   "               missing (refused otherwise: it would forget every lockout)\n"
		   "  --record FILE write every event the engine gets to FILE, for `srm replay`\n"
		   "  --check      judge the config as srmd would and exit (0: all passed, 1: not): load\n"
		   "               it, log in, list the accounts, reach both hubs, look at the store and\n"
		   "               the socket; never guards, never takes the state directory's lock\n"
		   "  --json       (--check) the report as one JSON object\n"
		   "  --login-only (--check) only the login and the account list\n"
		   "  (--check drops the gateway client's log lines unless --log-file or $SRM_DEBUG)\n");
}

int main(int argc, char **argv)
{
	static struct srmd d;
	struct config_diag diag = {0};
	struct srm_err err = {0};
	const char *config = NULL, *socket_opt = getenv("SRM_SOCKET"), *log_file = NULL;
	const char *record = NULL;
	char *start_yaml = NULL;
	bool new_state = false, check = false, json = false, login_only = false;
	FILE *logf = NULL;
	int rc = 1, opt;
	static const struct option longopts[] = {
		{"config", required_argument, NULL, 'c'},
		{"socket", required_argument, NULL, 's'},
		{"log-file", required_argument, NULL, 'l'},
		{"new-state", no_argument, NULL, 'N'},
		{"record", required_argument, NULL, 'R'},
		{"check", no_argument, NULL, 'C'},
		{"json", no_argument, NULL, 'J'},
		{"login-only", no_argument, NULL, 'L'},
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
		case 'R':
			record = optarg;
			break;
		case 'C':
			check = true;
			break;
		case 'J':
			json = true;
			break;
		case 'L':
			login_only = true;
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
	if (!check && (json || login_only)) {
		fprintf(stderr, "srmd: --json and --login-only go with --check\n");
		usage(stderr);
		return 2;
	}
	if (check && (new_state || record != NULL)) {
		fprintf(stderr, "srmd: --check starts nothing: --new-state and --record do not go with it\n");
		usage(stderr);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	/* the API key, the token and admin passwords never go into a core file */
	secure_no_dumps();
	if (check) {
		struct srmd_check_opts co = {
			.config = config, .socket = socket_opt, .json = json, .login_only = login_only,
			.keep_logs = log_file != NULL,
		};

		if (log_file != NULL && (logf = fopen(log_file, "a")) == NULL) {
			fprintf(stderr, "srmd: %s: %s\n", log_file, strerror(errno));
			return 2;
		}
		if (logf != NULL)
			log_set_stream(logf);
		rc = srmd_check(&co);
		if (logf != NULL) {
			log_set_stream(NULL);
			(void)fclose(logf);
		}
		return rc;
	}
	/* A stop asked for while starting up waits until it can be a clean stop (the socket
	 * unlinked, the books saved): SIGTERM/INT/HUP are held until their handlers are in. */
	sigset_t held;

	sigemptyset(&held);
	sigaddset(&held, SIGTERM);
	sigaddset(&held, SIGINT);
	sigaddset(&held, SIGHUP);
	sigprocmask(SIG_BLOCK, &held, NULL);
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
	/* when recording, the same bytes redacted: the recording's first Config line */
	d.cfg = record != NULL ? config_load_redacted(config, &start_yaml, &diag) : config_load(config, &diag);
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
	srm_ms engine_start = srmd_now();

	d.eng = engine_new(d.cfg, d.zone, engine_start);
	if (record != NULL) {
		char *h = record_header(engine_start, "srmd " SRMD_VERSION);

		struct srm_event cev = {.kind = EV_CONFIG};
		char *c;

		cev.u.config = (struct ev_config){d.cfg, d.zone, start_yaml, d.config_path, false};
		c = record_line(engine_start, &cev);
		/* the trader's day and config (secrets redacted): the owner's only */
		int rfd = open(record, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);

		/* an older file keeps its mode through O_CREAT: made the owner's here */
		if (rfd >= 0 && fchmod(rfd, 0600) != 0) {
			(void)close(rfd);
			rfd = -1;
		}
		d.record = rfd >= 0 ? fdopen(rfd, "w") : NULL;
		if (d.record == NULL && rfd >= 0)
			(void)close(rfd);
		if (d.record == NULL || h == NULL || c == NULL || fprintf(d.record, "%s\n%s\n", h, c) < 0 ||
		    fflush(d.record) != 0) {
			fprintf(stderr, "srmd: --record %s: %s\n", record, strerror(errno));
			free(h);
			free(c);
			rc = 2;
			goto out;
		}
		free(h);
		free(c);
	}
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
	/*
	 * Enforcement does not wait for the dashboard: one that cannot listen is logged, not
	 * fatal. Its libwebsockets context is srmd's only one (the hub client is wslay on
	 * OpenSSL); dashboard_start says why it makes its own client SSL_CTX.
	 */
	if (dashboard_start(&d, &err) != 0)
		log_error("dashboard", "not serving | err=\"%s\"", err.msg);
	if (srmd_gateway_open(&d, &err) != 0) {
		fprintf(stderr, "srmd: %s\n", err.msg);
		dashboard_stop(&d);
		goto out;
	}
	srmd_handles_open(&d);
	d.alerts = alerts_new(&d);
#ifdef SRM_FAULT_INJECTION
	uv_signal_init(d.loop, &sig_fault);
	uv_signal_start(&sig_fault, on_fault_signal, SIGUSR2);
	d.sig_extra = &sig_fault;
#endif
	sigprocmask(SIG_UNBLOCK, &held, NULL);

	log_info("srmd", "starting | version=%s config=%s socket=%s state=%s dry_run=%d", SRMD_VERSION,
		 config, d.socket_path, d.db_path, d.cfg->daemon.dry_run);
	d.phase = PH_LOGIN;
	{
		uint64_t wait = srmd_start_delay_ms(&d);

		if (wait > 0) {
			snprintf(d.last_error, sizeof(d.last_error), "waiting %llu s before logging in "
				 "(restart backoff, to spare the gateway's rate budget)",
				 (unsigned long long)(wait + 999) / 1000);
			srmd_login_later(&d, wait);
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
	srmd_reconcile_free(&d);
	engine_free(d.eng);
	store_close(d.st);
	tz_free(d.zone);
	config_free(d.cfg);
	free(start_yaml);
	free(d.guarded);
	free(d.verify);
	free(d.dirty);
	free(d.mem_gen);
	free(d.news);
	free(d.looked_up);
	free(d.unsettled);
	free(d.later);
	free(d.config_path);
	free(d.socket_path);
	free(d.db_path);
	statedir_close(&d.statedir);
	if (d.record != NULL)
		(void)fclose(d.record);
	if (logf != NULL && fclose(logf) != 0 && rc == 0)
		rc = 1; /* the log could not be written to the end */
	return rc;
}
