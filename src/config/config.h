/* config.h: the typed configuration (SPEC §9) and its loader; key names are the product's interface. */
#ifndef SRM_CONFIG_CONFIG_H
#define SRM_CONFIG_CONFIG_H

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

enum count_mode { COUNT_NET = 0, COUNT_GROSS };
enum scope_mode { SCOPE_POSITION = 0, SCOPE_ACCOUNT };
/* max_contracts.action / max_contracts_per_instrument.action */
enum size_action { SIZE_CLOSE_ALL = 0, SIZE_REDUCE_TO_LIMIT };
/* no_stop_loss_grace.action */
enum grace_action { GRACE_CLOSE_POSITION = 0, GRACE_PLACE_STOP };
/* max_contracts_per_instrument.unknown_symbol: contract not in the cache */
enum unknown_symbol_mode { UNKNOWN_BLOCK = 0, UNKNOWN_ALLOW };

#define CFG_MAX_SYMBOL_LIMITS 64
#define CFG_MAX_TIERS 8
#define CFG_MAX_WINDOWS 16
#define CFG_MAX_BLOCKED 64
#define CFG_MAX_HOLIDAYS 128
#define CFG_MAX_ACCOUNT_SEL 256

/* RULE-001 */
struct cfg_max_contracts {
	bool enabled, dry_run;
	int limit;
	enum count_mode count;
	enum size_action action;
	struct lockout_spec lockout;
};

struct cfg_symbol_limit {
	char symbol[SRM_SYMBOL_MAX];
	int limit;
};

/* RULE-002 */
struct cfg_max_contracts_per_instrument {
	bool enabled, dry_run;
	size_t n_limits;
	struct cfg_symbol_limit limits[CFG_MAX_SYMBOL_LIMITS];
	int default_limit;
	enum unknown_symbol_mode unknown_symbol;
	enum size_action action;
	struct lockout_spec lockout;
};

/* RULE-003 */
struct cfg_daily_realized_loss {
	bool enabled, dry_run;
	money_t loss_limit; /* positive, cents */
	bool include_unrealized;
	bool include_fees;
	struct lockout_spec lockout;
};

/* RULE-004 */
struct cfg_daily_unrealized_loss {
	bool enabled, dry_run;
	money_t loss_limit;
	enum scope_mode scope;
	struct lockout_spec lockout;
};

/* RULE-005 */
struct cfg_max_unrealized_profit {
	bool enabled, dry_run;
	money_t target;
	enum scope_mode scope;
	struct lockout_spec lockout;
};

/* RULE-006: a limit of 0 is off for that window. */
struct cfg_trade_frequency_limit {
	bool enabled, dry_run;
	int per_minute, per_hour, per_session;
	struct lockout_spec cooldown_minute, cooldown_hour, cooldown_session;
};

struct cfg_loss_tier {
	money_t loss;
	struct lockout_spec cooldown;
};

/* RULE-007 */
struct cfg_cooldown_after_loss {
	bool enabled, dry_run;
	size_t n_tiers;
	struct cfg_loss_tier tiers[CFG_MAX_TIERS];
	int consecutive_count; /* 0: off */
	struct lockout_spec consecutive_cooldown;
};

/* RULE-008 */
struct cfg_no_stop_loss_grace {
	bool enabled, dry_run;
	int64_t grace_ms;
	enum grace_action action;
};

struct cfg_window {
	unsigned days;      /* bit 0 = sunday .. bit 6 = saturday: the day the window starts */
	int start_min;      /* minutes after local midnight */
	int end_min;        /* end < start: runs past midnight */
};

/* RULE-009 */
struct cfg_session_block_outside {
	bool enabled, dry_run;
	size_t n_windows;
	struct cfg_window windows[CFG_MAX_WINDOWS];
	int flatten_at_min; /* -1: none */
	struct lockout_spec lockout;
};

/* RULE-010 */
struct cfg_auth_loss_guard {
	bool enabled, dry_run;
	bool flatten;
	bool auto_clear;
};

/* RULE-011 */
struct cfg_symbol_blocks {
	bool enabled, dry_run;
	size_t n_symbols;
	char symbols[CFG_MAX_BLOCKED][SRM_SYMBOL_MAX * 2]; /* exact or glob, case-insensitive */
	bool close_existing;
};

/* RULE-012 */
struct cfg_trade_management {
	bool enabled, dry_run;
	bool auto_stop_enabled;
	int stop_ticks;
	bool breakeven_enabled;
	int trigger_ticks, offset_ticks;
	bool trailing_enabled;
	int activation_ticks, distance_ticks;
};

/* The twelve rule blocks; an absent block is disabled. */
struct rules_cfg {
	struct cfg_max_contracts max_contracts;
	struct cfg_max_contracts_per_instrument max_contracts_per_instrument;
	struct cfg_daily_realized_loss daily_realized_loss;
	struct cfg_daily_unrealized_loss daily_unrealized_loss;
	struct cfg_max_unrealized_profit max_unrealized_profit;
	struct cfg_trade_frequency_limit trade_frequency_limit;
	struct cfg_cooldown_after_loss cooldown_after_loss;
	struct cfg_no_stop_loss_grace no_stop_loss_grace;
	struct cfg_session_block_outside session_block_outside;
	struct cfg_auth_loss_guard auth_loss_guard;
	struct cfg_symbol_blocks symbol_blocks;
	struct cfg_trade_management trade_management;
};

struct cfg_account_sel {
	int64_t id;       /* 0 when glob is used */
	char glob[SRM_NAME_MAX];
};

struct cfg_override {
	int64_t account_id;
	struct rules_cfg rules; /* the global rules with this account's keys merged in */
};

struct srm_config {
	char *path;                 /* file it was loaded from */
	struct {
		char *api_url, *user_hub_url, *market_hub_url;
		char *username;
		char *api_key;      /* secret: never log it */
		char *ca_file;      /* NULL when absent */
	} gateway;
	struct {
		bool all;
		size_t n;
		struct cfg_account_sel v[CFG_MAX_ACCOUNT_SEL];
	} accounts;
	struct {
		char *state_dir, *socket, *log_level, *timezone;
		int reset_min;              /* minutes after local midnight (17:00 = 1020) */
		size_t n_holidays;
		int32_t holidays[CFG_MAX_HOLIDAYS]; /* days since 1970-01-01 (local dates) */
		bool dry_run;
		int64_t quote_max_age_ms;   /* a quote older than this does not drive profit rules */
	} daemon;
	struct {
		char *password_hash;        /* NULL when absent */
	} admin;
	struct rules_cfg rules;
	size_t n_overrides;
	struct cfg_override *overrides;
};

/* One config problem: "file:line: key.path: what is wrong". */
struct config_diag {
	size_t n;
	char msgs[32][256];
};

/*
 * Load and validate a YAML config file, substituting ${ENV}. On error returns NULL and
 * fills diag with every problem found (file:line: key: message).
 */
struct srm_config *config_load(const char *path, struct config_diag *diag);
/*
 * The default daemon.socket: $XDG_RUNTIME_DIR/srm.sock, else ~/.local/state/srm/srm.sock
 * (never a directory others may write, where anyone could listen in srmd's place); "" when
 * neither XDG_RUNTIME_DIR nor HOME is set.
 */
void config_default_socket(char *out, size_t cap);
/* The system service's user: the CLI also trusts a socket it owns. */
#define SRM_DAEMON_USER "srm"

/*
 * The config file's text with the value of every secret key (T_SECRET in the schema:
 * api_key, password_hash, ...) replaced by "***", found in the parsed YAML whatever the
 * spelling (quoted keys, spaces, block scalars, flow mappings, anchors and merge keys); a
 * value that only names ${AN_ENV_VAR} is shown. Lines stay where they were. A file that does
 * not parse is refused (its secrets could not be found). *out is freed by the caller.
 */
int config_redacted(const char *path, char **out, struct config_diag *diag);

/* Load from a string (path is used in messages only). */
struct srm_config *config_load_string(const char *text, const char *path, struct config_diag *diag);

/* A config with every rule at the documented defaults, enabled as in the example. */
void config_rules_defaults(struct rules_cfg *r);

void config_free(struct srm_config *cfg);

/* The effective rules for an account: its override if any, else the global rules. */
const struct rules_cfg *config_rules_for(const struct srm_config *cfg, int64_t account_id);

/* Does the account (id, name) fall under `accounts:`? */
bool config_account_selected(const struct srm_config *cfg, int64_t id, const char *name);

#endif
