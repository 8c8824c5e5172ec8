/* client.c: the srm side of the Unix socket: bounded lines, request/reply, auth prompt. */
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "cli/client.h"
#include "config/config.h"
#include "util/strutil.h"
#include "util/xalloc.h"

int cli_default_config(char *out, size_t cap)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");

	/* XDG Base Directory: a relative XDG_CONFIG_HOME is ignored */
	if (xdg != NULL && xdg[0] == '/')
		snprintf(out, cap, "%s/srm/srm.yaml", xdg);
	else if (home != NULL && home[0] != '\0')
		snprintf(out, cap, "%s/.config/srm/srm.yaml", home);
	else
		return -1;
	return 0;
}

/* --config, or the default config's path ("" when there is none), into buf. */
static const char *config_path(const struct cli_opts *o, char *buf, size_t cap)
{
	if (o->config != NULL)
		return o->config;
	if (cli_default_config(buf, cap) != 0)
		buf[0] = '\0';
	return buf;
}

char *cli_display_timezone(const struct cli_opts *o)
{
	char defcfg[512];
	const char *cfgpath = config_path(o, defcfg, sizeof(defcfg));
	struct config_diag diag = {0};
	struct srm_config *cfg;
	char *tz = NULL;

	if (access(cfgpath, R_OK) != 0)
		return NULL;
	cfg = config_load_env(cfgpath, &diag, true);
	if (cfg != NULL && cfg->display.timezone != NULL)
		tz = strdup(cfg->display.timezone);
	config_free(cfg);
	return tz;
}

void cli_srmd_path(char *out, size_t cap)
{
	const char *env = getenv("SRMD");
	char self[4096];
	ssize_t n;

	if (env != NULL && env[0] != '\0') {
		strlcpy_s(out, env, cap);
		return;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		char dir[4096];

		self[n] = '\0';
		path_dirname(self, dir, sizeof(dir));
		if ((size_t)snprintf(out, cap, "%s/srmd", dir) < cap && access(out, X_OK) == 0)
			return;
	}
	strlcpy_s(out, "srmd", cap);
}

void cli_socket_path(const struct cli_opts *o, char *out, size_t cap)
{
	const char *env = getenv("SRM_SOCKET");
	char defcfg[512];
	const char *cfgpath;

	if (o->socket != NULL) {
		strlcpy_s(out, o->socket, cap);
		return;
	}
	if (env != NULL && env[0] != '\0') {
		strlcpy_s(out, env, cap);
		return;
	}
	cfgpath = config_path(o, defcfg, sizeof(defcfg));
	if (access(cfgpath, R_OK) == 0) {
		struct config_diag diag = {0};
		/* the socket path, not the daemon's credentials: an unset ${VAR} is no matter here */
		struct srm_config *cfg = config_load_env(cfgpath, &diag, true);

		if (cfg != NULL) {
			strlcpy_s(out, cfg->daemon.socket, cap);
			config_free(cfg);
			return;
		}
		config_default_socket(out, cap);
		fprintf(stderr, "srm: %s does not load (%s%s); looking for srmd at the default "
			"socket %s (srm admin config validate %s says more)\n", cfgpath,
			diag.n > 0 ? diag.msgs[0] : "an error", diag.n > 1 ? ", ..." : "", out, cfgpath);
		return;
	}
	config_default_socket(out, cap);
}

/* Uids that may own srmd's socket: this user, root, and the system service's user "srm". */
static bool trusted_uid(uid_t u)
{
	struct passwd pw, *res = NULL;
	char buf[1024];

	if (u == getuid() || u == 0)
		return true;
	return getpwnam_r(SRM_DAEMON_USER, &pw, buf, sizeof(buf), &res) == 0 && res != NULL &&
	       res->pw_uid == u;
}

/*
 * Is the socket at path srmd's, before anything (a password above all) is sent? Its
 * directory must be writable by its owner only (in /tmp anyone could have put a fake
 * daemon there), socket and directory owned by a trusted uid, and the process listening
 * (SO_PEERCRED) the socket's owner or root.
 */
static int check_socket(int fd, const char *path, char *why, size_t cap)
{
	char dir[108];
	struct stat ss, ds;
	struct ucred cr;
	socklen_t len = sizeof(cr);

	path_dirname(path, dir, sizeof(dir));
	if (lstat(path, &ss) != 0 || !S_ISSOCK(ss.st_mode)) {
		snprintf(why, cap, "%s is not a socket", path);
		return -1;
	}
	if (stat(dir, &ds) != 0) {
		snprintf(why, cap, "cannot stat its directory %s: %s", dir, strerror(errno));
		return -1;
	}
	if ((ds.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		snprintf(why, cap, "its directory %s is writable by other users (anyone could have put a "
			 "fake srmd there); use a private directory for daemon.socket, e.g. "
			 "$XDG_RUNTIME_DIR/srm.sock", dir);
		return -1;
	}
	if (!trusted_uid(ds.st_uid) || !trusted_uid(ss.st_uid)) {
		snprintf(why, cap, "it (or its directory %s) belongs to uid %u, which is neither you, root "
			 "nor the user \"%s\"", dir, (unsigned)(trusted_uid(ss.st_uid) ? ds.st_uid : ss.st_uid),
			 SRM_DAEMON_USER);
		return -1;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) != 0) {
		snprintf(why, cap, "cannot tell who is listening: %s", strerror(errno));
		return -1;
	}
	if (!trusted_uid(cr.uid) || (cr.uid != ss.st_uid && cr.uid != 0)) {
		snprintf(why, cap, "the process listening there runs as uid %u, not as the socket's owner",
			 (unsigned)cr.uid);
		return -1;
	}
	return 0;
}

static int do_connect(struct client *c, const char *path, bool quiet)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};

	memset(c, 0, sizeof(*c));
	c->next_id = 1;
	strlcpy_s(c->path, path, sizeof(c->path));
	strlcpy_s(sa.sun_path, path, sizeof(sa.sun_path));
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		if (!quiet && (errno == ENOENT || errno == ECONNREFUSED))
			fprintf(stderr, "srm: daemon not running (no socket at %s); start it with `srm admin daemon start`\n", path);
		else if (!quiet)
			fprintf(stderr, "srm: cannot connect to %s: %s\n", path, strerror(errno));
		if (c->fd >= 0)
			close(c->fd);
		c->fd = -1;
		return -1;
	}
	char why[400];

	if (check_socket(c->fd, path, why, sizeof(why)) != 0) {
		fprintf(stderr, "srm: refusing to talk to %s: %s\n", path, why);
		close(c->fd);
		c->fd = -1;
		return -1;
	}
	return 0;
}

int client_connect(struct client *c, const char *path)
{
	return do_connect(c, path, false);
}

int client_connect_quiet(struct client *c, const char *path)
{
	return do_connect(c, path, true);
}

/* srmd hung up: say so, with its last word when it sent one (a timeout, an eviction). */
static void say_closed(struct client *c)
{
	const char *msg = c->last_error[0] != '\0' ? c->last_error : NULL;

	if (c->too_big) {
		fprintf(stderr, "srm: srmd's %s\n", c->last_error);
		return;
	}
	fprintf(stderr, "srm: srmd closed the connection%s%s\n", msg ? ": " : " before answering",
		msg ? msg : "");
}

void client_close(struct client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	cJSON_Delete(c->pending);
	c->pending = NULL;
	free(c->line);
	c->line = NULL;
	c->line_len = c->line_cap = 0;
}

/*
 * Bytes of a reply: kept until its newline (growing the line as needed), then parsed. 1 with
 * c->pending when a line is complete and parses, 0 to read on, -1 when the line is over
 * CLIENT_REPLY_MAX (c->last_error says so).
 */
static int take_bytes(struct client *c, const char *data, size_t n, bool complete)
{
	size_t len;

	if (c->line_len + n > CLIENT_REPLY_MAX) {
		snprintf(c->last_error, sizeof(c->last_error), "reply is larger than %u MiB, "
			 "not read", CLIENT_REPLY_MAX >> 20);
		c->line_len = 0;
		c->too_big = true;
		return -1;
	}
	xgrow(&c->line, &c->line_cap, c->line_len + n + 1, 0);
	memcpy(c->line + c->line_len, data, n);
	c->line_len += n;
	if (!complete)
		return 0;
	len = c->line_len - 1; /* without the newline */
	if (len > 0 && c->line[len - 1] == '\r')
		len--;
	c->line_len = 0;
	if (len == 0)
		return 0;
	c->pending = cJSON_ParseWithLength(c->line, len);
	return c->pending != NULL ? 1 : 0;
}

cJSON *client_next(struct client *c, int timeout_ms, bool *timed_out)
{
	if (timed_out != NULL)
		*timed_out = false;
	for (;;) {
		while (c->rpos < c->rlen) {
			size_t start = c->rpos;
			char *nl = memchr(c->rbuf + c->rpos, '\n', c->rlen - c->rpos);
			size_t n = nl ? (size_t)(nl - (c->rbuf + c->rpos)) + 1 : c->rlen - c->rpos;

			int rc;

			c->rpos += n;
			rc = take_bytes(c, c->rbuf + start, n, nl != NULL);
			if (rc == 1) {
				cJSON *j = c->pending;

				c->pending = NULL;
				return j;
			}
			if (rc < 0) {
				c->eof = true;
				return NULL;
			}
		}
		struct pollfd p = {.fd = c->fd, .events = POLLIN};
		int rc = poll(&p, 1, timeout_ms);

		if (rc == 0) {
			if (timed_out != NULL)
				*timed_out = true;
			return NULL;
		}
		if (rc < 0) {
			/* a signal (a window resize, ^C): as a timeout, the caller looks again */
			if (errno == EINTR && timed_out != NULL) {
				*timed_out = true;
				return NULL;
			}
			if (errno == EINTR)
				continue;
			c->eof = true;
			return NULL;
		}
		ssize_t n = read(c->fd, c->rbuf, sizeof(c->rbuf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			c->eof = true;
			return NULL;
		}
		c->rlen = (size_t)n;
		c->rpos = 0;
	}
}

cJSON *client_call(struct client *c, const char *cmd, cJSON *args)
{
	int64_t id = c->next_id++;
	char *line = ipc_request(id, cmd, args);
	size_t off = 0, len;

	if (line == NULL)
		return NULL;
	len = strlen(line);
	while (off < len) {
		ssize_t n = write(c->fd, line + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n < 0 && (errno == EPIPE || errno == ECONNRESET))
				say_closed(c);
			else
				fprintf(stderr, "srm: cannot write to srmd: %s\n", strerror(errno));
			explicit_bzero(line, len);
			free(line);
			return NULL;
		}
		off += (size_t)n;
	}
	explicit_bzero(line, len);
	free(line);
	for (;;) {
		bool timed_out = false;
		cJSON *j = client_next(c, 30000, &timed_out);
		const cJSON *rid;

		if (j == NULL) {
			if (c->eof)
				say_closed(c);
			else
				fprintf(stderr, "srm: no answer from srmd%s\n", timed_out ? " within 30 s" : "");
			return NULL;
		}
		rid = cJSON_GetObjectItemCaseSensitive(j, "id");
		if (cJSON_IsNumber(rid) && (int64_t)rid->valuedouble == id)
			return j;
		/* an event, a stale reply, or srmd's last word before it hangs up (id 0) */
		if (cJSON_IsNumber(rid) && rid->valuedouble == 0) {
			const cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "error");
			const char *m = cj_str(e, "message", NULL);

			if (m != NULL)
				strlcpy_s(c->last_error, m, sizeof(c->last_error));
		}
		cJSON_Delete(j);
	}
}

int cli_number(const char *s, const char *what, double lo, double hi, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = s != NULL && *s != '\0' && *s != ' ' ? strtod(s, &end) : 0;
	if (s == NULL || *s == '\0' || *s == ' ' || *end != '\0' || errno != 0 || v != floor(v) ||
	    v < lo || v > hi) {
		fprintf(stderr, "srm: %s: expected a whole number in %.0f..%.0f, got \"%s\"\n", what, lo, hi,
			s != NULL ? s : "");
		return -1;
	}
	*out = v;
	return 0;
}

const char *cj_str(const cJSON *o, const char *k, const char *def)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : def;
}

double cj_num(const cJSON *o, const char *k, double def)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsNumber(v) ? v->valuedouble : def;
}

bool client_reply_failed(const cJSON *reply)
{
	const cJSON *ok = cJSON_GetObjectItemCaseSensitive(reply, "ok");
	const cJSON *e, *m;

	if (cJSON_IsTrue(ok))
		return false;
	e = cJSON_GetObjectItemCaseSensitive(reply, "error");
	m = e ? cJSON_GetObjectItemCaseSensitive(e, "message") : NULL;
	fprintf(stderr, "srm: %s\n", m != NULL && cJSON_IsString(m) ? m->valuestring : "request failed");
	return true;
}

static int read_password(char *buf, size_t cap)
{
	struct termios old, quiet;
	bool tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;

	fprintf(stderr, "admin password: ");
	if (tty) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	char *r = fgets(buf, (int)cap, stdin);

	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fprintf(stderr, "\n");
	}
	if (r == NULL)
		return -1;
	buf[strcspn(buf, "\r\n")] = '\0';
	return 0;
}

int client_get_password(char *pw, size_t cap)
{
	const char *env = getenv("SRM_ADMIN_PASSWORD");

	if (env != NULL) {
		strlcpy_s(pw, env, cap);
		return 0;
	}
	if (read_password(pw, cap) != 0) {
		fprintf(stderr, "srm: no password given\n");
		return -1;
	}
	return 0;
}

int client_auth(struct client *c, char *pw)
{
	cJSON *args = cJSON_CreateObject(), *r;
	int rc;

	cJSON_AddStringToObject(args, "password", pw);
	explicit_bzero(pw, strlen(pw));
	r = client_call(c, "auth", args);
	if (r == NULL)
		return -1;
	rc = client_reply_failed(r) ? -1 : 0;
	cJSON_Delete(r);
	return rc;
}

const char *cli_measure(const cJSON *r, bool words, char *buf, size_t cap)
{
	const char *unit = cj_str(r, "unit", "");
	const char *sep = words ? " of " : "/";
	double used = cj_num(r, "used", 0), limit = cj_num(r, "limit", 0);

	const cJSON *ds = cJSON_GetObjectItemCaseSensitive(r, "day_share");

	if (strcmp(unit, "loss") == 0)
		snprintf(buf, cap, "%s%.2f%s-%.2f", used > 0 ? "-" : "", used, sep, limit);
	else if (strcmp(unit, "money") == 0)
		snprintf(buf, cap, "%.2f%s%.2f", used, sep, limit);
	else /* %g: weighted contracts (max_contracts.weights) may be 4.5 */
		snprintf(buf, cap, "%.10g%s%.10g%s%s", used, sep, limit, words && unit[0] ? " " : "",
			 words ? unit : "");
	if (cJSON_IsNumber(ds)) {
		size_t n = strlen(buf);

		if (n < cap)
			snprintf(buf + n, cap - n, " (%.0f%% of the cycle)", ds->valuedouble * 100);
	}
	return buf;
}
