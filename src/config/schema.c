/*
 * schema.c: the loader's option tables (the top level, gateway, daemon, alerts, dashboard;
 * `rules:` built at run time from the rules' blocks), the checks that span keys (the
 * dashboard's TLS, the firm's URLs), the defaults, and the example's `rules:` section written
 * from the tables, from which the rules' defaults are read back.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/internal.h"
#include "util/strutil.h"
#include "util/xalloc.h"

static const char *const log_level_names[] = { "debug", "info", "warn", "error", NULL };

/* ---- the option table ----------------------------------------------------------------- */

#define O CFG_OPT

/* `rules:`: every rule's block, from the rule table (rules/list.h order). */
struct opt cfg_rules_opts[RULE_COUNT + 1];
static pthread_once_t rules_once = PTHREAD_ONCE_INIT;

static void rules_opts_init(void)
{
	for (int r = 0; r < RULE_COUNT; r++)
		cfg_rules_opts[r] = (struct opt){ .key = rule_block(r)->name, .type = T_RULE,
						  .off = rule_block(r)->cfg_offset,
						  .sub = rule_block(r)->opts };
}

void cfg_tables_init(void)
{
	pthread_once(&rules_once, rules_opts_init);
}

static const struct opt gateway_opts[] = {
	O("firm", T_STR, struct srm_config, gateway.firm, .min = 1,
	  .help = "whose ProjectX deployment: topstepx, alphaticks, tradeify, ...; default topstepx"),
	O("api_url", T_STR, struct srm_config, gateway.api_url, .min = 1,
	  .help = "REST base URL; default https://api.topstepx.com"),
	O("user_hub_url", T_STR, struct srm_config, gateway.user_hub_url, .min = 1,
	  .help = "default https://rtc.topstepx.com/hubs/user"),
	O("market_hub_url", T_STR, struct srm_config, gateway.market_hub_url, .min = 1,
	  .help = "default https://rtc.topstepx.com/hubs/market"),
	O("username", T_STR, struct srm_config, gateway.username, .help = "ProjectX user name"),
	O("api_key", T_SECRET, struct srm_config, gateway.api_key, .help = "secret, never logged"),
	O("ca_file", T_PATH, struct srm_config, gateway.ca_file,
	  .help = "extra CA bundle (tests); default none"),
	{ 0 },
};

static const struct opt daemon_opts[] = {
	O("state_dir", T_PATH, struct srm_config, daemon.state_dir, .min = 1,
	  .help = "SQLite state; default ~/.local/state/srm"),
	O("socket", T_PATH, struct srm_config, daemon.socket, .min = 1,
	  .help = "default ${XDG_RUNTIME_DIR}/srm.sock, else ~/.local/state/srm/srm.sock"),
	O("log_level", T_STR, struct srm_config, daemon.log_level, .min = 1,
	  .names = log_level_names, .help = "debug|info|warn|error; default info"),
	O("timezone", T_CUSTOM, struct srm_config, daemon.timezone, .fn = cfg_timezone,
	  .help = "exchange zone; default America/Chicago"),
	O("reset_time", T_HHMM, struct srm_config, daemon.reset_min,
	  .help = "\"HH:MM\" start of the trading day; default 17:00"),
	{ .key = "holidays", .type = T_CUSTOM, .fn = cfg_holidays,
	  .help = "[\"YYYY-MM-DD\"]; default none" },
	O("dry_run", T_BOOL, struct srm_config, daemon.dry_run, .help = "default false"),
	O("quote_max_age", T_DURATION, struct srm_config, daemon.quote_max_age_ms, .min = 1,
	  .help = "older quotes do not drive profit/loss rules; default 10s"),
	O("profile_dir", T_PATH, struct srm_config, profile_dir, .min = 1,
	  .help = "where the firms' profiles are (NAME.yaml); default the installed ones"),
	{ 0 },
};

static const struct opt webhook_opts[] = {
	O("url", T_STR, struct srm_config, alerts.webhook_url, .min = 1,
	  .help = "POST each alert as JSON here"),
	O("secret", T_SECRET, struct srm_config, alerts.webhook_secret,
	  .help = "X-SRM-Signature: sha256=HMAC of the body; never logged"),
	{ 0 },
};

static const struct opt ntfy_opts[] = {
	O("url", T_STR, struct srm_config, alerts.ntfy_url, .min = 1,
	  .help = "the ntfy server, e.g. https://ntfy.sh"),
	O("topic", T_STR, struct srm_config, alerts.ntfy_topic, .min = 1, .req = true,
	  .help = "the topic your phone subscribes to"),
	O("token", T_SECRET, struct srm_config, alerts.ntfy_token, .help = "an access token; secret"),
	{ 0 },
};

static const struct opt heartbeat_opts[] = {
	O("url", T_STR, struct srm_config, alerts.heartbeat_url, .min = 1, .req = true,
	  .help = "a dead man's switch (healthchecks.io, Uptime Kuma push): GET while guarded, "
		  "URL/fail while not"),
	O("every", T_DURATION, struct srm_config, alerts.heartbeat_ms, .min = 1000,
	  .help = "how often; default 60s"),
	{ 0 },
};

static const struct opt alerts_opts[] = {
	{ .key = "webhook", .type = T_MAP, .sub = webhook_opts },
	{ .key = "ntfy", .type = T_MAP, .sub = ntfy_opts },
	{ .key = "command", .type = T_CUSTOM, .fn = cfg_argv },
	O("desktop", T_BOOL, struct srm_config, alerts.desktop,
	  .help = "a desktop notification (freedesktop Notifications on the session D-Bus); "
		  "default false"),
	{ .key = "events", .type = T_CUSTOM, .fn = cfg_events },
	O("per_minute", T_INT, struct srm_config, alerts.per_minute, .min = 1, .max = 600,
	  .help = "alerts per channel per minute; more are coalesced; default 20"),
	O("guard_after", T_DURATION, struct srm_config, alerts.guard_after_ms, .min = 1000,
	  .help = "not guarded this long: guard_degraded; default 10s"),
	{ .key = "heartbeat", .type = T_MAP, .sub = heartbeat_opts },
	{ 0 },
};

static const struct opt dashboard_opts[] = {
	O("enabled", T_BOOL, struct srm_config, dashboard.enabled,
	  .help = "serve the read-only web dashboard (`srm dashboard` prints its URL); default false"),
	O("listen", T_CUSTOM, struct srm_config, dashboard, .fn = cfg_listen,
	  .help = "HOST:PORT; default 127.0.0.1:8750; off loopback only with tls_cert and tls_key"),
	O("tls_cert", T_PATH, struct srm_config, dashboard.tls_cert, .min = 1,
	  .help = "PEM certificate: serve HTTPS; default none"),
	O("tls_key", T_PATH, struct srm_config, dashboard.tls_key, .min = 1,
	  .help = "PEM private key of tls_cert; default none"),
	O("max_clients", T_INT, struct srm_config, dashboard.max_clients, .min = 1, .max = 64,
	  .help = "connections at once (more are refused); default 16"),
	{ 0 },
};

/* dashboard: TLS needs both files; a listen address off loopback needs TLS (fail closed). */
void cfg_check_dashboard(struct cfg_walk *c, struct srm_config *cfg)
{
	char where[32] = "";
	bool cert = cfg->dashboard.tls_cert != NULL, key = cfg->dashboard.tls_key != NULL;
	char msg[512];

	if (cfg->dashboard.listen_line > 0)
		snprintf(where, sizeof(where), ":%u", (unsigned)cfg->dashboard.listen_line);
	if (cert != key) {
		cfg_err(c, NULL, "dashboard", "tls_cert and tls_key go together, got only %s",
			cert ? "tls_cert" : "tls_key");
		return;
	}
	if (!cfg->dashboard.loopback && !cert) {
		snprintf(msg, sizeof(msg), "%s%s: dashboard.listen: %s is not a loopback address: "
			 "listening there needs tls_cert and tls_key (or listen on 127.0.0.1)",
			 c->file, where, cfg->dashboard.host);
		cfg_add_msg(c, msg);
	}
}

static const struct opt display_opts[] = {
	O("timezone", T_CUSTOM, struct srm_config, display.timezone, .fn = cfg_timezone,
	  .help = "your own zone for the times srm monitor shows (an IANA name); default the system's"),
	{ 0 },
};

static const struct opt admin_opts[] = {
	O("password_hash", T_SECRET, struct srm_config, admin.password_hash,
	  .help = "from `srm admin passwd`; default none (admin commands refused)"),
	{ 0 },
};

const struct opt cfg_top_opts[] = {
	{ .key = "gateway", .type = T_MAP, .sub = gateway_opts },
	{ .key = "accounts", .type = T_CUSTOM, .fn = cfg_accounts },
	{ .key = "daemon", .type = T_MAP, .sub = daemon_opts },
	{ .key = "admin", .type = T_MAP, .sub = admin_opts },
	O("rules", T_MAP, struct srm_config, rules, .sub = cfg_rules_opts),
	{ .key = "overrides", .type = T_CUSTOM, .fn = cfg_overrides },
	{ .key = "profiles", .type = T_CUSTOM, .fn = cfg_profiles },
	{ .key = "alerts", .type = T_MAP, .sub = alerts_opts },
	{ .key = "dashboard", .type = T_MAP, .sub = dashboard_opts },
	{ .key = "display", .type = T_MAP, .sub = display_opts },
	{ 0 },
};

const struct opt cfg_override_opts[] = {
	O("rules", T_MAP, struct cfg_override, rules, .sub = cfg_rules_opts),
	{ 0 },
};

/* ---- the defaults, and the firm's URLs ------------------------------------------------ */

void config_default_socket(char *out, size_t cap)
{
	const char *rt = getenv("XDG_RUNTIME_DIR");

	if (rt != NULL && rt[0] != '\0' && (size_t)snprintf(out, cap, "%s/srm.sock", rt) < cap)
		return;
	if (cfg_expand_home("~/.local/state/srm/srm.sock", out, cap) != 0)
		out[0] = '\0';
}

/* gateway.firm: the URLs not given explicitly come from the firm's deployment. */
void cfg_firm_urls(struct cfg_walk *c, struct srm_config *cfg)
{
	char api[256], user[256], market[256], names[256];
	const char *firm = cfg->gateway.firm != NULL ? cfg->gateway.firm : "topstepx";

	if (cfg->gateway.api_url != NULL && cfg->gateway.user_hub_url != NULL &&
	    cfg->gateway.market_hub_url != NULL)
		return;
	if (config_firm_urls(firm, api, user, market, sizeof(api)) != 0) {
		config_firm_names(names, sizeof(names));
		cfg_err(c, NULL, "gateway.firm", "unknown firm %.64s (known: %s); or give api_url, "
			"user_hub_url and market_hub_url", firm, names);
		return;
	}
	if (cfg->gateway.api_url == NULL)
		cfg->gateway.api_url = xstrdup(api);
	if (cfg->gateway.user_hub_url == NULL)
		cfg->gateway.user_hub_url = xstrdup(user);
	if (cfg->gateway.market_hub_url == NULL)
		cfg->gateway.market_hub_url = xstrdup(market);
}

void cfg_set_defaults(struct srm_config *cfg, const char *path)
{
	char buf[CFG_VALUE_MAX];

	cfg->path = xstrdup(path);
	/* the URLs come from gateway.firm (topstepx) after the walk, unless given */
	cfg->accounts.all = true;
	/* never a directory others may write (/tmp): "" when there is no home (srmd says so) */
	if (cfg_expand_home("~/.local/state/srm", buf, sizeof(buf)) != 0)
		buf[0] = '\0';
	cfg->daemon.state_dir = xstrdup(buf);
	config_default_socket(buf, sizeof(buf));
	cfg->daemon.socket = xstrdup(buf);
	cfg->daemon.log_level = xstrdup("info");
	cfg->daemon.timezone = xstrdup("America/Chicago");
	cfg->daemon.reset_min = 17 * 60;
	cfg->daemon.quote_max_age_ms = 10 * 1000;
	cfg->alerts.per_minute = 20;
	cfg->alerts.guard_after_ms = 10 * 1000;
	cfg->alerts.heartbeat_ms = 60 * 1000;
	strlcpy_s(cfg->dashboard.host, "127.0.0.1", sizeof(cfg->dashboard.host));
	cfg->dashboard.port = 8750;
	cfg->dashboard.loopback = true;
	cfg->dashboard.max_clients = 16;
	config_rules_defaults(&cfg->rules);
	/* An absent rule block is disabled; a present one is turned on by the walker. */
	for (const struct opt *o = cfg_rules_opts; o->key != NULL; o++)
		*(bool *)((char *)&cfg->rules + o->off + cfg_find_opt(o->sub, "enabled")->off) = false;
}

/* ---- the example and the defaults, from the option tables ----------------------------- */

#define EX_COMMENT_COL 29
#define EX_WIDTH 100

/*
 * A comment at column col (at least 2 past the text already on the line, at columns),
 * wrapped at EX_WIDTH and continued at the same column.
 */
static void ex_comment(FILE *f, size_t at, size_t col, const char *text)
{
	const char *s = text;

	if (at > 0 && at + 2 > col)
		col = at + 2;
	fprintf(f, "%*s# ", (int)(col - at), "");
	at = col + 2;
	while (*s != '\0') {
		size_t w = strcspn(s, " ");

		if (at + w > EX_WIDTH && at > col + 2) {
			fprintf(f, "\n%*s# ", (int)col, "");
			at = col + 2;
		}
		(void)fwrite(s, 1, w, f); /* the caller checks ferror() once at the end */
		at += w;
		s += w;
		while (*s == ' ')
			s++;
		if (*s != '\0' && at + 1 + strcspn(s, " ") <= EX_WIDTH) {
			fputc(' ', f);
			at++;
		}
	}
	fputc('\n', f);
}

static bool ex_is_list(enum opt_type t)
{
	return t == T_LIMITS || t == T_TIERS || t == T_WINDOWS || t == T_GLOBS || t == T_WEIGHTS ||
	       t == T_STEPS;
}

/* One block of an option table at indent: `key: default   # help; default X`. */
/* NOLINTNEXTLINE(misc-no-recursion): rule blocks nest 2 levels */
static void ex_block(FILE *f, const struct opt *tab, int indent, bool rule_level)
{
	char note[512];

	for (const struct opt *o = tab; o->key != NULL; o++) {
		int at;

		if (o->quiet)
			continue;
		if (o->type == T_MAP) {
			at = fprintf(f, "%*s%s:", indent, "", o->key);
			if (o->help != NULL)
				ex_comment(f, (size_t)at, EX_COMMENT_COL, o->help);
			else
				fputc('\n', f);
			ex_block(f, o->sub, indent + 2, false);
			continue;
		}
		char line[256];

		at = snprintf(line, sizeof(line), "%*s%s: %s", indent, "", o->key,
			      o->def != NULL ? o->def : "~");
		bool say_default = o->def != NULL && !ex_is_list(o->type) &&
				   !(rule_level && strcmp(o->key, "enabled") == 0);

		if (o->help != NULL && say_default)
			snprintf(note, sizeof(note), "%s; default %s", o->help, o->def);
		else if (o->help != NULL)
			snprintf(note, sizeof(note), "%s", o->help);
		else if (say_default)
			snprintf(note, sizeof(note), "default %s", o->def);
		else
			note[0] = '\0';
		if (note[0] == '\0') {
			fprintf(f, "%s\n", line);
		} else if (at > EX_WIDTH / 2) {
			/* a long value: its comment goes above it */
			ex_comment(f, 0, (size_t)indent, note);
			fprintf(f, "%s\n", line);
		} else {
			fputs(line, f);
			ex_comment(f, (size_t)at, EX_COMMENT_COL, note);
		}
	}
}

/* The `rules:` section of the example: every rule's block, every key at its default. */
char *config_rules_example(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		return NULL;
	pthread_once(&rules_once, rules_opts_init);
	fputs("# Every rule block also takes `enabled: true|false`, `dry_run: true|false` (default false:\n"
	      "# true journals and shows this rule's actions without sending them) and `warn_at:\n"
	      "# [0.7, 0.9]` (an alert when what the rule watches reaches those shares of its limit;\n"
	      "# default none).\n"
	      "rules:\n", f);
	for (int r = 0; r < RULE_COUNT; r++) {
		const struct rule_block *b = rule_block(r);

		fprintf(f, "%s  # %s: %s\n  %s:\n", r > 0 ? "\n" : "", rule_block_id(r), b->summary,
			b->name);
		ex_block(f, b->opts, 4, true);
	}
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static struct rules_cfg rules_defaults;
static pthread_once_t defaults_once = PTHREAD_ONCE_INIT;

/* The defaults are the example's values, read by the same walker: they cannot differ. */
static void defaults_init(void)
{
	struct config_diag diag = { 0 };
	struct cfg_walk c = { .file = "(rule defaults)", .diag = &diag };
	char *text = config_rules_example();
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root, *rules = NULL;

	if (text == NULL || !yaml_parser_initialize(&parser))
		abort();
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, strlen(text));
	if (!yaml_parser_load(&parser, &doc)) {
		fprintf(stderr, "srm: the rules' defaults do not parse: %s\n%s", parser.problem, text);
		abort();
	}
	yaml_parser_delete(&parser);
	c.doc = &doc;
	root = yaml_document_get_root_node(&doc);
	if (root != NULL && root->type == YAML_MAPPING_NODE &&
	    root->data.mapping.pairs.top > root->data.mapping.pairs.start)
		rules = cfg_node(&c, root->data.mapping.pairs.start->value);
	if (rules == NULL || rules->type != YAML_MAPPING_NODE)
		abort();
	cfg_walk_map(&c, rules, cfg_rules_opts, (char *)&rules_defaults, "rules");
	for (size_t i = 0; i < diag.n; i++)
		fprintf(stderr, "srm: a rule's default is wrong: %s\n", diag.msgs[i]);
	if (diag.n > 0)
		abort();
	yaml_document_delete(&doc);
	free(text);
}

/* Every rule at its default (the option tables' `def`); `enabled` as in the example. */
void config_rules_defaults(struct rules_cfg *r)
{
	pthread_once(&rules_once, rules_opts_init);
	pthread_once(&defaults_once, defaults_init);
	*r = rules_defaults;
}
