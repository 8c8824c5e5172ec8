/* event.h: what the engine consumes: one gateway event, a timer expiry, or an admin command. */
#ifndef SRM_ENGINE_EVENT_H
#define SRM_ENGINE_EVENT_H

#include "engine/domain.h"

enum ev_kind {
	EV_ACCOUNT = 0,  /* GatewayUserAccount / Account/search row */
	EV_ORDER,        /* GatewayUserOrder / Order/searchOpen row */
	EV_POSITION,     /* GatewayUserPosition / Position/searchOpen row */
	EV_TRADE,        /* GatewayUserTrade / Trade/search row */
	EV_QUOTE,        /* GatewayQuote */
	EV_CONTRACT,     /* Contract/searchById result */
	EV_TIMER,        /* a deadline fired (made by engine_advance only) */
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

/* A timer that fired: which rule set it, for which account, with the rule's own key. */
struct ev_timer {
	int rule;               /* rule index (0..RULE_COUNT-1), or -1 for the engine's own */
	int64_t account_id;
	int64_t key;            /* rule-defined (e.g. a position id) */
	char contract_id[SRM_ID_MAX];
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
	} u;
};

/* Name of an event kind ("GatewayUserTrade", ...). */
const char *ev_kind_name(enum ev_kind k);

#endif
