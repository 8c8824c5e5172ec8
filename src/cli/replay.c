/* replay.c: `srm replay`: run a recorded event stream through the engine, print its actions. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "config/config.h"
#include "engine/engine.h"
#include "util/strutil.h"
#include "util/xalloc.h"
#include "util/timefmt.h"
#include "util/tz.h"
#include "wire/record.h"
#include "wire/wire.h"
#include "engine/rule.h"

#define REPLAY_LINE_MAX (1 << 20)
#define REPLAY_BATCH 256

struct replay {
	const char *path;
	struct srm_config *cfg;
	struct tz *zone;
	struct engine *eng;
	bool human;
	bool given_config;      /* --config: it judges the whole day; recorded Config lines are not used */
	bool answers_recorded;  /* the file carries the gateway's answers (ActionResult events) */
	unsigned long configs_ignored;
	unsigned long bad;
	unsigned long actions;
	unsigned long skipped;  /* events of accounts outside `accounts:` */
	/* account names seen in account events (for name globs in `accounts:`) */
	struct { int64_t id; char name[SRM_NAME_MAX]; } *names;
	size_t n_names, cap_names;
};

/*
 * Is the event's account one `accounts:` selects? As srmd: an id, or a name glob matched
 * against the name its account events gave (an account not named yet matches ids only).
 */
static bool replay_selected(struct replay *r, const struct srm_event *ev)
{
	int64_t id = ev_account_id(ev);
	const char *name = NULL;

	if (id == 0 || r->cfg->accounts.all)
		return true;
	if (ev->kind == EV_ACCOUNT) {
		size_t i;

		for (i = 0; i < r->n_names && r->names[i].id != id; i++)
			;
		if (i == r->n_names) {
			if (r->n_names == r->cap_names) {
				r->cap_names = r->cap_names ? r->cap_names * 2 : 16;
				r->names = xreallocarray(r->names, r->cap_names, sizeof(*r->names));
			}
			r->n_names++;
			r->names[i].id = id;
		}
		strlcpy_s(r->names[i].name, ev->u.account.name, sizeof(r->names[i].name));
	}
	for (size_t i = 0; i < r->n_names; i++)
		if (r->names[i].id == id)
			name = r->names[i].name;
	/*
	 * Judged by the recorded configs: srmd recorded only the accounts it guarded, and keeps
	 * guarding an account a reload no longer selects; the replay must too.
	 */
	if (!r->given_config)
		return true;
	return config_account_selected(r->cfg, id, name);
}

static void print_human_header(void)
{
	printf("%-24s %-10s %-8s %-14s %-18s %-22s %s\n", "TIME", "ACCOUNT", "RULE", "ACTION",
	       "CONTRACT", "DETAIL", "REASON");
}

static void print_action(struct replay *r, const struct srm_action *a)
{
	char buf[1024];

	r->actions++;
	if (!r->human) {
		if (action_to_json(a, buf, sizeof(buf)) > 0)
			puts(buf);
		return;
	}
	char ts[40], detail[64] = "", until[40];

	iso_format_short(a->ts, ts, sizeof(ts));
	switch (a->kind) {
	case ACT_LOCKOUT:
		if (a->until == UNTIL_TIME)
			snprintf(detail, sizeof(detail), "until %s", iso_format_short(a->until_ts, until, sizeof(until)));
		else
			snprintf(detail, sizeof(detail), "until %s", a->until == UNTIL_RESET ? "reset" : "permanent");
		break;
	case ACT_CANCEL_ORDER:
		snprintf(detail, sizeof(detail), "order %lld", (long long)a->order_id);
		break;
	case ACT_PARTIAL_CLOSE:
		snprintf(detail, sizeof(detail), "size %d", a->size);
		break;
	case ACT_PLACE_STOP:
		snprintf(detail, sizeof(detail), "%s %d @ %.10g", a->side == PX_BID ? "buy" : "sell",
			 a->size, a->stop_price);
		break;
	case ACT_MODIFY_STOP:
		snprintf(detail, sizeof(detail), "order %lld -> %.10g", (long long)a->order_id, a->stop_price);
		break;
	default:
		break;
	}
	if (a->symbol[0] != '\0' && a->contract_id[0] == '\0')
		printf("%-24s %-10lld %-8s %-14s %-18s %-22s %s%s\n", ts, (long long)a->account_id,
		       rule_id_name(a->rule), act_kind_name(a->kind), a->symbol, detail,
		       a->dry_run ? "[dry run] " : "", a->reason);
	else
		printf("%-24s %-10lld %-8s %-14s %-18s %-22s %s%s\n", ts, (long long)a->account_id,
		       rule_id_name(a->rule), act_kind_name(a->kind),
		       a->contract_id[0] ? a->contract_id : "-", detail, a->dry_run ? "[dry run] " : "",
		       a->reason);
}

static void print_list(struct replay *r, struct act_list l)
{
	for (size_t i = 0; i < l.n; i++)
		print_action(r, &l.v[i]);
}

/*
 * Print what an engine call decided. A file without the gateway's answers (recorded
 * ActionResult events) replays a gateway that took every request at once: each request is
 * answered "ok" right away, as the executor would report it (what that answer leads to is
 * printed too). A bounded number of rounds: an answer can only lead to a few more.
 */
static bool is_request(const struct srm_action *a)
{
	return !a->dry_run && (a->kind == ACT_CLOSE_CONTRACT || a->kind == ACT_PARTIAL_CLOSE ||
			       a->kind == ACT_CANCEL_ORDER || a->kind == ACT_PLACE_STOP ||
			       a->kind == ACT_MODIFY_STOP);
}

static void print_and_answer(struct replay *r, struct act_list l, srm_ms ts)
{
	struct srm_action *batch = NULL; /* a copy: the engine's list lasts until its next call */

	for (int round = 0; round < 16 && l.n > 0; round++) {
		struct srm_action *next = NULL;
		size_t n_next = 0;

		print_list(r, l);
		if (r->answers_recorded)
			break;
		batch = xreallocarray(batch, l.n, sizeof(*batch));
		memcpy(batch, l.v, l.n * sizeof(*batch));
		size_t n = l.n;

		for (size_t i = 0; i < n; i++) {
			struct srm_event ev = {.kind = EV_ACTION_RESULT};
			struct act_list got;

			if (!is_request(&batch[i]))
				continue;
			ev.u.result.account_id = batch[i].account_id;
			ev.u.result.kind = batch[i].kind;
			strlcpy_s(ev.u.result.contract_id, batch[i].contract_id, sizeof(ev.u.result.contract_id));
			ev.u.result.order_id = batch[i].order_id;
			ev.u.result.size = batch[i].size;
			ev.u.result.outcome = OUTCOME_OK;
			got = engine_apply(r->eng, &ev, ts);
			if (got.n > 0) {
				next = xreallocarray(next, n_next + got.n, sizeof(*next));
				memcpy(next + n_next, got.v, got.n * sizeof(*next));
				n_next += got.n;
			}
		}
		free(batch);
		batch = next;
		l = (struct act_list){.v = next, .n = n_next};
	}
	free(batch);
}

static int ensure_engine(struct replay *r, srm_ms ts)
{
	if (r->eng == NULL && r->cfg != NULL)
		r->eng = engine_new(r->cfg, r->zone, ts);
	return r->eng != NULL ? 0 : -1;
}

/*
 * A recorded Config line (srmd's config at start, or a reload): loaded as srmd loaded it
 * (the ${NAME}s it names need not be set here); the first one makes the engine, a later one
 * goes in as the EV_CONFIG srmd's engine got. With --config it is counted and left out.
 */
static int replay_config(struct replay *r, const char *line, unsigned long lineno, srm_ms ts,
			 const struct srm_event *ev)
{
	struct config_diag diag = {0};
	struct srm_err err = {0};
	char *yaml = NULL, *path = NULL;
	struct srm_config *cfg;
	struct tz *zone;

	if (r->given_config) {
		r->configs_ignored++;
		return 0;
	}
	if (record_config_yaml(line, &yaml, &path, &err) != 1) {
		fprintf(stderr, "%s:%lu: %s\n", r->path, lineno, err.msg[0] ? err.msg : "not a Config line");
		return -1;
	}
	cfg = config_load_string_env(yaml, path, &diag, true);
	free(yaml);
	if (cfg == NULL) {
		fprintf(stderr, "%s:%lu: the recorded config does not load here:\n", r->path, lineno);
		for (size_t i = 0; i < diag.n; i++)
			fprintf(stderr, "  %s\n", diag.msgs[i]);
		free(path);
		return -1;
	}
	free(path);
	zone = tz_load(cfg->daemon.timezone, &err);
	if (zone == NULL) {
		fprintf(stderr, "%s:%lu: time zone %s: %s\n", r->path, lineno, cfg->daemon.timezone, err.msg);
		config_free(cfg);
		return -1;
	}
	if (r->eng == NULL) {
		r->cfg = cfg;
		r->zone = zone;
		return ensure_engine(r, ts);
	}
	struct srm_event cev = *ev;
	struct srm_config *old = r->cfg;
	struct tz *old_zone = r->zone;

	cev.u.config.cfg = cfg;
	cev.u.config.zone = zone;
	r->cfg = cfg;
	r->zone = zone;
	print_and_answer(r, engine_apply(r->eng, &cev, ts), ts);
	config_free(old);
	tz_free(old_zone);
	return 0;
}

static int replay_stream(struct replay *r, FILE *f)
{
	char *line = malloc(REPLAY_LINE_MAX);
	struct srm_event *evs = calloc(REPLAY_BATCH, sizeof(*evs));
	unsigned long lineno = 0;

	if (line == NULL || evs == NULL) {
		free(line);
		free(evs);
		fprintf(stderr, "srm: out of memory\n");
		return -1;
	}
	while (fgets(line, REPLAY_LINE_MAX, f) != NULL) {
		size_t len = strlen(line);
		struct srm_err err = {0};
		srm_ms ts;
		int n;

		lineno++;
		if (len == REPLAY_LINE_MAX - 1 && line[len - 1] != '\n') {
			int c;

			while ((c = fgetc(f)) != EOF && c != '\n')
				;
			fprintf(stderr, "%s:%lu: line longer than %d bytes, skipped\n", r->path, lineno,
				REPLAY_LINE_MAX);
			r->bad++;
			continue;
		}
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0 || line[0] == '#')
			continue;
		bool header = false;

		n = record_parse(line, &ts, evs, REPLAY_BATCH, &header, &err);
		if (n < 0) {
			fprintf(stderr, "%s:%lu: %s\n", r->path, lineno, err.msg);
			r->bad++;
			continue;
		}
		if (header) {
			/* recorded by srmd: the engine starts when srmd's did, the answers are in it */
			r->answers_recorded = true;
			ensure_engine(r, ts);
			continue;
		}
		if (n == 1 && evs[0].kind == EV_CONFIG) {
			if (replay_config(r, line, lineno, ts, &evs[0]) != 0)
				r->bad++;
			continue;
		}
		if (ensure_engine(r, ts) != 0) {
			fprintf(stderr, "%s:%lu: no config to judge by: the recording has no Config line "
				"before its first event; give --config FILE\n", r->path, lineno);
			free(line);
			free(evs);
			return -1;
		}
		for (int i = 0; i < n; i++) {
			if (!replay_selected(r, &evs[i])) {
				r->skipped++;
				continue;
			}
			print_and_answer(r, engine_apply(r->eng, &evs[i], ts), ts);
		}
	}
	free(line);
	free(evs);
	return 0;
}

static const struct cli_opt replay_opts[] = {
	{ "config", 'c', "FILE", "the config whose rules judge the whole day (default: the ones srmd "
	  "recorded, reloads included)" },
	{ "until", 'u', "TIME", "stop at this ISO-8601 time" },
	{ "human", 0, NULL, "a table instead of one JSON object per line" },
	{ 0 },
};

static const struct cli_spec replay_spec = {
	.name = "replay", .args = "EVENTS.jsonl", .min_args = 1, .max_args = 1, .opts = replay_opts,
	.summary = "Run recorded gateway events (srmd --record, or the journal of a day) through the\n"
		   "rules of a config and print every action they would have taken. Nothing is sent.\n"
		   "Without --config, the config srmd recorded (at start and at each reload) judges,\n"
		   "so the day replays exactly; with it, that config judges the whole day instead.",
	.more = "examples:\n  srm replay --human day.jsonl\n"
		"  srm replay --config ~/.config/srm/srm.yaml --human day.jsonl",
};

int cmd_replay(int argc, char **argv)
{
	const char *config, *events, *until;
	struct replay r = {0};
	struct config_diag diag = {0};
	struct srm_err err = {0};
	struct cli_parsed p;
	int rc = cli_parse(&replay_spec, argc, argv, &p);
	FILE *f = NULL;

	if (rc != 0)
		return rc == CLI_HELP ? 0 : rc;
	rc = 2;
	config = cli_val(&replay_spec, &p, "config");
	until = cli_val(&replay_spec, &p, "until");
	r.human = cli_flag(&replay_spec, &p, "human");
	events = p.args[0];
	srm_ms until_ts = 0;

	if (until != NULL && iso_parse(until, &until_ts) != 0) {
		fprintf(stderr, "srm replay: --until: expected an ISO-8601 time, got \"%s\"\n", until);
		return 2;
	}
	if (config != NULL) {
		r.given_config = true;
		r.cfg = config_load_env(config, &diag, true); /* the rules, not the credentials */
		if (r.cfg == NULL) {
			for (size_t i = 0; i < diag.n; i++)
				fprintf(stderr, "%s\n", diag.msgs[i]);
			return 2;
		}
		r.zone = tz_load(r.cfg->daemon.timezone, &err);
		if (r.zone == NULL) {
			fprintf(stderr, "srm replay: time zone %s: %s\n", r.cfg->daemon.timezone, err.msg);
			goto out;
		}
	}
	r.path = events;
	f = strcmp(events, "-") == 0 ? stdin : fopen(events, "r");
	if (f == NULL) {
		fprintf(stderr, "srm replay: %s: %s\n", events, strerror(errno));
		goto out;
	}
	if (r.human)
		print_human_header();
	if (replay_stream(&r, f) != 0)
		goto out;
	if (until != NULL && ensure_engine(&r, until_ts) == 0)
		print_and_answer(&r, engine_advance(r.eng, until_ts), until_ts);
	fflush(stdout);
	if (r.bad > 0)
		fprintf(stderr, "srm replay: %lu bad line%s skipped\n", r.bad, r.bad == 1 ? "" : "s");
	if (r.configs_ignored > 0)
		fprintf(stderr, "srm replay: %lu recorded config%s (start, reloads) not used: --config "
			"judges the whole day\n", r.configs_ignored, r.configs_ignored == 1 ? "" : "s");
	if (r.skipped > 0)
		fprintf(stderr, "srm replay: %lu event%s of accounts not in `accounts:` left out\n",
			r.skipped, r.skipped == 1 ? "" : "s");
	rc = r.bad > 0 ? 1 : 0;
out:
	if (f != NULL && f != stdin)
		(void)fclose(f); /* read only */
	engine_free(r.eng);
	free(r.names);
	tz_free(r.zone);
	config_free(r.cfg);
	return rc;
}
