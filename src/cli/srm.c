/* srm.c: the `srm` command line: one table of commands, dispatched by name. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "util/secure.h"

#define SRM_VERSION "0.1.0"

static int exec_replay(int argc, char **argv)
{
	return cmd_replay(argc, argv);
}


static int exec_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("srm %s\n", SRM_VERSION);
	return 0;
}

static int exec_help(int argc, char **argv);

struct cmd_entry {
	const char *name;
	const char *usage;
	int (*exec)(int argc, char **argv);
};

static const struct cmd_entry cmd_table[] = {
	{"replay", "replay --config FILE [--until TIME] [--human] EVENTS.jsonl", exec_replay},
	{"status", "status [--account ID] [--json]", cmd_status},
	{"monitor", "monitor [--for SECONDS]", cmd_monitor},
	{"lockouts", "lockouts [--account ID] [--json]", cmd_lockouts},
	{"rules", "rules [--account ID] [--json]", cmd_rules},
	{"history", "history [--since 2h|TIME] [--account ID] [--limit N] [--json]", cmd_history},
	{"logs", "logs [-n N] [--level warn] [--grep TEXT] [--json]", cmd_logs},
	{"admin", "admin init | check | passwd | config validate FILE|show|reload | lockout set|clear ACCOUNT | reset | daemon start|stop|restart", cmd_admin},
	{"version", "version", exec_version},
	{"help", "help", exec_help},
};

static int exec_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("srm: the Simple Risk Manager's command line\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(cmd_table) / sizeof(cmd_table[0]); i++)
		printf("  srm %s\n", cmd_table[i].usage);
	printf("\nexit codes: 0 ok, 1 the command ran but found problems (bad lines, invalid "
	       "config), 2 usage or setup error\n");
	return 0;
}

int main(int argc, char **argv)
{
	/* a hung-up srmd is an error we report, not a signal that kills us; the admin
	 * password never goes into a core file */
	signal(SIGPIPE, SIG_IGN);
	secure_no_dumps();
	if (argc < 2) {
		exec_help(0, NULL);
		return 2;
	}
	if (strcmp(argv[1], "--version") == 0)
		return exec_version(0, NULL);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		return exec_help(0, NULL);
	for (size_t i = 0; i < sizeof(cmd_table) / sizeof(cmd_table[0]); i++)
		if (strcmp(argv[1], cmd_table[i].name) == 0)
			return cmd_table[i].exec(argc - 1, argv + 1);
	fprintf(stderr, "srm: unknown command '%s' (try `srm help`)\n", argv[1]);
	return 2;
}
