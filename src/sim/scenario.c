/*
 * scenario.c: timed scenario playback for srm-sim. A scenario is a JSON-lines file of steps
 * ({"at":"+5s","kind":"quote"|"order"|"cancel"|"close"|"account"|"fault",...}), played in
 * real time or faster (--speed) through the same code paths as the control API. Format in
 * docs/SIMULATOR.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "sim/sim.h"
#include "util/strutil.h"
#include "util/timefmt.h"
#include "util/xalloc.h"

#define SCN_MAX_STEPS 100000
#define SCN_MAX_LINE 65536
#define SCN_MAX_REFS 256

struct step {
	int64_t at_ms; /* from the start of the scenario */
	int line;
	cJSON *j;
};

struct scenario {
	struct sim *s;
	struct step *steps;
	size_t n, next;
	uv_timer_t timer;
	bool started;
	uint64_t t0;
	char refs[SCN_MAX_REFS][32];
	int64_t ref_ids[SCN_MAX_REFS];
	int nrefs;
};

static const char *const kinds[] = { "quote", "order", "cancel", "close", "account", "fault",
				     "day_end" };

/* Parse a scenario file; NULL with a message "FILE:LINE: ..." on error. */
struct scenario *scenario_load(struct sim *s, const char *path, char *err, size_t cap)
{
	FILE *f = fopen(path, "r");
	struct scenario *sc;
	char *line;
	int lineno = 0;
	int64_t t = 0;

	if (f == NULL) {
		snprintf(err, cap, "%s: cannot open", path);
		return NULL;
	}
	sc = xcalloc(1, sizeof(*sc));
	sc->s = s;
	line = xmalloc(SCN_MAX_LINE);
	while (fgets(line, SCN_MAX_LINE, f) != NULL) {
		size_t n = strlen(line);
		lineno++;
		if (n == SCN_MAX_LINE - 1 && line[n - 1] != '\n') {
			snprintf(err, cap, "%s:%d: line longer than %d bytes", path, lineno, SCN_MAX_LINE);
			goto fail;
		}
		char *p = line;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\n' || *p == '\0' || *p == '#' || (p[0] == '/' && p[1] == '/'))
			continue;
		cJSON *j = cJSON_Parse(p);
		if (!cJSON_IsObject(j)) {
			cJSON_Delete(j);
			snprintf(err, cap, "%s:%d: expected a JSON object", path, lineno);
			goto fail;
		}
		const cJSON *at = cJSON_GetObjectItemCaseSensitive(j, "at");
		const cJSON *kind = cJSON_GetObjectItemCaseSensitive(j, "kind");
		int64_t d = 0;
		bool rel = cJSON_IsString(at) && at->valuestring[0] == '+';
		if (!cJSON_IsString(at) ||
		    (strcmp(at->valuestring + rel, "0") != 0 &&
		     duration_parse(at->valuestring + rel, &d) != 0)) {
			cJSON_Delete(j);
			snprintf(err, cap, "%s:%d: at: expected \"+DURATION\" or \"DURATION\" "
				 "(e.g. \"+5s\", \"1m30s\")", path, lineno);
			goto fail;
		}
		bool known = false;
		for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
			known |= cJSON_IsString(kind) && strcmp(kind->valuestring, kinds[k]) == 0;
		if (!known) {
			cJSON_Delete(j);
			snprintf(err, cap, "%s:%d: kind: expected quote, order, cancel, close, account "
				 "or fault", path, lineno);
			goto fail;
		}
		t = rel ? t + d : d;
		if (sc->n == SCN_MAX_STEPS) {
			cJSON_Delete(j);
			snprintf(err, cap, "%s:%d: more than %d steps", path, lineno, SCN_MAX_STEPS);
			goto fail;
		}
		sc->steps = xreallocarray(sc->steps, sc->n + 1, sizeof(*sc->steps));
		sc->steps[sc->n++] = (struct step){ .at_ms = t, .line = lineno, .j = j };
	}
	free(line);
	(void)fclose(f);
	return sc;
fail:
	free(line);
	(void)fclose(f);
	scenario_free(sc);
	return NULL;
}

/* "account": N (1-based index of --accounts) becomes "accountId". */
static void resolve_account(struct scenario *sc, cJSON *j)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(j, "account");

	if (cJSON_IsNumber(a) && a->valueint >= 1 && a->valueint <= sc->s->naccounts &&
	    cJSON_GetObjectItemCaseSensitive(j, "accountId") == NULL)
		cJSON_AddNumberToObject(j, "accountId", (double)sc->s->accounts[a->valueint - 1].id);
}

static void run_step(struct scenario *sc, struct step *st)
{
	struct sim *s = sc->s;
	cJSON *j = cJSON_Duplicate(st->j, true);
	const char *kind = cJSON_GetObjectItemCaseSensitive(j, "kind")->valuestring;
	const char *path = NULL;
	struct http_resp r;

	memset(&r, 0, sizeof(r));
	resolve_account(sc, j);
	if (strcmp(kind, "quote") == 0) {
		path = "/sim/quote";
	} else if (strcmp(kind, "order") == 0) {
		path = "/sim/trader/order";
	} else if (strcmp(kind, "account") == 0) {
		path = "/sim/account";
	} else if (strcmp(kind, "close") == 0) {
		path = "/sim/trader/close";
	} else if (strcmp(kind, "day_end") == 0) {
		path = "/sim/firm/day-end"; /* a multi-day script: the firm's end of day */
	} else if (strcmp(kind, "cancel") == 0) {
		const cJSON *ref = cJSON_GetObjectItemCaseSensitive(j, "orderRef");

		for (int i = 0; cJSON_IsString(ref) && i < sc->nrefs; i++)
			if (strcmp(sc->refs[i], ref->valuestring) == 0)
				cJSON_AddNumberToObject(j, "orderId", (double)sc->ref_ids[i]);
		path = "/sim/trader/cancel";
	} else { /* fault: "fault" names the fault kind */
		const cJSON *fk = cJSON_GetObjectItemCaseSensitive(j, "fault");

		cJSON_DeleteItemFromObjectCaseSensitive(j, "kind");
		if (cJSON_IsString(fk))
			cJSON_AddStringToObject(j, "kind", fk->valuestring);
		path = "/sim/fault";
	}
	char *body = cJSON_PrintUnformatted(j);
	control_handle(s, SIM_POST, path, NULL, body, strlen(body), &r);
	if (!s->opt.quiet)
		fprintf(stderr, "scenario: line %d at %.1fs %s -> %d %s\n", st->line,
			(double)st->at_ms / 1000.0, kind, r.status,
			r.body != NULL && strcmp(kind, "quote") != 0 ? r.body : "");
	if (strcmp(kind, "order") == 0 && r.status == 200 && r.body != NULL) {
		const cJSON *ref = cJSON_GetObjectItemCaseSensitive(j, "ref");
		cJSON *resp = cJSON_Parse(r.body);
		const cJSON *oid = cJSON_GetObjectItemCaseSensitive(resp, "orderId");

		if (cJSON_IsString(ref) && cJSON_IsNumber(oid) && sc->nrefs < SCN_MAX_REFS) {
			strlcpy_s(sc->refs[sc->nrefs], ref->valuestring, sizeof(sc->refs[0]));
			sc->ref_ids[sc->nrefs++] = (int64_t)oid->valuedouble;
		}
		cJSON_Delete(resp);
	}
	cJSON_free(body);
	free(r.body);
	cJSON_Delete(j);
}

static void schedule(struct scenario *sc);

static void on_timer(uv_timer_t *t)
{
	struct scenario *sc = t->data;
	uint64_t elapsed = uv_now(t->loop) - sc->t0;

	while (sc->next < sc->n &&
	       (double)sc->steps[sc->next].at_ms / sc->s->opt.speed <= (double)elapsed)
		run_step(sc, &sc->steps[sc->next++]);
	if (sc->next == sc->n) {
		if (!sc->s->opt.quiet)
			fprintf(stderr, "scenario: done (%zu steps)\n", sc->n);
		return;
	}
	schedule(sc);
}

static void schedule(struct scenario *sc)
{
	double due = (double)sc->steps[sc->next].at_ms / sc->s->opt.speed;
	uint64_t now = uv_now(sc->timer.loop) - sc->t0;
	uint64_t wait = due > (double)now ? (uint64_t)(due - (double)now) : 0;

	uv_timer_start(&sc->timer, on_timer, wait, 0);
}

/* Start playback on the simulator's loop. */
void scenario_start(struct sim *s, struct scenario *sc)
{
	uv_timer_init(s->loop, &sc->timer);
	sc->timer.data = sc;
	sc->started = true;
	sc->t0 = uv_now(s->loop);
	if (sc->n > 0)
		schedule(sc);
}

static void free_after_close(uv_handle_t *h)
{
	struct scenario *sc = h->data;

	for (size_t i = 0; i < sc->n; i++)
		cJSON_Delete(sc->steps[i].j);
	free(sc->steps);
	free(sc);
}

/* Stop and free (the timer is closed first when playback started). */
void scenario_free(struct scenario *sc)
{
	if (sc == NULL)
		return;
	if (sc->started) {
		uv_timer_stop(&sc->timer);
		uv_close((uv_handle_t *)&sc->timer, free_after_close);
		return;
	}
	sc->timer.data = sc;
	free_after_close((uv_handle_t *)&sc->timer);
}
