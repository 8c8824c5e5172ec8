/*
 * monitor.c: `srm monitor`: a live screen on ncurses (alternate screen, redraws only what
 * changed, follows a resize, clips to the window; colour only on a terminal that has it).
 * Laid out for 80x24 first: the guard's state and the trading day on top, each account
 * with its lockouts (and a countdown), its rules in their own units, its positions, then
 * the journal (from the state file, then live). Views by key: 1 overview, 2 positions,
 * 3 rules, 4 connections, 5 calendar; q quits. Not on a terminal it prints one line per
 * event instead.
 */
#include <curses.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/client.h"
#include "cli/opts.h"
#include "util/clock.h"
#include "util/timefmt.h"
#include "util/tz.h"

static volatile sig_atomic_t stop;

static void on_sig(int s)
{
	(void)s;
	stop = 1;
}

#define HIST 64

enum { C_OK = 1, C_WARN, C_BAD, C_DIM };

struct mon {
	struct cli_opts o;
	int view;
	cJSON *status;
	char hist[HIST][300];
	int n_hist;
	bool colour;
	int y, rows, cols;      /* the line being drawn, the window */
};

static void push_hist(struct mon *m, const char *line)
{
	if (m->n_hist == HIST) {
		memmove(m->hist[0], m->hist[1], sizeof(m->hist[0]) * (HIST - 1));
		m->n_hist--;
	}
	snprintf(m->hist[m->n_hist++], sizeof(m->hist[0]), "%s", line);
}

/* One line at m->y, clipped to the window (the last line is kept for the key help). */
static void line(struct mon *m, int colour, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void line(struct mon *m, int colour, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	if (m->y >= m->rows - 1)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (colour != 0 && m->colour)
		attron(COLOR_PAIR(colour) | (colour == C_BAD ? A_BOLD : 0));
	mvaddnstr(m->y, 0, buf, m->cols);
	if (colour != 0 && m->colour)
		attroff(COLOR_PAIR(colour) | A_BOLD);
	m->y++;
}

static int share_colour(double share)
{
	return share >= 0.9 ? C_BAD : share >= 0.7 ? C_WARN : C_OK;
}

/* "1:02:03" / "4:05" until an ISO time; "" when it is not a time. */
static const char *left_of(const char *iso, char *buf, size_t cap)
{
	int64_t end;

	buf[0] = '\0';
	if (iso_parse(iso, &end) != 0)
		return buf;
	long s = (long)((end - clock_wall_ms()) / 1000);

	if (s < 0)
		s = 0;
	if (s >= 3600)
		snprintf(buf, cap, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
	else
		snprintf(buf, cap, "%ld:%02ld", s / 60, s % 60);
	return buf;
}

/* The trader's zone (display.timezone; NULL: the system's) and the exchange's (srmd's). */
static struct tz *mine_zone, *exch_zone;

static const char *zone_hms(const struct tz *z, int64_t ms, char *buf, size_t cap)
{
	struct tz_local lt;

	tz_localtime(z, ms, &lt);
	snprintf(buf, cap, "%02d:%02d:%02d", lt.hour, lt.min, lt.sec);
	return buf;
}

/* An ISO time in the trader's own zone, "HH:MM:SS". */
static const char *local_hms(const char *iso, char *buf, size_t cap)
{
	int64_t ms;
	time_t t;
	struct tm tm;

	if (iso_parse(iso, &ms) != 0) {
		snprintf(buf, cap, "%s", iso);
		return buf;
	}
	if (mine_zone != NULL)
		return zone_hms(mine_zone, ms, buf, cap);
	t = (time_t)(ms / 1000);
	localtime_r(&t, &tm);
	strftime(buf, cap, "%H:%M:%S", &tm);
	return buf;
}

/* The same in the exchange's zone (srmd's daemon.timezone), "" until it is known. */
static const char *exch_hms(const char *iso, char *buf, size_t cap)
{
	int64_t ms;

	buf[0] = '\0';
	if (exch_zone != NULL && iso_parse(iso, &ms) == 0)
		zone_hms(exch_zone, ms, buf, cap);
	return buf;
}

/* What a rule watches against its limit, in its own units. */
static void rule_numbers(const cJSON *x, char *buf, size_t cap)
{
	const char *unit = cj_str(x, "unit", "");
	double limit = cj_num(x, "limit", 0);

	if (cJSON_GetObjectItemCaseSensitive(x, "floor") != NULL)
		snprintf(buf, cap, "floor %.2f, distance %.2f", cj_num(x, "floor", 0),
			 cj_num(x, "distance", 0));
	else if (limit > 0 || strcmp(unit, "loss") == 0 || strcmp(unit, "money") == 0)
		cli_measure(x, true, buf, cap);
	else
		snprintf(buf, cap, "%s", cj_str(x, "state", ""));
}

static void draw_account(struct mon *m, const cJSON *a)
{
	const cJSON *locks = cJSON_GetObjectItemCaseSensitive(a, "lockouts"), *x;
	bool whole = false;
	int n_sym = 0;
	char left[24], num[96], syms[96] = "";

	cJSON_ArrayForEach(x, locks) {
		if (cj_str(x, "symbol", "")[0] == '\0') {
			whole = true;
		} else if (n_sym++ < 4) {
			size_t n = strlen(syms);

			snprintf(syms + n, sizeof(syms) - n, "%s%s", n ? " " : "", cj_str(x, "symbol", ""));
		}
	}
	line(m, whole ? C_BAD : n_sym ? C_WARN : C_OK, "%.0f %-18.18s %-s  P&L %+.2f  open %+.2f",
	     cj_num(a, "id", 0), cj_str(a, "name", ""),
	     whole ? "LOCKED OUT" : n_sym ? "trading (symbols locked)" : "trading allowed",
	     cj_num(a, "realizedPnl", 0), cj_num(a, "unrealizedPnl", 0));
	cJSON_ArrayForEach(x, locks) {
		const char *sym = cj_str(x, "symbol", ""), *until = cj_str(x, "until", "");

		left_of(until, left, sizeof(left));
		line(m, sym[0] ? C_WARN : C_BAD, "  %s%s%s %s %s: %.80s", sym[0] ? sym : "account",
		     " locked", left[0] ? " for" : " until", left[0] ? left : until,
		     cj_str(x, "rule", ""), cj_str(x, "reason", ""));
	}
	if (n_sym > 0 && !whole)
		line(m, C_DIM, "  symbols locked: %s (other symbols may trade)", syms);
	if (m->view == 0 || m->view == 2) {
		cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(a, "rules")) {
			double share = cj_num(x, "share", -1);

			if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(x, "enabled")))
				continue;
			if (m->view == 0 && share < 0 && cJSON_GetObjectItemCaseSensitive(x, "floor") == NULL)
				continue;
			rule_numbers(x, num, sizeof(num));
			line(m, share >= 0 ? share_colour(share) : 0, "  %-8s %-24.24s %-8s %s",
			     cj_str(x, "id", ""), cj_str(x, "name", ""), cj_str(x, "state", ""), num);
		}
	}
	if (m->view == 0 || m->view == 1) {
		const cJSON *orders = cJSON_GetObjectItemCaseSensitive(a, "orders"), *o;

		cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(a, "positions")) {
			const char *cid = cj_str(x, "contractId", "");
			const cJSON *stp = cJSON_GetObjectItemCaseSensitive(x, "stopPrice");
			const cJSON *dl = cJSON_GetObjectItemCaseSensitive(x, "deadline");
			char st[80], rem[24];

			/* srmd says which order is the position's stop, and when a rule acts on it */
			if (cJSON_IsNumber(stp))
				snprintf(st, sizeof(st), "stop %.2f", stp->valuedouble);
			else if (dl != NULL && left_of(cj_str(dl, "at", ""), rem, sizeof(rem))[0] != '\0')
				snprintf(st, sizeof(st), "no stop - %s in %s", cj_str(dl, "what", "acted on"), rem);
			else if (dl != NULL)
				snprintf(st, sizeof(st), "no stop - %s now", cj_str(dl, "what", "acted on"));
			else
				snprintf(st, sizeof(st), "no stop");
			line(m, cJSON_IsNumber(stp) ? 0 : C_WARN, "  %-6s %+4.0f @ %-10.2f P&L %+9.2f  %s",
			     cj_str(x, "symbol", cid), cj_num(x, "size", 0), cj_num(x, "averagePrice", 0),
			     cj_num(x, "unrealizedPnl", 0), st);
		}
		if (m->view == 1)
			cJSON_ArrayForEach(o, orders)
				line(m, 0, "  order %-10.0f %-6s %s %.0f", cj_num(o, "id", 0),
				     cj_str(o, "contractId", ""), cj_num(o, "side", 0) == 0 ? "buy" : "sell",
				     cj_num(o, "size", 0));
	}
}

static void draw(struct mon *m)
{
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(m->status, "daemon");
	const cJSON *g = cJSON_GetObjectItemCaseSensitive(d, "gateway");
	const cJSON *accts = cJSON_GetObjectItemCaseSensitive(m->status, "accounts"), *a;
	bool guarded = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(d, "guarded"));
	char since[16], left[24], reset[16], xreset[16];

	erase();
	getmaxyx(stdscr, m->rows, m->cols);
	m->y = 0;
	if (exch_zone == NULL && cj_str(d, "timezone", NULL) != NULL) {
		struct srm_err err = {0};

		exch_zone = tz_load(cj_str(d, "timezone", ""), &err);
	}
	local_hms(cj_str(d, "guardSince", ""), since, sizeof(since));
	exch_hms(cj_str(d, "nextReset", ""), xreset, sizeof(xreset));
	if (guarded)
		line(m, C_OK, "GUARDED since %s   next reset %s%s%s%s (in %s)%s", since,
		     local_hms(cj_str(d, "nextReset", ""), reset, sizeof(reset)), xreset[0] ? " (" : "",
		     xreset, xreset[0] ? " exchange)" : "", left_of(cj_str(d, "nextReset", ""), left, sizeof(left)),
		     cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(d, "dryRun")) ? "   DRY RUN" : "");
	else
		line(m, C_BAD, "NOT GUARDED since %s: %.100s", since, cj_str(d, "notGuarded", "?"));
	line(m, C_DIM, "trading day from %s  %s  REST %s  hubs %s/%s", cj_str(d, "tradingDayStart", "-"),
	     cj_str(d, "timezone", ""), cj_str(g, "rest", "?"), cj_str(g, "userHub", "?"),
	     cj_str(g, "marketHub", "?"));
	m->y++;
	switch (m->view) {
	case 3:
		line(m, 0, "phase %s  up %.0fs  events %.0f  in flight %.0f", cj_str(d, "phase", ""),
		     cj_num(d, "uptimeS", 0), cj_num(d, "events", 0), cj_num(d, "inFlight", 0));
		line(m, 0, "token expires %s   last event %s", cj_str(g, "tokenExpires", "-"),
		     cj_str(d, "lastEvent", "-"));
		break;
	case 4: {
		const cJSON *h;
		char hol[200] = "";

		line(m, 0, "this trading day began %s", cj_str(d, "tradingDayStart", "-"));
		line(m, 0, "next reset             %s (until_reset lockouts and the day's P&L end)",
		     cj_str(d, "nextReset", "-"));
		cJSON_ArrayForEach(h, cJSON_GetObjectItemCaseSensitive(d, "holidays")) {
			size_t n = strlen(hol);

			if (cJSON_IsString(h))
				snprintf(hol + n, sizeof(hol) - n, " %s", h->valuestring);
		}
		line(m, 0, "holidays:%s", hol[0] ? hol : " none");
		break;
	}
	default:
		cJSON_ArrayForEach(a, accts) {
			draw_account(m, a);
			if (m->y < m->rows - 1)
				m->y++;
		}
		break;
	}
	/* the journal: what fits, newest last */
	int room = m->rows - 1 - m->y - 1;

	if (room > 0 && m->n_hist > 0) {
		line(m, C_DIM, "journal (newest last; times in your zone):");
		for (int i = m->n_hist > room - 1 ? m->n_hist - (room - 1) : 0; i < m->n_hist; i++)
			line(m, 0, "%s", m->hist[i]);
	}
	if (m->colour)
		attron(A_REVERSE);
	mvaddnstr(m->rows - 1, 0, "1 overview 2 positions 3 rules 4 connections 5 calendar  q quit",
		  m->cols);
	if (m->colour)
		attroff(A_REVERSE);
	refresh();
}

static void event_line(const cJSON *ev, char *buf, size_t cap)
{
	const cJSON *data = cJSON_GetObjectItemCaseSensitive(ev, "data");
	const char *kind = cj_str(ev, "event", "?");
	char t[16];

	if (strcmp(kind, "action") == 0)
		snprintf(buf, cap, "%s %.0f %s %s %s: %s", local_hms(cj_str(data, "ts", ""), t, sizeof(t)),
			 cj_num(data, "accountId", 0), cj_str(data, "rule", ""), cj_str(data, "action", ""),
			 cj_str(data, "contractId", ""), cj_str(data, "reason", ""));
	else if (strcmp(kind, "outcome") == 0)
		snprintf(buf, cap, "  -> %s %s: %s (%.2f ms)", cj_str(data, "action", ""),
			 cj_str(data, "contractId", ""), cj_str(data, "outcome", ""),
			 cj_num(data, "latencyUs", 0) / 1000);
	else
		snprintf(buf, cap, "%s", kind);
}

/* A journal row of `history` as a monitor line. */
static void history_line(const cJSON *x, char *buf, size_t cap)
{
	char t[16];

	snprintf(buf, cap, "%s %.0f %s %s %s: %s%s%s", local_hms(cj_str(x, "ts", ""), t, sizeof(t)),
		 cj_num(x, "accountId", 0), cj_str(x, "rule", ""), cj_str(x, "action", ""),
		 cj_str(x, "contractId", ""), cj_str(x, "reason", ""),
		 cJSON_GetObjectItemCaseSensitive(x, "outcome") ? " -> " : "", cj_str(x, "outcome", ""));
}

static cJSON *fetch(struct client *c, const char *cmd, cJSON *args)
{
	cJSON *r = client_call(c, cmd, args), *d;

	if (r == NULL || client_reply_failed(r)) {
		cJSON_Delete(r);
		return NULL;
	}
	d = cJSON_DetachItemFromObjectCaseSensitive(r, "data");
	cJSON_Delete(r);
	return d;
}

/* The journal's last rows from the state file, oldest first. */
static void load_history(struct mon *m, struct client *c)
{
	cJSON *args = cJSON_CreateObject(), *rows, *x;
	int n;

	cJSON_AddNumberToObject(args, "limit", HIST / 2.0);
	rows = fetch(c, "history", args);
	if (rows == NULL)
		return;
	n = cJSON_GetArraySize(rows);
	/* oldest first, whichever way the rows come */
	double first = n > 0 ? cj_num(cJSON_GetArrayItem(rows, 0), "id", 0) : 0;
	double last = n > 0 ? cj_num(cJSON_GetArrayItem(rows, n - 1), "id", 0) : 0;

	for (int i = 0; i < n; i++) {
		char buf[300];

		x = cJSON_GetArrayItem(rows, first <= last ? i : n - 1 - i);
		history_line(x, buf, sizeof(buf));
		push_hist(m, buf);
	}
	cJSON_Delete(rows);
}

int cmd_monitor(int argc, char **argv)
{
	static const struct cli_opt opts[] = {
		{ "for", 0, "SECONDS", "stop after this many seconds (default: until q)" },
		{ 0 },
	};
	static const struct cli_spec spec = {
		.name = "monitor", .args = "", .common = CLI_C_DAEMON, .opts = opts,
		.summary = "A live view of every account: the guard's state and the reset on top, lockouts\n"
			   "with a countdown, every rule against its limit, positions and their stops, and\n"
			   "what srmd did (the journal). Drawn for an 80x24 terminal and up.",
		.more = "keys: 1 overview, 2 positions, 3 rules, 4 connections, 5 calendar, q quit.\n"
			"On a pipe (not a terminal) it prints the events as they come.",
	};
	struct mon m = {0};
	struct cli_parsed p;
	struct client ev, st;
	char path[108];
	bool tty;
	int rc = cli_parse(&spec, argc, argv, &p);
	double limit_s = 0;

	if (rc != 0)
		return rc == CLI_HELP ? 0 : rc;
	m.o = p.o;
	if (p.val[0] != NULL && cli_number(p.val[0], "--for", 0, 86400 * 366, &limit_s) != 0)
		return cli_usage_error(&spec, "--for: a number of seconds");
	cli_socket_path(&m.o, path, sizeof(path));
	if (client_connect(&ev, path) != 0)
		return 1;
	if (client_connect(&st, path) != 0) {
		client_close(&ev);
		return 1;
	}
	cJSON *r = client_call(&ev, "subscribe", NULL);

	if (r == NULL || client_reply_failed(r)) {
		cJSON_Delete(r);
		client_close(&ev);
		client_close(&st);
		return 1;
	}
	cJSON_Delete(r);
	{
		/* times in the trader's zone: display.timezone, else the system's */
		char *name = cli_display_timezone(&m.o);
		struct srm_err err = {0};

		if (name != NULL && (mine_zone = tz_load(name, &err)) == NULL)
			fprintf(stderr, "srm monitor: display.timezone %s: %s; using the system's\n", name, err.msg);
		free(name);
	}
	signal(SIGINT, on_sig);
	signal(SIGTERM, on_sig);
	tty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO) && getenv("TERM") != NULL;
	if (tty) {
		load_history(&m, &st);
		if (initscr() == NULL) {
			tty = false;
		} else {
			cbreak();
			noecho();
			keypad(stdscr, TRUE);
			nodelay(stdscr, TRUE);
			curs_set(0);
			m.colour = has_colors() && m.o.color;
			if (m.colour) {
				start_color();
				use_default_colors();
				init_pair(C_OK, COLOR_GREEN, -1);
				init_pair(C_WARN, COLOR_YELLOW, -1);
				init_pair(C_BAD, COLOR_RED, -1);
				init_pair(C_DIM, COLOR_CYAN, -1);
			}
		}
	}
	uint64_t t0 = clock_mono_ns();

	while (!stop) {
		bool timed_out = false;
		cJSON *e;

		if (tty) {
			int k;

			cJSON_Delete(m.status);
			m.status = fetch(&st, "status", NULL);
			if (m.status == NULL) {
				rc = 1;
				break;
			}
			draw(&m);
			while ((k = getch()) != ERR) {
				if (k == 'q' || k == 3)
					stop = 1;
				else if (k >= '1' && k <= '5')
					m.view = k - '1';
			}
			if (stop)
				break;
		}
		e = client_next(&ev, 500, &timed_out);
		if (e == NULL && !timed_out) {
			if (!stop) {
				if (tty)
					endwin();
				tty = false;
				fprintf(stderr, "srm: srmd closed the connection\n");
				rc = 1;
			}
			break;
		}
		if (e != NULL) {
			char buf[300];

			event_line(e, buf, sizeof(buf));
			if (tty) {
				push_hist(&m, buf);
			} else {
				printf("%s\n", buf);
				fflush(stdout);
			}
			cJSON_Delete(e);
		}
		if (limit_s > 0 && (double)(clock_mono_ns() - t0) / 1e9 >= limit_s)
			break;
	}
	if (tty)
		endwin();
	tz_free(mine_zone);
	tz_free(exch_zone);
	mine_zone = exch_zone = NULL;
	cJSON_Delete(m.status);
	client_close(&ev);
	client_close(&st);
	return rc;
}
