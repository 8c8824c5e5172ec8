/* cli.h: the `srm` command implementations, one file per command family. */
#ifndef SRM_CLI_CLI_H
#define SRM_CLI_CLI_H

/* `srm admin config validate FILE`: print OK (stdout) or every error (stderr); 0 or 1. */
int cmd_config_validate(const char *path);

/* `srm replay ...` (argv[0] is "replay"); returns the exit code. */
int cmd_replay(int argc, char **argv);

#endif
