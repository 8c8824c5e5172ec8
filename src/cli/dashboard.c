/* dashboard.c: `srm dashboard [--open]`: the URL (with its token) of the page srmd serves. */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
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

static const struct cli_opt dashboard_opts[] = {
	{ "open", 'o', NULL, "also open it in the browser ($BROWSER, else xdg-open, else wslview)" },
	{ "state-dir", 0, "DIR", "srmd's state directory (default: the config's daemon.state_dir)" },
	{ 0 },
};

static const struct cli_spec dashboard_spec = {
	.name = "dashboard", .args = "", .common = CLI_C_DAEMON, .opts = dashboard_opts,
	.summary = "The address of the read-only web dashboard srmd serves (dashboard.enabled: true),\n"
		   "with the token that lets this browser in; --open opens it.",
	.more = "The token is srmd's, new at each start, in STATE_DIR/dashboard.url (mode 0600);\n"
		"opening the address once sets a cookie and drops the token from the address bar.\n"
		"Anyone with the address can read what the dashboard shows: do not share it.\n"
		"--open runs $BROWSER (a program, or several separated by ':', tried in turn),\n"
		"else xdg-open, else wslview (WSL 2), with the address as its one argument.",
};

/* Where srmd keeps its state: --state-dir, else the config's (given or default) daemon.state_dir. */
static int state_dir(const struct cli_parsed *p, char *out, size_t cap)
{
	const char *given = cli_val(&dashboard_spec, p, "state-dir");
	const char *path = p->o.config;
	char def[512];
	struct config_diag diag = {0};
	struct srm_config *cfg;

	if (given != NULL) {
		strlcpy_s(out, given, cap);
		return 0;
	}
	if (path == NULL) {
		if (cli_default_config(def, sizeof(def)) != 0)
			def[0] = '\0';
		path = def;
	}
	/* the state directory, not the daemon's credentials: an unset ${VAR} is no matter here */
	cfg = config_load_env(path, &diag, true);
	if (cfg == NULL) {
		fprintf(stderr, "srm: %s does not load (%s); give --config FILE or --state-dir DIR\n", path,
			diag.n > 0 ? diag.msgs[0] : "no such file");
		return -1;
	}
	if (!cfg->dashboard.enabled)
		fprintf(stderr, "srm: note: %s has dashboard.enabled: false (the default)\n", path);
	strlcpy_s(out, cfg->daemon.state_dir, cap);
	config_free(cfg);
	return 0;
}

/* The URL srmd wrote, refused when the file is not the user's own and private. */
static int read_url(const char *dir, char *url, size_t cap)
{
	char path[4200];
	struct stat st;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/dashboard.url", dir);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "srm: the dashboard is not being served (no %s: %s); set dashboard.enabled: "
			"true in the config and restart srmd\n", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || st.st_uid != geteuid() || (st.st_mode & 077) != 0 ||
	    !S_ISREG(st.st_mode)) {
		fprintf(stderr, "srm: %s is not a private file of this user; not trusted\n", path);
		close(fd);
		return -1;
	}
	n = read(fd, url, cap - 1);
	close(fd);
	if (n <= 0) {
		fprintf(stderr, "srm: %s is empty\n", path);
		return -1;
	}
	url[n] = '\0';
	url[strcspn(url, "\r\n")] = '\0';
	return 0;
}

/*
 * Run prog with the URL as its one argument (no shell): 0 when it exited 0, or is still
 * running after OPENER_WAIT_MS (a browser started in the foreground: it is open, and keeps
 * running after srm exits), -1 when it cannot run or failed.
 */
#define OPENER_WAIT_MS 3000
static int run_opener(const char *prog, const char *url)
{
	char *argv[] = { (char *)prog, (char *)url, NULL };
	const struct timespec tick = { 0, 50 * 1000 * 1000 };
	pid_t pid, r;
	int st = 0;

	if (posix_spawnp(&pid, prog, NULL, NULL, argv, environ) != 0)
		return -1;
	for (int waited = 0; waited < OPENER_WAIT_MS; waited += 50) {
		r = waitpid(pid, &st, WNOHANG);
		if (r == pid)
			return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
		if (r < 0 && errno != EINTR)
			return -1;
		nanosleep(&tick, NULL);
	}
	return 0;
}

/*
 * The trader's browser: each program of $BROWSER (':'-separated, the convention man, git and
 * Python's webbrowser follow) in turn, else xdg-open (a desktop), else wslview (WSL 2's
 * opener into the Windows browser). The URL is never in a message.
 */
static int open_browser(const char *url)
{
	static const char *const fallback[] = { "xdg-open", "wslview" };
	const char *env = getenv("BROWSER");
	char list[1024];

	if (env != NULL && env[0] != '\0') {
		if (strlen(env) >= sizeof(list)) {
			fprintf(stderr, "srm: $BROWSER is longer than %zu bytes; not used\n", sizeof(list) - 1);
		} else {
			strlcpy_s(list, env, sizeof(list));
			for (char *p = list, *next; p != NULL; p = next) {
				next = strchr(p, ':');
				if (next != NULL)
					*next++ = '\0';
				if (*p != '\0' && run_opener(p, url) == 0)
					return 0;
			}
			fprintf(stderr, "srm: no program of $BROWSER (%s) opened it; open the address above "
				"yourself\n", env);
			return -1;
		}
	}
	for (size_t i = 0; i < sizeof(fallback) / sizeof(fallback[0]); i++)
		if (run_opener(fallback[i], url) == 0)
			return 0;
	fprintf(stderr, "srm: neither xdg-open nor wslview opened it (set BROWSER to your browser); "
		"open the address above yourself\n");
	return -1;
}

int cmd_dashboard(int argc, char **argv)
{
	struct cli_parsed p;
	struct client c;
	char dir[4096], url[1024], sock[108];
	cJSON *reply;
	int rc = cli_parse(&dashboard_spec, argc, argv, &p);

	if (rc != 0)
		return rc == CLI_HELP ? 0 : rc;
	if (state_dir(&p, dir, sizeof(dir)) != 0)
		return 1;
	/* a file left by an srmd killed -9 names a dead server: srmd must answer first */
	cli_socket_path(&p.o, sock, sizeof(sock));
	if (client_connect(&c, sock) != 0)
		return 1;
	reply = client_call(&c, "ping", NULL);
	client_close(&c);
	if (reply == NULL || client_reply_failed(reply)) {
		cJSON_Delete(reply);
		return 1;
	}
	cJSON_Delete(reply);
	if (read_url(dir, url, sizeof(url)) != 0)
		return 1;
	printf("%s\n", url);
	fflush(stdout);
	rc = cli_flag(&dashboard_spec, &p, "open") && open_browser(url) != 0 ? 1 : 0;
	explicit_bzero(url, sizeof(url));
	return rc;
}
