/* config.c: loads srm.yaml (SPEC §9) with libyaml into struct srm_config, driven by one option table. */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <limits.h>
#include <math.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <yaml.h>

#include "config/config.h"
#include "model/action.h"
#include "util/strutil.h"
#include "util/timefmt.h"
#include "util/tz.h"
#include "util/xalloc.h"

/*
 * Why libyaml and not libcyaml (docs/CONFIG.md has the evidence): libcyaml 1.3.1 stops at the
 * first error, reports an unknown key at the line of its parent mapping, and cannot express
 * `accounts: all | [ids, globs]`, a map with arbitrary keys (`limits`, `overrides`) or
 * "which keys were present" (needed to merge overrides). So the option table below is our
 * own: key, type, offset, bounds, required and help; one walker parses and validates with it.
 */

#define CFG_FILE_MAX (1024 * 1024)
#define CFG_MAX_OVERRIDES 256
#define CFG_VALUE_MAX 4096
#define CFG_VISIT_MAX 200000
#define CFG_PATH_MAX 192
#define CFG_GOT_MAX 48
#define CFG_DEPTH_MAX 32   /* libyaml's cost grows with nesting: no config needs more than ~6 */
#define CFG_MONEY_MAX 1e9

struct cfg_walk {
	const char *file;
	yaml_document_t *doc;
	struct config_diag *diag;
	size_t extra;              /* errors beyond the diag's capacity */
	size_t visits;
	bool over_budget;
	bool in_override;
	unsigned global_present;   /* rule blocks present in the global `rules:` (bit = index) */
	yaml_node_t *overrides;    /* parsed after the global rules */
	yaml_node_t *profiles;     /* parsed after the overrides */
	char *rules_base;          /* the rules being walked, for presence (NULL: none) */
	struct cfg_presence *pres; /* where the keys set are noted */
	char val[CFG_VALUE_MAX];   /* the last scalar read, ${ENV} substituted */
	bool env_lenient;          /* an unset ${NAME} reads as "" and is noted, not an error */
};

static const char *const log_level_names[] = { "debug", "info", "warn", "error", NULL };
static const char *const day_names[] = { "sun", "mon", "tue", "wed", "thu", "fri", "sat", NULL };

_Static_assert(sizeof(enum count_mode) == sizeof(int), "enums are stored as int");
_Static_assert(sizeof(enum size_action) == sizeof(int), "enums are stored as int");

/* ---- diagnostics ---------------------------------------------------------------------- */

static void add_msg(struct cfg_walk *c, const char *msg)
{
	struct config_diag *d = c->diag;

	if (d->n < sizeof(d->msgs) / sizeof(d->msgs[0]))
		strlcpy_s(d->msgs[d->n++], msg, sizeof(d->msgs[0]));
	else
		c->extra++;
}

/* Record "FILE:LINE: path: message" (n NULL: no line; path empty: no key). */
static void cerr(struct cfg_walk *c, const yaml_node_t *n, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void cerr(struct cfg_walk *c, const yaml_node_t *n, const char *path, const char *fmt, ...)
{
	char what[256], msg[512];
	char where[32] = "";
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (n != NULL)
		snprintf(where, sizeof(where), ":%lu", (unsigned long)n->start_mark.line + 1);
	snprintf(msg, sizeof(msg), "%s%s: %s%s%s", c->file, where, path,
		 path[0] != '\0' ? ": " : "", what);
	add_msg(c, msg);
}

/* A short description of a node for "got X": the scalar text, "a list" or "a mapping". */
static const char *got(const yaml_node_t *n, char *buf, size_t cap)
{
	if (n->type == YAML_SEQUENCE_NODE)
		return "a list";
	if (n->type == YAML_MAPPING_NODE)
		return "a mapping";
	if (n->type != YAML_SCALAR_NODE)
		return "nothing";
	const char *s = (const char *)n->data.scalar.value;
	size_t len = n->data.scalar.length;

	if (len == 0)
		return "\"\"";
	if (len >= CFG_GOT_MAX && cap > CFG_GOT_MAX) {
		snprintf(buf, cap, "%.*s...", CFG_GOT_MAX - 4, s);
		return buf;
	}
	strlcpy_s(buf, s, cap);
	return buf;
}

static bool budget(struct cfg_walk *c, yaml_node_t *n)
{
	if (++c->visits <= CFG_VISIT_MAX)
		return true;
	if (!c->over_budget)
		cerr(c, n, "", "too many nodes to check (aliases?), giving up");
	c->over_budget = true;
	return false;
}

/* Levenshtein distance of two short strings (longer ones: a large number). */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t row[65];

	if (la > 64 || lb > 64)
		return SIZE_MAX;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

static void unknown_key(struct cfg_walk *c, const yaml_node_t *k, const char *path,
			const struct opt *tab)
{
	const char *key = (const char *)k->data.scalar.value;
	const char *best = NULL;
	size_t best_d = SIZE_MAX;

	for (const struct opt *o = tab; o->key != NULL; o++) {
		size_t d = edit_distance(key, o->key);
		size_t cap = strlen(o->key) / 3 > 2 ? strlen(o->key) / 3 : 2;

		if (d <= cap && d < best_d) {
			best = o->key;
			best_d = d;
		}
	}
	if (best != NULL)
		cerr(c, k, path, "unknown key (did you mean %s?)", best);
	else
		cerr(c, k, path, "unknown key");
}

/* ---- scalars -------------------------------------------------------------------------- */

static bool is_null(const yaml_node_t *n)
{
	if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	const char *s = (const char *)n->data.scalar.value;

	return s[0] == '\0' || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
	       strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0;
}

static bool env_name_char(char ch, bool first)
{
	return ch == '_' || (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
	       (!first && ch >= '0' && ch <= '9');
}

/*
 * Substitute ${NAME} and ${NAME:-default} in s; "$${" is a literal "${".
 * Returns 0, or -1 with why filled (an undefined variable names itself there). With unset
 * non-NULL an undefined variable reads as "" and its name goes there (the first one).
 */
static int env_subst(const char *s, char *out, size_t cap, char *why, size_t why_cap,
		     char *unset, size_t unset_cap)
{
	size_t o = 0;

	for (const char *p = s; *p != '\0';) {
		const char *add = p;
		size_t add_len = 1;
		char name[128];

		if (p[0] == '$' && p[1] == '$' && p[2] == '{') {
			add = "${";
			add_len = 2;
			p += 3;
		} else if (p[0] == '$' && p[1] == '{') {
			const char *q = p + 2, *def = NULL;
			size_t nl = 0, def_len = 0;

			while (env_name_char(q[nl], nl == 0))
				nl++;
			if (nl == 0 || nl >= sizeof(name)) {
				snprintf(why, why_cap, "malformed ${...}: expected a variable name");
				return -1;
			}
			memcpy(name, q, nl);
			name[nl] = '\0';
			q += nl;
			if (q[0] == ':' && q[1] == '-') {
				def = q + 2;
				q = strchr(def, '}');
				if (q != NULL)
					def_len = (size_t)(q - def);
			}
			if (q == NULL || *q != '}') {
				snprintf(why, why_cap, "malformed ${%s...}: missing '}'", name);
				return -1;
			}
			const char *v = getenv(name);

			if (v == NULL || (def != NULL && v[0] == '\0')) {
				if (def == NULL && unset == NULL) {
					snprintf(why, why_cap, "undefined environment variable %s", name);
					return -1;
				}
				if (def == NULL && unset[0] == '\0')
					strlcpy_s(unset, name, unset_cap);
				add = def != NULL ? def : "";
				add_len = def_len;
			} else {
				add = v;
				add_len = strlen(v);
			}
			p = q + 1;
		} else {
			p++;
		}
		if (o + add_len >= cap) {
			snprintf(why, why_cap, "value too long (over %zu bytes)", cap - 1);
			return -1;
		}
		memcpy(out + o, add, add_len);
		o += add_len;
	}
	out[o] = '\0';
	return 0;
}

/* The text of a scalar node, ${ENV} substituted, in c->val; NULL (reported) otherwise. */
static const char *scalar(struct cfg_walk *c, yaml_node_t *n, const char *path, const char *expect)
{
	char why[160], g[CFG_GOT_MAX + 8], unset[128] = "";
	struct config_diag *d = c->diag;

	if (n->type != YAML_SCALAR_NODE) {
		cerr(c, n, path, "must be %s, got %s", expect, got(n, g, sizeof(g)));
		return NULL;
	}
	if (env_subst((const char *)n->data.scalar.value, c->val, sizeof(c->val), why,
		      sizeof(why), c->env_lenient ? unset : NULL, sizeof(unset)) != 0) {
		cerr(c, n, path, "%s", why);
		return NULL;
	}
	if (unset[0] != '\0' && d->n_notes < sizeof(d->notes) / sizeof(d->notes[0]))
		snprintf(d->notes[d->n_notes++], sizeof(d->notes[0]),
			 "%s:%lu: %s: ${%s} is not set here (srmd will need it)", c->file,
			 (unsigned long)n->start_mark.line + 1, path, unset);
	return c->val;
}

static int parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "true", "yes", "on", NULL };
	static const char *const no[] = { "false", "no", "off", NULL };

	for (size_t i = 0; yes[i] != NULL; i++) {
		if (str_eq_ci(s, yes[i])) {
			*out = true;
			return 0;
		}
		if (str_eq_ci(s, no[i])) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

static int parse_int(const char *s, int min, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (end == s || *end != '\0' || errno != 0 || v < min || v > INT_MAX)
		return -1;
	*out = (int)v;
	return 0;
}

static int parse_money(const char *s, bool zero_ok, money_t *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || *end != '\0' || errno != 0 || !isfinite(v) || v < 0 || (v == 0 && !zero_ok) ||
	    v > CFG_MONEY_MAX)
		return -1;
	*out = money_from_double(v);
	return *out > 0 || zero_ok ? 0 : -1;
}

/*
 * A decimal share or weight ("0.5", "1", ".25", "0.000001") in millionths, exactly: at most
 * six decimals, no sign, no exponent, at most max_ppm.
 */
static int parse_ppm(const char *s, long max_ppm, int *out)
{
	long whole = 0, frac = 0;
	int decimals = 0;
	const char *p = s;

	if (*p == '\0')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		whole = whole * 10 + (*p - '0');
		if (whole > max_ppm / CFG_PPM + 1)
			return -1;
	}
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++) {
			if (++decimals > 6)
				return -1;
			frac = frac * 10 + (*p - '0');
		}
		if (decimals == 0)
			return -1;
	} else if (p == s) {
		return -1;
	}
	if (*p != '\0')
		return -1;
	while (decimals++ < 6)
		frac *= 10;
	long v = whole * CFG_PPM + frac;

	if (v > max_ppm)
		return -1;
	*out = (int)v;
	return 0;
}

static int enum_index(const char *const *names, const char *s)
{
	for (int i = 0; names[i] != NULL; i++)
		if (str_eq_ci(names[i], s))
			return i;
	return -1;
}

static void names_list(const char *const *names, char *buf, size_t cap)
{
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; names[i] != NULL && o < cap; i++)
		o += (size_t)snprintf(buf + o, cap - o, "%s%s", i ? ", " : "", names[i]);
}

static int parse_lockout(const char *s, bool window_ok, struct lockout_spec *out)
{
	int64_t ms;

	if (str_eq_ci(s, "none"))
		*out = (struct lockout_spec){ .mode = LOCKOUT_NONE };
	else if (str_eq_ci(s, "until_reset"))
		*out = (struct lockout_spec){ .mode = LOCKOUT_UNTIL_RESET };
	else if (str_eq_ci(s, "permanent"))
		*out = (struct lockout_spec){ .mode = LOCKOUT_PERMANENT };
	else if (window_ok && str_eq_ci(s, "until_next_window"))
		*out = (struct lockout_spec){ .mode = LOCKOUT_UNTIL_NEXT_WINDOW };
	else if (duration_parse(s, &ms) == 0 && ms > 0)
		*out = (struct lockout_spec){ .mode = LOCKOUT_DURATION, .duration_ms = ms };
	else
		return -1;
	return 0;
}

/* Expand a leading "~/" (or a lone "~") to $HOME; -1 when HOME is unset. */
static int expand_home(const char *s, char *out, size_t cap)
{
	const char *home;

	if (s[0] != '~' || (s[1] != '/' && s[1] != '\0')) {
		strlcpy_s(out, s, cap);
		return 0;
	}
	home = getenv("HOME");
	if (home == NULL || home[0] == '\0')
		return -1;
	if ((size_t)snprintf(out, cap, "%s%s", home, s + 1) >= cap)
		return -1;
	return 0;
}

static void set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = v != NULL ? xstrdup(v) : NULL;
}

/* ---- the walker ----------------------------------------------------------------------- */

static void walk_map(struct cfg_walk *c, yaml_node_t *map, const struct opt *tab, char *base,
		     const char *path);

static yaml_node_t *node(struct cfg_walk *c, int id)
{
	return yaml_document_get_node(c->doc, id);
}

/* A key path for messages; a path too long for buf is cut (it is only shown). */
static void pathf(char *buf, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void pathf(char *buf, size_t cap, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(buf, cap, fmt, ap);
	va_end(ap);
}

static void join(char *buf, size_t cap, const char *path, const char *key)
{
	pathf(buf, cap, "%s%s%.64s", path, path[0] != '\0' ? "." : "", key);
}

static const struct opt *find_opt(const struct opt *tab, const char *key)
{
	for (const struct opt *o = tab; o->key != NULL; o++)
		if (strcmp(o->key, key) == 0)
			return o;
	return NULL;
}

static void apply_str(struct cfg_walk *c, const struct opt *o, yaml_node_t *v, char *dst,
		      const char *path)
{
	char **sp = (char **)dst;
	char g[CFG_GOT_MAX + 8];
	const char *s;

	if (is_null(v)) {
		if (o->min > 0)
			cerr(c, v, path, "must not be empty");
		else
			set_str(sp, NULL);
		return;
	}
	s = scalar(c, v, path, "a string");
	if (s == NULL)
		return;
	if (o->min > 0 && s[0] == '\0') {
		cerr(c, v, path, "must not be empty");
		return;
	}
	if (o->names != NULL && enum_index(o->names, s) < 0) {
		char list[160];

		names_list(o->names, list, sizeof(list));
		cerr(c, v, path, "must be one of %s, got %s", list, got(v, g, sizeof(g)));
		return;
	}
	if (o->type == T_PATH) {
		char tmp[CFG_VALUE_MAX];

		if (expand_home(s, tmp, sizeof(tmp)) != 0) {
			cerr(c, v, path, "cannot expand ~: HOME is not set");
			return;
		}
		set_str(sp, tmp);
		return;
	}
	set_str(sp, s);
}

static void cf_limits(struct cfg_walk *c, yaml_node_t *v, size_t *n_limits,
		      struct cfg_symbol_limit *limits, const char *path);
static void cf_tiers(struct cfg_walk *c, yaml_node_t *v, size_t *n_tiers, struct cfg_loss_tier *tiers,
		     const char *path);
static void cf_windows(struct cfg_walk *c, yaml_node_t *v, size_t *n_windows, struct cfg_window *windows,
		       const char *path);
static void cf_symbols(struct cfg_walk *c, yaml_node_t *v, size_t *n_symbols,
		       char (*symbols)[CFG_GLOB_MAX], const char *path);
static void cf_fractions(struct cfg_walk *c, yaml_node_t *v, struct cfg_warn_at *w,
			 const char *path);
static void cf_weights(struct cfg_walk *c, yaml_node_t *v, size_t *n_weights,
		       struct cfg_symbol_weight *weights, const char *path);
static void cf_steps(struct cfg_walk *c, yaml_node_t *v, size_t *n_steps, struct cfg_scale_step *steps,
		     const char *path);

/* Note that the layer being walked set the key at dst (a rule key: within the rules). */
static void presence_note(struct cfg_walk *c, const char *dst, const yaml_node_t *v)
{
	struct cfg_presence *p = c->pres;

	if (p == NULL || c->rules_base == NULL || dst < c->rules_base ||
	    dst >= c->rules_base + sizeof(struct rules_cfg))
		return;
	uint32_t off = (uint32_t)(dst - c->rules_base);

	for (size_t i = 0; i < p->n; i++)
		if (p->off[i] == off)
			return;
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 16;
		p->off = xreallocarray(p->off, p->cap, sizeof(*p->off));
		p->line = xreallocarray(p->line, p->cap, sizeof(*p->line));
	}
	p->line[p->n] = (uint32_t)v->start_mark.line + 1;
	p->off[p->n++] = off;
}

/* The line a layer set the key at, 0 when it did not. */
static uint32_t presence_line(const struct cfg_presence *p, uint32_t off)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->off[i] == off)
			return p->line[i];
	return 0;
}

static bool presence_has(const struct cfg_presence *p, uint32_t off)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->off[i] == off)
			return true;
	return false;
}

/* NOLINTNEXTLINE(misc-no-recursion): nesting is bounded (CFG_DEPTH_MAX) */
static void apply(struct cfg_walk *c, const struct opt *o, size_t idx, yaml_node_t *v, char *base,
		  const char *path)
{
	char *dst = base + o->off;
	char g[CFG_GOT_MAX + 8], list[160];
	const char *s;

	if (o->type != T_MAP && o->type != T_RULE)
		presence_note(c, dst, v);
	switch (o->type) {
	case T_RULE:
		if (v->type == YAML_MAPPING_NODE) {
			const struct opt *en = find_opt(o->sub, "enabled");

			presence_note(c, dst + en->off, v);
			if (!c->in_override)
				c->global_present |= 1u << idx;
			if (!c->in_override || !(c->global_present & (1u << idx)))
				*(bool *)(dst + en->off) = true;
		}
		/* fall through */
	case T_MAP:
		if (o->type == T_MAP && is_null(v))
			return; /* `daemon:` with everything commented out */
		if (v->type != YAML_MAPPING_NODE) {
			cerr(c, v, path, "must be a mapping of keys, got %s", got(v, g, sizeof(g)));
			return;
		}
		walk_map(c, v, o->sub, dst, path);
		return;
	case T_CUSTOM:
		o->fn(c, v, dst, path);
		return;
	case T_LIMITS:
		cf_limits(c, v, (size_t *)dst, (struct cfg_symbol_limit *)(base + o->off2), path);
		return;
	case T_TIERS:
		cf_tiers(c, v, (size_t *)dst, (struct cfg_loss_tier *)(base + o->off2), path);
		return;
	case T_WINDOWS:
		cf_windows(c, v, (size_t *)dst, (struct cfg_window *)(base + o->off2), path);
		return;
	case T_GLOBS:
		cf_symbols(c, v, (size_t *)dst, (char (*)[CFG_GLOB_MAX])(base + o->off2), path);
		return;
	case T_FRACTIONS:
		cf_fractions(c, v, (struct cfg_warn_at *)dst, path);
		return;
	case T_WEIGHTS:
		cf_weights(c, v, (size_t *)dst, (struct cfg_symbol_weight *)(base + o->off2), path);
		return;
	case T_STEPS:
		cf_steps(c, v, (size_t *)dst, (struct cfg_scale_step *)(base + o->off2), path);
		return;
	case T_DATE:
		if (is_null(v)) {
			*(int32_t *)dst = 0;
			return;
		}
		break;
	case T_STR:
	case T_PATH:
	case T_SECRET:
		apply_str(c, o, v, dst, path);
		return;
	default:
		break;
	}

	if (o->type == T_MONEY && o->zero_ok && is_null(v)) {
		*(money_t *)dst = 0;
		return;
	}
	s = scalar(c, v, path, "a single value");
	if (s == NULL)
		return;
	switch (o->type) {
	case T_BOOL:
		if (parse_bool(s, (bool *)dst) != 0)
			cerr(c, v, path, "must be true or false, got %s", got(v, g, sizeof(g)));
		break;
	case T_INT:
		if (parse_int(s, o->min, (int *)dst) != 0 || (o->max > 0 && *(int *)dst > o->max)) {
			if (o->max > 0)
				cerr(c, v, path, "must be an integer from %d to %d, got %s", o->min, o->max,
				     got(v, g, sizeof(g)));
			else
				cerr(c, v, path, "must be %s, got %s",
				     o->min == 1 ? "a positive integer" :
				     o->min == 0 ? "an integer >= 0" : "an integer",
				     got(v, g, sizeof(g)));
		}
		break;
	case T_MONEY:
		if (parse_money(s, o->zero_ok, (money_t *)dst) != 0)
			cerr(c, v, path, "must be a%s amount of money (e.g. 500 or 250.50)%s, got %s",
			     o->zero_ok ? "n" : " positive", o->zero_ok ? ", 0 or ~" : "",
			     got(v, g, sizeof(g)));
		break;
	case T_DURATION: {
		int64_t ms;

		if (duration_parse(s, &ms) != 0 || ms < o->min)
			cerr(c, v, path, "must be a duration like 90s, 15m or 2h%s, at most 366d, got %s",
			     o->min > 0 ? " (not 0)" : "", got(v, g, sizeof(g)));
		else
			*(int64_t *)dst = ms;
		break;
	}
	case T_LOCKOUT:
		if (parse_lockout(s, o->min == 1, (struct lockout_spec *)dst) != 0)
			cerr(c, v, path, "must be none, a duration (90s, 15m, 2h; at most 366d), until_reset%s or "
			     "permanent, got %s", o->min == 1 ? ", until_next_window" : "",
			     got(v, g, sizeof(g)));
		break;
	case T_ENUM: {
		int i = enum_index(o->names, s);

		if (i < 0) {
			names_list(o->names, list, sizeof(list));
			cerr(c, v, path, "must be one of %s, got %s", list, got(v, g, sizeof(g)));
		} else {
			*(int *)dst = i;
		}
		break;
	}
	case T_HHMM:
		if (o->min == 1 && (is_null(v) || str_eq_ci(s, "none")))
			*(int *)dst = -1;
		else if (hhmm_parse(s, (int *)dst) != 0)
			cerr(c, v, path, "must be a time \"HH:MM\" (00:00 to 23:59)%s, got %s",
			     o->min == 1 ? " or none" : "", got(v, g, sizeof(g)));
		break;
	case T_FRACTION: {
		int lo = o->min > 0 ? o->min : 1, hi = o->max > 0 ? o->max : CFG_PPM, ppm;
		char a[16], b[16];

		if (parse_ppm(s, hi, &ppm) != 0 || ppm < lo) {
			millionths_text(lo, a, sizeof(a));
			millionths_text(hi, b, sizeof(b));
			cerr(c, v, path, "must be a decimal from %s to %s (0.5 = 50%%), got %s", a, b,
			     got(v, g, sizeof(g)));
		} else {
			*(int *)dst = ppm;
		}
		break;
	}
	case T_DATE:
		if (date_parse(s, (int32_t *)dst) != 0)
			cerr(c, v, path, "must be a date \"YYYY-MM-DD\" or ~, got %s", got(v, g, sizeof(g)));
		break;
	default:
		break;
	}
}

/* Walk a mapping against an option table: unknown, duplicate and missing required keys. */
/* NOLINTNEXTLINE(misc-no-recursion): nesting is bounded (CFG_DEPTH_MAX) */
static void walk_map(struct cfg_walk *c, yaml_node_t *map, const struct opt *tab, char *base,
		     const char *path)
{
	uint64_t seen = 0;
	char kp[CFG_PATH_MAX], g[CFG_GOT_MAX + 8];

	for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
	     p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = node(c, p->key), *v = node(c, p->value);

		if (k == NULL || v == NULL || !budget(c, k))
			return;
		if (k->type != YAML_SCALAR_NODE) {
			cerr(c, k, path, "a key must be a word, got %s", got(k, g, sizeof(g)));
			continue;
		}
		join(kp, sizeof(kp), path, (const char *)k->data.scalar.value);
		const struct opt *o = find_opt(tab, (const char *)k->data.scalar.value);

		if (o == NULL) {
			unknown_key(c, k, kp, tab);
			continue;
		}
		size_t idx = (size_t)(o - tab);

		if (seen & (1ull << idx)) {
			cerr(c, k, kp, "duplicate key");
			continue;
		}
		seen |= 1ull << idx;
		apply(c, o, idx, v, base, kp);
	}
	for (const struct opt *o = tab; o->key != NULL; o++) {
		if (o->req && !(seen & (1ull << (o - tab)))) {
			join(kp, sizeof(kp), path, o->key);
			cerr(c, map, kp, "required key is missing");
		}
	}
}

/* Check a node is a list of at most max items; returns the count or -1 (reported). */
static long seq_items(struct cfg_walk *c, yaml_node_t *v, const char *path, size_t max,
		      const char *what)
{
	char g[CFG_GOT_MAX + 8];

	if (v->type != YAML_SEQUENCE_NODE) {
		cerr(c, v, path, "must be a list of %s, got %s", what, got(v, g, sizeof(g)));
		return -1;
	}
	size_t n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);

	if (n > max) {
		cerr(c, v, path, "at most %zu %s, got %zu", max, what, n);
		return -1;
	}
	return (long)n;
}

static yaml_node_t *seq_item(struct cfg_walk *c, yaml_node_t *v, long i)
{
	return node(c, v->data.sequence.items.start[i]);
}

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
		cerr(c, v, path, "must be a mapping of %s, got %s", what, got(v, g, sizeof(g)));
		return;
	}
	size_t n = (size_t)(v->data.mapping.pairs.top - v->data.mapping.pairs.start);

	if (n > cap || n > SYMBOL_MAP_MAX) {
		cerr(c, v, path, "at most %zu symbols, got %zu", cap, n);
		return;
	}
	for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
		yaml_node_t *k = node(c, p->key), *val = node(c, p->value);
		const char *sym;

		if (k == NULL || val == NULL || !budget(c, k))
			return;
		sym = k->type == YAML_SCALAR_NODE ? (const char *)k->data.scalar.value : "";
		join(kp, sizeof(kp), path, sym);
		if (sym[0] == '\0' || strlen(sym) >= SRM_SCOPE_MAX) {
			cerr(c, k, kp, "a symbol must be 1 to %d characters, got %s",
			     SRM_SCOPE_MAX - 1, got(k, g, sizeof(g)));
			continue;
		}
		bool dup = false;

		for (size_t i = 0; i < n_seen; i++)
			dup |= str_eq_ci(seen[i], sym);
		if (dup) {
			cerr(c, k, kp, "duplicate symbol");
			continue;
		}
		const char *s = scalar(c, val, kp, expect);

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

	if (parse_int(s, 0, &lim) != 0) {
		cerr(c, val, kp, "must be an integer >= 0, got %s", got(val, g, sizeof(g)));
		return false;
	}
	strlcpy_s(o->v[*o->n].symbol, sym, SRM_SCOPE_MAX);
	o->v[(*o->n)++].limit = lim;
	return true;
}

/* max_contracts_per_instrument.limits: {SYMBOL: limit, ...}. */
static void cf_limits(struct cfg_walk *c, yaml_node_t *v, size_t *n_limits,
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

	if (parse_ppm(s, CFG_WEIGHT_MAX_PPM, &ppm) != 0 || ppm == 0) {
		cerr(c, val, kp, "must be a weight above 0 and at most 100, with at most six "
		     "decimals (0.1: ten count as one), got %s", got(val, g, sizeof(g)));
		return false;
	}
	strlcpy_s(o->v[*o->n].symbol, sym, SRM_SCOPE_MAX);
	o->v[(*o->n)++].ppm = ppm;
	return true;
}

/* max_contracts.weights: {SYMBOL: weight, ...} (0 < weight <= 100, six decimals at most). */
static void cf_weights(struct cfg_walk *c, yaml_node_t *v, size_t *n_weights,
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
static void cf_steps(struct cfg_walk *c, yaml_node_t *v, size_t *n_steps, struct cfg_scale_step *steps,
		     const char *path)
{
	char ip[CFG_PATH_MAX], g[CFG_GOT_MAX + 8];
	long n = seq_items(c, v, path, CFG_MAX_STEPS, "steps");

	if (n < 0)
		return;
	*n_steps = 0;
	memset(steps, 0, sizeof(*steps) * CFG_MAX_STEPS);
	for (long i = 0; i < n; i++) {
		yaml_node_t *it = seq_item(c, v, i);
		struct cfg_scale_step t = { 0 };
		size_t errs = c->diag->n + c->extra;

		if (it == NULL || !budget(c, it))
			return;
		pathf(ip, sizeof(ip), "%s[%ld]", path, i);
		if (it->type != YAML_MAPPING_NODE) {
			cerr(c, it, ip, "must be a mapping {above, limit}, got %s", got(it, g, sizeof(g)));
			continue;
		}
		walk_map(c, it, step_opts, (char *)&t, ip);
		if (c->diag->n + c->extra != errs)
			continue;
		if (*n_steps > 0 && t.above <= steps[*n_steps - 1].above) {
			cerr(c, it, ip, "above must be more than the step before's (steps go up)");
			continue;
		}
		if (*n_steps > 0 && t.limit < steps[*n_steps - 1].limit) {
			cerr(c, it, ip, "limit %d is below the step before's %d (more profit never "
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
static void cf_tiers(struct cfg_walk *c, yaml_node_t *v, size_t *n_tiers, struct cfg_loss_tier *tiers,
		     const char *path)
{
	char ip[CFG_PATH_MAX], g[CFG_GOT_MAX + 8];
	long n = seq_items(c, v, path, CFG_MAX_TIERS, "tiers");

	if (n < 0)
		return;
	*n_tiers = 0;
	for (long i = 0; i < n; i++) {
		yaml_node_t *it = seq_item(c, v, i);
		struct cfg_loss_tier t = { 0 };

		if (it == NULL || !budget(c, it))
			return;
		pathf(ip, sizeof(ip), "%s[%ld]", path, i);
		if (it->type != YAML_MAPPING_NODE) {
			cerr(c, it, ip, "must be a mapping {loss, cooldown}, got %s",
			     got(it, g, sizeof(g)));
			continue;
		}
		walk_map(c, it, tier_opts, (char *)&t, ip);
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
	long n = seq_items(c, v, path, 7, "day names");

	if (n < 0)
		return;
	if (n == 0) {
		cerr(c, v, path, "must name at least one day");
		return;
	}
	for (long i = 0; i < n; i++) {
		yaml_node_t *it = seq_item(c, v, i);
		const char *s;
		int d;

		if (it == NULL)
			return;
		pathf(ip, sizeof(ip), "%s[%ld]", path, i);
		s = scalar(c, it, ip, "a day name");
		if (s == NULL)
			continue;
		d = enum_index(day_names, s);
		if (d < 0)
			d = enum_index(long_names, s);
		if (d < 0) {
			cerr(c, it, ip, "must be a day: sun, mon, tue, wed, thu, fri or sat, got %s",
			     got(it, g, sizeof(g)));
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
static void cf_windows(struct cfg_walk *c, yaml_node_t *v, size_t *n_windows, struct cfg_window *windows,
		       const char *path)
{
	char ip[CFG_PATH_MAX], g[CFG_GOT_MAX + 8];
	long n = seq_items(c, v, path, CFG_MAX_WINDOWS, "windows");

	if (n < 0)
		return;
	if (n == 0) {
		cerr(c, v, path, "must list at least one window");
		return;
	}
	*n_windows = 0;
	for (long i = 0; i < n; i++) {
		yaml_node_t *it = seq_item(c, v, i);
		struct cfg_window w = { .days = 0x7f, .start_min = -1, .end_min = -1 };

		if (it == NULL || !budget(c, it))
			return;
		pathf(ip, sizeof(ip), "%s[%ld]", path, i);
		if (it->type != YAML_MAPPING_NODE) {
			cerr(c, it, ip, "must be a mapping {days, start, end}, got %s",
			     got(it, g, sizeof(g)));
			continue;
		}
		walk_map(c, it, window_opts, (char *)&w, ip);
		if (w.start_min >= 0 && w.start_min == w.end_min)
			cerr(c, it, ip, "start and end must differ");
		windows[(*n_windows)++] = w;
	}
}

/* symbol_blocks.symbols: [RTY, "M*", ...] (exact or glob). */
static void cf_symbols(struct cfg_walk *c, yaml_node_t *v, size_t *n_symbols,
		       char (*symbols)[CFG_GLOB_MAX], const char *path)
{
	char ip[CFG_PATH_MAX];
	long n = seq_items(c, v, path, CFG_MAX_BLOCKED, "symbols");

	if (n < 0)
		return;
	*n_symbols = 0;
	for (long i = 0; i < n; i++) {
		yaml_node_t *it = seq_item(c, v, i);
		const char *s;

		if (it == NULL)
			return;
		pathf(ip, sizeof(ip), "%s[%ld]", path, i);
		s = scalar(c, it, ip, "a symbol or glob");
		if (s == NULL)
			continue;
		if (s[0] == '\0' || strlen(s) >= sizeof(symbols[0])) {
			cerr(c, it, ip, "a symbol must be 1 to %zu characters",
			     sizeof(symbols[0]) - 1);
			continue;
		}
		strlcpy_s(symbols[(*n_symbols)++], s, sizeof(symbols[0]));
	}
}

/* warn_at: [0.7, 0.9]: shares of the rule's limit, each in (0, 1], ascending. */
static void cf_fractions(struct cfg_walk *c, yaml_node_t *v, struct cfg_warn_at *w,
			 const char *path)
{
	char ip[CFG_PATH_MAX], g[CFG_GOT_MAX + 8];
	long n = seq_items(c, v, path, CFG_MAX_WARN, "shares of the limit");

	if (n < 0)
		return;
	w->n = 0;
	for (long i = 0; i < n; i++) {
		yaml_node_t *it = seq_item(c, v, i);
		const char *s;
		char *end;
		double x;

		if (it == NULL)
			return;
		pathf(ip, sizeof(ip), "%s[%ld]", path, i);
		s = scalar(c, it, ip, "a share of the limit");
		if (s == NULL)
			continue;
		errno = 0;
		x = strtod(s, &end);
		if (end == s || *end != '\0' || errno != 0 || !(x > 0 && x <= 1)) {
			cerr(c, it, ip, "must be a share of the limit above 0 and at most 1 (0.8 = 80%%), got %s",
			     got(it, g, sizeof(g)));
			continue;
		}
		if (w->n > 0 && x <= w->v[w->n - 1]) {
			cerr(c, it, ip, "must be larger than the one before it");
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
	long n = seq_items(c, v, path, cap, items);

	for (long i = 0; i < n; i++) {
		yaml_node_t *it = seq_item(c, v, i);
		const char *s;

		if (it == NULL)
			break;
		pathf(ip, sizeof(ip), "%s[%ld]", path, i);
		s = scalar(c, it, ip, expect);
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
		cerr(c, it, ip, "must be a date \"YYYY-MM-DD\", got %s", got(it, g, sizeof(g)));
	else
		cfg->daemon.holidays[cfg->daemon.n_holidays++] = d;
}

/* daemon.holidays: ["YYYY-MM-DD", ...]. */
static void cf_holidays(struct cfg_walk *c, yaml_node_t *v, char *dst, const char *path)
{
	struct srm_config *cfg = (void *)dst;

	cfg->daemon.n_holidays = 0;
	(void)each_scalar(c, v, path, CFG_MAX_HOLIDAYS, "dates", "a date \"YYYY-MM-DD\"", holiday_item, cfg);
}

/* daemon.timezone: an IANA zone that must exist on this system. */
static void cf_timezone(struct cfg_walk *c, yaml_node_t *v, char *dst, const char *path)
{
	char g[CFG_GOT_MAX + 8];
	struct srm_err err;
	struct tz *z;
	const char *s = scalar(c, v, path, "a time zone name");

	if (s == NULL)
		return;
	z = tz_load(s, &err);
	if (z == NULL) {
		cerr(c, v, path, "unknown time zone (e.g. America/Chicago), got %s",
		     got(v, g, sizeof(g)));
		return;
	}
	tz_free(z);
	set_str((char **)dst, s);
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

static int parse_id(const char *s, int64_t *id)
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
static void cf_accounts(struct cfg_walk *c, yaml_node_t *v, char *dst, const char *path)
{
	struct srm_config *cfg = (void *)dst;
	char ip[CFG_PATH_MAX], g[CFG_GOT_MAX + 8];
	long n;

	if (v->type == YAML_SCALAR_NODE) {
		const char *s = scalar(c, v, path, "all or a list");

		if (s != NULL && str_eq_ci(s, "all")) {
			cfg->accounts.all = true;
			cfg->accounts.n = 0;
		} else if (s != NULL) {
			cerr(c, v, path, "must be all or a list of account ids and name globs, got %s",
			     got(v, g, sizeof(g)));
		}
		return;
	}
	n = seq_items(c, v, path, CFG_MAX_ACCOUNT_SEL, "account ids or name globs");
	if (n < 0)
		return;
	if (n == 0) {
		cerr(c, v, path, "must be all or a non-empty list of account ids and name globs");
		return;
	}
	cfg->accounts.all = false;
	cfg->accounts.n = 0;
	for (long i = 0; i < n; i++) {
		yaml_node_t *it = seq_item(c, v, i);
		struct cfg_account_sel sel = { 0 };
		const char *s;

		if (it == NULL)
			return;
		pathf(ip, sizeof(ip), "%s[%ld]", path, i);
		s = scalar(c, it, ip, "an account id or name glob");
		if (s == NULL)
			continue;
		if (all_digits(s)) {
			if (parse_id(s, &sel.id) != 0) {
				cerr(c, it, ip, "must be a positive account id, got %s",
				     got(it, g, sizeof(g)));
				continue;
			}
		} else if (s[0] == '\0' || strlen(s) >= sizeof(sel.glob)) {
			cerr(c, it, ip, "a name glob must be 1 to %zu characters",
			     sizeof(sel.glob) - 1);
			continue;
		} else {
			strlcpy_s(sel.glob, s, sizeof(sel.glob));
		}
		cfg->accounts.v[cfg->accounts.n++] = sel;
	}
}

/* overrides: parsed once the global rules are known (see parse_overrides). */
/* NOLINTNEXTLINE(readability-non-const-parameter): the custom_fn signature */
static void cf_overrides(struct cfg_walk *c, yaml_node_t *v, char *dst, const char *path)
{
	char g[CFG_GOT_MAX + 8];

	(void)dst;
	if (v->type == YAML_MAPPING_NODE)
		c->overrides = v;
	else if (!is_null(v))
		cerr(c, v, path, "must be a mapping of account id: {rules: ...}, got %s",
		     got(v, g, sizeof(g)));
}

/* profiles: [{profile: NAME, accounts: [ids, globs]}]: parsed after the overrides. */
/* NOLINTNEXTLINE(readability-non-const-parameter): the custom_fn signature */
static void cf_profiles(struct cfg_walk *c, yaml_node_t *v, char *dst, const char *path)
{
	char g[CFG_GOT_MAX + 8];

	(void)dst;
	if (v->type == YAML_SEQUENCE_NODE)
		c->profiles = v;
	else if (!is_null(v))
		cerr(c, v, path, "must be a list of {profile: NAME, accounts: [ids, name globs]}, got %s",
		     got(v, g, sizeof(g)));
}

/* ---- the option table ----------------------------------------------------------------- */

#define O CFG_OPT

/* `rules:`: every rule's block, from the rule table (rules/list.h order). */
static struct opt rules_opts[RULE_COUNT + 1];
static pthread_once_t rules_once = PTHREAD_ONCE_INIT;

static void rules_opts_init(void)
{
	for (int r = 0; r < RULE_COUNT; r++)
		rules_opts[r] = (struct opt){ .key = rule_block(r)->name, .type = T_RULE,
					      .off = rule_block(r)->cfg_offset,
					      .sub = rule_block(r)->opts };
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
	O("timezone", T_CUSTOM, struct srm_config, daemon.timezone, .fn = cf_timezone,
	  .help = "exchange zone; default America/Chicago"),
	O("reset_time", T_HHMM, struct srm_config, daemon.reset_min,
	  .help = "\"HH:MM\" start of the trading day; default 17:00"),
	{ .key = "holidays", .type = T_CUSTOM, .fn = cf_holidays,
	  .help = "[\"YYYY-MM-DD\"]; default none" },
	O("dry_run", T_BOOL, struct srm_config, daemon.dry_run, .help = "default false"),
	O("quote_max_age", T_DURATION, struct srm_config, daemon.quote_max_age_ms, .min = 1,
	  .help = "older quotes do not drive profit/loss rules; default 10s"),
	O("profile_dir", T_PATH, struct srm_config, profile_dir, .min = 1,
	  .help = "where the firms' profiles are (NAME.yaml); default the installed ones"),
	{ 0 },
};

const char *const alert_event_names[] = { "warn", "enforced", "enforcement_failed", "lockout",
					  "unlock", "guard_degraded", "guard_restored",
					  "daemon_started", "daemon_stopping", "end_of_day", NULL };

static void argv_item(struct cfg_walk *c, yaml_node_t *it, const char *ip, const char *s, long i,
		      void *ud)
{
	struct srm_config *cfg = ud;

	if (i == 0 && s[0] != '/')
		cerr(c, it, ip, "the program must be an absolute path (no shell, no PATH search)");
	else
		cfg->alerts.command[cfg->alerts.n_command++] = xstrdup(s);
}

/* alerts.command: [program, arg, ...] (no shell). */
static void cf_argv(struct cfg_walk *c, yaml_node_t *v, char *dst, const char *path)
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
	int k = enum_index(alert_event_names, s);

	(void)i;
	if (k < 0) {
		names_list(alert_event_names, list, sizeof(list));
		cerr(c, it, ip, "must be one of %s, got %s", list, got(it, g, sizeof(g)));
		return;
	}
	cfg->alerts.events |= 1u << k;
}

/* alerts.events: [lockout, enforced, ...]; all when absent. */
static void cf_events(struct cfg_walk *c, yaml_node_t *v, char *dst, const char *path)
{
	struct srm_config *cfg = (void *)dst;

	cfg->alerts.events = 0;
	(void)each_scalar(c, v, path, AE_COUNT, "event names", "an event name", event_item, cfg);
}

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
	{ .key = "command", .type = T_CUSTOM, .fn = cf_argv },
	O("desktop", T_BOOL, struct srm_config, alerts.desktop,
	  .help = "a desktop notification (freedesktop Notifications on the session D-Bus); "
		  "default false"),
	{ .key = "events", .type = T_CUSTOM, .fn = cf_events },
	O("per_minute", T_INT, struct srm_config, alerts.per_minute, .min = 1, .max = 600,
	  .help = "alerts per channel per minute; more are coalesced; default 20"),
	O("guard_after", T_DURATION, struct srm_config, alerts.guard_after_ms, .min = 1000,
	  .help = "not guarded this long: guard_degraded; default 10s"),
	{ .key = "heartbeat", .type = T_MAP, .sub = heartbeat_opts },
	{ 0 },
};

/* dashboard.listen: "HOST:PORT", HOST an IPv4 address or localhost. */
static void cf_listen(struct cfg_walk *c, yaml_node_t *v, char *dst, const char *path)
{
	char g[CFG_GOT_MAX + 8], host[64];
	const char *s = scalar(c, v, path, "HOST:PORT");
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
		cerr(c, v, path, "must be HOST:PORT (e.g. 127.0.0.1:8750), got %s", got(v, g, sizeof(g)));
		return;
	}
	memcpy(host, s, hl);
	host[hl] = '\0';
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	if (colon[1] == '\0' || *end != '\0' || errno != 0 || port < 0 || port > 65535) {
		cerr(c, v, path, "the port must be 0 to 65535, got %s", got(v, g, sizeof(g)));
		return;
	}
	if (strcmp(host, "localhost") != 0 && inet_pton(AF_INET, host, &a) != 1) {
		cerr(c, v, path, "the host must be an IPv4 address or localhost, got %s",
		     got(v, g, sizeof(g)));
		return;
	}
	struct srm_config *cfg = (struct srm_config *)(void *)(dst - offsetof(struct srm_config, dashboard));

	strlcpy_s(cfg->dashboard.host, host, sizeof(cfg->dashboard.host));
	cfg->dashboard.port = (int)port;
	cfg->dashboard.loopback = strcmp(host, "localhost") == 0 || (ntohl(a.s_addr) >> 24) == 127;
	cfg->dashboard.listen_line = (uint32_t)v->start_mark.line + 1;
}

static const struct opt dashboard_opts[] = {
	O("enabled", T_BOOL, struct srm_config, dashboard.enabled,
	  .help = "serve the read-only web dashboard (`srm dashboard` prints its URL); default false"),
	O("listen", T_CUSTOM, struct srm_config, dashboard, .fn = cf_listen,
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
static void check_dashboard(struct cfg_walk *c, struct srm_config *cfg)
{
	char where[32] = "";
	bool cert = cfg->dashboard.tls_cert != NULL, key = cfg->dashboard.tls_key != NULL;
	char msg[512];

	if (cfg->dashboard.listen_line > 0)
		snprintf(where, sizeof(where), ":%u", (unsigned)cfg->dashboard.listen_line);
	if (cert != key) {
		cerr(c, NULL, "dashboard", "tls_cert and tls_key go together, got only %s",
		     cert ? "tls_cert" : "tls_key");
		return;
	}
	if (!cfg->dashboard.loopback && !cert) {
		snprintf(msg, sizeof(msg), "%s%s: dashboard.listen: %s is not a loopback address: "
			 "listening there needs tls_cert and tls_key (or listen on 127.0.0.1)",
			 c->file, where, cfg->dashboard.host);
		add_msg(c, msg);
	}
}

static const struct opt display_opts[] = {
	O("timezone", T_CUSTOM, struct srm_config, display.timezone, .fn = cf_timezone,
	  .help = "your own zone for the times srm monitor shows (an IANA name); default the system's"),
	{ 0 },
};

static const struct opt admin_opts[] = {
	O("password_hash", T_SECRET, struct srm_config, admin.password_hash,
	  .help = "from `srm admin passwd`; default none (admin commands refused)"),
	{ 0 },
};

static const struct opt top_opts[] = {
	{ .key = "gateway", .type = T_MAP, .sub = gateway_opts },
	{ .key = "accounts", .type = T_CUSTOM, .fn = cf_accounts },
	{ .key = "daemon", .type = T_MAP, .sub = daemon_opts },
	{ .key = "admin", .type = T_MAP, .sub = admin_opts },
	O("rules", T_MAP, struct srm_config, rules, .sub = rules_opts),
	{ .key = "overrides", .type = T_CUSTOM, .fn = cf_overrides },
	{ .key = "profiles", .type = T_CUSTOM, .fn = cf_profiles },
	{ .key = "alerts", .type = T_MAP, .sub = alerts_opts },
	{ .key = "dashboard", .type = T_MAP, .sub = dashboard_opts },
	{ .key = "display", .type = T_MAP, .sub = display_opts },
	{ 0 },
};

static const struct opt override_opts[] = {
	O("rules", T_MAP, struct cfg_override, rules, .sub = rules_opts),
	{ 0 },
};

/* ---- loading -------------------------------------------------------------------------- */

/* overrides: {"ID": {rules: {...}}}: each starts from the global rules, its keys merged in. */
static void parse_overrides(struct cfg_walk *c, struct srm_config *cfg)
{
	yaml_node_t *v = c->overrides;
	char kp[CFG_PATH_MAX], g[CFG_GOT_MAX + 8];
	size_t n = (size_t)(v->data.mapping.pairs.top - v->data.mapping.pairs.start);

	if (n > CFG_MAX_OVERRIDES) {
		cerr(c, v, "overrides", "at most %d accounts, got %zu", CFG_MAX_OVERRIDES, n);
		return;
	}
	cfg->overrides = xcalloc(n > 0 ? n : 1, sizeof(cfg->overrides[0]));
	c->in_override = true;
	for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
		yaml_node_t *k = node(c, p->key), *val = node(c, p->value);
		const char *key;
		int64_t id;

		if (k == NULL || val == NULL || !budget(c, k))
			break;
		key = k->type == YAML_SCALAR_NODE ? (const char *)k->data.scalar.value : "";
		join(kp, sizeof(kp), "overrides", key);
		if (parse_id(key, &id) != 0) {
			cerr(c, k, kp, "an override key must be an account id (positive integer), got %s",
			     got(k, g, sizeof(g)));
			continue;
		}
		bool dup = false;

		for (size_t i = 0; i < cfg->n_overrides; i++)
			dup |= cfg->overrides[i].account_id == id;
		if (dup) {
			cerr(c, k, kp, "duplicate account");
			continue;
		}
		if (val->type != YAML_MAPPING_NODE) {
			cerr(c, val, kp, "must be a mapping {rules: ...}, got %s", got(val, g, sizeof(g)));
			continue;
		}
		struct cfg_override *ov = &cfg->overrides[cfg->n_overrides++];

		ov->account_id = id;
		ov->rules = cfg->rules;
		c->rules_base = (char *)&ov->rules;
		c->pres = &ov->pres;
		walk_map(c, val, override_opts, (char *)ov, kp);
		c->rules_base = NULL;
		c->pres = NULL;
	}
	c->in_override = false;
}

/* ---- profiles: a firm's rules, and the trader's only where tighter -------------------- */

#ifndef SRM_PROFILE_DIR
#define SRM_PROFILE_DIR "/usr/local/share/srm/profiles"
#endif

/* Every leaf key of the rules, with its place in struct rules_cfg and its path. */
struct leaf {
	uint32_t off;
	const struct opt *o;
	char path[96];
};
static struct leaf *leaves;
static size_t n_leaves;
static pthread_once_t leaves_once = PTHREAD_ONCE_INIT;

/* NOLINTNEXTLINE(misc-no-recursion): rule blocks nest 2 levels */
static void leaves_add(const struct opt *tab, size_t base, const char *path, size_t *cap)
{
	for (const struct opt *o = tab; o->key != NULL; o++) {
		char kp[96];

		snprintf(kp, sizeof(kp), "%s.%s", path, o->key);
		if (o->type == T_MAP) {
			leaves_add(o->sub, base + o->off, kp, cap);
			continue;
		}
		if (n_leaves == *cap) {
			*cap = *cap ? *cap * 2 : 64;
			leaves = xreallocarray(leaves, *cap, sizeof(*leaves));
		}
		leaves[n_leaves] = (struct leaf){ .off = (uint32_t)(base + o->off), .o = o };
		strlcpy_s(leaves[n_leaves].path, kp, sizeof(leaves[n_leaves].path));
		n_leaves++;
	}
}

static void leaves_init(void)
{
	size_t cap = 0;

	for (int r = 0; r < RULE_COUNT; r++) {
		char path[64];

		snprintf(path, sizeof(path), "rules.%s", rule_block(r)->name);
		leaves_add(rule_block(r)->opts, rule_block(r)->cfg_offset, path, &cap);
	}
}

/* The bytes a leaf's value takes (lists: the count at off; see leaf_copy). */
static size_t leaf_size(const struct opt *o)
{
	switch (o->type) {
	case T_BOOL:
		return sizeof(bool);
	case T_MONEY:
		return sizeof(money_t);
	case T_DURATION:
		return sizeof(int64_t);
	case T_LOCKOUT:
		return sizeof(struct lockout_spec);
	case T_FRACTIONS:
		return sizeof(struct cfg_warn_at);
	case T_DATE:
		return sizeof(int32_t);
	case T_LIMITS:
	case T_TIERS:
	case T_WINDOWS:
	case T_GLOBS:
	case T_WEIGHTS:
	case T_STEPS:
		return sizeof(size_t);
	default:
		return sizeof(int);
	}
}

static size_t list_bytes(const struct opt *o)
{
	switch (o->type) {
	case T_LIMITS:
		return sizeof(struct cfg_symbol_limit) * CFG_MAX_SYMBOL_LIMITS;
	case T_TIERS:
		return sizeof(struct cfg_loss_tier) * CFG_MAX_TIERS;
	case T_WINDOWS:
		return sizeof(struct cfg_window) * CFG_MAX_WINDOWS;
	case T_GLOBS:
		return (size_t)CFG_GLOB_MAX * CFG_MAX_BLOCKED;
	case T_WEIGHTS:
		return sizeof(struct cfg_symbol_weight) * CFG_MAX_WEIGHTS;
	case T_STEPS:
		return sizeof(struct cfg_scale_step) * CFG_MAX_STEPS;
	default:
		return 0;
	}
}

static void leaf_copy(const struct leaf *l, struct rules_cfg *dst, const struct rules_cfg *src,
		      size_t rule_off)
{
	char *d = (char *)dst;
	const char *s = (const char *)src;

	memcpy(d + l->off, s + l->off, leaf_size(l->o));
	if (list_bytes(l->o) > 0) {
		size_t items = l->off - l->o->off + l->o->off2;

		(void)rule_off;
		memcpy(d + items, s + items, list_bytes(l->o));
	}
}

static bool leaf_equal(const struct leaf *l, const struct rules_cfg *a, const struct rules_cfg *b)
{
	const char *x = (const char *)a + l->off, *y = (const char *)b + l->off;

	switch (l->o->type) {
	case T_LOCKOUT: {
		const struct lockout_spec *p = (const void *)x, *q = (const void *)y;

		return p->mode == q->mode && (p->mode != LOCKOUT_DURATION || p->duration_ms == q->duration_ms);
	}
	case T_FRACTIONS: {
		const struct cfg_warn_at *p = (const void *)x, *q = (const void *)y;

		if (p->n != q->n)
			return false;
		for (size_t i = 0; i < p->n; i++)
			if (p->v[i] != q->v[i])
				return false;
		return true;
	}
	default:
		if (memcmp(x, y, leaf_size(l->o)) != 0)
			return false;
		if (list_bytes(l->o) > 0) {
			size_t items = l->off - l->o->off + l->o->off2;

			return memcmp((const char *)a + items, (const char *)b + items,
				      list_bytes(l->o)) == 0;
		}
		return true;
	}
}

static int lockout_rank(const struct lockout_spec *l)
{
	switch (l->mode) {
	case LOCKOUT_NONE:
		return 0;
	case LOCKOUT_DURATION:
		return 1;
	case LOCKOUT_UNTIL_RESET:
	case LOCKOUT_UNTIL_NEXT_WINDOW:
		return 2;
	case LOCKOUT_PERMANENT:
		return 3;
	}
	return 0;
}

/* A list leaf's items (the count at the leaf's offset, the items at off2 from the block). */
static const void *leaf_items(const struct leaf *l, const struct rules_cfg *r)
{
	return (const char *)r + (l->off - l->o->off + l->o->off2);
}

/* The weight of sym in a weights list, in millionths (an absent symbol counts 1). */
static long weight_of(const struct cfg_symbol_weight *w, size_t n, const char *sym)
{
	for (size_t i = 0; i < n; i++)
		if (str_eq_ci(w[i].symbol, sym))
			return w[i].ppm;
	return CFG_PPM;
}

/* Does weights list a let any symbol count less than list b does? */
static bool weights_looser(const struct cfg_symbol_weight *a, size_t na,
			   const struct cfg_symbol_weight *b, size_t nb)
{
	for (size_t i = 0; i < na; i++)
		if (a[i].ppm < weight_of(b, nb, a[i].symbol))
			return true;
	for (size_t i = 0; i < nb; i++)
		if (weight_of(a, na, b[i].symbol) < b[i].ppm)
			return true;
	return false;
}

/* A scaling list's limit at a profit (INT_MAX: no steps, no cap; see rules' scale_limit). */
static long steps_at(const struct cfg_scale_step *s, size_t n, money_t profit)
{
	long lim;

	if (n == 0)
		return INT_MAX;
	lim = s[0].limit;
	for (size_t i = 0; i < n; i++)
		if (profit > s[i].above)
			lim = s[i].limit;
	return lim;
}

/* Does scaling list a allow more than list b at any profit? (Both are step functions.) */
static bool steps_looser(const struct cfg_scale_step *a, size_t na, const struct cfg_scale_step *b,
			 size_t nb)
{
	if (steps_at(a, na, INT64_MIN) > steps_at(b, nb, INT64_MIN))
		return true;
	for (size_t i = 0; i < na + nb; i++) {
		money_t p = money_add(i < na ? a[i].above : b[i - na].above, 1);

		if (steps_at(a, na, p) > steps_at(b, nb, p))
			return true;
	}
	return false;
}

/* Is the trader's value (a) looser than the profile's (b) for this key? */
static bool leaf_looser(const struct leaf *l, const struct rules_cfg *a, const struct rules_cfg *b)
{
	const char *x = (const char *)a + l->off, *y = (const char *)b + l->off;
	int64_t va = 0, vb = 0;

	switch (l->o->type) {
	case T_WEIGHTS:
		return l->o->safer == SAFER_HEAVIER &&
		       weights_looser(leaf_items(l, a), *(const size_t *)x, leaf_items(l, b),
				      *(const size_t *)y);
	case T_STEPS:
		return l->o->safer == SAFER_LOWER &&
		       steps_looser(leaf_items(l, a), *(const size_t *)x, leaf_items(l, b),
				    *(const size_t *)y);
	case T_INT:
	case T_FRACTION:
		va = *(const int *)x;
		vb = *(const int *)y;
		break;
	case T_MONEY:
		va = *(const money_t *)x;
		vb = *(const money_t *)y;
		break;
	case T_DURATION:
		va = *(const int64_t *)x;
		vb = *(const int64_t *)y;
		break;
	case T_BOOL:
		return l->o->safer == SAFER_TRUE && *(const bool *)y && !*(const bool *)x;
	case T_LOCKOUT: {
		const struct lockout_spec *p = (const void *)x, *q = (const void *)y;
		int rp = lockout_rank(p), rq = lockout_rank(q);

		return l->o->safer == SAFER_LONGER &&
		       (rp < rq || (rp == 1 && rq == 1 && p->duration_ms < q->duration_ms));
	}
	default:
		return false;
	}
	switch (l->o->safer) {
	case SAFER_LOWER:
		return va > vb;
	case SAFER_LOWER_ON:
		return vb != 0 && (va == 0 || va > vb);
	case SAFER_HIGHER:
		return va < vb;
	default:
		return false;
	}
}

/* A leaf's value as YAML text (for messages and `config show --effective`). */
static const char *leaf_text(const struct leaf *l, const struct rules_cfg *r, char *buf, size_t cap)
{
	const char *x = (const char *)r + l->off;
	const struct opt *o = l->o;

	switch (o->type) {
	case T_BOOL:
		snprintf(buf, cap, "%s", *(const bool *)x ? "true" : "false");
		break;
	case T_INT:
		snprintf(buf, cap, "%d", *(const int *)x);
		break;
	case T_MONEY:
		if (o->zero_ok && *(const money_t *)x == 0)
			snprintf(buf, cap, "~");
		else
			money_str(*(const money_t *)x, buf);
		break;
	case T_DURATION:
		snprintf(buf, cap, "%llds", (long long)(*(const int64_t *)x / 1000));
		break;
	case T_ENUM:
		snprintf(buf, cap, "%s", o->names[*(const int *)x]);
		break;
	case T_HHMM: {
		int m = *(const int *)x;

		if (m < 0)
			snprintf(buf, cap, "none");
		else
			snprintf(buf, cap, "\"%02d:%02d\"", m / 60, m % 60);
		break;
	}
	case T_LOCKOUT: {
		const struct lockout_spec *k = (const void *)x;
		static const char *const modes[] = { "none", "", "until_reset", "permanent",
						     "until_next_window" };

		if (k->mode == LOCKOUT_DURATION)
			snprintf(buf, cap, "%llds", (long long)(k->duration_ms / 1000));
		else
			snprintf(buf, cap, "%s", modes[k->mode]);
		break;
	}
	case T_FRACTION:
		millionths_text(*(const int *)x, buf, cap);
		break;
	case T_DATE:
		if (*(const int32_t *)x == 0)
			snprintf(buf, cap, "~");
		else
			date_format(*(const int32_t *)x, buf, cap);
		break;
	case T_WEIGHTS: {
		const struct cfg_symbol_weight *w = leaf_items(l, r);
		size_t k = *(const size_t *)x, n = (size_t)snprintf(buf, cap, "{");

		for (size_t i = 0; i < k && n < cap; i++) {
			char t[16];

			millionths_text(w[i].ppm, t, sizeof(t));
			n += (size_t)snprintf(buf + n, cap - n, "%s%s: %s", i > 0 ? ", " : "",
					      w[i].symbol, t);
		}
		if (n < cap)
			snprintf(buf + n, cap - n, "}");
		break;
	}
	case T_STEPS: {
		const struct cfg_scale_step *st = leaf_items(l, r);
		size_t k = *(const size_t *)x, n = (size_t)snprintf(buf, cap, "[");

		for (size_t i = 0; i < k && n < cap; i++) {
			char m[24];

			money_str(st[i].above, m);
			n += (size_t)snprintf(buf + n, cap - n, "%s{above: %s, limit: %d}",
					      i > 0 ? ", " : "", m, st[i].limit);
		}
		if (n < cap)
			snprintf(buf + n, cap - n, "]");
		break;
	}
	case T_FRACTIONS: {
		const struct cfg_warn_at *w = (const void *)x;
		size_t n = (size_t)snprintf(buf, cap, "[");

		for (size_t i = 0; i < w->n && n < cap; i++)
			n += (size_t)snprintf(buf + n, cap - n, "%s%g", i > 0 ? ", " : "", w->v[i]);
		if (n < cap)
			snprintf(buf + n, cap - n, "]");
		break;
	}
	default:
		snprintf(buf, cap, "(%zu items)", *(const size_t *)x);
		break;
	}
	return buf;
}

/*
 * Hold rules to a profile: every key the profile sets takes the profile's value, unless
 * the rules' own is tighter (safer). A looser value the account's override set itself
 * (explicit, its file and path prefix) is an error; a looser one from the global rules or
 * a default is replaced (the profile is the floor).
 */
static void hold(struct cfg_walk *c, struct rules_cfg *r, const struct cfg_profile *p,
		 const struct cfg_presence *explicit, const char *prefix)
{
	char a[64], b[64];

	pthread_once(&leaves_once, leaves_init);
	for (size_t i = 0; i < n_leaves; i++) {
		const struct leaf *l = &leaves[i];

		if (!presence_has(&p->pres, l->off) || leaf_equal(l, r, &p->rules))
			continue;
		bool mine = explicit != NULL && presence_has(explicit, l->off);

		if (l->o->safer != SAFER_NONE && !leaf_looser(l, r, &p->rules))
			continue; /* tighter: the trader's */
		if (l->o->safer == SAFER_NONE && mine)
			continue; /* not a safety key: the account's own choice */
		if (mine) {
			char msg[256];

			snprintf(msg, sizeof(msg), "%s:%u: %s%s: %s is looser than profile %s's %s (a firm "
				 "rule: only a tighter value may be set)", c->file,
				 presence_line(explicit, l->off), prefix, l->path, leaf_text(l, r, a, sizeof(a)),
				 p->name, leaf_text(l, &p->rules, b, sizeof(b)));
			add_msg(c, msg);
			continue;
		}
		leaf_copy(l, r, &p->rules, 0);
	}
}

static bool profile_name_ok(const char *s)
{
	if (s[0] == '\0' || strlen(s) >= 64)
		return false;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
			return false;
	return true;
}

static int prescan(struct cfg_walk *c, const char *buf, size_t len);

/* profiles/NAME.yaml: `profile: NAME` (optional) and `rules:` blocks; anything else refused. */
static void load_profile(struct cfg_walk *outer, struct cfg_profile *p, const char *dir)
{
	struct cfg_walk *c = xcalloc(1, sizeof(*c));
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root;
	char *buf = NULL, *named = NULL;
	size_t len;
	FILE *f;

	snprintf(p->path, sizeof(p->path), "%s/%s.yaml", dir, p->name);
	c->file = p->path;
	c->diag = outer->diag;
	c->doc = &doc;
	f = fopen(p->path, "rb");
	if (f == NULL) {
		cerr(outer, NULL, "profiles", "profile %s: cannot open %s: %s", p->name, p->path,
		     strerror(errno));
		free(c);
		return;
	}
	buf = xmalloc(CFG_FILE_MAX + 1);
	len = fread(buf, 1, CFG_FILE_MAX, f);
	(void)fclose(f);
	if (prescan(c, buf, len) != 0 || !yaml_parser_initialize(&parser))
		goto out;
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	if (!yaml_parser_load(&parser, &doc)) {
		char msg[512];

		snprintf(msg, sizeof(msg), "%s:%lu: YAML syntax error: %s", p->path,
			 (unsigned long)parser.problem_mark.line + 1,
			 parser.problem != NULL ? parser.problem : "malformed");
		add_msg(c, msg);
		yaml_parser_delete(&parser);
		goto out;
	}
	yaml_parser_delete(&parser);
	root = yaml_document_get_root_node(&doc);
	if (root == NULL || root->type != YAML_MAPPING_NODE) {
		cerr(c, root, "", "a profile is a mapping {profile: NAME, rules: {...}}");
	} else {
		char want[64];

		strlcpy_s(want, p->name, sizeof(want));
		config_rules_defaults(&p->rules);
		for (const struct opt *o = rules_opts; o->key != NULL; o++)
			*(bool *)((char *)&p->rules + o->off + find_opt(o->sub, "enabled")->off) = false;
		c->rules_base = (char *)&p->rules;
		c->pres = &p->pres;
		for (yaml_node_pair_t *q = root->data.mapping.pairs.start;
		     q < root->data.mapping.pairs.top; q++) {
			yaml_node_t *k = node(c, q->key), *v = node(c, q->value);
			const char *key = k != NULL && k->type == YAML_SCALAR_NODE ?
						  (const char *)k->data.scalar.value : "";

			if (v == NULL)
				continue;
			if (strcmp(key, "profile") == 0) {
				const char *s = scalar(c, v, "profile", "the profile's name");

				if (s != NULL)
					named = xstrdup(s);
			} else if (strcmp(key, "rules") == 0) {
				if (v->type != YAML_MAPPING_NODE)
					cerr(c, v, "rules", "must be a mapping of rule blocks");
				else
					walk_map(c, v, rules_opts, (char *)&p->rules, "rules");
			} else {
				cerr(c, k, key, "unknown key (a profile has profile: and rules:)");
			}
		}
		if (named != NULL && strcmp(named, want) != 0)
			cerr(c, root, "profile", "the file names profile %s, not %s", named, want);
	}
	yaml_document_delete(&doc);
out:
	free(named);
	free(buf);
	free(c);
}

/* profiles: [{profile: NAME, accounts: [12345, "50KTC-*"]}]: load each, hold the rules to it. */
static void parse_profiles(struct cfg_walk *c, struct srm_config *cfg)
{
	yaml_node_t *v = c->profiles;
	long n = seq_items(c, v, "profiles", CFG_MAX_PROFILES, "profiles");
	const char *dir = cfg->profile_dir != NULL ? cfg->profile_dir : SRM_PROFILE_DIR;
	char ip[CFG_PATH_MAX], g[CFG_GOT_MAX + 8];

	if (n <= 0)
		return;
	cfg->profiles = xcalloc((size_t)n, sizeof(*cfg->profiles));
	for (long i = 0; i < n; i++) {
		yaml_node_t *it = seq_item(c, v, i);
		struct cfg_profile *p = &cfg->profiles[cfg->n_profiles];
		bool have_name = false, have_accounts = false;

		if (it == NULL)
			break;
		pathf(ip, sizeof(ip), "profiles[%ld]", i);
		if (it->type != YAML_MAPPING_NODE) {
			cerr(c, it, ip, "must be a mapping {profile: NAME, accounts: [ids, name globs]}, got %s",
			     got(it, g, sizeof(g)));
			continue;
		}
		for (yaml_node_pair_t *q = it->data.mapping.pairs.start; q < it->data.mapping.pairs.top; q++) {
			yaml_node_t *k = node(c, q->key), *val = node(c, q->value);
			char kp[CFG_PATH_MAX];

			if (k == NULL || val == NULL)
				continue;
			if (k->type != YAML_SCALAR_NODE) {
				cerr(c, k, ip, "a key must be a word, got %s", got(k, g, sizeof(g)));
				continue;
			}
			const char *key = (const char *)k->data.scalar.value;

			join(kp, sizeof(kp), ip, key);
			if (strcmp(key, "profile") == 0) {
				const char *s = scalar(c, val, kp, "a profile name");

				if (s == NULL)
					continue;
				if (!profile_name_ok(s)) {
					cerr(c, val, kp, "a profile name is lowercase letters, digits and -, got %s",
					     got(val, g, sizeof(g)));
					continue;
				}
				strlcpy_s(p->name, s, sizeof(p->name));
				have_name = true;
			} else if (strcmp(key, "accounts") == 0) {
				struct srm_config tmp = { 0 };

				cf_accounts(c, val, (char *)&tmp, kp);
				if (tmp.accounts.all) {
					cerr(c, val, kp, "list the accounts (ids, name globs) the profile is for");
					continue;
				}
				for (size_t s = 0; s < tmp.accounts.n && p->n_sel < CFG_MAX_PROFILE_SEL; s++)
					p->sel[p->n_sel++] = tmp.accounts.v[s];
				have_accounts = p->n_sel > 0;
			} else {
				unknown_key(c, k, kp, (const struct opt[]){ { .key = "profile" },
									    { .key = "accounts" }, { 0 } });
			}
		}
		if (!have_name || !have_accounts) {
			cerr(c, it, ip, "needs profile: NAME and accounts: [ids, name globs]");
			continue;
		}
		load_profile(c, p, dir);
		cfg->n_profiles++;
	}
	/* the global rules, and each override, held to each profile */
	for (size_t k = 0; k < cfg->n_profiles; k++) {
		struct cfg_profile *p = &cfg->profiles[k];

		p->held = cfg->rules;
		hold(c, &p->held, p, NULL, "");
	}
	for (size_t o = 0; o < cfg->n_overrides && cfg->n_profiles > 0; o++) {
		struct cfg_override *ov = &cfg->overrides[o];
		char prefix[64];

		snprintf(prefix, sizeof(prefix), "overrides.%lld.", (long long)ov->account_id);
		ov->held = xcalloc(cfg->n_profiles, sizeof(*ov->held));
		for (size_t k = 0; k < cfg->n_profiles; k++) {
			const struct cfg_profile *p = &cfg->profiles[k];
			bool by_id = false;

			for (size_t s = 0; s < p->n_sel; s++)
				by_id |= p->sel[s].glob[0] == '\0' && p->sel[s].id == ov->account_id;
			ov->held[k] = ov->rules;
			/* an account the profile names by id: its looser override is an error; one a
			 * glob may pick (its name is not known here) is held without a word */
			hold(c, &ov->held[k], p, by_id ? &ov->pres : NULL, prefix);
		}
	}
}

/* ---- the effective rules of an account, with where each value comes from --------------- */

char *config_effective_text(const struct srm_config *cfg, int64_t account_id, const char *name)
{
	int p = config_profile_for(cfg, account_id, name);
	const struct rules_cfg *r = config_rules_for_account(cfg, account_id, name);
	const struct cfg_override *ov = NULL;
	const struct cfg_profile *prof = p >= 0 ? &cfg->profiles[p] : NULL;
	char *buf = NULL, v[64], pv[64];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		return NULL;
	pthread_once(&rules_once, rules_opts_init);
	pthread_once(&leaves_once, leaves_init);
	for (size_t i = 0; i < cfg->n_overrides; i++)
		if (cfg->overrides[i].account_id == account_id)
			ov = &cfg->overrides[i];
	fprintf(f, "# the effective rules of account %lld%s%s%s: ", (long long)account_id,
		name != NULL ? " (" : "", name != NULL ? name : "", name != NULL ? ")" : "");
	if (prof != NULL)
		fprintf(f, "profile %s (%s)%s\n", prof->name, prof->path, ov != NULL ? ", with an override" : "");
	else
		fprintf(f, "%s\n", ov != NULL ? "the global rules with an override" : "the global rules");
	fputs("rules:\n", f);
	for (int rr = 0; rr < RULE_COUNT; rr++) {
		const struct rule_block *b = rule_block(rr);
		char head[96];

		snprintf(head, sizeof(head), "rules.%s.", b->name);
		fprintf(f, "  %s:\n", b->name);
		for (size_t i = 0; i < n_leaves; i++) {
			const struct leaf *l = &leaves[i];
			const char *src;
			char note[160];

			if (strncmp(l->path, head, strlen(head)) != 0)
				continue;
			bool in_prof = prof != NULL && presence_has(&prof->pres, l->off);
			bool in_ov = ov != NULL && presence_has(&ov->pres, l->off);
			bool in_rules = presence_has(&cfg->rules_pres, l->off);

			if (in_prof && leaf_equal(l, r, &prof->rules))
				snprintf(note, sizeof(note), "profile %s", prof->name);
			else if (in_prof)
				snprintf(note, sizeof(note), "%s, tighter than profile %s's %s",
					 in_ov ? "override" : "rules", prof->name,
					 leaf_text(l, &prof->rules, pv, sizeof(pv)));
			else
				snprintf(note, sizeof(note), "%s",
					 in_ov ? "override" : in_rules ? "rules" : "default");
			src = note;
			fprintf(f, "    %s: %s  # %s\n", l->path + strlen(head), leaf_text(l, r, v, sizeof(v)),
				src);
		}
	}
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

void config_default_socket(char *out, size_t cap)
{
	const char *rt = getenv("XDG_RUNTIME_DIR");

	if (rt != NULL && rt[0] != '\0' && (size_t)snprintf(out, cap, "%s/srm.sock", rt) < cap)
		return;
	if (expand_home("~/.local/state/srm/srm.sock", out, cap) != 0)
		out[0] = '\0';
}

/* gateway.firm: the URLs not given explicitly come from the firm's deployment. */
static void firm_urls(struct cfg_walk *c, struct srm_config *cfg)
{
	char api[256], user[256], market[256], names[256];
	const char *firm = cfg->gateway.firm != NULL ? cfg->gateway.firm : "topstepx";

	if (cfg->gateway.api_url != NULL && cfg->gateway.user_hub_url != NULL &&
	    cfg->gateway.market_hub_url != NULL)
		return;
	if (config_firm_urls(firm, api, user, market, sizeof(api)) != 0) {
		config_firm_names(names, sizeof(names));
		cerr(c, NULL, "gateway.firm", "unknown firm %.64s (known: %s); or give api_url, "
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

static void set_defaults(struct srm_config *cfg, const char *path)
{
	char buf[CFG_VALUE_MAX];

	cfg->path = xstrdup(path);
	/* the URLs come from gateway.firm (topstepx) after the walk, unless given */
	cfg->accounts.all = true;
	/* never a directory others may write (/tmp): "" when there is no home (srmd says so) */
	if (expand_home("~/.local/state/srm", buf, sizeof(buf)) != 0)
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
	for (const struct opt *o = rules_opts; o->key != NULL; o++)
		*(bool *)((char *)&cfg->rules + o->off + find_opt(o->sub, "enabled")->off) = false;
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
		rules = node(&c, root->data.mapping.pairs.start->value);
	if (rules == NULL || rules->type != YAML_MAPPING_NODE)
		abort();
	walk_map(&c, rules, rules_opts, (char *)&rules_defaults, "rules");
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

/*
 * Before building the document: one pass over libyaml's events that refuses what the
 * loader must never half-read or choke on. Nesting deeper than CFG_DEPTH_MAX (libyaml's
 * scanner costs O(tokens x depth): 120 KB of brackets took 14 s), and several documents
 * (yaml_parser_load reads the first one only: the rest would be ignored silently). The pass
 * stops at the first problem, so its own cost stays linear.
 */
static int prescan(struct cfg_walk *c, const char *buf, size_t len)
{
	yaml_parser_t p;
	yaml_event_t ev;
	int depth = 0, docs = 0, rc = 0;

	if (!yaml_parser_initialize(&p)) {
		cerr(c, NULL, "", "cannot initialise the YAML parser");
		return -1;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
	for (;;) {
		if (!yaml_parser_parse(&p, &ev)) {
			rc = 0; /* a syntax error: yaml_parser_load reports it with its line */
			break;
		}
		yaml_event_type_t t = ev.type;
		unsigned long line = (unsigned long)ev.start_mark.line + 1;

		yaml_event_delete(&ev);
		if (t == YAML_STREAM_END_EVENT)
			break;
		if (t == YAML_DOCUMENT_START_EVENT && ++docs > 1) {
			char msg[300];

			snprintf(msg, sizeof(msg), "%s:%lu: a second YAML document (---): a config is one "
				 "document; only the first would be read, so none is", c->file, line);
			add_msg(c, msg);
			rc = -1;
			break;
		}
		if (t == YAML_SEQUENCE_START_EVENT || t == YAML_MAPPING_START_EVENT) {
			if (++depth > CFG_DEPTH_MAX) {
				char msg[300];

				snprintf(msg, sizeof(msg), "%s:%lu: nested deeper than %d levels: not a "
					 "config", c->file, line, CFG_DEPTH_MAX);
				add_msg(c, msg);
				rc = -1;
				break;
			}
		} else if (t == YAML_SEQUENCE_END_EVENT || t == YAML_MAPPING_END_EVENT) {
			depth--;
		}
	}
	yaml_parser_delete(&p);
	return rc;
}

static struct srm_config *load_buf(const char *buf, size_t len, const char *path,
				   struct config_diag *diag, bool env_lenient)
{
	struct cfg_walk *c = xcalloc(1, sizeof(*c));
	struct srm_config *cfg = NULL;
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root;
	char g[CFG_GOT_MAX + 8];

	pthread_once(&rules_once, rules_opts_init);

	c->file = path;
	c->diag = diag;
	c->doc = &doc;
	c->env_lenient = env_lenient;
	if (len > CFG_FILE_MAX) {
		cerr(c, NULL, "", "file too large (over %d bytes)", CFG_FILE_MAX);
		goto out_ctx;
	}
	if (memchr(buf, '\0', len) != NULL) {
		cerr(c, NULL, "", "not a text file (contains NUL bytes)");
		goto out_ctx;
	}
	if (prescan(c, buf, len) != 0)
		goto out_ctx;
	if (!yaml_parser_initialize(&parser)) {
		cerr(c, NULL, "", "cannot initialise the YAML parser");
		goto out_ctx;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	if (!yaml_parser_load(&parser, &doc)) {
		char msg[512];

		snprintf(msg, sizeof(msg), "%s:%lu: YAML syntax error: %s%s%s", path,
			 (unsigned long)parser.problem_mark.line + 1,
			 parser.problem != NULL ? parser.problem : "malformed",
			 parser.context != NULL ? " " : "",
			 parser.context != NULL ? parser.context : "");
		add_msg(c, msg);
		yaml_parser_delete(&parser);
		goto out_ctx;
	}
	yaml_parser_delete(&parser);

	root = yaml_document_get_root_node(&doc);
	if (root == NULL) {
		cerr(c, NULL, "", "the file is empty (expected gateway, accounts, daemon, rules)");
		goto out_doc;
	}
	if (root->type != YAML_MAPPING_NODE) {
		cerr(c, root, "", "the top level must be a mapping of keys, got %s",
		     got(root, g, sizeof(g)));
		goto out_doc;
	}
	cfg = xcalloc(1, sizeof(*cfg));
	set_defaults(cfg, path);
	c->rules_base = (char *)&cfg->rules;
	c->pres = &cfg->rules_pres;
	walk_map(c, root, top_opts, (char *)cfg, "");
	c->rules_base = NULL;
	c->pres = NULL;
	firm_urls(c, cfg);
	check_dashboard(c, cfg);
	if (c->overrides != NULL)
		parse_overrides(c, cfg);
	if (c->profiles != NULL)
		parse_profiles(c, cfg);
out_doc:
	yaml_document_delete(&doc);
out_ctx:
	if (c->extra > 0) {
		size_t last = sizeof(diag->msgs) / sizeof(diag->msgs[0]) - 1;

		snprintf(diag->msgs[last], sizeof(diag->msgs[last]), "%s: ... and %zu more errors%s",
			 path, c->extra + 1,
			 c->over_budget ? "; too many nodes to check (aliases?), gave up" : "");
	}
	if (diag->n > 0) {
		config_free(cfg);
		cfg = NULL;
	}
	free(c);
	return cfg;
}

/* Load and validate a YAML config file (see config.h). */
struct srm_config *config_load(const char *path, struct config_diag *diag)
{
	return config_load_env(path, diag, false);
}

struct srm_config *config_load_env(const char *path, struct config_diag *diag, bool env_lenient)
{
	struct srm_config *cfg = NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	diag->n = 0;
	diag->n_notes = 0;
	f = fopen(path, "rb");
	if (f == NULL) {
		snprintf(diag->msgs[0], sizeof(diag->msgs[0]), "%s: cannot open: %s", path,
			 strerror(errno));
		diag->n = 1;
		return NULL;
	}
	buf = xmalloc(CFG_FILE_MAX + 2);
	len = fread(buf, 1, CFG_FILE_MAX + 1, f);
	if (ferror(f)) {
		snprintf(diag->msgs[0], sizeof(diag->msgs[0]), "%s: cannot read: %s", path,
			 strerror(errno));
		diag->n = 1;
		goto out;
	}
	buf[len] = '\0';
	cfg = load_buf(buf, len, path, diag, env_lenient);
out:
	fclose(f);
	free(buf);
	return cfg;
}

/* Is key the name of a secret option (T_SECRET) anywhere in the schema? */
/* NOLINTNEXTLINE(misc-no-recursion): the schema is 3 levels deep; depth < 8 */
static bool secret_in(const struct opt *tab, const char *key, size_t len, int depth)
{
	for (const struct opt *o = tab; o->key != NULL; o++) {
		if (o->type == T_SECRET && strlen(o->key) == len && memcmp(o->key, key, len) == 0)
			return true;
		if (o->sub != NULL && depth < 8 && secret_in(o->sub, key, len, depth + 1))
			return true;
	}
	return false;
}

/* A value that only names an environment variable ("${NAME}") shows no secret. */
static bool env_reference(const yaml_node_t *v)
{
	const char *s = (const char *)v->data.scalar.value;
	size_t n = v->data.scalar.length;

	if (v->type != YAML_SCALAR_NODE || n < 4 || s[0] != '$' || s[1] != '{' || s[n - 1] != '}')
		return false;
	for (size_t i = 2; i < n - 1; i++)
		if (!env_name_char(s[i], i == 2))
			return false; /* a ${NAME:-fallback} may hold a literal secret */
	return true;
}

struct span {
	size_t from, to;
};

static int span_cmp(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	return x->from < y->from ? -1 : x->from > y->from;
}

/* Read a config file whole (bounded: CFG_FILE_MAX); buf is freed with explicit_bzero. */
static int read_file(struct cfg_walk *c, const char *path, char **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	int err;

	*buf = NULL;
	*len = 0;
	if (f == NULL) {
		cerr(c, NULL, "", "cannot open: %s", strerror(errno));
		return -1;
	}
	*buf = xmalloc(CFG_FILE_MAX + 2);
	*len = fread(*buf, 1, CFG_FILE_MAX + 1, f);
	err = ferror(f) ? errno : 0;
	(void)fclose(f); /* read only */
	(*buf)[*len] = '\0';
	if (err != 0) {
		cerr(c, NULL, "", "cannot read: %s", strerror(err));
		return -1;
	}
	return 0;
}

static void drop_file(char *buf)
{
	if (buf == NULL)
		return;
	explicit_bzero(buf, CFG_FILE_MAX + 2);
	free(buf);
}

/* The text with every secret's value replaced by "***" (lines kept), or -1 + diag. */
static int redact_buf(struct cfg_walk *c, const char *buf, size_t len, char **out)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	struct span *sp = NULL;
	size_t n_sp = 0;
	char *res = NULL;
	size_t cap;
	int rc = -1;

	*out = NULL;
	if (len > CFG_FILE_MAX) {
		cerr(c, NULL, "", "file too large (over %d bytes)", CFG_FILE_MAX);
		goto out;
	}
	if (memchr(buf, '\0', len) != NULL) {
		cerr(c, NULL, "", "not a text file (contains NUL bytes)");
		goto out;
	}
	if (prescan(c, buf, len) != 0)
		goto out;
	if (!yaml_parser_initialize(&parser))
		goto out;
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	if (!yaml_parser_load(&parser, &doc)) {
		/* a file that does not parse is not shown: its secrets cannot be found */
		cerr(c, NULL, "", "YAML syntax error at line %lu: not shown (its secrets could not be "
		     "told apart)", (unsigned long)parser.problem_mark.line + 1);
		yaml_parser_delete(&parser);
		goto out;
	}
	yaml_parser_delete(&parser);
	/* every mapping, wherever it is (anchors and merge keys included): a secret key's value */
	for (yaml_node_t *m = doc.nodes.start; m < doc.nodes.top; m++) {
		if (m->type != YAML_MAPPING_NODE)
			continue;
		for (yaml_node_pair_t *pr = m->data.mapping.pairs.start; pr < m->data.mapping.pairs.top; pr++) {
			yaml_node_t *k = yaml_document_get_node(&doc, pr->key);
			yaml_node_t *v = yaml_document_get_node(&doc, pr->value);

			if (k == NULL || v == NULL || k->type != YAML_SCALAR_NODE ||
			    !secret_in(top_opts, (const char *)k->data.scalar.value, k->data.scalar.length, 0) ||
			    env_reference(v))
				continue;
			sp = xreallocarray(sp, n_sp + 1, sizeof(*sp));
			sp[n_sp].from = v->start_mark.index;
			sp[n_sp].to = v->end_mark.index;
			n_sp++;
		}
	}
	yaml_document_delete(&doc);
	if (n_sp > 1)
		qsort(sp, n_sp, sizeof(*sp), span_cmp);
	cap = len + n_sp * 8 + 1;
	res = xmalloc(cap);
	size_t at = 0, w = 0;

	for (size_t i = 0; i < n_sp; i++) {
		size_t from = sp[i].from < at ? at : sp[i].from, to = sp[i].to > len ? len : sp[i].to;

		if (to <= from)
			continue;
		memcpy(res + w, buf + at, from - at);
		w += from - at;
		memcpy(res + w, "\"***\"", 5);
		w += 5;
		/* keep the line count: a block scalar's lines become empty lines */
		for (size_t k = from; k < to; k++)
			if (buf[k] == '\n' && w < cap - 1)
				res[w++] = '\n';
		at = to;
	}
	memcpy(res + w, buf + at, len - at);
	w += len - at;
	res[w] = '\0';
	*out = res;
	res = NULL;
	rc = 0;
out:
	free(res);
	free(sp);
	return rc;
}

int config_redacted(const char *path, char **out, struct config_diag *diag)
{
	struct cfg_walk c = {.file = path, .diag = diag};
	char *buf;
	size_t len;
	int rc = -1;

	pthread_once(&rules_once, rules_opts_init);
	diag->n = 0;
	*out = NULL;
	if (read_file(&c, path, &buf, &len) == 0)
		rc = redact_buf(&c, buf, len, out);
	drop_file(buf);
	return rc;
}

struct srm_config *config_load_redacted(const char *path, char **yaml, struct config_diag *diag)
{
	struct cfg_walk c = {.file = path, .diag = diag};
	struct srm_config *cfg = NULL;
	char *buf;
	size_t len;

	pthread_once(&rules_once, rules_opts_init);
	diag->n = 0;
	diag->n_notes = 0;
	*yaml = NULL;
	if (read_file(&c, path, &buf, &len) == 0) {
		cfg = load_buf(buf, len, path, diag, false);
		/* the same bytes: what was loaded is what a recording shows */
		if (cfg != NULL && redact_buf(&c, buf, len, yaml) != 0) {
			config_free(cfg);
			cfg = NULL;
		}
	}
	drop_file(buf);
	return cfg;
}

struct srm_config *config_load_string_env(const char *text, const char *path,
					  struct config_diag *diag, bool env_lenient)
{
	diag->n = 0;
	diag->n_notes = 0;
	return load_buf(text, strlen(text), path, diag, env_lenient);
}

/* Load from a string (path is used in messages only). */
struct srm_config *config_load_string(const char *text, const char *path, struct config_diag *diag)
{
	diag->n = 0;
	diag->n_notes = 0;
	return load_buf(text, strlen(text), path, diag, false);
}

/* Free a config from config_load (NULL is fine). */
void config_free(struct srm_config *cfg)
{
	if (cfg == NULL)
		return;
	free(cfg->path);
	free(cfg->gateway.firm);
	free(cfg->gateway.api_url);
	free(cfg->gateway.user_hub_url);
	free(cfg->gateway.market_hub_url);
	free(cfg->gateway.username);
	if (cfg->gateway.api_key != NULL)
		explicit_bzero(cfg->gateway.api_key, strlen(cfg->gateway.api_key));
	free(cfg->gateway.api_key);
	free(cfg->gateway.ca_file);
	free(cfg->daemon.state_dir);
	free(cfg->daemon.socket);
	free(cfg->daemon.log_level);
	free(cfg->daemon.timezone);
	free(cfg->display.timezone);
	free(cfg->admin.password_hash);
	for (size_t i = 0; i < cfg->n_overrides; i++) {
		free(cfg->overrides[i].pres.off);
		free(cfg->overrides[i].pres.line);
		free(cfg->overrides[i].held);
	}
	free(cfg->overrides);
	for (size_t i = 0; i < cfg->n_profiles; i++) {
		free(cfg->profiles[i].pres.off);
		free(cfg->profiles[i].pres.line);
	}
	free(cfg->profiles);
	free(cfg->rules_pres.off);
	free(cfg->rules_pres.line);
	free(cfg->profile_dir);
	free(cfg->alerts.webhook_url);
	if (cfg->alerts.webhook_secret != NULL)
		explicit_bzero(cfg->alerts.webhook_secret, strlen(cfg->alerts.webhook_secret));
	free(cfg->alerts.webhook_secret);
	free(cfg->alerts.ntfy_url);
	free(cfg->alerts.ntfy_topic);
	if (cfg->alerts.ntfy_token != NULL)
		explicit_bzero(cfg->alerts.ntfy_token, strlen(cfg->alerts.ntfy_token));
	free(cfg->alerts.ntfy_token);
	for (size_t i = 0; i < cfg->alerts.n_command; i++)
		free(cfg->alerts.command[i]);
	free(cfg->alerts.heartbeat_url);
	free(cfg->dashboard.tls_cert);
	free(cfg->dashboard.tls_key);
	free(cfg);
}
