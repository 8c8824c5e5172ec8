/*
 * walk.c: the table-driven YAML walker: a mapping checked against an option table (schema.h)
 * key by key, each value parsed by its type, with the diagnostics (file:line: key: message,
 * "did you mean") and the scalars (${ENV} substitution, booleans, integers, money, shares,
 * lockouts) it reads. It knows libyaml and struct opt, and no particular key.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/internal.h"
#include "util/strutil.h"
#include "util/timefmt.h"
#include "util/xalloc.h"

/*
 * Why libyaml and not libcyaml (docs/CONFIG.md has the evidence): libcyaml 1.3.1 stops at the
 * first error, reports an unknown key at the line of its parent mapping, and cannot express
 * `accounts: all | [ids, globs]`, a map with arbitrary keys (`limits`, `overrides`) or
 * "which keys were present" (needed to merge overrides). So the option table (schema.h) is our
 * own: key, type, offset, bounds, required and help; one walker parses and validates with it.
 */

#define CFG_VISIT_MAX 200000
#define CFG_MONEY_MAX 1e9

_Static_assert(sizeof(enum count_mode) == sizeof(int), "enums are stored as int");
_Static_assert(sizeof(enum size_action) == sizeof(int), "enums are stored as int");

/* ---- diagnostics ---------------------------------------------------------------------- */

void cfg_add_msg(struct cfg_walk *c, const char *msg)
{
	struct config_diag *d = c->diag;

	if (d->n < sizeof(d->msgs) / sizeof(d->msgs[0]))
		strlcpy_s(d->msgs[d->n++], msg, sizeof(d->msgs[0]));
	else
		c->extra++;
}

/* Record "FILE:LINE: path: message" (n NULL: no line; path empty: no key). */
void cfg_err(struct cfg_walk *c, const yaml_node_t *n, const char *path, const char *fmt, ...)
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
	cfg_add_msg(c, msg);
}

/* A short description of a node for "got X": the scalar text, "a list" or "a mapping". */
const char *cfg_got(const yaml_node_t *n, char *buf, size_t cap)
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

bool cfg_budget(struct cfg_walk *c, yaml_node_t *n)
{
	if (++c->visits <= CFG_VISIT_MAX)
		return true;
	if (!c->over_budget)
		cfg_err(c, n, "", "too many nodes to check (aliases?), giving up");
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

void cfg_unknown_key(struct cfg_walk *c, const yaml_node_t *k, const char *path,
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
		cfg_err(c, k, path, "unknown key (did you mean %s?)", best);
	else
		cfg_err(c, k, path, "unknown key");
}

/* ---- scalars -------------------------------------------------------------------------- */

bool cfg_is_null(const yaml_node_t *n)
{
	if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	const char *s = (const char *)n->data.scalar.value;

	return s[0] == '\0' || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
	       strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0;
}

bool cfg_env_name_char(char ch, bool first)
{
	return ch == '_' || (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
	       (!first && ch >= '0' && ch <= '9');
}

/* ${NAME} substitution (internal.h). */
int cfg_env_subst(const char *s, char *out, size_t cap, char *why, size_t why_cap,
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

			while (cfg_env_name_char(q[nl], nl == 0))
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
const char *cfg_scalar(struct cfg_walk *c, yaml_node_t *n, const char *path, const char *expect)
{
	char why[160], g[CFG_GOT_MAX + 8], unset[128] = "";
	struct config_diag *d = c->diag;

	if (n->type != YAML_SCALAR_NODE) {
		cfg_err(c, n, path, "must be %s, got %s", expect, cfg_got(n, g, sizeof(g)));
		return NULL;
	}
	if (cfg_env_subst((const char *)n->data.scalar.value, c->val, sizeof(c->val), why,
		      sizeof(why), c->env_lenient ? unset : NULL, sizeof(unset)) != 0) {
		cfg_err(c, n, path, "%s", why);
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

int cfg_parse_int(const char *s, int min, int *out)
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
int cfg_parse_ppm(const char *s, long max_ppm, int *out)
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

int cfg_enum_index(const char *const *names, const char *s)
{
	for (int i = 0; names[i] != NULL; i++)
		if (str_eq_ci(names[i], s))
			return i;
	return -1;
}

void cfg_names_list(const char *const *names, char *buf, size_t cap)
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
int cfg_expand_home(const char *s, char *out, size_t cap)
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

void cfg_set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = v != NULL ? xstrdup(v) : NULL;
}

/* ---- the walker ----------------------------------------------------------------------- */

yaml_node_t *cfg_node(struct cfg_walk *c, int id)
{
	return yaml_document_get_node(c->doc, id);
}

/* A key path for messages; a path too long for buf is cut (it is only shown). */
void cfg_pathf(char *buf, size_t cap, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(buf, cap, fmt, ap);
	va_end(ap);
}

void cfg_join(char *buf, size_t cap, const char *path, const char *key)
{
	cfg_pathf(buf, cap, "%s%s%.64s", path, path[0] != '\0' ? "." : "", key);
}

const struct opt *cfg_find_opt(const struct opt *tab, const char *key)
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

	if (cfg_is_null(v)) {
		if (o->min > 0)
			cfg_err(c, v, path, "must not be empty");
		else
			cfg_set_str(sp, NULL);
		return;
	}
	s = cfg_scalar(c, v, path, "a string");
	if (s == NULL)
		return;
	if (o->min > 0 && s[0] == '\0') {
		cfg_err(c, v, path, "must not be empty");
		return;
	}
	if (o->names != NULL && cfg_enum_index(o->names, s) < 0) {
		char list[160];

		cfg_names_list(o->names, list, sizeof(list));
		cfg_err(c, v, path, "must be one of %s, got %s", list, cfg_got(v, g, sizeof(g)));
		return;
	}
	if (o->type == T_PATH) {
		char tmp[CFG_VALUE_MAX];

		if (cfg_expand_home(s, tmp, sizeof(tmp)) != 0) {
			cfg_err(c, v, path, "cannot expand ~: HOME is not set");
			return;
		}
		cfg_set_str(sp, tmp);
		return;
	}
	cfg_set_str(sp, s);
}

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
uint32_t cfg_presence_line(const struct cfg_presence *p, uint32_t off)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->off[i] == off)
			return p->line[i];
	return 0;
}

bool cfg_presence_has(const struct cfg_presence *p, uint32_t off)
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
			const struct opt *en = cfg_find_opt(o->sub, "enabled");

			presence_note(c, dst + en->off, v);
			if (!c->in_override)
				c->global_present |= 1u << idx;
			if (!c->in_override || !(c->global_present & (1u << idx)))
				*(bool *)(dst + en->off) = true;
		}
		/* fall through */
	case T_MAP:
		if (o->type == T_MAP && cfg_is_null(v))
			return; /* `daemon:` with everything commented out */
		if (v->type != YAML_MAPPING_NODE) {
			cfg_err(c, v, path, "must be a mapping of keys, got %s", cfg_got(v, g, sizeof(g)));
			return;
		}
		cfg_walk_map(c, v, o->sub, dst, path);
		return;
	case T_CUSTOM:
		o->fn(c, v, dst, path);
		return;
	case T_LIMITS:
		cfg_limits(c, v, (size_t *)dst, (struct cfg_symbol_limit *)(base + o->off2), path);
		return;
	case T_TIERS:
		cfg_tiers(c, v, (size_t *)dst, (struct cfg_loss_tier *)(base + o->off2), path);
		return;
	case T_WINDOWS:
		cfg_windows(c, v, (size_t *)dst, (struct cfg_window *)(base + o->off2), path);
		return;
	case T_GLOBS:
		cfg_symbols(c, v, (size_t *)dst, (char (*)[CFG_GLOB_MAX])(base + o->off2), path);
		return;
	case T_FRACTIONS:
		cfg_fractions(c, v, (struct cfg_warn_at *)dst, path);
		return;
	case T_WEIGHTS:
		cfg_weights(c, v, (size_t *)dst, (struct cfg_symbol_weight *)(base + o->off2), path);
		return;
	case T_STEPS:
		cfg_steps(c, v, (size_t *)dst, (struct cfg_scale_step *)(base + o->off2), path);
		return;
	case T_DATE:
		if (cfg_is_null(v)) {
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

	if (o->type == T_MONEY && o->zero_ok && cfg_is_null(v)) {
		*(money_t *)dst = 0;
		return;
	}
	s = cfg_scalar(c, v, path, "a single value");
	if (s == NULL)
		return;
	switch (o->type) {
	case T_BOOL:
		if (parse_bool(s, (bool *)dst) != 0)
			cfg_err(c, v, path, "must be true or false, got %s", cfg_got(v, g, sizeof(g)));
		break;
	case T_INT:
		if (cfg_parse_int(s, o->min, (int *)dst) != 0 || (o->max > 0 && *(int *)dst > o->max)) {
			if (o->max > 0)
				cfg_err(c, v, path, "must be an integer from %d to %d, got %s", o->min, o->max,
					cfg_got(v, g, sizeof(g)));
			else
				cfg_err(c, v, path, "must be %s, got %s",
					o->min == 1 ? "a positive integer" :
					o->min == 0 ? "an integer >= 0" : "an integer",
					cfg_got(v, g, sizeof(g)));
		}
		break;
	case T_MONEY:
		if (parse_money(s, o->zero_ok, (money_t *)dst) != 0)
			cfg_err(c, v, path, "must be a%s amount of money (e.g. 500 or 250.50)%s, got %s",
				o->zero_ok ? "n" : " positive", o->zero_ok ? ", 0 or ~" : "",
				cfg_got(v, g, sizeof(g)));
		break;
	case T_DURATION: {
		int64_t ms;

		if (duration_parse(s, &ms) != 0 || ms < o->min)
			cfg_err(c, v, path, "must be a duration like 90s, 15m or 2h%s, at most 366d, got %s",
				o->min > 0 ? " (not 0)" : "", cfg_got(v, g, sizeof(g)));
		else
			*(int64_t *)dst = ms;
		break;
	}
	case T_LOCKOUT:
		if (parse_lockout(s, o->min == 1, (struct lockout_spec *)dst) != 0)
			cfg_err(c, v, path,
				"must be none, a duration (90s, 15m, 2h; at most 366d), until_reset%s or "
				"permanent, got %s", o->min == 1 ? ", until_next_window" : "",
				cfg_got(v, g, sizeof(g)));
		break;
	case T_ENUM: {
		int i = cfg_enum_index(o->names, s);

		if (i < 0) {
			cfg_names_list(o->names, list, sizeof(list));
			cfg_err(c, v, path, "must be one of %s, got %s", list, cfg_got(v, g, sizeof(g)));
		} else {
			*(int *)dst = i;
		}
		break;
	}
	case T_HHMM:
		if (o->min == 1 && (cfg_is_null(v) || str_eq_ci(s, "none")))
			*(int *)dst = -1;
		else if (hhmm_parse(s, (int *)dst) != 0)
			cfg_err(c, v, path, "must be a time \"HH:MM\" (00:00 to 23:59)%s, got %s",
				o->min == 1 ? " or none" : "", cfg_got(v, g, sizeof(g)));
		break;
	case T_FRACTION: {
		int lo = o->min > 0 ? o->min : 1, hi = o->max > 0 ? o->max : CFG_PPM, ppm;
		char a[16], b[16];

		if (cfg_parse_ppm(s, hi, &ppm) != 0 || ppm < lo) {
			millionths_text(lo, a, sizeof(a));
			millionths_text(hi, b, sizeof(b));
			cfg_err(c, v, path, "must be a decimal from %s to %s (0.5 = 50%%), got %s", a, b,
				cfg_got(v, g, sizeof(g)));
		} else {
			*(int *)dst = ppm;
		}
		break;
	}
	case T_DATE:
		if (date_parse(s, (int32_t *)dst) != 0)
			cfg_err(c, v, path, "must be a date \"YYYY-MM-DD\" or ~, got %s", cfg_got(v, g, sizeof(g)));
		break;
	default:
		break;
	}
}

/* Walk a mapping against an option table: unknown, duplicate and missing required keys. */
/* NOLINTNEXTLINE(misc-no-recursion): nesting is bounded (CFG_DEPTH_MAX) */
void cfg_walk_map(struct cfg_walk *c, yaml_node_t *map, const struct opt *tab, char *base,
		  const char *path)
{
	uint64_t seen = 0;
	char kp[CFG_PATH_MAX], g[CFG_GOT_MAX + 8];

	for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
	     p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = cfg_node(c, p->key), *v = cfg_node(c, p->value);

		if (k == NULL || v == NULL || !cfg_budget(c, k))
			return;
		if (k->type != YAML_SCALAR_NODE) {
			cfg_err(c, k, path, "a key must be a word, got %s", cfg_got(k, g, sizeof(g)));
			continue;
		}
		cfg_join(kp, sizeof(kp), path, (const char *)k->data.scalar.value);
		const struct opt *o = cfg_find_opt(tab, (const char *)k->data.scalar.value);

		if (o == NULL) {
			cfg_unknown_key(c, k, kp, tab);
			continue;
		}
		size_t idx = (size_t)(o - tab);

		if (seen & (1ull << idx)) {
			cfg_err(c, k, kp, "duplicate key");
			continue;
		}
		seen |= 1ull << idx;
		apply(c, o, idx, v, base, kp);
	}
	for (const struct opt *o = tab; o->key != NULL; o++) {
		if (o->req && !(seen & (1ull << (o - tab)))) {
			cfg_join(kp, sizeof(kp), path, o->key);
			cfg_err(c, map, kp, "required key is missing");
		}
	}
}

/* Check a node is a list of at most max items; returns the count or -1 (reported). */
long cfg_seq_items(struct cfg_walk *c, yaml_node_t *v, const char *path, size_t max,
		   const char *what)
{
	char g[CFG_GOT_MAX + 8];

	if (v->type != YAML_SEQUENCE_NODE) {
		cfg_err(c, v, path, "must be a list of %s, got %s", what, cfg_got(v, g, sizeof(g)));
		return -1;
	}
	size_t n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);

	if (n > max) {
		cfg_err(c, v, path, "at most %zu %s, got %zu", max, what, n);
		return -1;
	}
	return (long)n;
}

yaml_node_t *cfg_seq_item(struct cfg_walk *c, yaml_node_t *v, long i)
{
	return cfg_node(c, v->data.sequence.items.start[i]);
}
