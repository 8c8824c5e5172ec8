/*
 * check.h: `srmd --check`: judge a config the way srmd will — load it as srmd does, log in to
 * the gateway, list the accounts, reach both hubs, look at the store and the socket — and
 * report (a line per step with its timing, or --json), without guarding and without taking
 * the state directory's lock. `srm admin check` and `srm admin init` run it.
 */
#ifndef SRM_DAEMON_CHECK_H
#define SRM_DAEMON_CHECK_H

#include <stdbool.h>

struct srmd_check_opts {
	const char *config;      /* --config FILE */
	const char *socket;      /* --socket PATH (or $SRM_SOCKET), NULL: daemon.socket */
	bool json;               /* --json: one JSON object on stdout instead of the lines */
	bool login_only;         /* --login-only: the login and Account/search, nothing else */
	bool keep_logs;          /* --log-file given: the gateway client's log lines go there
				  * (else they are dropped unless $SRM_DEBUG is set) */
};

/* Run the check and print its report; 0 when every step passed, 1 otherwise. */
int srmd_check(const struct srmd_check_opts *o);

#endif
