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

static int daemon_start(struct cli_opts *o)
{
	char sock[108], pidfile[160], logfile[160];
	const char *srmd = getenv("SRMD");
	pid_t pid;

	if (o->config == NULL) {
		fprintf(stderr, "srm: daemon start needs --config FILE\n");
		return 2;
	}
	cli_socket_path(o, sock, sizeof(sock));
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
		execlp(srmd ? srmd : "srmd", "srmd", "--config", o->config, "--socket", sock, (char *)NULL);
		_exit(127);
	}
	waitpid(pid, NULL, 0);
	/* wait for the socket to appear */
	for (int i = 0; i < 50; i++) {
		struct stat sb;

		if (stat(sock, &sb) == 0) {
			printf("srmd started (pid %d), log %s\n", daemon_pid(pidfile), logfile);
			return 0;
		}
		struct timespec ts = {0, 100000000};

		nanosleep(&ts, NULL);
	}
	fprintf(stderr, "srm: srmd did not come up; see %s\n", logfile);
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

static void print_data(const cJSON *d)
{
	char *s;

	if (d == NULL || cJSON_IsNull(d))
		return;
	s = cJSON_PrintUnformatted(d);
	if (s != NULL)
		puts(s);
	free(s);
}

/* What `srm admin WORD [SUB] ARGS...` was given. */
struct admin_args {
	struct cli_opts o;
	const char *vals[3];            /* --for, --reason, --effective */
	char *args[8];                  /* the words after the command */
	int nargs;
	bool until_reset, permanent, dry_run;
};

struct admin_cmd {
	const char *name, *sub;         /* sub NULL: a one-word command */
	int min_args, max_args;
	const char *usage;              /* after the words */
	int (*exec)(struct admin_args *a);
};

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

	if (a->vals[2] != NULL) {
		double id;

		if (cli_number(a->vals[2], "--effective ACCOUNT", 1, CLI_ACCOUNT_MAX, &id) != 0)
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
	if (cli_number(a->args[i], "ACCOUNT", 1, CLI_ACCOUNT_MAX, &id) != 0)
		return 2;
	*out = cJSON_CreateObject();
	cJSON_AddNumberToObject(*out, "account", id);
	return 0;
}

static int call_print(struct admin_args *a, const char *cmd, cJSON *args)
{
	cJSON *data = NULL;
	int rc = admin_call(&a->o, cmd, args, &data);

	if (rc == 0)
		print_data(data);
	cJSON_Delete(data);
	return rc;
}

static int x_lockout_set(struct admin_args *a)
{
	cJSON *args;

	if (account_args(a, 0, &args) != 0)
		return 2;
	if (a->vals[0] != NULL)
		cJSON_AddStringToObject(args, "for", a->vals[0]);
	if (a->until_reset)
		cJSON_AddTrueToObject(args, "untilReset");
	if (a->permanent)
		cJSON_AddTrueToObject(args, "permanent");
	if (a->vals[1] != NULL)
		cJSON_AddStringToObject(args, "reason", a->vals[1]);
	return call_print(a, "admin.lockout.set", args);
}

static int x_lockout_clear(struct admin_args *a)
{
	cJSON *args;

	if (account_args(a, 0, &args) != 0)
		return 2;
	return call_print(a, "admin.lockout.clear", args);
}

static int x_enforce(struct admin_args *a)
{
	cJSON *args, *data = NULL;
	int rc;

	if (account_args(a, 0, &args) != 0)
		return 2;
	cJSON_AddStringToObject(args, "rule", a->args[1]);
	if (a->dry_run)
		cJSON_AddTrueToObject(args, "dryRun");
	rc = admin_call(&a->o, "admin.enforce", args, &data);
	if (rc == 0) {
		const cJSON *x;

		if (cJSON_GetArraySize(data) == 0)
			printf("%s: nothing to enforce on account %s\n", a->args[1], a->args[0]);
		cJSON_ArrayForEach(x, data) {
			const cJSON *k = cJSON_GetObjectItemCaseSensitive(x, "action");
			const cJSON *why = cJSON_GetObjectItemCaseSensitive(x, "reason");

			printf("%s%s: %s\n", a->dry_run ? "[dry run] " : "",
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

static int x_daemon_start(struct admin_args *a)
{
	return daemon_start(&a->o);
}

static int x_daemon_stop(struct admin_args *a)
{
	return daemon_stop(&a->o);
}

static int x_daemon_restart(struct admin_args *a)
{
	int rc = daemon_stop(&a->o);

	return rc != 0 ? rc : daemon_start(&a->o);
}

/* init and check parse their own options (admin_init.c): exec is NULL for them. */
static const struct admin_cmd admin_cmds[] = {
	{ "init", NULL, 0, 0,
	  "[--config FILE] [--force] [--api-url URL --user-hub-url URL --market-hub-url URL]", NULL },
	{ "check", NULL, 0, 0, "[--config FILE]", NULL },
	{ "passwd", NULL, 0, 0, "", x_passwd },
	{ "config", "validate", 1, 1, "FILE", x_config_validate },
	{ "config", "show", 0, 0, "[--effective ACCOUNT]", x_config_show },
	{ "config", "reload", 0, 0, "", x_config_reload },
	{ "config", "example", 0, 0, "(every rule key with its default and help)", x_config_example },
	{ "lockout", "set", 1, 1, "ACCOUNT (--for 2h | --until-reset | --permanent) [--reason TEXT]",
	  x_lockout_set },
	{ "lockout", "clear", 1, 1, "ACCOUNT", x_lockout_clear },
	{ "reset", NULL, 0, 1, "[ACCOUNT]", x_reset },
	{ "enforce", NULL, 2, 2, "ACCOUNT RULE [--dry-run]", x_enforce },
	{ "daemon", "start", 0, 0, "--config FILE", x_daemon_start },
	{ "daemon", "stop", 0, 0, "", x_daemon_stop },
	{ "daemon", "restart", 0, 0, "--config FILE", x_daemon_restart },
};
#define N_ADMIN_CMDS (sizeof(admin_cmds) / sizeof(admin_cmds[0]))

static void usage(void)
{
	for (size_t i = 0; i < N_ADMIN_CMDS; i++) {
		const struct admin_cmd *c = &admin_cmds[i];

		fprintf(stderr, "%s srm admin %s%s%s%s%s\n", i == 0 ? "usage:" : "      ", c->name,
			c->sub != NULL ? " " : "", c->sub != NULL ? c->sub : "",
			c->usage[0] != '\0' ? " " : "", c->usage);
	}
	fprintf(stderr, "  (admin commands ask for the admin password, or read $SRM_ADMIN_PASSWORD)\n");
}

int cmd_admin(int argc, char **argv)
{
	static const char *const extra[] = {"--for", "--reason", "--effective", NULL};
	struct admin_args a = {0};
	char *words[10];
	int nwords = 0;

	/* first-run commands take their own options (admin_init.c) */
	if (argc >= 2 && argv[1] != NULL && strcmp(argv[1], "init") == 0)
		return cmd_admin_init(argc - 1, argv + 1);
	if (argc >= 2 && argv[1] != NULL && strcmp(argv[1], "check") == 0)
		return cmd_admin_check(argc - 1, argv + 1);
	/* positional words, flags and common options in any order */
	for (int i = 1; i < argc && argv[i] != NULL; i++) {
		if (strcmp(argv[i], "--until-reset") == 0) {
			a.until_reset = true;
		} else if (strcmp(argv[i], "--permanent") == 0) {
			a.permanent = true;
		} else if (strcmp(argv[i], "--dry-run") == 0) {
			a.dry_run = true;
		} else if (argv[i][0] == '-') {
			char *sub[3] = {argv[0], argv[i], i + 1 < argc ? argv[i + 1] : NULL};
			int used = cli_parse_opts(sub[2] ? 3 : 2, sub, &a.o, extra, a.vals);

			if (used < 0)
				return 2;
			i += (sub[2] && used == 3) ? 1 : 0;
		} else if (nwords < 10) {
			words[nwords++] = argv[i];
		} else {
			fprintf(stderr, "srm: admin: too many words\n");
			return 2;
		}
	}
	for (size_t i = 0; nwords > 0 && i < N_ADMIN_CMDS; i++) {
		const struct admin_cmd *c = &admin_cmds[i];
		int skip = c->sub != NULL ? 2 : 1;

		if (c->exec == NULL || strcmp(words[0], c->name) != 0 ||
		    (c->sub != NULL && (nwords < 2 || strcmp(words[1], c->sub) != 0)))
			continue;
		a.nargs = nwords - skip;
		if (a.nargs < c->min_args || a.nargs > c->max_args)
			break;
		for (int k = 0; k < a.nargs; k++)
			a.args[k] = words[skip + k];
		return c->exec(&a);
	}
	usage();
	return 2;
}
