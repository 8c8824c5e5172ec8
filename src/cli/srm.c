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
	if (argc > 1) {
		fprintf(stderr, "srm version: unexpected argument '%s'\n", argv[1]);
		return 2;
	}
	printf("srm %s\n", SRM_VERSION);
	return 0;
}

static int exec_help(int argc, char **argv);

struct cmd_entry {
	const char *name;
	const char *brief;
	int (*exec)(int argc, char **argv);
};

static const struct cmd_entry cmd_table[] = {
	{"status", "whether srmd guards; each account against its limits", cmd_status},
	{"monitor", "a live view of every account (80x24 and up)", cmd_monitor},
	{"lockouts", "the lockouts in force", cmd_lockouts},
	{"rules", "every rule against what it watches", cmd_rules},
	{"history", "what srmd did and why (--csv for a spreadsheet)", cmd_history},
	{"report", "a day's summary per account: P&L, trades, what was enforced", cmd_report},
	{"logs", "srmd's recent log lines", cmd_logs},
	{"dashboard", "the web dashboard's address (--open opens it)", cmd_dashboard},
	{"replay", "run recorded events through a config's rules", exec_replay},
	{"admin", "init, check, passwd, config, lockout, reset, enforce, daemon", cmd_admin},
	{"version", "the version", exec_version},
	{"help", "this list, or 'srm help COMMAND'", exec_help},
};
#define N_CMDS (sizeof(cmd_table) / sizeof(cmd_table[0]))

static const struct cmd_entry *find_cmd(const char *name)
{
	for (size_t i = 0; i < N_CMDS; i++)
		if (strcmp(name, cmd_table[i].name) == 0)
			return &cmd_table[i];
	return NULL;
}

static void list(FILE *f)
{
	fprintf(f, "usage: srm COMMAND [OPTIONS] [ARGS]\n\nThe Simple Risk Manager's command line: "
		   "what srmd guards, and its admin.\n\ncommands:\n");
	for (size_t i = 0; i < N_CMDS; i++)
		fprintf(f, "  %-10s %s\n", cmd_table[i].name, cmd_table[i].brief);
	fprintf(f, "\n'srm COMMAND --help' (or 'srm help COMMAND') says more about each.\n"
		   "exit status: 0 ok; 1 the command ran and found a problem (srmd not running, a\n"
		   "refusal, an invalid config); 2 a usage error.\n");
}

static int exec_help(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "--help") != 0 && strcmp(argv[1], "-h") != 0) {
		const struct cmd_entry *c = find_cmd(argv[1]);
		char help[] = "--help";
		char *sub[3] = { argv[1], help, NULL };

		if (c == NULL) {
			fprintf(stderr, "srm help: no command '%s'\ntry 'srm help'\n", argv[1]);
			return 2;
		}
		if (c->exec != exec_help && c->exec != exec_version)
			return c->exec(2, sub);
	}
	list(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	const struct cmd_entry *c;

	/* a hung-up srmd is an error we report, not a signal that kills us; the admin
	 * password never goes into a core file */
	signal(SIGPIPE, SIG_IGN);
	secure_no_dumps();
	if (argc < 2) {
		list(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0)
		return exec_version(0, NULL);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		return exec_help(0, NULL);
	c = find_cmd(argv[1]);
	if (c != NULL)
		return c->exec(argc - 1, argv + 1);
	fprintf(stderr, "srm: unknown command '%s'\ntry 'srm help'\n", argv[1]);
	return 2;
}
