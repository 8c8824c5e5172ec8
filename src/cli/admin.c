/* admin.c: `srm admin …`: passwd, config, lockouts, reset, daemon start/stop/restart. */
#include <crypt.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/client.h"
#include "cli/opts.h"
#include "config/config.h"
#include "util/strutil.h"

/* Make a yescrypt hash of a password read from $SRM_ADMIN_PASSWORD or the terminal. */
int admin_hash_password(char *out, size_t cap)
{
	const char *env = getenv("SRM_ADMIN_PASSWORD");
	char pw[256], pw2[256], salt[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data cd;
	const char *h;

	if (env != NULL) {
		strlcpy_s(pw, env, sizeof(pw));
	} else {
		char *p = getpass("new admin password: ");

		if (p == NULL)
			return 1;
		strlcpy_s(pw, p, sizeof(pw));
		p = getpass("again: ");
		if (p == NULL)
			return 1;
		strlcpy_s(pw2, p, sizeof(pw2));
		if (strcmp(pw, pw2) != 0) {
			fprintf(stderr, "srm: the passwords differ\n");
			return 1;
		}
	}
	if (strlen(pw) < 4) {
		fprintf(stderr, "srm: a password needs at least 4 characters\n");
		return 1;
	}
	if (crypt_gensalt_rn("$y$", 0, NULL, 0, salt, sizeof(salt)) == NULL) {
		fprintf(stderr, "srm: cannot make a salt: %s\n", strerror(errno));
		return 1;
	}
	memset(&cd, 0, sizeof(cd));
	h = crypt_rn(pw, salt, &cd, (int)sizeof(cd));
	memset(pw, 0, sizeof(pw));
	memset(pw2, 0, sizeof(pw2));
	if (h == NULL || h[0] == '*' || strlcpy_s(out, h, cap) >= cap) {
		fprintf(stderr, "srm: yescrypt failed\n");
		return 1;
	}
	return 0;
}

/* `srm admin passwd`: print the hash for the config. */
static int admin_passwd(void)
{
	char h[CRYPT_OUTPUT_SIZE];

	if (admin_hash_password(h, sizeof(h)) != 0)
		return 1;
	printf("%s\n", h);
	fprintf(stderr, "put it in the config as:  admin: {password_hash: \"%s\"}\n", h);
	return 0;
}

/* Connect, authenticate, make one admin call, print its data (JSON or nothing). */
static int admin_call(struct cli_opts *o, const char *cmd, cJSON *args, cJSON **data_out)
{
	struct client c;
	char path[108], pw[256];
	cJSON *r;
	int rc = 1;

	cli_socket_path(o, path, sizeof(path));
	if (client_get_password(pw, sizeof(pw)) != 0) {
		cJSON_Delete(args);
		return 1;
	}
	if (client_connect(&c, path) != 0) {
		explicit_bzero(pw, sizeof(pw));
		cJSON_Delete(args);
		return 1;
	}
	if (client_auth(&c, pw) != 0) {
		cJSON_Delete(args);
		client_close(&c);
		return 1;
	}
	r = client_call(&c, cmd, args);
	if (r != NULL && !client_reply_failed(r)) {
		rc = 0;
		if (data_out != NULL)
			*data_out = cJSON_DetachItemFromObjectCaseSensitive(r, "data");
	}
	cJSON_Delete(r);
	client_close(&c);
	return rc;
}

static int daemon_pid(const char *pidfile)
{
	FILE *f = fopen(pidfile, "r");
	long pid = 0;

	if (f == NULL)
		return 0;
	char buf[32];
	char *end;

	if (fgets(buf, sizeof(buf), f) != NULL) {
		errno = 0;
		pid = strtol(buf, &end, 10);
		if (errno != 0 || end == buf || (*end != '\n' && *end != '\0'))
			pid = 0;
	}
	(void)fclose(f);
	if (pid > 0 && kill((pid_t)pid, 0) == 0)
		return (int)pid;
	return 0;
}

static void pidfile_path(const char *sock, char *out, size_t cap)
{
	snprintf(out, cap, "%s.pid", sock);
}

static void nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* The last lines of srmd's log, when it did not come up. */
static void log_tail_to_stderr(const char *logfile)
{
	FILE *f = fopen(logfile, "r");
	char lines[6][512], buf[512];
	int n = 0;

	if (f == NULL)
		return;
	while (fgets(buf, sizeof(buf), f) != NULL)
		strlcpy_s(lines[n++ % 6], buf, sizeof(lines[0]));
	(void)fclose(f);
	for (int i = n > 6 ? n - 6 : 0; i < n; i++)
		fprintf(stderr, "  %s", lines[i % 6]);
}

/*
 * Wait until srmd says it is guarding: 0; or 1 after saying what it is still waiting for
 * (after wait_s seconds) or that it exited.
 */
static int wait_guarding(const char *sock, const char *pidfile, const char *logfile, double wait_s)
{
	char why[300] = "it did not answer";
	long waited = 0;

	while (waited <= (long)(wait_s * 1000)) {
		struct client c;
		cJSON *r = NULL;

		if (daemon_pid(pidfile) == 0) {
			fprintf(stderr, "srm: srmd exited while starting; the end of %s:\n", logfile);
			log_tail_to_stderr(logfile);
			return 1;
		}
		if (client_connect_quiet(&c, sock) == 0) {
			r = client_call(&c, "status", NULL);
			client_close(&c);
		}
		const cJSON *data = cJSON_GetObjectItemCaseSensitive(r, "data");
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(data, "daemon");

		if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(d, "guarded"))) {
			int n = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(data, "accounts"));

			printf("srmd started (pid %d) and is guarding %d account%s; log %s\n", daemon_pid(pidfile),
			       n, n == 1 ? "" : "s", logfile);
			cJSON_Delete(r);
			return 0;
		}
		if (d != NULL)
			snprintf(why, sizeof(why), "%s", cj_str(d, "notGuarded", cj_str(d, "phase", "?")));
		cJSON_Delete(r);
		nap_ms(200);
		waited += 200;
	}
	if (wait_s == 0) {
		printf("srmd started (pid %d); not waiting for it to guard; log %s\n", daemon_pid(pidfile), logfile);
		return 0;
	}
	fprintf(stderr, "srm: srmd is running (pid %d) but not guarding after %.0f s: %s\n"
		"  (srm status says more; the log is %s)\n", daemon_pid(pidfile), wait_s, why, logfile);
	return 1;
}

static int daemon_start(struct cli_opts *o, double wait_s)
{
	char sock[108], pidfile[160], logfile[160], srmd[4096];
	pid_t pid;

	if (o->config == NULL) {
		fprintf(stderr, "srm admin daemon start: --config FILE is required (the config srmd runs "
			"with)\ntry 'srm admin daemon start --help'\n");
		return 2;
	}
	cli_socket_path(o, sock, sizeof(sock));
	cli_srmd_path(srmd, sizeof(srmd));
	pidfile_path(sock, pidfile, sizeof(pidfile));
	snprintf(logfile, sizeof(logfile), "%s.log", sock);
	if (daemon_pid(pidfile) > 0) {
		fprintf(stderr, "srm: srmd is already running (pid %d)\n", daemon_pid(pidfile));
		return 1;
	}
	pid = fork();
	if (pid < 0) {
		perror("srm: fork");
		return 1;
	}
	if (pid == 0) {
		setsid();
		if (fork() != 0)
			_exit(0);
		FILE *f = fopen(pidfile, "w");

		if (f != NULL) {
			bool written = fprintf(f, "%ld\n", (long)getpid()) > 0;

			if (fclose(f) != 0 || !written)
				fprintf(stderr, "srm: %s: cannot write the pid\n", pidfile);
		}
		if (freopen("/dev/null", "r", stdin) == NULL || freopen(logfile, "a", stderr) == NULL ||
		    freopen("/dev/null", "w", stdout) == NULL)
			_exit(1);
		execlp(srmd, "srmd", "--config", o->config, "--socket", sock, (char *)NULL);
		_exit(127);
	}
	waitpid(pid, NULL, 0);
	/* the socket first (srmd may refuse to start: a bad config, a second instance) */
	for (int i = 0; i < 100; i++) {
		struct stat sb;

		if (stat(sock, &sb) == 0 && S_ISSOCK(sb.st_mode))
			return wait_guarding(sock, pidfile, logfile, wait_s);
		if (i >= 5 && daemon_pid(pidfile) == 0)
			break;
		nap_ms(100);
	}
	fprintf(stderr, "srm: srmd did not come up; the end of %s:\n", logfile);
	log_tail_to_stderr(logfile);
	return 1;
}

static int daemon_stop(struct cli_opts *o)
{
	char sock[108], pidfile[160];
	int rc = admin_call(o, "admin.daemon.stop", NULL, NULL);

	cli_socket_path(o, sock, sizeof(sock));
	pidfile_path(sock, pidfile, sizeof(pidfile));
	if (rc == 0) {
		for (int i = 0; i < 100 && daemon_pid(pidfile) > 0; i++) {
			struct timespec ts = {0, 50000000};

			nanosleep(&ts, NULL);
		}
		unlink(pidfile);
		printf("srmd stopped\n");
	}
	return rc;
}

/* What srmd did for an admin command, a line per action (--json: the actions as JSON). */
static void print_actions(const struct cli_opts *o, const cJSON *d, double account, const char *none)
{
	const cJSON *x;

	if (o->json) {
		char *t = cJSON_PrintUnformatted(d);

		if (t != NULL)
			puts(t);
		free(t);
		return;
	}
	if (cJSON_GetArraySize(d) == 0 && none != NULL)
		printf("%s\n", none);
	cJSON_ArrayForEach(x, d) {
		/* an action, or a lockout in force (what lockout set answers with) */
		const char *act = cj_str(x, "action", "lockout"), *until = cj_str(x, "until", NULL);
		const char *contract = cj_str(x, "contractId", NULL), *sym = cj_str(x, "symbol", NULL);
		char what[160] = "";

		if (strcmp(act, "lockout") == 0)
			snprintf(what, sizeof(what), "locked out%s%s until %s", sym ? " of " : "", sym ? sym : "",
				 until == NULL ? "?" : strcmp(until, "reset") == 0 ? "the reset" :
				 strcmp(until, "permanent") == 0 ? "an admin clears it (permanent)" : until);
		else if (strcmp(act, "unlock") == 0)
			snprintf(what, sizeof(what), "lockout cleared%s%s", sym ? " of " : "", sym ? sym : "");
		else if (cj_num(x, "orderId", 0) > 0)
			snprintf(what, sizeof(what), "%s order %.0f%s%s", act, cj_num(x, "orderId", 0),
				 contract ? " " : "", contract ? contract : "");
		else
			snprintf(what, sizeof(what), "%s%s%s", act, contract ? " " : "", contract ? contract : "");
		printf("%saccount %.0f: %s (%s: %s)\n", cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(x, "dryRun")) ?
		       "[dry run] " : "", cj_num(x, "accountId", account), what, cj_str(x, "rule", ""),
		       cj_str(x, "reason", ""));
	}
}

/* What `srm admin WORD [SUB] ARGS...` was given. */
struct admin_args {
	const struct cli_spec *spec;
	struct cli_parsed p;
	struct cli_opts o;              /* p.o */
	char **args;                    /* the positional arguments */
	int nargs;
};

static const char *aval(const struct admin_args *a, const char *name)
{
	return cli_val(a->spec, &a->p, name);
}

static bool aflag(const struct admin_args *a, const char *name)
{
	return cli_flag(a->spec, &a->p, name);
}

static int x_passwd(struct admin_args *a)
{
	(void)a;
	return admin_passwd();
}

static int x_config_validate(struct admin_args *a)
{
	return cmd_config_validate(a->args[0]);
}

static int x_config_example(struct admin_args *a)
{
	char *t = config_rules_example();

	(void)a;
	if (t == NULL)
		return 1;
	fputs(t, stdout);
	free(t);
	return 0;
}

static int x_config_reload(struct admin_args *a)
{
	int rc = admin_call(&a->o, "admin.config.reload", NULL, NULL);

	if (rc == 0)
		printf("config reloaded\n");
	return rc;
}

static int x_config_show(struct admin_args *a)
{
	cJSON *data = NULL, *args = NULL;
	int rc;

	if (aval(a, "effective") != NULL) {
		double id;

		if (cli_number(aval(a, "effective"), "--effective ACCOUNT", 1, CLI_ACCOUNT_MAX, &id) != 0)
			return 2;
		args = cJSON_CreateObject();
		cJSON_AddNumberToObject(args, "account", id);
	}
	rc = admin_call(&a->o, "admin.config.show", args, &data);

	if (rc == 0) {
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(data, "text");

		fputs(cJSON_IsString(t) ? t->valuestring : "", stdout);
	}
	cJSON_Delete(data);
	return rc;
}

/* {"account": N} from the word at args[i] (2 when it is not an account id). */
static int account_args(const struct admin_args *a, int i, cJSON **out)
{
	double id;

	*out = NULL;
	if (cli_number(a->args[i], "ACCOUNT", 1, CLI_ACCOUNT_MAX, &id) != 0) {
		fprintf(stderr, "try 'srm %s --help'\n", a->spec->name);
		return 2;
	}
	*out = cJSON_CreateObject();
	cJSON_AddNumberToObject(*out, "account", id);
	return 0;
}

static int call_print(struct admin_args *a, const char *cmd, cJSON *args, const char *none)
{
	cJSON *data = NULL;
	double account = cj_num(args, "account", 0);
	int rc = admin_call(&a->o, cmd, args, &data);

	if (rc == 0)
		print_actions(&a->o, data, account, none);
	cJSON_Delete(data);
	return rc;
}

static int x_lockout_set(struct admin_args *a)
{
	cJSON *args;

	if (account_args(a, 0, &args) != 0)
		return 2;
	int how = (aval(a, "for") != NULL) + aflag(a, "until-reset") + aflag(a, "permanent");

	if (how != 1) {
		cJSON_Delete(args);
		return cli_usage_error(a->spec, "give one of --for DURATION, --until-reset, --permanent");
	}
	if (aval(a, "for") != NULL)
		cJSON_AddStringToObject(args, "for", aval(a, "for"));
	if (aflag(a, "until-reset"))
		cJSON_AddTrueToObject(args, "untilReset");
	if (aflag(a, "permanent"))
		cJSON_AddTrueToObject(args, "permanent");
	if (aval(a, "reason") != NULL)
		cJSON_AddStringToObject(args, "reason", aval(a, "reason"));
	return call_print(a, "admin.lockout.set", args, NULL);
}

static int x_lockout_clear(struct admin_args *a)
{
	cJSON *args;

	if (account_args(a, 0, &args) != 0)
		return 2;
	char none[96];

	snprintf(none, sizeof(none), "account %s: lockouts cleared; trading is allowed", a->args[0]);
	return call_print(a, "admin.lockout.clear", args, none);
}

static int x_enforce(struct admin_args *a)
{
	cJSON *args, *data = NULL;
	int rc;

	if (account_args(a, 0, &args) != 0)
		return 2;
	cJSON_AddStringToObject(args, "rule", a->args[1]);
	if (aflag(a, "dry-run"))
		cJSON_AddTrueToObject(args, "dryRun");
	rc = admin_call(&a->o, "admin.enforce", args, &data);
	if (rc == 0) {
		const cJSON *x;

		if (cJSON_GetArraySize(data) == 0)
			printf("%s: nothing to enforce on account %s\n", a->args[1], a->args[0]);
		cJSON_ArrayForEach(x, data) {
			const cJSON *k = cJSON_GetObjectItemCaseSensitive(x, "action");
			const cJSON *why = cJSON_GetObjectItemCaseSensitive(x, "reason");

			printf("%s%s: %s\n", aflag(a, "dry-run") ? "[dry run] " : "",
			       cJSON_IsString(k) ? k->valuestring : "?",
			       cJSON_IsString(why) ? why->valuestring : "");
		}
	}
	cJSON_Delete(data);
	return rc;
}

static int x_reset(struct admin_args *a)
{
	cJSON *args = NULL;
	int rc;

	if (a->nargs >= 1 && account_args(a, 0, &args) != 0)
		return 2;
	if (args == NULL)
		args = cJSON_CreateObject();
	rc = admin_call(&a->o, "admin.reset", args, NULL);
	if (rc == 0)
		printf("daily reset done\n");
	return rc;
}

/* --wait SECONDS (default 60) */
static int wait_arg(struct admin_args *a, double *out)
{
	*out = 60;
	if (aval(a, "wait") != NULL && cli_number(aval(a, "wait"), "--wait", 0, 3600, out) != 0)
		return 2;
	return 0;
}

static int x_daemon_start(struct admin_args *a)
{
	double w;

	if (wait_arg(a, &w) != 0)
		return 2;
	return daemon_start(&a->o, w);
}

static int x_daemon_stop(struct admin_args *a)
{
	return daemon_stop(&a->o);
}

static int x_daemon_restart(struct admin_args *a)
{
	double w;
	int rc = wait_arg(a, &w);

	if (rc == 0)
		rc = daemon_stop(&a->o);
	return rc != 0 ? rc : daemon_start(&a->o, w);
}

#define D (CLI_C_DAEMON | CLI_C_JSON)
#define PW "\n\nIt asks for the admin password (or reads $SRM_ADMIN_PASSWORD)."

static const struct cli_opt o_show[] = {
	{ "effective", 'e', "ACCOUNT", "the rules as they apply to this account (profile, overrides)" },
	{ 0 },
};
static const struct cli_opt o_lock[] = {
	{ "for", 0, "DURATION", "for this long: 30m, 2h, 1d" },
	{ "until-reset", 0, NULL, "until the next daily reset" },
	{ "permanent", 0, NULL, "until an admin clears it" },
	{ "reason", 'r', "TEXT", "why (shown to the trader and kept in the journal)" },
	{ 0 },
};
static const struct cli_opt o_wait[] = {
	{ "wait", 'w', "SECONDS", "how long to wait for srmd to guard (default 60; 0: do not wait)" },
	{ 0 },
};
static const struct cli_opt o_enforce[] = {
	{ "dry-run", 0, NULL, "say what would be done, do nothing" },
	{ 0 },
};

/* What each admin command is; init and check (admin_init.c) parse their own options. */
struct admin_cmd {
	const char *word, *sub;         /* sub NULL: a one-word command */
	const char *brief;              /* its line in `srm admin --help` */
	struct cli_spec spec;
	int (*exec)(struct admin_args *a);
	int (*own)(int argc, char **argv); /* parses argv itself */
};

static const struct admin_cmd admin_cmds[] = {
	{ "init", NULL, "write a first config (dry run, credentials as ${ENV})", { .name = "admin init", .summary = "Write a first config (see srm admin init --help)." },
	  NULL, cmd_admin_init },
	{ "check", NULL, "check the config, login, hubs, accounts, store and srmd", { .name = "admin check", .summary = "Check the config, the login, the hubs, the "
			   "accounts, the store and srmd." }, NULL, cmd_admin_check },
	{ "passwd", NULL, "make the admin password's hash for the config", { .name = "admin passwd", .args = "",
			    .summary = "Read a new admin password (twice, or $SRM_ADMIN_PASSWORD) and print its "
				       "yescrypt hash\nfor the config's admin.password_hash." }, x_passwd, NULL },
	{ "config", "validate", "check a config file: FILE:LINE: what is wrong", { .name = "admin config validate", .args = "FILE", .min_args = 1, .max_args = 1,
				  .summary = "Check a config: every problem as FILE:LINE: key: what is wrong. An "
					     "unset ${VAR} is a\nwarning (srmd will need it). Exit 0 valid, 1 not." },
	  x_config_validate, NULL },
	{ "config", "show", "the config srmd runs with, secrets redacted", { .name = "admin config show", .args = "", .common = D, .opts = o_show,
			      .summary = "The config srmd runs with, secrets redacted." PW }, x_config_show, NULL },
	{ "config", "reload", "make srmd read its config again", { .name = "admin config reload", .args = "", .common = D,
				.summary = "Make srmd read its config again (as SIGHUP does); a bad config is "
					   "refused and the old one kept." PW }, x_config_reload, NULL },
	{ "config", "example", "every rule key with its default and help", { .name = "admin config example", .args = "",
				 .summary = "Every rule key with its default and help, as YAML." }, x_config_example, NULL },
	{ "lockout", "set", "lock an account out (--for, --until-reset, --permanent)", { .name = "admin lockout set", .args = "ACCOUNT", .min_args = 1, .max_args = 1,
			      .common = D, .opts = o_lock,
			      .summary = "Lock an account out: its orders are cancelled, its positions closed, "
					 "and new\norders cancelled until the lockout ends." PW,
			      .more = "example:\n  srm admin lockout set 10001 --for 2h --reason \"tilted\"" },
	  x_lockout_set, NULL },
	{ "lockout", "clear", "clear an account's lockouts", { .name = "admin lockout clear", .args = "ACCOUNT", .min_args = 1, .max_args = 1,
				.common = D, .summary = "Clear every lockout of an account." PW }, x_lockout_clear, NULL },
	{ "reset", NULL, "do the daily reset now", { .name = "admin reset", .args = "[ACCOUNT]", .max_args = 1, .common = D,
			   .summary = "Do the daily reset now (the day's P&L, counts and until-reset lockouts), for "
				      "one\naccount or all." PW }, x_reset, NULL },
	{ "enforce", NULL, "judge one rule now and act on it", { .name = "admin enforce", .args = "ACCOUNT RULE", .min_args = 2, .max_args = 2,
			     .common = D, .opts = o_enforce,
			     .summary = "Judge one rule now for an account and do what it says (RULE: RULE-003 or "
					"its name)." PW }, x_enforce, NULL },
	{ "daemon", "start", "start srmd and wait until it guards", { .name = "admin daemon start", .args = "", .common = CLI_C_DAEMON, .opts = o_wait,
			       .summary = "Start srmd in the background with --config FILE and wait until it is "
					  "guarding\n(or say what it is waiting for). The log goes beside the "
					  "socket (SOCKET.log)." }, x_daemon_start, NULL },
	{ "daemon", "stop", "stop srmd", { .name = "admin daemon stop", .args = "", .common = CLI_C_DAEMON,
			      .summary = "Stop srmd cleanly; your accounts are no longer guarded." PW },
	  x_daemon_stop, NULL },
	{ "daemon", "restart", "stop srmd and start it again", { .name = "admin daemon restart", .args = "", .common = CLI_C_DAEMON, .opts = o_wait,
				 .summary = "Stop srmd and start it again with --config FILE." PW },
	  x_daemon_restart, NULL },
};
#define N_ADMIN_CMDS (sizeof(admin_cmds) / sizeof(admin_cmds[0]))

static void admin_list(FILE *f, const char *word)
{
	fprintf(f, "usage: srm admin %s%sCOMMAND [OPTIONS] [ARGS]\n\ncommands:\n", word ? word : "",
		word ? " " : "");
	for (size_t i = 0; i < N_ADMIN_CMDS; i++) {
		const struct admin_cmd *c = &admin_cmds[i];
		char left[64];

		if (word != NULL && strcmp(c->word, word) != 0)
			continue;
		snprintf(left, sizeof(left), "%s%s%s %s", c->word, c->sub ? " " : "", c->sub ? c->sub : "",
			 c->spec.args ? c->spec.args : "");
		fprintf(f, "  srm admin %-30s %s\n", left, c->brief);
	}
	fprintf(f, "\n'srm admin COMMAND --help' says more about each.\n");
}

int cmd_admin(int argc, char **argv)
{
	const char *w1 = argc >= 2 ? argv[1] : NULL, *w2 = argc >= 3 ? argv[2] : NULL;
	bool word_known = false;

	if (w1 == NULL) {
		admin_list(stderr, NULL);
		return 2;
	}
	if (w1[0] == '-' && strcmp(w1, "-h") != 0 && strcmp(w1, "--help") != 0) {
		fprintf(stderr, "srm admin: unknown option %s (options go after the command)\n"
			"try 'srm admin --help'\n", w1);
		return 2;
	}
	if (strcmp(w1, "-h") == 0 || strcmp(w1, "--help") == 0 || strcmp(w1, "help") == 0) {
		admin_list(stdout, NULL);
		return 0;
	}
	for (size_t i = 0; i < N_ADMIN_CMDS; i++) {
		const struct admin_cmd *c = &admin_cmds[i];
		struct admin_args a = { .spec = &c->spec };
		int skip = c->sub != NULL ? 2 : 1, rc;

		if (strcmp(w1, c->word) != 0)
			continue;
		word_known = true;
		if (c->sub != NULL && (w2 == NULL || strcmp(w2, c->sub) != 0))
			continue;
		if (c->own != NULL)
			return c->own(argc - 1, argv + 1);
		rc = cli_parse(&c->spec, argc - skip, argv + skip, &a.p);
		if (rc != 0)
			return rc == CLI_HELP ? 0 : rc;
		a.o = a.p.o;
		a.args = a.p.args;
		a.nargs = a.p.nargs;
		return c->exec(&a);
	}
	if (word_known && w2 != NULL && (strcmp(w2, "-h") == 0 || strcmp(w2, "--help") == 0)) {
		admin_list(stdout, w1);
		return 0;
	}
	if (word_known) {
		if (w2 == NULL)
			fprintf(stderr, "srm admin %s: which one?\n", w1);
		else
			fprintf(stderr, "srm admin %s: unknown command '%s'\n", w1, w2);
		admin_list(stderr, w1);
		return 2;
	}
	fprintf(stderr, "srm admin: unknown command '%s'\ntry 'srm admin --help'\n", w1);
	return 2;
}
