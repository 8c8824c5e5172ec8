/* event.h: what the engine consumes: one gateway event, a timer expiry, or an admin command. */
#ifndef SRM_MODEL_EVENT_H
#define SRM_MODEL_EVENT_H

#include "model/domain.h"

enum ev_kind {
	EV_ACCOUNT = 0,  /* GatewayUserAccount / Account/search row */
	EV_ORDER,        /* GatewayUserOrder / Order/searchOpen row */
	EV_POSITION,     /* GatewayUserPosition / Position/searchOpen row */
	EV_TRADE,        /* GatewayUserTrade / Trade/search row */
	EV_QUOTE,        /* GatewayQuote */
	EV_CONTRACT,     /* Contract/searchById result */
	EV_TIMER,        /* a deadline fired (made by engine_advance only) */
	EV_ACTION_RESULT, /* the gateway's answer to one of the engine's requests (the executor) */
	EV_RECHECK,      /* judge an account's whole state again (after a reconcile; retries) */
	EV_CONTRACT_MISSING, /* the gateway does not know a contract (Contract/searchById) */
	EV_ADMIN_LOCKOUT, /* an admin locks an account out (flattening it) */
	EV_ADMIN_CLEAR,  /* an admin clears every lockout of an account */
	EV_ADMIN_RESET,  /* an admin runs the daily reset now (one account, or 0: all) */
	EV_ADMIN_ENFORCE, /* an admin runs one rule now for an account */
	EV_CONFIG,       /* a new config: srmd's reload (SIGHUP, srm admin config reload) */
	EV_KIND_COUNT
};

#define EVM(k) (1u << (k))
#define EVM_ACCOUNT EVM(EV_ACCOUNT)
#define EVM_ORDER EVM(EV_ORDER)
#define EVM_POSITION EVM(EV_POSITION)
#define EVM_TRADE EVM(EV_TRADE)
#define EVM_QUOTE EVM(EV_QUOTE)
#define EVM_CONTRACT EVM(EV_CONTRACT)
#define EVM_TIMER EVM(EV_TIMER)
#define EVM_ACTION_RESULT EVM(EV_ACTION_RESULT)
#define EVM_RECHECK EVM(EV_RECHECK)

/* A timer that fired: which rule set it, for which account, with the rule's own key. */
struct ev_timer {
	int rule;               /* rule index (0..RULE_COUNT-1), or -1 for the engine's own */
	int64_t account_id;
	int64_t key;            /* rule-defined (e.g. a position id) */
	char contract_id[SRM_ID_MAX];
};

/* How the gateway answered a request (after the REST client's own retries). */
enum act_outcome {
	OUTCOME_OK = 0,     /* done */
	OUTCOME_GONE,       /* nothing to do any more (already flat, order already gone) */
	OUTCOME_FAILED,     /* refused or not answered: the engine tries again while the breach holds */
};

/* EV_ACTION_RESULT: which request (its kind and target, as the engine emitted it), how it went. */
struct ev_result {
	int64_t account_id;
	int kind;               /* enum act_kind: close_contract, partial_close, cancel_order, ... */
	char contract_id[SRM_ID_MAX];
	int64_t order_id;
	int size;
	int outcome;            /* enum act_outcome */
};

/* EV_RECHECK: every rule and the lockout guard look at this account's state again. */
struct ev_recheck {
	int64_t account_id;
};

/* EV_CONTRACT_MISSING: a contract id the gateway answered ContractNotFound for. */
struct ev_missing {
	char contract_id[SRM_ID_MAX];
};

/* EV_ADMIN_*: what an admin asked (srm admin ...), as the daemon's command handlers decoded it. */
struct ev_admin {
	int64_t account_id;     /* 0 with EV_ADMIN_RESET: every account */
	int until;              /* EV_ADMIN_LOCKOUT: enum until_kind (UNTIL_TIME/RESET/PERMANENT) */
	srm_ms until_ts;        /* with UNTIL_TIME */
	int rule;               /* EV_ADMIN_ENFORCE: rule index */
	bool dry_run;           /* EV_ADMIN_ENFORCE */
	char reason[160];       /* EV_ADMIN_LOCKOUT */
};

/*
 * EV_CONFIG: the config (and its time zone) the engine judges by from the event on; with
 * judge every account is judged again at once under it (srmd: when guarding; before that
 * the reconcile's rechecks do it). The sender keeps both alive until the next
 * EV_CONFIG or engine_free. yaml: the file as it was read, secrets redacted (what --record
 * writes and `srm replay` loads back; NULL when there is none).
 */
struct srm_config;
struct tz;
struct ev_config {
	const struct srm_config *cfg;
	const struct tz *zone;
	const char *yaml;
	const char *path;       /* the file it came from (messages, profile lookup) */
	bool judge;
};

struct srm_event {
	enum ev_kind kind;
	union {
		struct px_account account;
		struct px_order order;
		struct px_position position;
		struct px_trade trade;
		struct px_quote quote;
		struct px_contract contract;
		struct ev_timer timer;
		struct ev_result result;
		struct ev_recheck recheck;
		struct ev_missing missing;
		struct ev_admin admin;
		struct ev_config config;
	} u;
};

/* Name of an event kind ("GatewayUserTrade", ...). */
const char *ev_kind_name(enum ev_kind k);
/* The account an event is about (0: none, or every account: quotes, contracts, an admin reset of all). */
int64_t ev_account_id(const struct srm_event *ev);

#endif
