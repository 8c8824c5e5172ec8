/* read_cmds.c: the trader's read-only commands: status, lockouts, rules, history, logs, monitor. */
#include <signal.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/client.h"
#include "cli/opts.h"
#include "util/strutil.h"
#include "util/timefmt.h"

#define RED(o) ((o)->color ? "\033[31m" : "")
#define GREEN(o) ((o)->color ? "\033[32m" : "")
#define YELLOW(o) ((o)->color ? "\033[33m" : "")
#define BOLD(o) ((o)->color ? "\033[1m" : "")
#define RESET(o) ((o)->color ? "\033[0m" : "")

/* Connect and make one call; prints errors. Returns the reply's data (owned by *reply). */
static const cJSON *call(const struct cli_opts *o, const char *cmd, cJSON *args, cJSON **reply)
{
	struct client c;
	char path[108];

	*reply = NULL;
	cli_socket_path(o, path, sizeof(path));
	if (client_connect(&c, path) != 0) {
		cJSON_Delete(args);
		return NULL;
	}
	*reply = client_call(&c, cmd, args);
	client_close(&c);
	if (*reply == NULL || client_reply_failed(*reply))
		return NULL;
	return cJSON_GetObjectItemCaseSensitive(*reply, "data");
}

static int print_json(const cJSON *data)
{
	char *s = cJSON_PrintUnformatted(data);

	if (s == NULL)
		return 1;
	puts(s);
	free(s);
	return 0;
}

static void print_lockout(const struct cli_opts *o, const cJSON *l)
{
	const char *until = cj_str(l, "until", "?");

	printf("  %sLOCKED%s until %s  %s  %s%s%s\n", RED(o), RESET(o), until, cj_str(l, "rule", ""),
	       cj_str(l, "reason", ""), cj_str(l, "symbol", NULL) ? " symbol " : "", cj_str(l, "symbol", ""));
}

/* 48250.5 -> "48,250.50" into buf (at least 32 bytes). */
static const char *money_commas(double v, char *buf)
{
	char digits[32];
	long long cents = llround(v * 100.0);
	bool neg = cents < 0;
	unsigned long long u = neg ? (unsigned long long)-cents : (unsigned long long)cents;
	int n = snprintf(digits, sizeof(digits), "%llu", u / 100), k = 0;

	if (neg)
		buf[k++] = '-';
	for (int i = 0; i < n; i++) {
		buf[k++] = digits[i];
		if ((n - i - 1) % 3 == 0 && i < n - 1)
			buf[k++] = ',';
	}
	snprintf(buf + k, 32 - (size_t)k, ".%02llu", u % 100);
	return buf;
}

static void print_account(const struct cli_opts *o, const cJSON *a)
{
	const cJSON *locks = cJSON_GetObjectItemCaseSensitive(a, "lockouts");
	const cJSON *rules = cJSON_GetObjectItemCaseSensitive(a, "rules");
	const cJSON *pos = cJSON_GetObjectItemCaseSensitive(a, "positions");
	const cJSON *ord = cJSON_GetObjectItemCaseSensitive(a, "orders");
	const cJSON *x;
	int nlocks = cJSON_GetArraySize(locks);

	printf("%saccount %.0f %s%s  canTrade %s  %s%s%s\n", BOLD(o), cj_num(a, "id", 0), cj_str(a, "name", ""),
	       RESET(o), cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(a, "canTrade")) ? "yes" : "NO",
	       nlocks ? RED(o) : GREEN(o), nlocks ? "LOCKED OUT" : "trading allowed", RESET(o));
	cJSON_ArrayForEach(x, locks)
		print_lockout(o, x);
	printf("  realized %+.2f  unrealized %+.2f  fees %.2f  trades %.0f\n", cj_num(a, "realizedPnl", 0),
	       cj_num(a, "unrealizedPnl", 0), cj_num(a, "fees", 0), cj_num(a, "tradesToday", 0));
	printf("  limits:");
	cJSON_ArrayForEach(x, rules) {
		const char *label = cj_str(x, "label", cj_str(x, "name", ""));
		double used = cj_num(x, "used", -1), limit = cj_num(x, "limit", -1);

		if (limit <= 0)
			continue;
		double share = used / limit;
		const char *col = share >= 0.9 ? RED(o) : share >= 0.7 ? YELLOW(o) : GREEN(o);

		char f[32], dist[32], ms[64];

		if (cJSON_GetObjectItemCaseSensitive(x, "floor") != NULL) {
			printf("  %sfloor %s (distance %s)%s", col, money_commas(cj_num(x, "floor", 0), f),
			       money_commas(cj_num(x, "distance", 0), dist), RESET(o));
			continue;
		}
		printf("  %s%s %s%s", col, label, cli_measure(x, false, ms, sizeof(ms)), RESET(o));
	}
	printf("\n");
	if (cJSON_GetArraySize(pos) > 0) {
		printf("  %-18s %-6s %6s %12s %12s  %s\n", "POSITION", "SYMBOL", "SIZE", "AVG", "UNREALIZED", "STOP");
		cJSON_ArrayForEach(x, pos) {
			const cJSON *stp = cJSON_GetObjectItemCaseSensitive(x, "stopPrice");
			const cJSON *dl = cJSON_GetObjectItemCaseSensitive(x, "deadline");
			char st[96] = "none";

			if (cJSON_IsNumber(stp))
				snprintf(st, sizeof(st), "%.2f", stp->valuedouble);
			else if (dl != NULL)
				snprintf(st, sizeof(st), "none: %s %s at %s", cj_str(dl, "rule", ""),
					 cj_str(dl, "what", ""), cj_str(dl, "at", ""));
			printf("  %-18s %-6s %6.0f %12.2f %+12.2f  %s\n", cj_str(x, "contractId", ""),
			       cj_str(x, "symbol", ""), cj_num(x, "size", 0), cj_num(x, "averagePrice", 0),
			       cj_num(x, "unrealizedPnl", 0), st);
		}
	}
	if (cJSON_GetArraySize(ord) > 0) {
		printf("  %-10s %-18s %-5s %5s %12s\n", "ORDER", "CONTRACT", "SIDE", "SIZE", "PRICE");
		cJSON_ArrayForEach(x, ord) {
			double px = cj_num(x, "limitPrice", cj_num(x, "stopPrice", 0));

			printf("  %-10.0f %-18s %-5s %5.0f %12.2f\n", cj_num(x, "id", 0), cj_str(x, "contractId", ""),
			       cj_num(x, "side", 0) == 0 ? "buy" : "sell", cj_num(x, "size", 0), px);
		}
	}
}

/* Arguments of the request from the command's options; NULL (the error said) when one is bad. */
typedef cJSON *(*args_fn)(const struct cli_spec *s, const struct cli_parsed *p);
/* The human form of a reply's data. */
typedef void (*human_fn)(const struct cli_parsed *p, const cJSON *data);

#define ACCOUNT_OPT { "account", 'a', "ID", "only this account" }

static cJSON *account_args(const struct cli_spec *s, const struct cli_parsed *p)
{
	cJSON *args = cJSON_CreateObject();
	const char *v = cli_val(s, p, "account");
	double id;

	if (v != NULL) {
		if (cli_number(v, "--account", 1, CLI_ACCOUNT_MAX, &id) != 0) {
			cJSON_Delete(args);
			return NULL;
		}
		cJSON_AddNumberToObject(args, "account", id);
	}
	return args;
}

/* Every read command: parse options, one request, --json or the human form. */
static int read_command(const struct cli_spec *s, int argc, char **argv, const char *cmd, args_fn mk,
			human_fn show)
{
	struct cli_parsed p;
	cJSON *reply;
	const cJSON *data;
	int rc = cli_parse(s, argc, argv, &p);

	if (rc != 0)
		return rc == CLI_HELP ? 0 : rc;
	cJSON *args = mk(s, &p);

	if (args == NULL) {
		fprintf(stderr, "try 'srm %s --help'\n", s->name);
		return 2;
	}
	data = call(&p.o, cmd, args, &reply);
	if (data == NULL) {
		cJSON_Delete(reply);
		return 1;
	}
	if (p.o.json)
		print_json(data);
	else
		show(&p, data);
	cJSON_Delete(reply);
	return 0;
}

static void show_status(const struct cli_parsed *p, const cJSON *data)
{
	const struct cli_opts *o = &p->o;
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(data, "daemon");
	const cJSON *g = cJSON_GetObjectItemCaseSensitive(d, "gateway");
	const cJSON *x;

	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(d, "guarded")))
		printf("%sGUARDED%s since %s\n", GREEN(o), RESET(o), cj_str(d, "guardSince", "?"));
	else
		printf("%s%sNOT GUARDED%s: %s (since %s)\n", BOLD(o), RED(o), RESET(o),
		       cj_str(d, "notGuarded", "?"), cj_str(d, "guardSince", "?"));
	printf("srmd %s  %s  up %.0fs  rest %s  user hub %s  market hub %s%s\n", cj_str(d, "version", ""),
	       cj_str(d, "phase", ""), cj_num(d, "uptimeS", 0), cj_str(g, "rest", ""), cj_str(g, "userHub", ""),
	       cj_str(g, "marketHub", ""), cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(d, "dryRun")) ? "  DRY RUN" : "");
	cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(data, "accounts"))
		print_account(o, x);
}

static const struct cli_opt account_only[] = { ACCOUNT_OPT, { 0 } };

static const struct cli_spec status_spec = {
	.name = "status", .args = "", .common = CLI_C_JSON | CLI_C_DAEMON, .opts = account_only,
	.summary = "Whether srmd is guarding, and for each account: lockouts, the day's P&L, every\n"
		   "limit against what it watches, positions and working orders.",
	.more = "The first line is GUARDED, or NOT GUARDED with the reason: while it says NOT GUARDED,\n"
		"nothing is enforced.",
};

int cmd_status(int argc, char **argv)
{
	return read_command(&status_spec, argc, argv, "status", account_args, show_status);
}

static void show_lockouts(const struct cli_parsed *p, const cJSON *data)
{
	const cJSON *x;

	(void)p;
	if (cJSON_GetArraySize(data) == 0) {
		printf("no lockouts: trading is allowed\n");
		return;
	}
	printf("%-10s %-8s %-24s %-24s %-6s %s\n", "ACCOUNT", "RULE", "SINCE", "UNTIL", "SYMBOL", "REASON");
	cJSON_ArrayForEach(x, data)
		printf("%-10.0f %-8s %-24s %-24s %-6s %s\n", cj_num(x, "accountId", 0),
		       cj_str(x, "rule", ""), cj_str(x, "since", ""), cj_str(x, "until", ""), cj_str(x, "symbol", "-"),
		       cj_str(x, "reason", ""));
}

static const struct cli_spec lockouts_spec = {
	.name = "lockouts", .args = "", .common = CLI_C_JSON | CLI_C_DAEMON, .opts = account_only,
	.summary = "The lockouts in force: account, rule, since, until (a time, the reset, or\n"
		   "permanent), a symbol for a symbol lockout, and why.",
};

int cmd_lockouts(int argc, char **argv)
{
	return read_command(&lockouts_spec, argc, argv, "lockouts", account_args, show_lockouts);
}

static void show_rules(const struct cli_parsed *p, const cJSON *data)
{
	const struct cli_opts *o = &p->o;
	const cJSON *a, *r;

	cJSON_ArrayForEach(a, data) {
		printf("%saccount %.0f%s\n", BOLD(o), cj_num(a, "accountId", 0), RESET(o));
		printf("  %-8s %-30s %-8s %-9s %s\n", "RULE", "NAME", "ENABLED", "STATE", "USED/LIMIT");
		cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(a, "rules")) {
			double share = cj_num(r, "share", -1);
			const char *col = share >= 0.9 ? RED(o) : share >= 0.7 ? YELLOW(o) : GREEN(o);

			printf("  %-8s %-30s %-8s %-9s ", cj_str(r, "id", ""), cj_str(r, "name", ""),
			       cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "enabled")) ? "yes" : "no",
			       cj_str(r, "state", ""));
			char ms[64];

			if (share >= 0)
				printf("%s%s %s (%.0f%%)%s", col, cj_str(r, "label", ""), cli_measure(r, false, ms, sizeof(ms)),
				       share * 100, RESET(o));
			printf("\n");
		}
	}
}

static const struct cli_spec rules_spec = {
	.name = "rules", .args = "", .common = CLI_C_JSON | CLI_C_DAEMON, .opts = account_only,
	.summary = "Every rule for each account: enabled, its state, what it watches against its limit.",
};

int cmd_rules(int argc, char **argv)
{
	return read_command(&rules_spec, argc, argv, "rules", account_args, show_rules);
}

static const struct cli_opt history_opts[] = {
	ACCOUNT_OPT,
	{ "since", 's', "2h|TIME", "from this long ago, or from an ISO-8601 time" },
	{ "limit", 'n', "N", "at most N rows (0 to 10000, default 200)" },
	{ "csv", 0, NULL, "comma-separated values with a header line, for a spreadsheet" },
	{ 0 },
};

static const struct cli_spec history_spec = {
	.name = "history", .args = "", .common = CLI_C_JSON | CLI_C_DAEMON, .opts = history_opts,
	.summary = "What srmd did, newest last: every cancel, close, lockout and unlock, with the rule,\n"
		   "the reason, what the gateway answered and how long it took.",
	.more = "examples:\n  srm history --since 2h\n  srm history --account 10001 --csv > today.csv",
};

static cJSON *history_args(const struct cli_spec *s, const struct cli_parsed *p)
{
	cJSON *args = account_args(s, p);
	const char *since = cli_val(s, p, "since"), *limit = cli_val(s, p, "limit");
	double n;

	if (args == NULL)
		return NULL;
	if (since != NULL)
		cJSON_AddStringToObject(args, "since", since);
	if (limit != NULL) {
		if (cli_number(limit, "--limit", 0, 10000, &n) != 0) {
			cJSON_Delete(args);
			return NULL;
		}
		cJSON_AddNumberToObject(args, "limit", n);
	}
	return args;
}

/* A CSV field: quoted when it holds a comma, a quote or a line break (RFC 4180). */
static void csv_field(const char *v, bool last)
{
	if (strpbrk(v, ",\"\r\n") == NULL) {
		fputs(v, stdout);
	} else {
		putchar('"');
		for (const char *c = v; *c != '\0'; c++) {
			if (*c == '"')
				putchar('"');
			putchar(*c);
		}
		putchar('"');
	}
	putchar(last ? '\n' : ',');
}

static void show_history(const struct cli_parsed *p, const cJSON *data)
{
	static const char *const cols[] = { "ts", "accountId", "rule", "action", "contractId", "orderId",
					    "size", "until", "outcome", "latencyUs", "dryRun", "reason" };
	const size_t ncols = sizeof(cols) / sizeof(cols[0]);
	const cJSON *x;

	if (cli_flag(&history_spec, p, "csv")) {
		for (size_t i = 0; i < ncols; i++)
			csv_field(cols[i], i + 1 == ncols);
		cJSON_ArrayForEach(x, data) {
			for (size_t i = 0; i < ncols; i++) {
				const cJSON *v = cJSON_GetObjectItemCaseSensitive(x, cols[i]);
				char num[32] = "";

				if (cJSON_IsNumber(v))
					snprintf(num, sizeof(num), "%.0f", v->valuedouble);
				else if (cJSON_IsBool(v))
					strlcpy_s(num, cJSON_IsTrue(v) ? "true" : "false", sizeof(num));
				csv_field(cJSON_IsString(v) ? v->valuestring : num, i + 1 == ncols);
			}
		}
		return;
	}
	if (cJSON_GetArraySize(data) == 0) {
		printf("nothing enforced in that time\n");
		return;
	}
	printf("%-24s %-10s %-8s %-15s %-18s %-26s %9s  %s\n", "TIME", "ACCOUNT", "RULE", "ACTION",
	       "CONTRACT", "OUTCOME", "LATENCY", "REASON");
	cJSON_ArrayForEach(x, data) {
		double lat = cj_num(x, "latencyUs", -1);
		char latbuf[32] = "-";

		if (lat > 0)
			snprintf(latbuf, sizeof(latbuf), "%.2fms", lat / 1000);
		printf("%-24s %-10.0f %-8s %-15s %-18s %-26.26s %9s  %s%s\n", cj_str(x, "ts", ""),
		       cj_num(x, "accountId", 0), cj_str(x, "rule", ""), cj_str(x, "action", ""),
		       cj_str(x, "contractId", "-"), cj_str(x, "outcome", "pending"), latbuf,
		       cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(x, "dryRun")) ? "[dry run] " : "",
		       cj_str(x, "reason", ""));
	}
}

int cmd_history(int argc, char **argv)
{
	return read_command(&history_spec, argc, argv, "history", history_args, show_history);
}

static const struct cli_opt logs_opts[] = {
	{ "lines", 'n', "N", "the last N lines (0 to 2000, default 50)" },
	{ "level", 'l', "LEVEL", "debug, info, warn or error and above" },
	{ "grep", 'g', "TEXT", "only lines that contain TEXT" },
	{ 0 },
};

static const struct cli_spec logs_spec = {
	.name = "logs", .args = "", .common = CLI_C_JSON | CLI_C_DAEMON, .opts = logs_opts,
	.summary = "srmd's recent log lines (kept in memory; the full log is where srmd writes it).",
};

static cJSON *logs_args(const struct cli_spec *s, const struct cli_parsed *p)
{
	cJSON *args = cJSON_CreateObject();
	const char *lines = cli_val(s, p, "lines"), *level = cli_val(s, p, "level");
	const char *grep = cli_val(s, p, "grep");
	double n;

	if (lines != NULL) {
		if (cli_number(lines, "-n", 0, 2000, &n) != 0) {
			cJSON_Delete(args);
			return NULL;
		}
		cJSON_AddNumberToObject(args, "n", n);
	}
	if (level != NULL)
		cJSON_AddStringToObject(args, "level", level);
	if (grep != NULL)
		cJSON_AddStringToObject(args, "grep", grep);
	return args;
}

static void show_logs(const struct cli_parsed *p, const cJSON *data)
{
	const cJSON *x;

	(void)p;
	cJSON_ArrayForEach(x, data)
		if (cJSON_IsString(x))
			puts(x->valuestring);
}

int cmd_logs(int argc, char **argv)
{
	return read_command(&logs_spec, argc, argv, "logs", logs_args, show_logs);
}

static const struct cli_opt report_opts[] = {
	ACCOUNT_OPT,
	{ "day", 'd', "YYYY-MM-DD", "the trading day that ends at that date's reset (default: today's)" },
	{ 0 },
};

static const struct cli_spec report_spec = {
	.name = "report", .args = "", .common = CLI_C_JSON | CLI_C_DAEMON, .opts = report_opts,
	.summary = "A trading day's summary per account: realized P&L, fees, net, trades, and what srmd\n"
		   "enforced and why (from the journal).",
	.more = "example:\n  srm report --day 2026-12-01",
};

static cJSON *report_args(const struct cli_spec *s, const struct cli_parsed *p)
{
	cJSON *args = account_args(s, p);
	const char *day = cli_val(s, p, "day");
	int32_t days;

	if (args != NULL && day != NULL) {
		if (date_parse(day, &days) != 0) {
			fprintf(stderr, "srm report: --day: expected YYYY-MM-DD, got \"%s\"\n", day);
			cJSON_Delete(args);
			return NULL;
		}
		cJSON_AddStringToObject(args, "day", day);
	}
	return args;
}

static void show_report(const struct cli_parsed *p, const cJSON *data)
{
	const struct cli_opts *o = &p->o;
	const cJSON *a, *x;
	bool live = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(data, "live"));

	printf("%strading day %s%s (to %s)%s\n", BOLD(o), cj_str(data, "day", ""), live ? ", so far" : "",
	       cj_str(data, "to", ""), RESET(o));
	cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(data, "accounts")) {
		double net = cj_num(a, "netPnl", 0);

		printf("\n%saccount %.0f %s%s  from %s\n", BOLD(o), cj_num(a, "id", 0), cj_str(a, "name", ""),
		       RESET(o), cj_str(a, "from", ""));
		if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(a, "recorded")))
			printf("  no P&L recorded for that day (srmd did not run then)\n");
		else
			printf("  realized %+.2f  fees %.2f  net %s%+.2f%s  trades %.0f\n", cj_num(a, "realizedPnl", 0),
			       cj_num(a, "fees", 0), net < 0 ? RED(o) : GREEN(o), net, RESET(o), cj_num(a, "trades", 0));
		if (cj_num(a, "enforced", 0) == 0) {
			printf("  nothing enforced\n");
			continue;
		}
		printf("  enforced %.0f time%s:\n", cj_num(a, "enforced", 0), cj_num(a, "enforced", 0) == 1 ? "" : "s");
		cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(a, "actions"))
			printf("    %-24s %-8s %-15s %-18s %s%s\n", cj_str(x, "ts", ""), cj_str(x, "rule", ""),
			       cj_str(x, "action", ""), cj_str(x, "contractId", "-"),
			       cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(x, "dryRun")) ? "[dry run] " : "",
			       cj_str(x, "reason", ""));
	}
}

int cmd_report(int argc, char **argv)
{
	return read_command(&report_spec, argc, argv, "report", report_args, show_report);
}
