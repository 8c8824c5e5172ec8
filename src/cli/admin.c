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

static void usage(void)
{
	fprintf(stderr,
		"usage: srm admin init [--config FILE] [--force] [--api-url URL --user-hub-url URL --market-hub-url URL]\n"
		"       srm admin check [--config FILE]\n"
		"       srm admin passwd\n"
		"       srm admin config validate FILE | show | reload\n"
		"       srm admin lockout set ACCOUNT (--for 2h | --until-reset | --permanent) [--reason TEXT]\n"
		"       srm admin lockout clear ACCOUNT\n"
		"       srm admin reset [ACCOUNT]\n"
		"       srm admin enforce ACCOUNT RULE [--dry-run]\n"
		"       srm admin daemon start --config FILE | stop | restart --config FILE\n"
		"  (admin commands ask for the admin password, or read $SRM_ADMIN_PASSWORD)\n");
}

int cmd_admin(int argc, char **argv)
{
	struct cli_opts o = {0};
	static const char *const extra[] = {"--for", "--reason", NULL};
	const char *vals[2] = {NULL, NULL};
	char *pos[8];
	int npos = 0;
	bool until_reset = false, permanent = false, dry_run = false;
	cJSON *data = NULL, *args;
	int rc;

	/* first-run commands take their own options (admin_init.c) */
	if (argc >= 2 && argv[1] != NULL && strcmp(argv[1], "init") == 0)
		return cmd_admin_init(argc - 1, argv + 1);
	if (argc >= 2 && argv[1] != NULL && strcmp(argv[1], "check") == 0)
		return cmd_admin_check(argc - 1, argv + 1);
	/* positional words, flags and common options in any order */
	for (int i = 1; i < argc && argv[i] != NULL; i++) {
		if (strcmp(argv[i], "--until-reset") == 0) {
			until_reset = true;
		} else if (strcmp(argv[i], "--permanent") == 0) {
			permanent = true;
		} else if (strcmp(argv[i], "--dry-run") == 0) {
			dry_run = true;
		} else if (argv[i][0] == '-') {
			char *sub[3] = {argv[0], argv[i], i + 1 < argc ? argv[i + 1] : NULL};
			int used = cli_parse_opts(sub[2] ? 3 : 2, sub, &o, extra, vals);

			if (used < 0)
				return 2;
			i += (sub[2] && used == 3) ? 1 : 0;
		} else if (npos < 8) {
			pos[npos++] = argv[i];
		}
	}
	if (npos == 0) {
		usage();
		return 2;
	}
	if (strcmp(pos[0], "passwd") == 0)
		return admin_passwd();
	if (strcmp(pos[0], "config") == 0 && npos >= 2) {
		if (strcmp(pos[1], "validate") == 0 && npos == 3)
			return cmd_config_validate(pos[2]);
		if (strcmp(pos[1], "reload") == 0) {
			rc = admin_call(&o, "admin.config.reload", NULL, NULL);
			if (rc == 0)
				printf("config reloaded\n");
			return rc;
		}
		if (strcmp(pos[1], "show") == 0) {
			rc = admin_call(&o, "admin.config.show", NULL, &data);
			if (rc == 0) {
				const cJSON *t = cJSON_GetObjectItemCaseSensitive(data, "text");

				fputs(cJSON_IsString(t) ? t->valuestring : "", stdout);
			}
			cJSON_Delete(data);
			return rc;
		}
	}
	double id = 0;

	if (strcmp(pos[0], "lockout") == 0 && npos == 3) {
		if (cli_number(pos[2], "ACCOUNT", 1, CLI_ACCOUNT_MAX, &id) != 0)
			return 2;
		args = cJSON_CreateObject();
		cJSON_AddNumberToObject(args, "account", id);
		if (strcmp(pos[1], "set") == 0) {
			if (vals[0] != NULL)
				cJSON_AddStringToObject(args, "for", vals[0]);
			if (until_reset)
				cJSON_AddTrueToObject(args, "untilReset");
			if (permanent)
				cJSON_AddTrueToObject(args, "permanent");
			if (vals[1] != NULL)
				cJSON_AddStringToObject(args, "reason", vals[1]);
			rc = admin_call(&o, "admin.lockout.set", args, &data);
		} else if (strcmp(pos[1], "clear") == 0) {
			rc = admin_call(&o, "admin.lockout.clear", args, &data);
		} else {
			cJSON_Delete(args);
			usage();
			return 2;
		}
		if (rc == 0)
			print_data(data);
		cJSON_Delete(data);
		return rc;
	}
	if (strcmp(pos[0], "enforce") == 0 && npos == 3) {
		if (cli_number(pos[1], "ACCOUNT", 1, CLI_ACCOUNT_MAX, &id) != 0)
			return 2;
		args = cJSON_CreateObject();
		cJSON_AddNumberToObject(args, "account", id);
		cJSON_AddStringToObject(args, "rule", pos[2]);
		if (dry_run)
			cJSON_AddTrueToObject(args, "dryRun");
		rc = admin_call(&o, "admin.enforce", args, &data);
		if (rc == 0) {
			const cJSON *a;

			if (cJSON_GetArraySize(data) == 0)
				printf("%s: nothing to enforce on account %s\n", pos[2], pos[1]);
			cJSON_ArrayForEach(a, data) {
				const cJSON *k = cJSON_GetObjectItemCaseSensitive(a, "action");
				const cJSON *why = cJSON_GetObjectItemCaseSensitive(a, "reason");

				printf("%s%s: %s\n", dry_run ? "[dry run] " : "", cJSON_IsString(k) ? k->valuestring : "?",
				       cJSON_IsString(why) ? why->valuestring : "");
			}
		}
		cJSON_Delete(data);
		return rc;
	}
	if (strcmp(pos[0], "reset") == 0) {
		if (npos >= 2 && cli_number(pos[1], "ACCOUNT", 1, CLI_ACCOUNT_MAX, &id) != 0)
			return 2;
		args = cJSON_CreateObject();
		if (npos >= 2)
			cJSON_AddNumberToObject(args, "account", id);
		rc = admin_call(&o, "admin.reset", args, NULL);
		if (rc == 0)
			printf("daily reset done\n");
		return rc;
	}
	if (strcmp(pos[0], "daemon") == 0 && npos == 2) {
		if (strcmp(pos[1], "start") == 0)
			return daemon_start(&o);
		if (strcmp(pos[1], "stop") == 0)
			return daemon_stop(&o);
		if (strcmp(pos[1], "restart") == 0) {
			rc = daemon_stop(&o);
			return rc != 0 ? rc : daemon_start(&o);
		}
	}
	usage();
	return 2;
}
