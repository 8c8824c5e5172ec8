/* cli.h: the `srm` command implementations, one file per command family. */
#ifndef SRM_CLI_CLI_H
#define SRM_CLI_CLI_H

#include <stdbool.h>
#include <stddef.h>

/* `srm admin config validate FILE`: print OK (stdout) or every error (stderr); 0 or 1. */
int cmd_config_validate(const char *path);

/* `srm replay ...` (argv[0] is "replay"); returns the exit code. */
int cmd_replay(int argc, char **argv);

/* Read-only trader commands (read_cmds.c, monitor.c); each returns the exit code. */
int cmd_status(int argc, char **argv);
int cmd_lockouts(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_history(int argc, char **argv);
int cmd_logs(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_monitor(int argc, char **argv);
/* `srm dashboard [--open]`: the dashboard's URL with its token (dashboard.c). */
int cmd_dashboard(int argc, char **argv);
/* `srm admin ...` (admin.c). */
int cmd_admin(int argc, char **argv);
/* Read a new admin password ($SRM_ADMIN_PASSWORD, or twice without echo) and put its yescrypt
 * hash in out; prints the problem and returns 1 on failure (admin.c). */
int admin_hash_password(char *out, size_t cap);
/* `srm admin init` / `srm admin check` (argv[0] is "init" / "check"); the exit code (admin_init.c). */
int cmd_admin_init(int argc, char **argv);
int cmd_admin_check(int argc, char **argv);

/* What `srm admin init` puts in a new config (init_template.c). */
struct px_account;
struct init_params {
	const char *api_url, *user_hub_url, *market_hub_url;
	const char *password_hash;          /* NULL: left empty (admin commands refused) */
	const struct px_account *accounts;  /* the accounts seen at init, listed in a comment */
	size_t n_accounts;
	bool system;                        /* for the system service: /var/lib/srm, /run/srm */
};
/* The text of a first config: dry_run on, credentials as ${ENV} references, every rule block
 * of config/srm.example.yaml with its comments. NULL when out of memory; caller frees. */
char *init_config_text(const struct init_params *p);

#endif
