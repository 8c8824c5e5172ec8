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
#include "util/strutil.h"

#define RED(o) ((o)->color ? "\033[31m" : "")
#define GREEN(o) ((o)->color ? "\033[32m" : "")
#define YELLOW(o) ((o)->color ? "\033[33m" : "")
#define BOLD(o) ((o)->color ? "\033[1m" : "")
#define RESET(o) ((o)->color ? "\033[0m" : "")

/* Parse the common options; returns the index of the first non-option or -1 on error. */
int cli_parse_opts(int argc, char **argv, struct cli_opts *o, const char *const *extra, const char **vals)
{
	o->color = isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			o->json = true;
		} else if (strcmp(argv[i], "--socket") == 0 && i + 1 < argc) {
			o->socket = argv[++i];
		} else if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
			o->config = argv[++i];
		} else {
			bool known = false;

			for (int k = 0; extra != NULL && extra[k] != NULL; k++) {
				if (strcmp(argv[i], extra[k]) == 0 && i + 1 < argc) {
					vals[k] = argv[++i];
					known = true;
				}
			}
			if (!known) {
				if (argv[i][0] == '-') {
					fprintf(stderr, "srm %s: unknown option %s\n", argv[0], argv[i]);
					return -1;
				}
				return i;
			}
		}
	}
	return argc;
}

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

		const char *unit = cj_str(x, "unit", "");
		char f[32], dist[32];

		if (cJSON_GetObjectItemCaseSensitive(x, "floor") != NULL) {
			printf("  %sfloor %s (distance %s)%s", col, money_commas(cj_num(x, "floor", 0), f),
			       money_commas(cj_num(x, "distance", 0), dist), RESET(o));
			continue;
		}
		if (strcmp(unit, "loss") == 0)
			printf("  %s%s -%.2f/-%.2f%s", col, label, used, limit, RESET(o));
		else if (strcmp(unit, "money") == 0)
			printf("  %s%s %.2f/%.2f%s", col, label, used, limit, RESET(o));
		else
			printf("  %s%s %.0f/%.0f%s", col, label, used, limit, RESET(o));
	}
	printf("\n");
	if (cJSON_GetArraySize(pos) > 0) {
		printf("  %-18s %-6s %6s %12s %12s\n", "POSITION", "SYMBOL", "SIZE", "AVG", "UNREALIZED");
		cJSON_ArrayForEach(x, pos)
			printf("  %-18s %-6s %6.0f %12.2f %+12.2f\n", cj_str(x, "contractId", ""), cj_str(x, "symbol", ""),
			       cj_num(x, "size", 0), cj_num(x, "averagePrice", 0), cj_num(x, "unrealizedPnl", 0));
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

/* Arguments of the request from the command's option values. */
typedef cJSON *(*args_fn)(const char *const *vals);
/* The human form of a reply's data. */
typedef void (*human_fn)(const struct cli_opts *o, const cJSON *data, const char *const *vals);

static const char *const account_opts[] = {"--account", NULL};

/* NULL (the error said) when an option's value is not a valid number. */
static cJSON *account_args(const char *const *vals)
{
	cJSON *args = cJSON_CreateObject();
	double id;

	if (vals[0] != NULL) {
		if (cli_number(vals[0], "--account", 1, CLI_ACCOUNT_MAX, &id) != 0) {
			cJSON_Delete(args);
			return NULL;
		}
		cJSON_AddNumberToObject(args, "account", id);
	}
	return args;
}

/* Every read command: parse options, one request, --json or the human form. */
static int read_command(int argc, char **argv, const char *cmd, const char *const *extra,
			args_fn mk, human_fn show)
{
	struct cli_opts o = {0};
	const char *vals[4] = {NULL, NULL, NULL, NULL};
	cJSON *reply;
	const cJSON *data;

	if (cli_parse_opts(argc, argv, &o, extra, vals) != argc)
		return 2;
	cJSON *args = mk(vals);

	if (args == NULL)
		return 2;
	data = call(&o, cmd, args, &reply);
	if (data == NULL) {
		cJSON_Delete(reply);
		return 1;
	}
	if (o.json)
		print_json(data);
	else
		show(&o, data, vals);
	cJSON_Delete(reply);
	return 0;
}

static void show_status(const struct cli_opts *o, const cJSON *data, const char *const *vals)
{
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(data, "daemon");
	const cJSON *g = cJSON_GetObjectItemCaseSensitive(d, "gateway");
	const cJSON *x;

	(void)vals;
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

int cmd_status(int argc, char **argv)
{
	return read_command(argc, argv, "status", account_opts, account_args, show_status);
}

static void show_lockouts(const struct cli_opts *o, const cJSON *data, const char *const *vals)
{
	const cJSON *x;

	(void)o;
	(void)vals;
	if (cJSON_GetArraySize(data) == 0) {
		printf("no lockouts: trading is allowed\n");
		return;
	}
	printf("%-10s %-8s %-22s %-22s %-6s %s\n", "ACCOUNT", "RULE", "SINCE", "UNTIL", "SYMBOL", "REASON");
	cJSON_ArrayForEach(x, data)
		printf("%-10.0f %-8s %-22s %-22s %-6s %s\n", cj_num(x, "accountId", 0),
		       cj_str(x, "rule", ""), cj_str(x, "since", ""), cj_str(x, "until", ""), cj_str(x, "symbol", "-"),
		       cj_str(x, "reason", ""));
}

int cmd_lockouts(int argc, char **argv)
{
	return read_command(argc, argv, "lockouts", account_opts, account_args, show_lockouts);
}

static void show_rules(const struct cli_opts *o, const cJSON *data, const char *const *vals)
{
	const cJSON *a, *r;

	(void)vals;
	cJSON_ArrayForEach(a, data) {
		printf("%saccount %.0f%s\n", BOLD(o), cj_num(a, "accountId", 0), RESET(o));
		printf("  %-8s %-30s %-8s %-9s %s\n", "RULE", "NAME", "ENABLED", "STATE", "USED/LIMIT");
		cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(a, "rules")) {
			double share = cj_num(r, "share", -1);
			const char *col = share >= 0.9 ? RED(o) : share >= 0.7 ? YELLOW(o) : GREEN(o);

			printf("  %-8s %-30s %-8s %-9s ", cj_str(r, "id", ""), cj_str(r, "name", ""),
			       cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "enabled")) ? "yes" : "no",
			       cj_str(r, "state", ""));
			if (share >= 0)
				printf("%s%.2f/%.2f (%.0f%%)%s", col, cj_num(r, "used", 0), cj_num(r, "limit", 0),
				       share * 100, RESET(o));
			printf("\n");
		}
	}
}

int cmd_rules(int argc, char **argv)
{
	return read_command(argc, argv, "rules", account_opts, account_args, show_rules);
}

static cJSON *history_args(const char *const *vals)
{
	cJSON *args = account_args(vals);
	double n;

	if (args == NULL)
		return NULL;
	if (vals[1] != NULL)
		cJSON_AddStringToObject(args, "since", vals[1]);
	if (vals[2] != NULL) {
		if (cli_number(vals[2], "--limit", 0, 10000, &n) != 0) {
			cJSON_Delete(args);
			return NULL;
		}
		cJSON_AddNumberToObject(args, "limit", n);
	}
	return args;
}

static void show_history(const struct cli_opts *o, const cJSON *data, const char *const *vals)
{
	const cJSON *x;

	(void)o;
	(void)vals;
	printf("%-22s %-8s %-8s %-15s %-17s %-26s %8s  %s\n", "TIME", "ACCOUNT", "RULE", "ACTION", "CONTRACT",
	       "OUTCOME", "LATENCY", "REASON");
	cJSON_ArrayForEach(x, data) {
		double lat = cj_num(x, "latencyUs", -1);
		char latbuf[32] = "-";

		if (lat > 0)
			snprintf(latbuf, sizeof(latbuf), "%.2fms", lat / 1000);
		printf("%-22s %-8.0f %-8s %-15s %-17s %-26.26s %8s  %s%s\n", cj_str(x, "ts", ""),
		       cj_num(x, "accountId", 0), cj_str(x, "rule", ""), cj_str(x, "action", ""),
		       cj_str(x, "contractId", "-"), cj_str(x, "outcome", "pending"), latbuf,
		       cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(x, "dryRun")) ? "[dry run] " : "",
		       cj_str(x, "reason", ""));
	}
}

int cmd_history(int argc, char **argv)
{
	static const char *const extra[] = {"--account", "--since", "--limit", NULL};

	return read_command(argc, argv, "history", extra, history_args, show_history);
}

static cJSON *logs_args(const char *const *vals)
{
	cJSON *args = cJSON_CreateObject();
	double n;

	if (vals[0] != NULL) {
		if (cli_number(vals[0], "-n", 0, 2000, &n) != 0) {
			cJSON_Delete(args);
			return NULL;
		}
		cJSON_AddNumberToObject(args, "n", n);
	}
	if (vals[1] != NULL)
		cJSON_AddStringToObject(args, "level", vals[1]);
	if (vals[2] != NULL)
		cJSON_AddStringToObject(args, "grep", vals[2]);
	return args;
}

static void show_logs(const struct cli_opts *o, const cJSON *data, const char *const *vals)
{
	const cJSON *x;

	(void)o;
	(void)vals;
	cJSON_ArrayForEach(x, data)
		if (cJSON_IsString(x))
			puts(x->valuestring);
}

int cmd_logs(int argc, char **argv)
{
	static const char *const extra[] = {"-n", "--level", "--grep", NULL};

	return read_command(argc, argv, "logs", extra, logs_args, show_logs);
}
