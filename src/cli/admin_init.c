/* admin_init.c: first run: `srm admin init` writes a safe config, `srm admin check` tests it (both through `srmd --check`). */
#include <crypt.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/client.h"
#include "cli/opts.h"
#include "config/config.h"
#include "model/domain.h"
#include "util/strutil.h"
#include "util/xalloc.h"

/* The real TopstepX endpoints (shared/projectx-api.md §1). */
#define DEF_API_URL "https://api.topstepx.com"
#define DEF_USER_HUB_URL "https://rtc.topstepx.com/hubs/user"
#define DEF_MARKET_HUB_URL "https://rtc.topstepx.com/hubs/market"

/* ---- srmd --check: the one place that logs in and judges a config the way srmd will ---- */

#define CHECK_OUT_MAX (1 << 20)  /* srmd --check --json prints a few KiB; more is not srmd */

/*
 * Run `srmd --check --json --config config [--login-only]` and parse what it prints; the
 * credentials (when given) go into srmd's environment only. NULL after saying why (srmd
 * missing, killed, or not a JSON report); *rc is srmd's exit code.
 */
static cJSON *run_srmd_check(const char *config, bool login_only, const char *user,
			     const char *key, int *rc)
{
	char srmd[4096], *buf = NULL;
	size_t len = 0, cap = 0;
	int fds[2], status = 0;
	bool too_long = false;
	cJSON *out = NULL;
	pid_t pid;

	*rc = 1;
	cli_srmd_path(srmd, sizeof(srmd));
	fflush(stdout);
	if (pipe2(fds, O_CLOEXEC) != 0) {
		perror("srm: pipe");
		return NULL;
	}
	pid = fork();
	if (pid < 0) {
		perror("srm: fork");
		close(fds[0]);
		close(fds[1]);
		return NULL;
	}
	if (pid == 0) {
		if (dup2(fds[1], STDOUT_FILENO) < 0)
			_exit(127);
		if (user != NULL)
			setenv("PROJECTX_USERNAME", user, 1);
		if (key != NULL)
			setenv("PROJECTX_API_KEY", key, 1);
		if (login_only)
			execlp(srmd, "srmd", "--check", "--json", "--login-only", "--config", config,
			       (char *)NULL);
		else
			execlp(srmd, "srmd", "--check", "--json", "--config", config, (char *)NULL);
		fprintf(stderr, "srm: cannot run %s: %s (srm runs `srmd --check`: install srmd beside "
			"srm or on PATH, or set $SRMD)\n", srmd, strerror(errno));
		_exit(127);
	}
	close(fds[1]);
	for (;;) {
		char chunk[8192];
		ssize_t n = read(fds[0], chunk, sizeof(chunk));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (len + (size_t)n > CHECK_OUT_MAX) {
			too_long = true;
			continue; /* drain, so srmd is not stuck on a full pipe */
		}
		if (len + (size_t)n + 1 > cap) {
			cap = (len + (size_t)n + 1) * 2;
			buf = xreallocarray(buf, cap, 1);
		}
		memcpy(buf + len, chunk, (size_t)n);
		len += (size_t)n;
	}
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status))
		*rc = WEXITSTATUS(status);
	if (buf != NULL && !too_long) {
		buf[len] = '\0';
		out = cJSON_Parse(buf);
	}
	free(buf);
	if (out == NULL || !cJSON_IsObject(out)) {
		cJSON_Delete(out);
		out = NULL;
		if (WIFSIGNALED(status))
			fprintf(stderr, "srm: %s --check was killed (signal %d)\n", srmd, WTERMSIG(status));
		else if (*rc != 127)
			fprintf(stderr, "srm: %s --check (exit %d) did not print its report%s\n", srmd, *rc,
				too_long ? " (too long)" : "");
		*rc = 1;
	}
	return out;
}

/* The check named what in srmd's report, or NULL. */
static const cJSON *report_check(const cJSON *rep, const char *what)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(rep, "checks"))
		if (strcmp(cj_str(c, "check", ""), what) == 0)
			return c;
	return NULL;
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
	.more = "It runs `srmd --check --json --config FILE` (srmd beside srm, on PATH, or $SRMD)\n"
		"and shows its report: srmd judges the file exactly as it will when it starts.",
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

/*
 * Log in with the credentials and list the accounts, through `srmd --check --login-only` on
 * the config about to be written (without its password and account list), in a private
 * temporary directory. 0 with the accounts (caller frees), or -1 after saying why.
 */
static int init_probe(const struct init_params *ip, const char *user, const char *key,
		      struct px_account **accts, size_t *n_accts)
{
	const char *tmp = getenv("TMPDIR");
	char dir[4096], cfg[4200];
	const cJSON *login, *search, *a;
	char *text = init_config_text(ip);
	cJSON *rep = NULL;
	int rc = -1, src;
	size_t n = 0;

	*accts = NULL;
	*n_accts = 0;
	snprintf(dir, sizeof(dir), "%s/srm-check.XXXXXX", tmp != NULL && tmp[0] == '/' ? tmp : "/tmp");
	if (text == NULL || mkdtemp(dir) == NULL) {
		fprintf(stderr, "srm: cannot make a temporary directory for the login check: %s\n",
			strerror(errno));
		free(text);
		return -1;
	}
	snprintf(cfg, sizeof(cfg), "%s/srm.yaml", dir);
	if (write_config(cfg, text, false) == 0) {
		rep = run_srmd_check(cfg, true, user, key, &src);
		unlink(cfg);
	}
	rmdir(dir);
	free(text);
	if (rep == NULL)
		return -1;
	login = report_check(rep, "login");
	search = report_check(rep, "accounts");
	if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rep, "loaded"))) {
		const cJSON *e;

		fprintf(stderr, "srm: internal error: the login check's config does not load:\n");
		cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(rep, "errors"))
			fprintf(stderr, "  %s\n", cJSON_IsString(e) ? e->valuestring : "?");
	} else if (login == NULL || strcmp(cj_str(login, "status", ""), "ok") != 0) {
		const cJSON *c = login != NULL ? login : report_check(rep, "gateway client");

		fprintf(stderr, "srm: ProjectX login failed for user %s at %s: %s\n"
			"srm: check the username and the API key (ProjectX settings > API); nothing was "
			"written\n", user, ip->api_url,
			c != NULL ? cj_str(c, "error", cj_str(c, "detail", "")) : "no answer");
	} else if (printf("login ok (%.1f ms)\n", cj_num(login, "ms", 0)) < 0) {
		/* stdout is gone: nothing more to say */
	} else if (search == NULL || cJSON_GetObjectItemCaseSensitive(search, "error") != NULL) {
		fprintf(stderr, "srm: Account/search failed: %s; nothing was written\n",
			search != NULL ? cj_str(search, "error", "") : "not tried");
	} else {
		const cJSON *list = cJSON_GetObjectItemCaseSensitive(rep, "accounts");

		*accts = xcalloc((size_t)cJSON_GetArraySize(list) + 1, sizeof(**accts));
		cJSON_ArrayForEach(a, list) {
			struct px_account *x = &(*accts)[n++];

			x->id = (int64_t)cj_num(a, "id", 0);
			strlcpy_s(x->name, cj_str(a, "name", ""), sizeof(x->name));
			x->balance = cj_num(a, "balance", 0);
			x->can_trade = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(a, "canTrade"));
		}
		*n_accts = n;
		rc = 0;
	}
	cJSON_Delete(rep);
	return rc;
}

int cmd_admin_init(int argc, char **argv)
{
	const char *config = NULL, *api = DEF_API_URL, *uhub = DEF_USER_HUB_URL;
	const char *mhub = DEF_MARKET_HUB_URL;
	bool force = false, sys_service = false;
	char path[4096], user[256], key[512], hash[CRYPT_OUTPUT_SIZE];
	struct px_account *accts = NULL;
	size_t n_accts = 0;
	struct stat sb;
	char *text;
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
	{
		struct init_params ip = {
			.api_url = api, .user_hub_url = uhub, .market_hub_url = mhub, .system = sys_service,
		};

		if (init_probe(&ip, user, key, &accts, &n_accts) != 0)
			goto out;
	}
	if (n_accts == 0) {
		printf("warning: this key sees no active account yet; srmd will guard accounts as they "
		       "appear (accounts: all)\n");
	} else {
		printf("accounts this key can see (%zu):\n  %-12s %-28s %14s  %s\n", n_accts, "ID",
		       "NAME", "BALANCE", "CAN TRADE");
		for (size_t i = 0; i < n_accts; i++)
			printf("  %-12lld %-28s %14.2f  %s\n", (long long)accts[i].id, accts[i].name,
			       accts[i].balance, accts[i].can_trade ? "yes" : "no");
	}
	fflush(stdout);
	if (admin_hash_password(hash, sizeof(hash)) != 0) {
		fprintf(stderr, "srm: no admin password; nothing was written\n");
		goto out;
	}
	{
		struct init_params ip = {
			.api_url = api, .user_hub_url = uhub, .market_hub_url = mhub,
			.password_hash = hash, .accounts = accts, .n_accounts = n_accts,
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
	return rc;
}

/* ---- srm admin check ---- */

int cmd_admin_check(int argc, char **argv)
{
	const char *config = NULL;
	char path[4096], failed[512] = "";
	const cJSON *c;
	struct cli_parsed pa;
	cJSON *rep;
	int rc;

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
	rep = run_srmd_check(path, false, NULL, NULL, &rc);
	if (rep == NULL)
		return 1;
	if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rep, "loaded"))) {
		const cJSON *errs = cJSON_GetObjectItemCaseSensitive(rep, "errors");
		int n = cJSON_GetArraySize(errs);

		cJSON_ArrayForEach(c, errs)
			fprintf(stderr, "%s\n", cJSON_IsString(c) ? c->valuestring : "?");
		fprintf(stderr, "srm: check failed: config %s does not load (%d error%s)\n", path, n,
			n == 1 ? "" : "s");
		cJSON_Delete(rep);
		return 1;
	}
	/* srmd's report, a line per step: "  login            ok    123.4 ms  text" */
	printf("srm admin check: %s%s\n", path,
	       cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rep, "dryRun")) ? " (dry_run: true)" : "");
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(rep, "checks")) {
		char t[24] = "";

		if (cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(c, "ms")))
			snprintf(t, sizeof(t), "%.1f ms", cj_num(c, "ms", 0));
		printf("  %-16s %-5s %8s  %s\n", cj_str(c, "check", "?"), cj_str(c, "status", "?"), t,
		       cj_str(c, "detail", ""));
	}
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(rep, "failed")) {
		size_t n = strlen(failed);

		snprintf(failed + n, sizeof(failed) - n, "%s%s", n > 0 ? ", " : "",
			 cJSON_IsString(c) ? c->valuestring : "?");
	}
	if (rc == 0 && (failed[0] != '\0' || !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rep, "ok"))))
		rc = 1;
	if (rc != 0) {
		printf("check FAILED: %s\n", failed[0] != '\0' ? failed : "srmd --check");
		fprintf(stderr, "srm: check failed: %s\n", failed[0] != '\0' ? failed : "srmd --check");
	} else {
		printf("all checks passed\n");
	}
	cJSON_Delete(rep);
	return rc;
}
