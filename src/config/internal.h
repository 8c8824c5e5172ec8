/*
 * internal.h: what the loader's files share, private to src/config/ (never included from
 * outside it): the walk's state (struct cfg_walk) and the cfg_ functions of its layers:
 * walk.c (diagnostics, scalars, the table-driven walker), values.c (the parsers of particular
 * value types and keys), schema.c (the option tables, cross-key checks, the example and the
 * defaults), profiles.c (overrides and profiles) and config.c (loading a file or a string).
 * Errors: what reads the document records each problem with cfg_err (file:line: key: message)
 * and goes on, so a config is told every problem it has, not the first; the parsers of one
 * scalar (cfg_parse_*) return 0 or -1 and leave the message to their caller.
 */
#ifndef SRM_CONFIG_INTERNAL_H
#define SRM_CONFIG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <yaml.h>

#include "config/config.h"

#define CFG_FILE_MAX (1024 * 1024)
#define CFG_VALUE_MAX 4096
#define CFG_PATH_MAX 192
#define CFG_GOT_MAX 48

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

/* ---- walk.c: diagnostics -------------------------------------------------------------- */

/* Record a message as it is (the diag full: counted in c->extra). */
void cfg_add_msg(struct cfg_walk *c, const char *msg);
/* Record "FILE:LINE: path: message" (n NULL: no line; path empty: no key). */
void cfg_err(struct cfg_walk *c, const yaml_node_t *n, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* A short description of a node for "got X": the scalar text, "a list" or "a mapping". */
const char *cfg_got(const yaml_node_t *n, char *buf, size_t cap);
/* Count a node visited; false (said once) past the budget (aliases can multiply nodes). */
bool cfg_budget(struct cfg_walk *c, yaml_node_t *n);
/* "unknown key", with "did you mean X?" when a key of tab is close. */
void cfg_unknown_key(struct cfg_walk *c, const yaml_node_t *k, const char *path,
		     const struct opt *tab);

/* ---- walk.c: scalars ------------------------------------------------------------------ */

/* Is the node a plain null ("", ~, null)? */
bool cfg_is_null(const yaml_node_t *n);
/* May ch be in an environment variable's name (first: its first character)? */
bool cfg_env_name_char(char ch, bool first);
/*
 * Substitute ${NAME} and ${NAME:-default} in s; "$${" is a literal "${". 0, or -1 with why
 * (an undefined variable names itself there). With unset non-NULL an undefined variable
 * reads as "" and its name goes there (the first one).
 */
int cfg_env_subst(const char *s, char *out, size_t cap, char *why, size_t why_cap,
		  char *unset, size_t unset_cap);
/* The text of a scalar node, ${ENV} substituted, in c->val; NULL (reported) otherwise. */
const char *cfg_scalar(struct cfg_walk *c, yaml_node_t *n, const char *path, const char *expect);
/* An integer from min to INT_MAX: 0, or -1. */
int cfg_parse_int(const char *s, int min, int *out);
/* A decimal ("0.5") in millionths, exactly, at most max_ppm: 0, or -1. */
int cfg_parse_ppm(const char *s, long max_ppm, int *out);
/* The index of s in a NULL-ended list of names (any case), or -1. */
int cfg_enum_index(const char *const *names, const char *s);
/* The names, comma-separated, for messages. */
void cfg_names_list(const char *const *names, char *buf, size_t cap);
/* Expand a leading "~/" (or a lone "~") to $HOME; -1 when HOME is unset. */
int cfg_expand_home(const char *s, char *out, size_t cap);
/* Replace a string option's value (v NULL: none). */
void cfg_set_str(char **dst, const char *v);

/* ---- walk.c: the walker --------------------------------------------------------------- */

/* The node of an id in the document being walked (NULL: none). */
yaml_node_t *cfg_node(struct cfg_walk *c, int id);
/* A key path for messages; a path too long for buf is cut (it is only shown). */
void cfg_pathf(char *buf, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* path.key into buf. */
void cfg_join(char *buf, size_t cap, const char *path, const char *key);
/* The option of a table with this key, or NULL. */
const struct opt *cfg_find_opt(const struct opt *tab, const char *key);
/* Walk a mapping against an option table: unknown, duplicate and missing required keys. */
void cfg_walk_map(struct cfg_walk *c, yaml_node_t *map, const struct opt *tab, char *base,
		  const char *path);
/* The line a layer set the key at, 0 when it did not. */
uint32_t cfg_presence_line(const struct cfg_presence *p, uint32_t off);
/* Did the layer set the key at off (in struct rules_cfg)? */
bool cfg_presence_has(const struct cfg_presence *p, uint32_t off);
/* Check a node is a list of at most max items; returns the count or -1 (reported). */
long cfg_seq_items(struct cfg_walk *c, yaml_node_t *v, const char *path, size_t max,
		   const char *what);
/* Item i of a list node (NULL: none). */
yaml_node_t *cfg_seq_item(struct cfg_walk *c, yaml_node_t *v, long i);

/* ---- values.c: the list types the walker hands over ----------------------------------- */

/* T_LIMITS: {SYMBOL: limit, ...}. */
void cfg_limits(struct cfg_walk *c, yaml_node_t *v, size_t *n_limits,
		struct cfg_symbol_limit *limits, const char *path);
/* T_TIERS: [{loss, cooldown}, ...], kept sorted by loss. */
void cfg_tiers(struct cfg_walk *c, yaml_node_t *v, size_t *n_tiers, struct cfg_loss_tier *tiers,
	       const char *path);
/* T_WINDOWS: [{days, start, end}, ...]. */
void cfg_windows(struct cfg_walk *c, yaml_node_t *v, size_t *n_windows, struct cfg_window *windows,
		 const char *path);
/* T_GLOBS: [RTY, "M*", ...] (exact or glob). */
void cfg_symbols(struct cfg_walk *c, yaml_node_t *v, size_t *n_symbols,
		 char (*symbols)[CFG_GLOB_MAX], const char *path);
/* T_FRACTIONS: [0.7, 0.9]: shares of the rule's limit, each in (0, 1], ascending. */
void cfg_fractions(struct cfg_walk *c, yaml_node_t *v, struct cfg_warn_at *w, const char *path);
/* T_WEIGHTS: {SYMBOL: weight, ...} (0 < weight <= 100, six decimals at most). */
void cfg_weights(struct cfg_walk *c, yaml_node_t *v, size_t *n_weights,
		 struct cfg_symbol_weight *weights, const char *path);
/* T_STEPS: [{above, limit}, ...]: above rising, limits never falling. */
void cfg_steps(struct cfg_walk *c, yaml_node_t *v, size_t *n_steps, struct cfg_scale_step *steps,
	       const char *path);

/* ---- values.c: the loader's own keys (T_CUSTOM, cfg_custom_fn) ------------------------ */

/* daemon.holidays: ["YYYY-MM-DD", ...] (dst: the struct srm_config). */
void cfg_holidays(struct cfg_walk *c, yaml_node_t *v, char *dst, const char *path);
/* daemon.timezone, display.timezone: an IANA zone that must exist on this system. */
void cfg_timezone(struct cfg_walk *c, yaml_node_t *v, char *dst, const char *path);
/* accounts: all | [12345, "50KTC-*", ...] (dst: a struct srm_config). */
void cfg_accounts(struct cfg_walk *c, yaml_node_t *v, char *dst, const char *path);
/* overrides: kept in c->overrides, parsed once the global rules are known. */
void cfg_overrides(struct cfg_walk *c, yaml_node_t *v, char *dst, const char *path);
/* profiles: kept in c->profiles, parsed after the overrides. */
void cfg_profiles(struct cfg_walk *c, yaml_node_t *v, char *dst, const char *path);
/* alerts.command: [program, arg, ...] (no shell). */
void cfg_argv(struct cfg_walk *c, yaml_node_t *v, char *dst, const char *path);
/* alerts.events: [lockout, enforced, ...]; all when absent. */
void cfg_events(struct cfg_walk *c, yaml_node_t *v, char *dst, const char *path);
/* dashboard.listen: "HOST:PORT", HOST an IPv4 address or localhost. */
void cfg_listen(struct cfg_walk *c, yaml_node_t *v, char *dst, const char *path);
/* An account id: digits, positive: 0, or -1. */
int cfg_parse_id(const char *s, int64_t *id);

/* ---- schema.c: the option tables, the checks across keys, the defaults ---------------- */

/* `rules:`: every rule's block, from the rule table (built by cfg_tables_init). */
extern struct opt cfg_rules_opts[RULE_COUNT + 1];
/* The top level of srm.yaml. */
extern const struct opt cfg_top_opts[];
/* One account's override: {rules: ...}. */
extern const struct opt cfg_override_opts[];
/* Build the tables made at run time, once (any thread); before any use of them. */
void cfg_tables_init(void);
/* dashboard: TLS needs both files; a listen address off loopback needs TLS (fail closed). */
void cfg_check_dashboard(struct cfg_walk *c, struct srm_config *cfg);
/* gateway.firm: the URLs not given explicitly come from the firm's deployment. */
void cfg_firm_urls(struct cfg_walk *c, struct srm_config *cfg);
/* Every value a file does not give (path: where it is from); rule blocks disabled. */
void cfg_set_defaults(struct srm_config *cfg, const char *path);

/* ---- profiles.c: the rules of an account's layers ------------------------------------- */

/* overrides: {"ID": {rules: {...}}}: each starts from the global rules, its keys merged in. */
void cfg_parse_overrides(struct cfg_walk *c, struct srm_config *cfg);
/* profiles: [{profile: NAME, accounts: [...]}]: load each, hold the rules to it. */
void cfg_parse_profiles(struct cfg_walk *c, struct srm_config *cfg);

/* ---- config.c: loading ---------------------------------------------------------------- */

/* Refuse what the loader must never half-read (deep nesting, a second document): 0, or -1. */
int cfg_prescan(struct cfg_walk *c, const char *buf, size_t len);

#endif
