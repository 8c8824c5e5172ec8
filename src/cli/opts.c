/* opts.c: every `srm` command reads its options here, with getopt_long, from its cli_spec. */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/opts.h"

/* getopt_long's codes for the common options and for spec->opts[k] (OPT_BASE + k). */
enum { OPT_JSON = 256, OPT_SOCKET, OPT_CONFIG, OPT_BASE = 512 };

static size_t n_opts(const struct cli_spec *s)
{
	size_t n = 0;

	while (s->opts != NULL && s->opts[n].name != NULL && n < CLI_OPTS_MAX)
		n++;
	return n;
}

int cli_usage_error(const struct cli_spec *s, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "srm %s: ", s->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\ntry 'srm %s --help'\n", s->name);
	return 2;
}

static void help_line(const char *left, const char *help)
{
	if (strlen(left) <= 24)
		printf("  %-24s %s\n", left, help);
	else
		printf("  %s\n  %-24s %s\n", left, "", help);
}

void cli_help(const struct cli_spec *s)
{
	size_t n = n_opts(s);
	char left[96];

	printf("usage: srm %s%s%s%s\n\n%s\n\noptions:\n", s->name, n > 0 || s->common ? " [OPTIONS]" : "",
	       s->args[0] != '\0' ? " " : "", s->args, s->summary);
	for (size_t k = 0; k < n; k++) {
		const struct cli_opt *o = &s->opts[k];

		snprintf(left, sizeof(left), "%s%c%s--%s%s%s", o->letter ? "-" : "", o->letter ? o->letter : ' ',
			 o->letter ? ", " : " ", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
		help_line(o->letter ? left : left + 2, o->help);
	}
	if (s->common & CLI_C_JSON)
		help_line("--json", "the answer as JSON (times in ISO-8601), for scripts");
	if (s->common & CLI_C_DAEMON) {
		help_line("--socket PATH", "srmd's socket (default: $SRM_SOCKET, the config's daemon.socket)");
		help_line("--config FILE", "the config that names the socket (default ~/.config/srm/srm.yaml)");
	}
	help_line("-h, --help", "this help");
	if (s->more != NULL)
		printf("\n%s\n", s->more);
}

int cli_parse(const struct cli_spec *s, int argc, char **argv, struct cli_parsed *p)
{
	struct option lo[CLI_OPTS_MAX + 5];
	char shorts[2 + 2 * CLI_OPTS_MAX + 3] = ":h";
	size_t n = n_opts(s), nl = 0, ns = 2;
	int c;

	memset(p, 0, sizeof(*p));
	p->o.color = isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL;
	for (size_t k = 0; k < n; k++) {
		lo[nl++] = (struct option){ s->opts[k].name, s->opts[k].arg ? required_argument : no_argument,
					    NULL, OPT_BASE + (int)k };
		if (s->opts[k].letter != 0) {
			shorts[ns++] = (char)s->opts[k].letter;
			if (s->opts[k].arg != NULL)
				shorts[ns++] = ':';
		}
	}
	shorts[ns] = '\0';
	if (s->common & CLI_C_JSON)
		lo[nl++] = (struct option){ "json", no_argument, NULL, OPT_JSON };
	if (s->common & CLI_C_DAEMON) {
		lo[nl++] = (struct option){ "socket", required_argument, NULL, OPT_SOCKET };
		lo[nl++] = (struct option){ "config", required_argument, NULL, OPT_CONFIG };
	}
	lo[nl++] = (struct option){ "help", no_argument, NULL, 'h' };
	lo[nl] = (struct option){ 0 };
	opterr = 0;
	optind = 0; /* glibc: start afresh (a second parse in one process, another option set) */
	while ((c = getopt_long(argc, argv, shorts, lo, NULL)) != -1) {
		const char *given = argv[optind - 1];

		if (c == 'h')
			return cli_help(s), CLI_HELP;
		if (c == '?') {
			if (optopt != 0 && optopt < OPT_JSON)
				return cli_usage_error(s, "unknown option -%c", optopt);
			if (optopt >= OPT_JSON)
				return cli_usage_error(s, "option %.*s takes no value", (int)strcspn(given, "="),
						       given);
			return cli_usage_error(s, "unknown option %.*s", (int)strcspn(given, "="), given);
		}
		if (c == ':')
			return cli_usage_error(s, "option %s needs a value", given);
		if (c == OPT_JSON) {
			p->o.json = true;
		} else if (c == OPT_SOCKET) {
			p->o.socket = optarg;
		} else if (c == OPT_CONFIG) {
			p->o.config = optarg;
		} else {
			size_t k = c >= OPT_BASE ? (size_t)(c - OPT_BASE) : n;

			for (size_t j = 0; k == n && j < n; j++)
				if (s->opts[j].letter == c)
					k = j;
			if (k >= n)
				return cli_usage_error(s, "unknown option %s", given);
			if (s->opts[k].arg != NULL && optarg[0] == '\0')
				return cli_usage_error(s, "option --%s needs a value", s->opts[k].name);
			p->set[k] = true;
			p->val[k] = optarg;
		}
	}
	p->args = argv + optind;
	p->nargs = argc - optind;
	if (p->nargs > s->max_args) {
		if (s->max_args == 0)
			return cli_usage_error(s, "unexpected argument '%s'", p->args[0]);
		return cli_usage_error(s, "unexpected argument '%s' (%s takes %s)", p->args[s->max_args],
				       s->name, s->args);
	}
	if (p->nargs < s->min_args)
		return cli_usage_error(s, "missing %s", s->args);
	return 0;
}

static int find(const struct cli_spec *s, const char *name)
{
	size_t n = n_opts(s);

	for (size_t k = 0; k < n; k++)
		if (strcmp(s->opts[k].name, name) == 0)
			return (int)k;
	return -1;
}

const char *cli_val(const struct cli_spec *s, const struct cli_parsed *p, const char *name)
{
	int k = find(s, name);

	return k < 0 ? NULL : p->val[k];
}

bool cli_flag(const struct cli_spec *s, const struct cli_parsed *p, const char *name)
{
	int k = find(s, name);

	return k >= 0 && p->set[k];
}
