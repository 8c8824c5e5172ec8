/* client.h: the CLI side of the srmd socket: connect, one request, its reply; event streams. */
#ifndef SRM_CLI_CLIENT_H
#define SRM_CLI_CLIENT_H

#include <cjson/cJSON.h>
#include <stdbool.h>

#include "ipc/proto.h"

/*
 * The longest reply line read: a status of 4,096 accounts is about 6 MiB. Requests stay
 * bounded by IPC_LINE_MAX; a longer reply is an error said, never a wait.
 */
#define CLIENT_REPLY_MAX (64u << 20)

struct client {
	int fd;
	char path[108];
	char *line;           /* the reply line being read (grows to CLIENT_REPLY_MAX) */
	size_t line_len, line_cap;
	int64_t next_id;
	cJSON *pending;       /* a complete line parsed while waiting */
	char rbuf[65536];     /* bytes read but not yet split into lines */
	size_t rlen, rpos;
	bool eof;             /* srmd hung up, or a reply was too big to read (too_big) */
	bool too_big;
	char last_error[256]; /* srmd's last word before hanging up (timeout, eviction), or "" */
};

/* Common options of every command that talks to srmd. */
struct cli_opts {
	const char *socket;   /* --socket, $SRM_SOCKET, the config's daemon.socket, or the default */
	const char *config;   /* --config */
	bool json;            /* --json */
	bool color;           /* stdout is a terminal and NO_COLOR is unset */
};

/*
 * The default config: $XDG_CONFIG_HOME/srm/srm.yaml (an absolute XDG_CONFIG_HOME), else
 * ~/.config/srm/srm.yaml; -1 when neither is set. Every command and admin init agree on it.
 */
int cli_default_config(char *out, size_t cap);
/* The config's display.timezone (malloc'd), or NULL: the system's zone. */
char *cli_display_timezone(const struct cli_opts *o);
/*
 * The srmd program srm runs (admin daemon start, srmd --check): $SRMD, else the srmd beside
 * this srm binary, else "srmd" (looked up on PATH by execlp).
 */
void cli_srmd_path(char *out, size_t cap);
/* Where the daemon's socket is, from --socket, $SRM_SOCKET, the config, or the default. */
void cli_socket_path(const struct cli_opts *o, char *out, size_t cap);

/*
 * Connect; on failure prints "srm: daemon not running (no socket at …)" and returns -1.
 * Refuses (and says why) a socket that may not be srmd's: in a directory others may write,
 * owned by an untrusted uid, or served by a process that is not its owner (SO_PEERCRED).
 */
int client_connect(struct client *c, const char *path);
/* client_connect without a word when nothing listens there (a wait loop); a refusal is said. */
int client_connect_quiet(struct client *c, const char *path);
void client_close(struct client *c);
/*
 * Send {"cmd":cmd,"args":args} (args consumed) and wait for its reply. Returns the reply
 * object (caller frees) or NULL (error printed). Event lines that arrive meanwhile are skipped.
 */
cJSON *client_call(struct client *c, const char *cmd, cJSON *args);
/* Read the next line as JSON (an event or a reply); NULL on EOF/error. timeout_ms < 0: wait. */
cJSON *client_next(struct client *c, int timeout_ms, bool *timed_out);

/* Account ids: what the gateway's ids can be (int32, positive). */
#define CLI_ACCOUNT_MAX 2147483647.0

/* A whole number in [lo, hi] from an argument, or -1 with "srm: WHAT: expected ..." printed. */
int cli_number(const char *s, const char *what, double lo, double hi, double *out);

/*
 * What a rule watches against its limit (a rule row of status/rules), in the rule's own units:
 * with words "-412.50 of -500.00", "3 of 4 contracts"; without "-412.50/-500.00", "3/4".
 */
const char *cli_measure(const cJSON *r, bool words, char *buf, size_t cap);
/* A string / number member of a JSON object, or def when absent or of another type. */
const char *cj_str(const cJSON *o, const char *k, const char *def);
double cj_num(const cJSON *o, const char *k, double def);

/* If reply is an error, print "srm: <message>" and return true. */
bool client_reply_failed(const cJSON *reply);
/*
 * The admin password from $SRM_ADMIN_PASSWORD or prompted without echo (before connecting:
 * a connection that waits for a human would be closed as idle). Returns 0 or -1.
 */
int client_get_password(char *pw, size_t cap);
/* Authenticate the connection with pw (wiped here). Returns 0 or -1 (error printed). */
int client_auth(struct client *c, char *pw);

#endif
