/* cli.h: the `srm` command implementations, one file per command family. */
#ifndef SRM_CLI_CLI_H
#define SRM_CLI_CLI_H

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
int cmd_monitor(int argc, char **argv);
/* `srm admin ...` (admin.c). */
int cmd_admin(int argc, char **argv);

struct cli_opts;
/* Parse --json/--socket/--config and the given extra options (each taking a value). Returns
 * the index of the first positional argument (argc when none), or -1. */
int cli_parse_opts(int argc, char **argv, struct cli_opts *o, const char *const *extra, const char **vals);

#endif
