/*
 * schema.h: the option table that describes a block of srm.yaml, and the value types a
 * block may use. One walker (walk.c) parses and validates every block with it; the same
 * table writes the example's lines and comments and, through them, the defaults. A rule
 * declares its own block with it (src/rules/<rule>.c); nothing else knows a rule's keys.
 */
#ifndef SRM_CONFIG_SCHEMA_H
#define SRM_CONFIG_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/domain.h"

/* A lockout setting: none, a duration, until_reset, permanent, until_next_window. */
enum lockout_mode {
	LOCKOUT_NONE = 0,
	LOCKOUT_DURATION,
	LOCKOUT_UNTIL_RESET,
	LOCKOUT_PERMANENT,
	LOCKOUT_UNTIL_NEXT_WINDOW,
};

struct lockout_spec {
	enum lockout_mode mode;
	int64_t duration_ms; /* LOCKOUT_DURATION */
};

/* T_LIMITS: {SYMBOL: limit, ...} */
#define CFG_MAX_SYMBOL_LIMITS 64
struct cfg_symbol_limit {
	char symbol[SRM_SCOPE_MAX];
	int limit;
};

/* T_TIERS: [{loss, cooldown}, ...], sorted by loss */
#define CFG_MAX_TIERS 8
struct cfg_loss_tier {
	money_t loss;
	struct lockout_spec cooldown;
};

/* T_WINDOWS: [{days, start, end}, ...] */
#define CFG_MAX_WINDOWS 16
struct cfg_window {
	unsigned days;      /* bit 0 = sunday .. bit 6 = saturday: the day the window starts */
	int start_min;      /* minutes after local midnight */
	int end_min;        /* end < start: runs past midnight */
};

/* T_FRACTIONS: warn_at: [0.7, 0.9]: shares of a rule's limit (0 < x <= 1, ascending) */
#define CFG_MAX_WARN 4
struct cfg_warn_at {
	size_t n;
	double v[CFG_MAX_WARN];
};

/* T_FRACTION: one share or weight written as a decimal (0.5), kept exactly in millionths */
#define CFG_PPM 1000000

/* T_WEIGHTS: {SYMBOL: weight, ...}: what one contract of the symbol counts as (MES: 0.1) */
#define CFG_MAX_WEIGHTS 64
#define CFG_WEIGHT_MAX_PPM (100 * CFG_PPM)
struct cfg_symbol_weight {
	char symbol[SRM_SCOPE_MAX];
	int ppm;            /* millionths: 0.1 = 100000; 0 < ppm <= CFG_WEIGHT_MAX_PPM */
};

/* T_STEPS: [{above: MONEY, limit: N}, ...]: sorted by above, each limit >= the one before */
#define CFG_MAX_STEPS 16
struct cfg_scale_step {
	money_t above;      /* the profit since the start must be more than this */
	int limit;
};

/* T_GLOBS: [RTY, "M*", ...] */
#define CFG_MAX_BLOCKED 64
#define CFG_GLOB_MAX SRM_SCOPE_MAX

enum opt_type {
	T_MAP,      /* nested mapping: sub-table, base shifted by off */
	T_RULE,     /* a rule block: T_MAP that turns the rule on when present */
	T_BOOL,
	T_INT,      /* int >= min */
	T_MONEY,    /* positive amount -> money_t cents */
	T_DURATION, /* "90s" -> int64_t ms >= min */
	T_LOCKOUT,  /* struct lockout_spec; min = 1 allows until_next_window */
	T_ENUM,     /* int index into names */
	T_HHMM,     /* int minutes; min = 1: null/none -> -1 */
	T_STR,      /* char *; min = 1: required non-empty; names: allowed words */
	T_PATH,     /* T_STR with ~ expanded to $HOME */
	T_SECRET,   /* T_STR never echoed in a message */
	/* Lists: the count (size_t) at off, the items at off2; a given list replaces the old. */
	T_LIMITS,   /* struct cfg_symbol_limit[CFG_MAX_SYMBOL_LIMITS] */
	T_TIERS,    /* struct cfg_loss_tier[CFG_MAX_TIERS] */
	T_WINDOWS,  /* struct cfg_window[CFG_MAX_WINDOWS] */
	T_GLOBS,    /* char [CFG_MAX_BLOCKED][CFG_GLOB_MAX], exact or glob, case-insensitive */
	T_FRACTIONS, /* struct cfg_warn_at at off */
	T_WEIGHTS,  /* struct cfg_symbol_weight[CFG_MAX_WEIGHTS] */
	T_STEPS,    /* struct cfg_scale_step[CFG_MAX_STEPS] */
	T_FRACTION, /* int millionths, min <= v <= max (0.5 -> 500000) */
	T_DATE,     /* int32_t days since 1970-01-01 of "YYYY-MM-DD"; ~ -> 0 (none) */
	T_CUSTOM,   /* fn parses the node (the loader's own keys: accounts, overrides, ...) */
};

/*
 * Which way a value is safer, for a firm's profile: the trader may set it only that way
 * (a lower limit, a longer lockout, a check turned on). NONE: the profile's value is used
 * unless the account's own override sets it.
 */
enum opt_safer {
	SAFER_NONE = 0,
	SAFER_LOWER,        /* T_INT, T_MONEY, T_DURATION, T_FRACTION: a smaller number; T_STEPS:
			     * no step allows more at any profit */
	SAFER_HEAVIER,      /* T_WEIGHTS: no symbol counts less (an absent symbol counts 1) */
	SAFER_LOWER_ON,     /* T_INT where 0 is off: a smaller number, but not 0 */
	SAFER_HIGHER,       /* a larger number (a buffer) */
	SAFER_TRUE,         /* T_BOOL: on */
	SAFER_LONGER,       /* T_LOCKOUT: a longer lockout */
};

struct cfg_walk;
struct yaml_node_s;
struct opt;
typedef void (*cfg_custom_fn)(struct cfg_walk *c, struct yaml_node_s *n, char *dst, const char *path);

struct opt {
	const char *key;
	enum opt_type type;
	size_t off;
	size_t off2;                 /* list types: the items */
	int min;
	int max;                     /* T_INT: the largest allowed (0: no bound of its own) */
	bool zero_ok;                /* T_MONEY: 0 and ~ (none) are allowed, as 0 */
	enum opt_safer safer;        /* for a firm's profile (see enum opt_safer) */
	bool req;
	const char *const *names;
	const struct opt *sub;
	cfg_custom_fn fn;
	/*
	 * The value the key has when it is not given, as YAML text ("4", "none", "[RTY]"); it
	 * is also the value the example shows. NULL: no default written (the loader's own keys).
	 */
	const char *def;
	/* The example's comment for the key; the default is added to it. */
	const char *help;
	/* Not written in the example (documented once for every block, e.g. dry_run). */
	bool quiet;
};

/* NOLINTBEGIN(bugprone-macro-parentheses): member names and designated initializers */
#define CFG_OPT(k, t, T, f, ...) { .key = k, .type = t, .off = offsetof(T, f), __VA_ARGS__ }
#define CFG_LIST(k, t, T, n, v, ...)                                                          \
	{ .key = k, .type = t, .off = offsetof(T, n), .off2 = offsetof(T, v), __VA_ARGS__ }
/* Every rule block starts with `bool enabled, dry_run; struct cfg_warn_at warn_at`. */
#define CFG_RULE_COMMON(T, on, why)                                                           \
	{ .key = "enabled", .type = T_BOOL, .off = offsetof(T, enabled), .def = on,           \
	  .help = why, .safer = SAFER_TRUE },                                                 \
	{ .key = "dry_run", .type = T_BOOL, .off = offsetof(T, dry_run), .def = "false",      \
	  .quiet = true },                                                                    \
	{ .key = "warn_at", .type = T_FRACTIONS, .off = offsetof(T, warn_at), .def = "[]",    \
	  .quiet = true }
/* NOLINTEND(bugprone-macro-parentheses) */

#endif
