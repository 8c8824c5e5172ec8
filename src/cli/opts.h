/* opts.h: one way to read a command's options (getopt_long), print its --help, refuse bad ones. */
#ifndef SRM_CLI_OPTS_H
#define SRM_CLI_OPTS_H

#include <stdbool.h>

#include "cli/client.h"

/* One option of a command beyond the common ones. */
struct cli_opt {
	const char *name;   /* long name without "--" */
	int letter;         /* short option letter, or 0 */
	const char *arg;    /* its value's name ("ID", "FILE"), NULL for a flag */
	const char *help;   /* one line */
};

/* Which common options a command takes. */
enum {
	CLI_C_JSON = 1,     /* --json */
	CLI_C_DAEMON = 2,   /* --socket PATH, --config FILE (where srmd is) */
};

#define CLI_OPTS_MAX 12

/* A command's interface: what its --help prints and what its parser accepts. */
struct cli_spec {
	const char *name;                /* the words after "srm": "status", "admin lockout set" */
	const char *args;                /* the positional arguments' synopsis, "" for none */
	int min_args, max_args;
	const char *summary;             /* what it does, one or two lines */
	unsigned common;                 /* CLI_C_* */
	const struct cli_opt *opts;      /* up to CLI_OPTS_MAX, ended by { 0 } (NULL: none) */
	const char *more;                /* a paragraph after the options (examples), or NULL */
};

/* What was given. val[k] / set[k] belong to spec->opts[k]. */
struct cli_parsed {
	struct cli_opts o;
	const char *val[CLI_OPTS_MAX];
	bool set[CLI_OPTS_MAX];
	char **args;                     /* the positional arguments (into argv) */
	int nargs;
};

/*
 * Parse argv (argv[0] is the command's last word; options and arguments in any order,
 * --opt=value and --opt value, "--" ends the options). Returns 0; or CLI_HELP after printing
 * the command's help on stdout (exit 0); or 2 after "srm CMD: what is wrong" and
 * "try 'srm CMD --help'" on stderr (exit 2).
 */
#define CLI_HELP (-1)
int cli_parse(const struct cli_spec *s, int argc, char **argv, struct cli_parsed *p);

/* The command's help on stdout. */
void cli_help(const struct cli_spec *s);
/* "srm CMD: MSG" and the hint, on stderr; returns 2. */
int cli_usage_error(const struct cli_spec *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The value of the option named name, or NULL (not given, or not an option of s). */
const char *cli_val(const struct cli_spec *s, const struct cli_parsed *p, const char *name);
bool cli_flag(const struct cli_spec *s, const struct cli_parsed *p, const char *name);

#endif
