/* action.h: the enforcement vocabulary the engine produces, each action with its why. */
#ifndef SRM_MODEL_ACTION_H
#define SRM_MODEL_ACTION_H

#include <stddef.h>

#include "model/domain.h"

enum act_kind {
	ACT_CLOSE_ALL = 0,  /* close every open position of the account */
	ACT_CLOSE_CONTRACT, /* Position/closeContract */
	ACT_PARTIAL_CLOSE,  /* Position/partialCloseContract, size = contracts to close */
	ACT_CANCEL_ORDER,   /* Order/cancel */
	ACT_CANCEL_ALL,     /* cancel every working order of the account */
	ACT_PLACE_STOP,     /* Order/place type Stop: side, size, stop_price */
	ACT_MODIFY_STOP,    /* Order/modify of order_id to stop_price */
	ACT_LOCKOUT,        /* a lockout starts (symbol "" = whole account) */
	ACT_UNLOCK,         /* a lockout ended */
	ACT_ALERT,          /* tell the trader/desk; nothing is sent to the gateway */
	ACT_KIND_COUNT
};

/* How long a lockout lasts. */
enum until_kind {
	UNTIL_NONE = 0,     /* no lockout */
	UNTIL_TIME,         /* until a point in time (durations, next session window) */
	UNTIL_RESET,        /* until the next daily reset */
	UNTIL_PERMANENT,    /* until an admin clears it (also auth_loss_guard: until canTrade) */
};

struct srm_action {
	enum act_kind kind;
	int rule;                       /* rule index 0..11 (RULE-001 is 0); -1: engine/admin */
	srm_ms ts;                      /* engine time the action was decided */
	int64_t account_id;
	char contract_id[SRM_ID_MAX];   /* "" when not about one contract */
	char symbol[SRM_SCOPE_MAX];     /* lockout/unlock: locked symbol, "" = whole account */
	int64_t order_id;               /* 0 when none */
	int size;                       /* partial close / place stop size; 0 when none */
	int side;                       /* place stop: enum px_side */
	double stop_price;              /* place/modify stop; PX_NULL when none */
	enum until_kind until;          /* lockout: how long */
	srm_ms until_ts;                /* lockout with UNTIL_TIME: end */
	bool dry_run;                   /* journal and show, do not send */
	char reason[192];               /* why, with the numbers: "realized -512.50 reached -500.00" */
};

/* "close_all", "close_contract", ... as in `srm replay` output. */
const char *act_kind_name(enum act_kind k);
/* The kind of a name act_kind_name gives; -1 when unknown. */
int act_kind_parse(const char *name);

/* Cents as "-412.50" into buf (at least 24 bytes); returns buf. */
const char *money_str(money_t m, char *buf);

#endif
