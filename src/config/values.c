/*
 * values.c: the parsers of particular values that the walker (walk.c) hands over: the list
 * types (T_LIMITS, T_WEIGHTS, T_STEPS, T_TIERS, T_WINDOWS, T_GLOBS, T_FRACTIONS) and the
 * loader's own keys (T_CUSTOM: accounts, daemon.holidays and timezone, overrides, profiles,
 * alerts.command and events, dashboard.listen). Each one checks its node and fills its field.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "config/internal.h"
#include "util/strutil.h"
#include "util/timefmt.h"
#include "util/tz.h"
#include "util/xalloc.h"

static const char *const day_names[] = { "sun", "mon", "tue", "wed", "thu", "fri", "sat", NULL };

/* ---- custom keys ---------------------------------------------------------------------- */

/* max_contracts_per_instrument.limits: {SYMBOL: count, ...}; replaces the whole map. */
/* One value of a {SYMBOL: value} mapping (its node, path and text); false: refused (said). */
typedef bool (*symbol_item_fn)(struct cfg_walk *c, yaml_node_t *val, const char *kp, const char *s,
			       const char *sym, void *ud);

/*
 * A mapping of at most cap SYMBOL: value pairs (what names its shape for messages, expect
 * the value): each symbol 1 to SRM_SCOPE_MAX - 1 characters and not given twice (any case);
 * fn takes each scalar value.
 */
#define SYMBOL_MAP_MAX 64
static void each_symbol(struct cfg_walk *c, yaml_node_t *v, const char *path, size_t cap,
			const char *what, const char *expect, symbol_item_fn fn, void *ud)
{
	char kp[CFG_PATH_MAX], g[CFG_GOT_MAX + 8], seen[SYMBOL_MAP_MAX][SRM_SCOPE_MAX];
	size_t n_seen = 0;

	if (v->type != YAML_MAPPING_NODE) {
		cfg_err(c, v, path, "must be a mapping of %s, got %s", what, cfg_got(v, g, sizeof(g)));
		return;
	}
	size_t n = (size_t)(v->data.mapping.pairs.top - v->data.mapping.pairs.start);

	if (n > cap || n > SYMBOL_MAP_MAX) {
		cfg_err(c, v, path, "at most %zu symbols, got %zu", cap, n);
		return;
	}
	for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
		yaml_node_t *k = cfg_node(c, p->key), *val = cfg_node(c, p->value);
		const char *sym;

		if (k == NULL || val == NULL || !cfg_budget(c, k))
			return;
		sym = k->type == YAML_SCALAR_NODE ? (const char *)k->data.scalar.value : "";
		cfg_join(kp, sizeof(kp), path, sym);
		if (sym[0] == '\0' || strlen(sym) >= SRM_SCOPE_MAX) {
			cfg_err(c, k, kp, "a symbol must be 1 to %d characters, got %s",
				SRM_SCOPE_MAX - 1, cfg_got(k, g, sizeof(g)));
			continue;
		}
		bool dup = false;

		for (size_t i = 0; i < n_seen; i++)
			dup |= str_eq_ci(seen[i], sym);
		if (dup) {
			cfg_err(c, k, kp, "duplicate symbol");
			continue;
		}
		const char *s = cfg_scalar(c, val, kp, expect);

		if (s != NULL && fn(c, val, kp, s, sym, ud))
			strlcpy_s(seen[n_seen++], sym, SRM_SCOPE_MAX);
	}
}

struct limits_out {
	size_t *n;
	struct cfg_symbol_limit *v;
};

static bool limit_item(struct cfg_walk *c, yaml_node_t *val, const char *kp, const char *s,
		       const char *sym, void *ud)
{
	struct limits_out *o = ud;
	char g[CFG_GOT_MAX + 8];
	int lim;

	if (cfg_parse_int(s, 0, &lim) != 0) {
		cfg_err(c, val, kp, "must be an integer >= 0, got %s", cfg_got(val, g, sizeof(g)));
		return false;
	}
	strlcpy_s(o->v[*o->n].symbol, sym, SRM_SCOPE_MAX);
	o->v[(*o->n)++].limit = lim;
	return true;
}

/* max_contracts_per_instrument.limits: {SYMBOL: limit, ...}. */
void cfg_limits(struct cfg_walk *c, yaml_node_t *v, size_t *n_limits,
		struct cfg_symbol_limit *limits, const char *path)
{
	struct limits_out o = { .n = n_limits, .v = limits };

	if (v->type == YAML_MAPPING_NODE)
		*n_limits = 0;
	each_symbol(c, v, path, CFG_MAX_SYMBOL_LIMITS, "symbol: limit", "an integer >= 0", limit_item, &o);
}

struct weights_out {
	size_t *n;
	struct cfg_symbol_weight *v;
};

static bool weight_item(struct cfg_walk *c, yaml_node_t *val, const char *kp, const char *s,
			const char *sym, void *ud)
{
	struct weights_out *o = ud;
	char g[CFG_GOT_MAX + 8];
	int ppm;

	if (cfg_parse_ppm(s, CFG_WEIGHT_MAX_PPM, &ppm) != 0 || ppm == 0) {
		cfg_err(c, val, kp, "must be a weight above 0 and at most 100, with at most six "
			"decimals (0.1: ten count as one), got %s", cfg_got(val, g, sizeof(g)));
		return false;
	}
	strlcpy_s(o->v[*o->n].symbol, sym, SRM_SCOPE_MAX);
	o->v[(*o->n)++].ppm = ppm;
	return true;
}

/* max_contracts.weights: {SYMBOL: weight, ...} (0 < weight <= 100, six decimals at most). */
void cfg_weights(struct cfg_walk *c, yaml_node_t *v, size_t *n_weights,
		 struct cfg_symbol_weight *weights, const char *path)
{
	struct weights_out o = { .n = n_weights, .v = weights };

	if (v->type == YAML_MAPPING_NODE) {
		*n_weights = 0;
		memset(weights, 0, sizeof(*weights) * CFG_MAX_WEIGHTS);
	}
	each_symbol(c, v, path, CFG_MAX_WEIGHTS, "symbol: weight (MES: 0.1)", "a weight", weight_item, &o);
}

static const struct opt step_opts[] = {
	{ .key = "above", .type = T_MONEY, .off = offsetof(struct cfg_scale_step, above), .req = true,
	  .zero_ok = true, .help = "the profit since the start must be more than this" },
	{ .key = "limit", .type = T_INT, .off = offsetof(struct cfg_scale_step, limit), .req = true,
	  .min = 0, .help = "the limit from the next reset on" },
	{ 0 },
};

/* max_contracts.scaling: [{above, limit}, ...]: above rising, limits never falling. */
/* NOLINTNEXTLINE(misc-no-recursion): nesting is bounded (CFG_DEPTH_MAX) */
void cfg_steps(struct cfg_walk *c, yaml_node_t *v, size_t *n_steps, struct cfg_scale_step *steps,
	       const char *path)
{
	char ip[CFG_PATH_MAX], g[CFG_GOT_MAX + 8];
	long n = cfg_seq_items(c, v, path, CFG_MAX_STEPS, "steps");

	if (n < 0)
		return;
	*n_steps = 0;
	memset(steps, 0, sizeof(*steps) * CFG_MAX_STEPS);
	for (long i = 0; i < n; i++) {
		yaml_node_t *it = cfg_seq_item(c, v, i);
		struct cfg_scale_step t = { 0 };
		size_t errs = c->diag->n + c->extra;

		if (it == NULL || !cfg_budget(c, it))
			return;
		cfg_pathf(ip, sizeof(ip), "%s[%ld]", path, i);
		if (it->type != YAML_MAPPING_NODE) {
			cfg_err(c, it, ip, "must be a mapping {above, limit}, got %s", cfg_got(it, g, sizeof(g)));
			continue;
		}
		cfg_walk_map(c, it, step_opts, (char *)&t, ip);
		if (c->diag->n + c->extra != errs)
			continue;
		if (*n_steps > 0 && t.above <= steps[*n_steps - 1].above) {
			cfg_err(c, it, ip, "above must be more than the step before's (steps go up)");
			continue;
		}
		if (*n_steps > 0 && t.limit < steps[*n_steps - 1].limit) {
			cfg_err(c, it, ip, "limit %d is below the step before's %d (more profit never "
				"allows less)", t.limit, steps[*n_steps - 1].limit);
			continue;
		}
		steps[(*n_steps)++] = t;
	}
}

static const struct opt tier_opts[] = {
	{ .key = "loss", .type = T_MONEY, .off = offsetof(struct cfg_loss_tier, loss), .req = true,
	  .help = "a closing fill losing at least this much (positive, account currency)" },
	{ .key = "cooldown", .type = T_LOCKOUT, .off = offsetof(struct cfg_loss_tier, cooldown),
	  .req = true, .help = "lockout after such a loss" },
	{ 0 },
};

static int tier_cmp(const void *a, const void *b)
{
	const struct cfg_loss_tier *x = a, *y = b;

	return (x->loss > y->loss) - (x->loss < y->loss);
}

/* cooldown_after_loss.tiers: [{loss, cooldown}, ...], kept sorted by loss. */
/* NOLINTNEXTLINE(misc-no-recursion): nesting is bounded (CFG_DEPTH_MAX) */
void cfg_tiers(struct cfg_walk *c, yaml_node_t *v, size_t *n_tiers, struct cfg_loss_tier *tiers,
	       const char *path)
{
	char ip[CFG_PATH_MAX], g[CFG_GOT_MAX + 8];
	long n = cfg_seq_items(c, v, path, CFG_MAX_TIERS, "tiers");

	if (n < 0)
		return;
	*n_tiers = 0;
	for (long i = 0; i < n; i++) {
		yaml_node_t *it = cfg_seq_item(c, v, i);
		struct cfg_loss_tier t = { 0 };

		if (it == NULL || !cfg_budget(c, it))
			return;
		cfg_pathf(ip, sizeof(ip), "%s[%ld]", path, i);
		if (it->type != YAML_MAPPING_NODE) {
			cfg_err(c, it, ip, "must be a mapping {loss, cooldown}, got %s",
				cfg_got(it, g, sizeof(g)));
			continue;
		}
		cfg_walk_map(c, it, tier_opts, (char *)&t, ip);
		tiers[(*n_tiers)++] = t;
	}
	qsort(tiers, *n_tiers, sizeof(tiers[0]), tier_cmp);
}

/* windows[].days: [sun, mon, ...] -> a bit mask (bit 0 = sunday). */
static void cf_days(struct cfg_walk *c, yaml_node_t *v, char *dst, const char *path)
{
	static const char *const long_names[] = { "sunday", "monday", "tuesday", "wednesday",
						   "thursday", "friday", "saturday", NULL };
	unsigned *days = (unsigned *)dst, mask = 0;
	char ip[CFG_PATH_MAX], g[CFG_GOT_MAX + 8];
	long n = cfg_seq_items(c, v, path, 7, "day names");

	if (n < 0)
		return;
	if (n == 0) {
		cfg_err(c, v, path, "must name at least one day");
		return;
	}
	for (long i = 0; i < n; i++) {
		yaml_node_t *it = cfg_seq_item(c, v, i);
		const char *s;
		int d;

		if (it == NULL)
			return;
		cfg_pathf(ip, sizeof(ip), "%s[%ld]", path, i);
		s = cfg_scalar(c, it, ip, "a day name");
		if (s == NULL)
			continue;
		d = cfg_enum_index(day_names, s);
		if (d < 0)
			d = cfg_enum_index(long_names, s);
		if (d < 0) {
			cfg_err(c, it, ip, "must be a day: sun, mon, tue, wed, thu, fri or sat, got %s",
				cfg_got(it, g, sizeof(g)));
			continue;
		}
		mask |= 1u << d;
	}
	*days = mask;
}

static const struct opt window_opts[] = {
	{ .key = "days", .type = T_CUSTOM, .off = offsetof(struct cfg_window, days), .fn = cf_days,
	  .help = "days the window starts on: sun..sat (default: every day)" },
	{ .key = "start", .type = T_HHMM, .off = offsetof(struct cfg_window, start_min),
	  .req = true, .help = "\"HH:MM\" in daemon.timezone" },
	{ .key = "end", .type = T_HHMM, .off = offsetof(struct cfg_window, end_min), .req = true,
	  .help = "\"HH:MM\"; before start = runs past midnight" },
	{ 0 },
};

/* session_block_outside.windows: [{days, start, end}, ...]. */
/* NOLINTNEXTLINE(misc-no-recursion): nesting is bounded (CFG_DEPTH_MAX) */
void cfg_windows(struct cfg_walk *c, yaml_node_t *v, size_t *n_windows, struct cfg_window *windows,
		 const char *path)
{
	char ip[CFG_PATH_MAX], g[CFG_GOT_MAX + 8];
	long n = cfg_seq_items(c, v, path, CFG_MAX_WINDOWS, "windows");

	if (n < 0)
		return;
	if (n == 0) {
		cfg_err(c, v, path, "must list at least one window");
		return;
	}
	*n_windows = 0;
	for (long i = 0; i < n; i++) {
		yaml_node_t *it = cfg_seq_item(c, v, i);
		struct cfg_window w = { .days = 0x7f, .start_min = -1, .end_min = -1 };

		if (it == NULL || !cfg_budget(c, it))
			return;
		cfg_pathf(ip, sizeof(ip), "%s[%ld]", path, i);
		if (it->type != YAML_MAPPING_NODE) {
			cfg_err(c, it, ip, "must be a mapping {days, start, end}, got %s",
				cfg_got(it, g, sizeof(g)));
			continue;
		}
		cfg_walk_map(c, it, window_opts, (char *)&w, ip);
		if (w.start_min >= 0 && w.start_min == w.end_min)
			cfg_err(c, it, ip, "start and end must differ");
		windows[(*n_windows)++] = w;
	}
}

/* symbol_blocks.symbols: [RTY, "M*", ...] (exact or glob). */
void cfg_symbols(struct cfg_walk *c, yaml_node_t *v, size_t *n_symbols,
		 char (*symbols)[CFG_GLOB_MAX], const char *path)
{
	char ip[CFG_PATH_MAX];
	long n = cfg_seq_items(c, v, path, CFG_MAX_BLOCKED, "symbols");

	if (n < 0)
		return;
	*n_symbols = 0;
	for (long i = 0; i < n; i++) {
		yaml_node_t *it = cfg_seq_item(c, v, i);
		const char *s;

		if (it == NULL)
			return;
		cfg_pathf(ip, sizeof(ip), "%s[%ld]", path, i);
		s = cfg_scalar(c, it, ip, "a symbol or glob");
		if (s == NULL)
			continue;
		if (s[0] == '\0' || strlen(s) >= sizeof(symbols[0])) {
			cfg_err(c, it, ip, "a symbol must be 1 to %zu characters",
				sizeof(symbols[0]) - 1);
			continue;
		}
		strlcpy_s(symbols[(*n_symbols)++], s, sizeof(symbols[0]));
	}
}

/* warn_at: [0.7, 0.9]: shares of the rule's limit, each in (0, 1], ascending. */
void cfg_fractions(struct cfg_walk *c, yaml_node_t *v, struct cfg_warn_at *w,
		   const char *path)
{
	char ip[CFG_PATH_MAX], g[CFG_GOT_MAX + 8];
	long n = cfg_seq_items(c, v, path, CFG_MAX_WARN, "shares of the limit");

	if (n < 0)
		return;
	w->n = 0;
	for (long i = 0; i < n; i++) {
		yaml_node_t *it = cfg_seq_item(c, v, i);
		const char *s;
		char *end;
		double x;

		if (it == NULL)
			return;
		cfg_pathf(ip, sizeof(ip), "%s[%ld]", path, i);
		s = cfg_scalar(c, it, ip, "a share of the limit");
		if (s == NULL)
			continue;
		errno = 0;
		x = strtod(s, &end);
		if (end == s || *end != '\0' || errno != 0 || !(x > 0 && x <= 1)) {
			cfg_err(c, it, ip, "must be a share of the limit above 0 and at most 1 (0.8 = 80%%), got %s",
				cfg_got(it, g, sizeof(g)));
			continue;
		}
		if (w->n > 0 && x <= w->v[w->n - 1]) {
			cfg_err(c, it, ip, "must be larger than the one before it");
			continue;
		}
		w->v[w->n++] = x;
	}
}

/* One scalar item of a list: its node, its path ("key[2]"), its text (${ENV} substituted). */
typedef void (*scalar_item_fn)(struct cfg_walk *c, yaml_node_t *it, const char *ip, const char *s,
			       long i, void *ud);

/*
 * A list of at most cap scalars (items names them, expect each one, for messages): fn for
 * each that is a scalar. Returns the count, or -1 (said) when v is not such a list.
 */
static long each_scalar(struct cfg_walk *c, yaml_node_t *v, const char *path, long cap,
			const char *items, const char *expect, scalar_item_fn fn, void *ud)
{
	char ip[CFG_PATH_MAX];
	long n = cfg_seq_items(c, v, path, cap, items);

	for (long i = 0; i < n; i++) {
		yaml_node_t *it = cfg_seq_item(c, v, i);
		const char *s;

		if (it == NULL)
			break;
		cfg_pathf(ip, sizeof(ip), "%s[%ld]", path, i);
		s = cfg_scalar(c, it, ip, expect);
		if (s != NULL)
			fn(c, it, ip, s, i, ud);
	}
	return n;
}

static void holiday_item(struct cfg_walk *c, yaml_node_t *it, const char *ip, const char *s, long i,
			 void *ud)
{
	struct srm_config *cfg = ud;
	char g[CFG_GOT_MAX + 8];
	int32_t d;

	(void)i;
	if (date_parse(s, &d) != 0)
		cfg_err(c, it, ip, "must be a date \"YYYY-MM-DD\", got %s", cfg_got(it, g, sizeof(g)));
	else
		cfg->daemon.holidays[cfg->daemon.n_holidays++] = d;
}

/* daemon.holidays: ["YYYY-MM-DD", ...]. */
void cfg_holidays(struct cfg_walk *c, yaml_node_t *v, char *dst, const char *path)
{
	struct srm_config *cfg = (void *)dst;

	cfg->daemon.n_holidays = 0;
	(void)each_scalar(c, v, path, CFG_MAX_HOLIDAYS, "dates", "a date \"YYYY-MM-DD\"", holiday_item, cfg);
}

/* daemon.timezone: an IANA zone that must exist on this system. */
void cfg_timezone(struct cfg_walk *c, yaml_node_t *v, char *dst, const char *path)
{
	char g[CFG_GOT_MAX + 8];
	struct srm_err err;
	struct tz *z;
	const char *s = cfg_scalar(c, v, path, "a time zone name");

	if (s == NULL)
		return;
	z = tz_load(s, &err);
	if (z == NULL) {
		cfg_err(c, v, path, "unknown time zone (e.g. America/Chicago), got %s",
			cfg_got(v, g, sizeof(g)));
		return;
	}
	tz_free(z);
	cfg_set_str((char **)dst, s);
}

static bool all_digits(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

int cfg_parse_id(const char *s, int64_t *id)
{
	char *end;
	long long v;

	if (!all_digits(s))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v <= 0)
		return -1;
	*id = v;
	return 0;
}

/* accounts: all | [12345, "50KTC-*", ...] (digits: an id; anything else: a name glob). */
void cfg_accounts(struct cfg_walk *c, yaml_node_t *v, char *dst, const char *path)
{
	struct srm_config *cfg = (void *)dst;
	char ip[CFG_PATH_MAX], g[CFG_GOT_MAX + 8];
	long n;

	if (v->type == YAML_SCALAR_NODE) {
		const char *s = cfg_scalar(c, v, path, "all or a list");

		if (s != NULL && str_eq_ci(s, "all")) {
			cfg->accounts.all = true;
			cfg->accounts.n = 0;
		} else if (s != NULL) {
			cfg_err(c, v, path, "must be all or a list of account ids and name globs, got %s",
				cfg_got(v, g, sizeof(g)));
		}
		return;
	}
	n = cfg_seq_items(c, v, path, CFG_MAX_ACCOUNT_SEL, "account ids or name globs");
	if (n < 0)
		return;
	if (n == 0) {
		cfg_err(c, v, path, "must be all or a non-empty list of account ids and name globs");
		return;
	}
	cfg->accounts.all = false;
	cfg->accounts.n = 0;
	for (long i = 0; i < n; i++) {
		yaml_node_t *it = cfg_seq_item(c, v, i);
		struct cfg_account_sel sel = { 0 };
		const char *s;

		if (it == NULL)
			return;
		cfg_pathf(ip, sizeof(ip), "%s[%ld]", path, i);
		s = cfg_scalar(c, it, ip, "an account id or name glob");
		if (s == NULL)
			continue;
		if (all_digits(s)) {
			if (cfg_parse_id(s, &sel.id) != 0) {
				cfg_err(c, it, ip, "must be a positive account id, got %s",
					cfg_got(it, g, sizeof(g)));
				continue;
			}
		} else if (s[0] == '\0' || strlen(s) >= sizeof(sel.glob)) {
			cfg_err(c, it, ip, "a name glob must be 1 to %zu characters",
				sizeof(sel.glob) - 1);
			continue;
		} else {
			strlcpy_s(sel.glob, s, sizeof(sel.glob));
		}
		cfg->accounts.v[cfg->accounts.n++] = sel;
	}
}

/* overrides: parsed once the global rules are known (see cfg_parse_overrides). */
/* NOLINTNEXTLINE(readability-non-const-parameter): the custom_fn signature */
void cfg_overrides(struct cfg_walk *c, yaml_node_t *v, char *dst, const char *path)
{
	char g[CFG_GOT_MAX + 8];

	(void)dst;
	if (v->type == YAML_MAPPING_NODE)
		c->overrides = v;
	else if (!cfg_is_null(v))
		cfg_err(c, v, path, "must be a mapping of account id: {rules: ...}, got %s",
			cfg_got(v, g, sizeof(g)));
}

/* profiles: [{profile: NAME, accounts: [ids, globs]}]: parsed after the overrides. */
/* NOLINTNEXTLINE(readability-non-const-parameter): the custom_fn signature */
void cfg_profiles(struct cfg_walk *c, yaml_node_t *v, char *dst, const char *path)
{
	char g[CFG_GOT_MAX + 8];

	(void)dst;
	if (v->type == YAML_SEQUENCE_NODE)
		c->profiles = v;
	else if (!cfg_is_null(v))
		cfg_err(c, v, path, "must be a list of {profile: NAME, accounts: [ids, name globs]}, got %s",
			cfg_got(v, g, sizeof(g)));
}

/* ---- alerts and the dashboard --------------------------------------------------------- */

const char *const alert_event_names[] = { "warn", "enforced", "enforcement_failed", "lockout",
					  "unlock", "guard_degraded", "guard_restored",
					  "daemon_started", "daemon_stopping", "end_of_day", NULL };

static void argv_item(struct cfg_walk *c, yaml_node_t *it, const char *ip, const char *s, long i,
		      void *ud)
{
	struct srm_config *cfg = ud;

	if (i == 0 && s[0] != '/')
		cfg_err(c, it, ip, "the program must be an absolute path (no shell, no PATH search)");
	else
		cfg->alerts.command[cfg->alerts.n_command++] = xstrdup(s);
}

/* alerts.command: [program, arg, ...] (no shell). */
void cfg_argv(struct cfg_walk *c, yaml_node_t *v, char *dst, const char *path)
{
	struct srm_config *cfg = (void *)dst;

	for (size_t i = 0; i < cfg->alerts.n_command; i++)
		free(cfg->alerts.command[i]);
	cfg->alerts.n_command = 0;
	(void)each_scalar(c, v, path, CFG_MAX_ARGV, "words (program, arguments)", "a word", argv_item, cfg);
}

static void event_item(struct cfg_walk *c, yaml_node_t *it, const char *ip, const char *s, long i,
		       void *ud)
{
	struct srm_config *cfg = ud;
	char g[CFG_GOT_MAX + 8], list[200];
	int k = cfg_enum_index(alert_event_names, s);

	(void)i;
	if (k < 0) {
		cfg_names_list(alert_event_names, list, sizeof(list));
		cfg_err(c, it, ip, "must be one of %s, got %s", list, cfg_got(it, g, sizeof(g)));
		return;
	}
	cfg->alerts.events |= 1u << k;
}

/* alerts.events: [lockout, enforced, ...]; all when absent. */
void cfg_events(struct cfg_walk *c, yaml_node_t *v, char *dst, const char *path)
{
	struct srm_config *cfg = (void *)dst;

	cfg->alerts.events = 0;
	(void)each_scalar(c, v, path, AE_COUNT, "event names", "an event name", event_item, cfg);
}

/* dashboard.listen: "HOST:PORT", HOST an IPv4 address or localhost. */
void cfg_listen(struct cfg_walk *c, yaml_node_t *v, char *dst, const char *path)
{
	char g[CFG_GOT_MAX + 8], host[64];
	const char *s = cfg_scalar(c, v, path, "HOST:PORT");
	const char *colon;
	struct in_addr a = { 0 };
	char *end;
	long port;
	size_t hl;

	if (s == NULL)
		return;
	colon = strrchr(s, ':');
	hl = colon != NULL ? (size_t)(colon - s) : 0;
	if (colon == NULL || hl == 0 || hl >= sizeof(host)) {
		cfg_err(c, v, path, "must be HOST:PORT (e.g. 127.0.0.1:8750), got %s", cfg_got(v, g, sizeof(g)));
		return;
	}
	memcpy(host, s, hl);
	host[hl] = '\0';
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	if (colon[1] == '\0' || *end != '\0' || errno != 0 || port < 0 || port > 65535) {
		cfg_err(c, v, path, "the port must be 0 to 65535, got %s", cfg_got(v, g, sizeof(g)));
		return;
	}
	if (strcmp(host, "localhost") != 0 && inet_pton(AF_INET, host, &a) != 1) {
		cfg_err(c, v, path, "the host must be an IPv4 address or localhost, got %s",
			cfg_got(v, g, sizeof(g)));
		return;
	}
	struct srm_config *cfg = (struct srm_config *)(void *)(dst - offsetof(struct srm_config, dashboard));

	strlcpy_s(cfg->dashboard.host, host, sizeof(cfg->dashboard.host));
	cfg->dashboard.port = (int)port;
	cfg->dashboard.loopback = strcmp(host, "localhost") == 0 || (ntohl(a.s_addr) >> 24) == 127;
	cfg->dashboard.listen_line = (uint32_t)v->start_mark.line + 1;
}
