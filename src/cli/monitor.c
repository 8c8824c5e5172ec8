/*
 * monitor.c: `srm monitor`: a live screen redrawn in place, with views switched by key
 * (1 overview, 2 positions, 3 rules, 4 connections, 5 calendar, 6 history; q quits). Not on a
 * terminal it prints one line per event instead (a plain line feed).
 */
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "util/clock.h"
#include "cli/client.h"
#include "util/timefmt.h"

static volatile sig_atomic_t stop;

static void on_sig(int s)
{
	(void)s;
	stop = 1;
}

#define HIST 12

struct mon {
	struct cli_opts o;
	int view;
	cJSON *status;
	char hist[HIST][300];
	int n_hist;
};

static void push_hist(struct mon *m, const char *line)
{
	if (m->n_hist == HIST) {
		memmove(m->hist[0], m->hist[1], sizeof(m->hist[0]) * (HIST - 1));
		m->n_hist--;
	}
	snprintf(m->hist[m->n_hist++], sizeof(m->hist[0]), "%s", line);
}

static const char *share_color(const struct mon *m, double share)
{
	if (!m->o.color)
		return "";
	return share >= 0.9 ? "\033[31m" : share >= 0.7 ? "\033[33m" : "\033[32m";
}

static void draw(struct mon *m)
{
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(m->status, "daemon");
	const cJSON *g = cJSON_GetObjectItemCaseSensitive(d, "gateway");
	const cJSON *accts = cJSON_GetObjectItemCaseSensitive(m->status, "accounts"), *a, *x;
	static const char *const names[] = {"overview", "positions", "rules", "connections", "calendar", "history"};
	const char *rst = m->o.color ? "\033[0m" : "";

	printf("\033[H\033[2J");
	printf("SRM monitor  [%s]  1 overview 2 positions 3 rules 4 connections 5 calendar 6 history  q quit\n\n",
	       names[m->view]);
	switch (m->view) {
	case 0:
	case 1:
	case 2:
		cJSON_ArrayForEach(a, accts) {
			const cJSON *locks = cJSON_GetObjectItemCaseSensitive(a, "lockouts");

			printf("account %.0f %s  realized %+.2f  unrealized %+.2f  %s%s%s\n", cj_num(a, "id", 0),
			       cj_str(a, "name", ""), cj_num(a, "realizedPnl", 0), cj_num(a, "unrealizedPnl", 0),
			       cJSON_GetArraySize(locks) ? share_color(m, 1) : share_color(m, 0),
			       cJSON_GetArraySize(locks) ? "LOCKED OUT" : "trading allowed", rst);
			cJSON_ArrayForEach(x, locks) {
				const char *until = cj_str(x, "until", "");
				int64_t end;
				char left[48] = "";

				if (iso_parse(until, &end) == 0) {
					long s = (long)((end - clock_wall_ms()) / 1000);

					snprintf(left, sizeof(left), " (%ldm%02lds left)", s > 0 ? s / 60 : 0, s > 0 ? s % 60 : 0);
				}
				printf("   locked until %s%s by %s: %s\n", until, left, cj_str(x, "rule", ""),
				       cj_str(x, "reason", ""));
			}
			if (m->view == 1) {
				cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(a, "positions"))
					printf("   pos %-18s %4.0f @ %-10.2f P&L %+9.2f quote age %.1fs\n",
					       cj_str(x, "contractId", ""), cj_num(x, "size", 0), cj_num(x, "averagePrice", 0),
					       cj_num(x, "unrealizedPnl", 0), cj_num(x, "quoteAgeMs", 0) / 1000);
				cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(a, "orders"))
					printf("   ord %-10.0f %-18s %s %.0f\n", cj_num(x, "id", 0), cj_str(x, "contractId", ""),
					       cj_num(x, "side", 0) == 0 ? "buy" : "sell", cj_num(x, "size", 0));
			}
			cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(a, "rules")) {
				double share = cj_num(x, "share", -1);

				if (m->view == 2)
					printf("   %-8s %-30s %-8s %s%s%s\n", cj_str(x, "id", ""), cj_str(x, "name", ""),
					       cj_str(x, "state", ""), share >= 0 ? share_color(m, share) : "",
					       share >= 0 ? "" : "-", rst);
				if (m->view == 2 && share >= 0)
					printf("\033[1A\033[60C%s%.2f/%.2f (%.0f%%)%s\n", share_color(m, share),
					       cj_num(x, "used", 0), cj_num(x, "limit", 0), share * 100, rst);
				if (m->view == 0 && share >= 0)
					printf("   %-30s %s%5.0f%%%s of limit\n", cj_str(x, "name", ""),
					       share_color(m, share), share * 100, rst);
				if (m->view <= 2 && cJSON_GetObjectItemCaseSensitive(x, "floor") != NULL)
					printf("   %-30s floor %s%.2f%s (distance %.2f)\n", "",
					       share_color(m, share), cj_num(x, "floor", 0), rst,
					       cj_num(x, "distance", 0));
			}
			printf("\n");
		}
		break;
	case 3:
		printf("phase %s  uptime %.0fs  events %.0f  in flight %.0f\n", cj_str(d, "phase", ""),
		       cj_num(d, "uptimeS", 0), cj_num(d, "events", 0), cj_num(d, "inFlight", 0));
		printf("REST %s   user hub %s   market hub %s\n", cj_str(g, "rest", ""), cj_str(g, "userHub", ""),
		       cj_str(g, "marketHub", ""));
		printf("token expires %s   last event %s\n", cj_str(g, "tokenExpires", "-"), cj_str(d, "lastEvent", "-"));
		break;
	case 4: {
		const cJSON *h;

		printf("time zone %s\n", cj_str(d, "timezone", "-"));
		printf("this trading day began %s\n", cj_str(d, "tradingDayStart", "-"));
		printf("next reset             %s  (until_reset lockouts and daily P&L end there)\n",
		       cj_str(d, "nextReset", "-"));
		printf("holidays (no trading day starts):");
		cJSON_ArrayForEach(h, cJSON_GetObjectItemCaseSensitive(d, "holidays"))
			if (cJSON_IsString(h))
				printf(" %s", h->valuestring);
		printf("\n");
		break;
	}
	case 5:
		printf("(the enforcement history, newest last; `srm history` has the full journal)\n");
		break;
	default:
		break;
	}
	printf("\nlast enforcement:\n");
	for (int i = 0; i < m->n_hist; i++)
		printf("  %s\n", m->hist[i]);
	fflush(stdout);
}

static void event_line(const cJSON *ev, char *buf, size_t cap)
{
	const cJSON *data = cJSON_GetObjectItemCaseSensitive(ev, "data");
	const char *kind = cj_str(ev, "event", "?");

	if (strcmp(kind, "action") == 0)
		snprintf(buf, cap, "%s %s %s %.0f %s: %s", cj_str(data, "ts", ""), cj_str(data, "rule", ""),
			 cj_str(data, "action", ""), cj_num(data, "accountId", 0), cj_str(data, "contractId", ""),
			 cj_str(data, "reason", ""));
	else if (strcmp(kind, "outcome") == 0)
		snprintf(buf, cap, "   -> %s %s %.0f: %s (%.2f ms)", cj_str(data, "action", ""),
			 cj_str(data, "contractId", ""), cj_num(data, "accountId", 0), cj_str(data, "outcome", ""),
			 cj_num(data, "latencyUs", 0) / 1000);
	else
		snprintf(buf, cap, "%s", kind);
}

static cJSON *fetch_status(struct client *c)
{
	cJSON *r = client_call(c, "status", NULL), *d;

	if (r == NULL)
		return NULL;
	d = cJSON_DetachItemFromObjectCaseSensitive(r, "data");
	cJSON_Delete(r);
	return d;
}

int cmd_monitor(int argc, char **argv)
{
	struct mon m = {0};
	static const char *const extra[] = {"--for", NULL};
	const char *vals[1] = {NULL};
	struct client ev, st;
	char path[108];
	struct termios old, raw;
	bool tty;
	int rc = 0;
	double limit_s;

	if (cli_parse_opts(argc, argv, &m.o, extra, vals) != argc)
		return 2;
	limit_s = 0;
	if (vals[0] != NULL && cli_number(vals[0], "--for", 0, 86400 * 366, &limit_s) != 0)
		return 2;
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
	signal(SIGINT, on_sig);
	signal(SIGTERM, on_sig);
	tty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
	if (tty) {
		raw = old;
		raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
		tcsetattr(STDIN_FILENO, TCSANOW, &raw);
		printf("\033[?25l");
	}
	uint64_t t0 = clock_mono_ns();

	while (!stop) {
		bool timed_out = false;
		cJSON *e;

		if (tty) {
			cJSON_Delete(m.status);
			m.status = fetch_status(&st);
			if (m.status == NULL) {
				rc = 1;
				break;
			}
			draw(&m);
			struct pollfd p = {.fd = STDIN_FILENO, .events = POLLIN};

			if (poll(&p, 1, 0) > 0) {
				char k;

				if (read(STDIN_FILENO, &k, 1) == 1) {
					if (k == 'q' || k == 3)
						break;
					if (k >= '1' && k <= '6')
						m.view = k - '1';
				}
			}
		}
		e = client_next(&ev, 500, &timed_out);
		if (e == NULL && !timed_out) {
			if (!stop) {
				fprintf(stderr, "srm: srmd closed the connection\n");
				rc = 1;
			}
			break;
		}
		if (e != NULL) {
			char line[300];

			event_line(e, line, sizeof(line));
			if (tty)
				push_hist(&m, line);
			else {
				printf("%s\n", line);
				fflush(stdout);
			}
			cJSON_Delete(e);
		}
		if (limit_s > 0 && (double)(clock_mono_ns() - t0) / 1e9 >= limit_s)
			break;
	}
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSANOW, &old);
		printf("\033[?25h\n");
	}
	cJSON_Delete(m.status);
	client_close(&ev);
	client_close(&st);
	return rc;
}
