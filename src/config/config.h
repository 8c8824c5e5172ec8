/* config.h: the typed configuration (SPEC §9) and its loader; key names are the product's interface. */
#ifndef SRM_CONFIG_CONFIG_H
#define SRM_CONFIG_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/schema.h"
#include "model/domain.h"
#include "rules/list.h"

#define CFG_MAX_HOLIDAYS 128
#define CFG_MAX_ARGV 16

/* The alert events (alerts.events); their names are the config's and the JSON's. */
enum alert_event {
	AE_WARN = 0, AE_ENFORCED, AE_ENFORCEMENT_FAILED, AE_LOCKOUT, AE_UNLOCK, AE_GUARD_DEGRADED,
	AE_GUARD_RESTORED, AE_DAEMON_STARTED, AE_DAEMON_STOPPING, AE_END_OF_DAY, AE_COUNT
};
extern const char *const alert_event_names[];
#define CFG_MAX_ACCOUNT_SEL 256

struct cfg_account_sel {
	int64_t id;       /* 0 when glob is used */
	char glob[SRM_NAME_MAX];
};

/* Which keys of the rules a layer of the config set: offsets into struct rules_cfg. */
struct cfg_presence {
	size_t n, cap;
	uint32_t *off;
	uint32_t *line;            /* where in its file (for messages) */
};

struct cfg_override {
	int64_t account_id;
	struct rules_cfg rules; /* the global rules with this account's keys merged in */
	struct cfg_presence pres;  /* the keys this override set */
	struct rules_cfg *held;    /* [n_profiles]: these rules held to each profile (or NULL) */
};

/*
 * A firm's profile (profiles/NAME.yaml): rule blocks that hold the accounts it is picked
 * for to the firm's rules. The trader's own values apply only where they are tighter.
 */
#define CFG_MAX_PROFILES 16
#define CFG_MAX_PROFILE_SEL 32
struct cfg_profile {
	char name[64];
	char path[256];            /* the file it was read from */
	size_t n_sel;
	struct cfg_account_sel sel[CFG_MAX_PROFILE_SEL];  /* the accounts that pick it */
	struct rules_cfg rules;    /* the profile's own blocks (defaults elsewhere) */
	struct cfg_presence pres;  /* the keys the profile set */
	struct rules_cfg held;     /* the global rules held to it */
};

struct srm_config {
	char *path;                 /* file it was loaded from */
	struct {
		char *firm;         /* gateway.firm: whose ProjectX deployment (NULL: topstepx) */
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
	/* alerts: where SRM tells the trader (every channel optional; see docs/ALERTS.md) */
	struct {
		char *webhook_url, *webhook_secret;   /* secret: an HMAC-SHA256 of the body */
		char *ntfy_url, *ntfy_topic, *ntfy_token;
		size_t n_command;
		char *command[CFG_MAX_ARGV];          /* argv, no shell; the alert as JSON on stdin */
		bool desktop;                         /* a notification on the session D-Bus */
		unsigned events;                      /* bit per enum alert_event; 0 = all */
		int per_minute;                       /* per channel; over it alerts are coalesced */
		int64_t guard_after_ms;               /* not guarded this long: guard_degraded */
		char *heartbeat_url;                  /* a dead man's switch, pinged while guarded */
		int64_t heartbeat_ms;
	} alerts;
	/* dashboard: the read-only web page srmd serves (docs/DASHBOARD.md) */
	struct {
		bool enabled;               /* default false */
		char host[64];              /* an IPv4 address or "localhost"; default 127.0.0.1 */
		int port;                   /* default 8750; 0: any free port (tests) */
		bool loopback;              /* host is 127.0.0.0/8 or localhost */
		uint32_t listen_line;       /* where listen was set (0: not set), for messages */
		char *tls_cert, *tls_key;   /* PEM files; both or neither; required off loopback */
		int max_clients;            /* connections at once; default 16 */
	} dashboard;
	struct {
		char *timezone;             /* the trader's zone for the monitor's times; NULL: the system's */
	} display;
	struct rules_cfg rules;
	struct cfg_presence rules_pres;  /* the keys the global `rules:` set */
	size_t n_overrides;
	struct cfg_override *overrides;
	char *profile_dir;               /* daemon.profile_dir: where profiles/NAME.yaml are */
	size_t n_profiles;
	struct cfg_profile *profiles;
};

/* One config problem: "file:line: key.path: what is wrong". */
struct config_diag {
	size_t n;
	char msgs[32][256];
	size_t n_notes;            /* config_load_env(lenient): the unset ${NAME}s, file:line */
	char notes[8][256];
};

/*
 * Load and validate a YAML config file, substituting ${ENV}. On error returns NULL and
 * fills diag with every problem found (file:line: key: message).
 */
struct srm_config *config_load(const char *path, struct config_diag *diag);
/*
 * config_load, and with env_lenient an unset ${NAME} (without :-default) reads as "" and
 * is noted in diag->notes instead of failing: for the CLI, which needs the socket path or
 * the rules, not the daemon's credentials.
 */
struct srm_config *config_load_env(const char *path, struct config_diag *diag, bool env_lenient);
/*
 * The default daemon.socket: $XDG_RUNTIME_DIR/srm.sock, else ~/.local/state/srm/srm.sock
 * (never a directory others may write, where anyone could listen in srmd's place); "" when
 * neither XDG_RUNTIME_DIR nor HOME is set.
 */
void config_default_socket(char *out, size_t cap);
/*
 * A firm's ProjectX URLs (firms.c: "topstepx", "alphaticks", ...): 0, or -1 for a firm
 * not in the table. config_firm_names lists them, comma-separated.
 */
int config_firm_urls(const char *firm, char *api, char *user_hub, char *market_hub, size_t cap);
void config_firm_names(char *buf, size_t cap);

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
/*
 * config_load, and the same bytes redacted as config_redacted does (*yaml, caller frees):
 * what srmd records of the config it runs with. NULL + diag (and *yaml NULL) on error.
 */
struct srm_config *config_load_redacted(const char *path, char **yaml, struct config_diag *diag);
/* config_load_string, with env_lenient as config_load_env (a recorded config's ${NAME}s). */
struct srm_config *config_load_string_env(const char *text, const char *path,
					  struct config_diag *diag, bool env_lenient);

/* Load from a string (path is used in messages only). */
struct srm_config *config_load_string(const char *text, const char *path, struct config_diag *diag);

/* A config with every rule at the documented defaults, enabled as in the example. */
void config_rules_defaults(struct rules_cfg *r);

/*
 * The `rules:` section of config/srm.example.yaml: every rule's block with every key at its
 * default and its help, written from the rules' option tables (the defaults are read back
 * from it). NULL when out of memory; freed by the caller.
 */
char *config_rules_example(void);

void config_free(struct srm_config *cfg);

/*
 * The effective rules for an account: its override (if any) over the global rules, held to
 * the profile the account picks (by id, or by a name glob: name may be NULL while unknown).
 */
const struct rules_cfg *config_rules_for_account(const struct srm_config *cfg, int64_t account_id,
						 const char *name);
/* config_rules_for_account with no name. */
const struct rules_cfg *config_rules_for(const struct srm_config *cfg, int64_t account_id);
/* The profile an account picks (its index in cfg->profiles), or -1. */
int config_profile_for(const struct srm_config *cfg, int64_t account_id, const char *name);
/*
 * The account's effective rules as YAML, each key with where its value comes from (default,
 * rules, override, profile NAME). NULL when out of memory; freed by the caller.
 */
char *config_effective_text(const struct srm_config *cfg, int64_t account_id, const char *name);

/* Does the account (id, name) fall under `accounts:`? */
bool config_account_selected(const struct srm_config *cfg, int64_t id, const char *name);

#endif
