/*
 * profiles.c: the layers of an account's rules: its override over the global rules
 * (`overrides:`), the firm's profile that holds them (`profiles:`, profiles/NAME.yaml: the
 * profile's values, the trader's only where tighter), and config_effective_text, which shows
 * the rules an account ends up with and where each value comes from.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/internal.h"
#include "model/action.h"
#include "util/strutil.h"
#include "util/timefmt.h"
#include "util/xalloc.h"

#define CFG_MAX_OVERRIDES 256

/* ---- overrides: an account's own keys over the global rules --------------------------- */

/* overrides: {"ID": {rules: {...}}}: each starts from the global rules, its keys merged in. */
void cfg_parse_overrides(struct cfg_walk *c, struct srm_config *cfg)
{
	yaml_node_t *v = c->overrides;
	char kp[CFG_PATH_MAX], g[CFG_GOT_MAX + 8];
	size_t n = (size_t)(v->data.mapping.pairs.top - v->data.mapping.pairs.start);

	if (n > CFG_MAX_OVERRIDES) {
		cfg_err(c, v, "overrides", "at most %d accounts, got %zu", CFG_MAX_OVERRIDES, n);
		return;
	}
	cfg->overrides = xcalloc(n > 0 ? n : 1, sizeof(cfg->overrides[0]));
	c->in_override = true;
	for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
		yaml_node_t *k = cfg_node(c, p->key), *val = cfg_node(c, p->value);
		const char *key;
		int64_t id;

		if (k == NULL || val == NULL || !cfg_budget(c, k))
			break;
		key = k->type == YAML_SCALAR_NODE ? (const char *)k->data.scalar.value : "";
		cfg_join(kp, sizeof(kp), "overrides", key);
		if (cfg_parse_id(key, &id) != 0) {
			cfg_err(c, k, kp, "an override key must be an account id (positive integer), got %s",
				cfg_got(k, g, sizeof(g)));
			continue;
		}
		bool dup = false;

		for (size_t i = 0; i < cfg->n_overrides; i++)
			dup |= cfg->overrides[i].account_id == id;
		if (dup) {
			cfg_err(c, k, kp, "duplicate account");
			continue;
		}
		if (val->type != YAML_MAPPING_NODE) {
			cfg_err(c, val, kp, "must be a mapping {rules: ...}, got %s", cfg_got(val, g, sizeof(g)));
			continue;
		}
		struct cfg_override *ov = &cfg->overrides[cfg->n_overrides++];

		ov->account_id = id;
		ov->rules = cfg->rules;
		c->rules_base = (char *)&ov->rules;
		c->pres = &ov->pres;
		cfg_walk_map(c, val, cfg_override_opts, (char *)ov, kp);
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

		if (!cfg_presence_has(&p->pres, l->off) || leaf_equal(l, r, &p->rules))
			continue;
		bool mine = explicit != NULL && cfg_presence_has(explicit, l->off);

		if (l->o->safer != SAFER_NONE && !leaf_looser(l, r, &p->rules))
			continue; /* tighter: the trader's */
		if (l->o->safer == SAFER_NONE && mine)
			continue; /* not a safety key: the account's own choice */
		if (mine) {
			char msg[256];

			snprintf(msg, sizeof(msg), "%s:%u: %s%s: %s is looser than profile %s's %s (a firm "
				 "rule: only a tighter value may be set)", c->file,
				 cfg_presence_line(explicit, l->off), prefix, l->path, leaf_text(l, r, a, sizeof(a)),
				 p->name, leaf_text(l, &p->rules, b, sizeof(b)));
			cfg_add_msg(c, msg);
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
		cfg_err(outer, NULL, "profiles", "profile %s: cannot open %s: %s", p->name, p->path,
			strerror(errno));
		free(c);
		return;
	}
	buf = xmalloc(CFG_FILE_MAX + 1);
	len = fread(buf, 1, CFG_FILE_MAX, f);
	(void)fclose(f);
	if (cfg_prescan(c, buf, len) != 0 || !yaml_parser_initialize(&parser))
		goto out;
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	if (!yaml_parser_load(&parser, &doc)) {
		char msg[512];

		snprintf(msg, sizeof(msg), "%s:%lu: YAML syntax error: %s", p->path,
			 (unsigned long)parser.problem_mark.line + 1,
			 parser.problem != NULL ? parser.problem : "malformed");
		cfg_add_msg(c, msg);
		yaml_parser_delete(&parser);
		goto out;
	}
	yaml_parser_delete(&parser);
	root = yaml_document_get_root_node(&doc);
	if (root == NULL || root->type != YAML_MAPPING_NODE) {
		cfg_err(c, root, "", "a profile is a mapping {profile: NAME, rules: {...}}");
	} else {
		char want[64];

		strlcpy_s(want, p->name, sizeof(want));
		config_rules_defaults(&p->rules);
		for (const struct opt *o = cfg_rules_opts; o->key != NULL; o++)
			*(bool *)((char *)&p->rules + o->off + cfg_find_opt(o->sub, "enabled")->off) = false;
		c->rules_base = (char *)&p->rules;
		c->pres = &p->pres;
		for (yaml_node_pair_t *q = root->data.mapping.pairs.start;
		     q < root->data.mapping.pairs.top; q++) {
			yaml_node_t *k = cfg_node(c, q->key), *v = cfg_node(c, q->value);
			const char *key = k != NULL && k->type == YAML_SCALAR_NODE ?
						  (const char *)k->data.scalar.value : "";

			if (v == NULL)
				continue;
			if (strcmp(key, "profile") == 0) {
				const char *s = cfg_scalar(c, v, "profile", "the profile's name");

				if (s != NULL)
					named = xstrdup(s);
			} else if (strcmp(key, "rules") == 0) {
				if (v->type != YAML_MAPPING_NODE)
					cfg_err(c, v, "rules", "must be a mapping of rule blocks");
				else
					cfg_walk_map(c, v, cfg_rules_opts, (char *)&p->rules, "rules");
			} else {
				cfg_err(c, k, key, "unknown key (a profile has profile: and rules:)");
			}
		}
		if (named != NULL && strcmp(named, want) != 0)
			cfg_err(c, root, "profile", "the file names profile %s, not %s", named, want);
	}
	yaml_document_delete(&doc);
out:
	free(named);
	free(buf);
	free(c);
}

/* profiles: [{profile: NAME, accounts: [12345, "50KTC-*"]}]: load each, hold the rules to it. */
void cfg_parse_profiles(struct cfg_walk *c, struct srm_config *cfg)
{
	yaml_node_t *v = c->profiles;
	long n = cfg_seq_items(c, v, "profiles", CFG_MAX_PROFILES, "profiles");
	const char *dir = cfg->profile_dir != NULL ? cfg->profile_dir : SRM_PROFILE_DIR;
	char ip[CFG_PATH_MAX], g[CFG_GOT_MAX + 8];

	if (n <= 0)
		return;
	cfg->profiles = xcalloc((size_t)n, sizeof(*cfg->profiles));
	for (long i = 0; i < n; i++) {
		yaml_node_t *it = cfg_seq_item(c, v, i);
		struct cfg_profile *p = &cfg->profiles[cfg->n_profiles];
		bool have_name = false, have_accounts = false;

		if (it == NULL)
			break;
		cfg_pathf(ip, sizeof(ip), "profiles[%ld]", i);
		if (it->type != YAML_MAPPING_NODE) {
			cfg_err(c, it, ip, "must be a mapping {profile: NAME, accounts: [ids, name globs]}, got %s",
				cfg_got(it, g, sizeof(g)));
			continue;
		}
		for (yaml_node_pair_t *q = it->data.mapping.pairs.start; q < it->data.mapping.pairs.top; q++) {
			yaml_node_t *k = cfg_node(c, q->key), *val = cfg_node(c, q->value);
			char kp[CFG_PATH_MAX];

			if (k == NULL || val == NULL)
				continue;
			if (k->type != YAML_SCALAR_NODE) {
				cfg_err(c, k, ip, "a key must be a word, got %s", cfg_got(k, g, sizeof(g)));
				continue;
			}
			const char *key = (const char *)k->data.scalar.value;

			cfg_join(kp, sizeof(kp), ip, key);
			if (strcmp(key, "profile") == 0) {
				const char *s = cfg_scalar(c, val, kp, "a profile name");

				if (s == NULL)
					continue;
				if (!profile_name_ok(s)) {
					cfg_err(c, val, kp,
						"a profile name is lowercase letters, digits and -, got %s",
						cfg_got(val, g, sizeof(g)));
					continue;
				}
				strlcpy_s(p->name, s, sizeof(p->name));
				have_name = true;
			} else if (strcmp(key, "accounts") == 0) {
				struct srm_config tmp = { 0 };

				cfg_accounts(c, val, (char *)&tmp, kp);
				if (tmp.accounts.all) {
					cfg_err(c, val, kp,
						"list the accounts (ids, name globs) the profile is for");
					continue;
				}
				for (size_t s = 0; s < tmp.accounts.n && p->n_sel < CFG_MAX_PROFILE_SEL; s++)
					p->sel[p->n_sel++] = tmp.accounts.v[s];
				have_accounts = p->n_sel > 0;
			} else {
				cfg_unknown_key(c, k, kp, (const struct opt[]){ { .key = "profile" },
									    { .key = "accounts" }, { 0 } });
			}
		}
		if (!have_name || !have_accounts) {
			cfg_err(c, it, ip, "needs profile: NAME and accounts: [ids, name globs]");
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
	cfg_tables_init();
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
			bool in_prof = prof != NULL && cfg_presence_has(&prof->pres, l->off);
			bool in_ov = ov != NULL && cfg_presence_has(&ov->pres, l->off);
			bool in_rules = cfg_presence_has(&cfg->rules_pres, l->off);

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
