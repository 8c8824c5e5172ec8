/* state.h: the engine's state that rules read: accounts, positions, orders, P&L, lockouts. */
#ifndef SRM_ENGINE_STATE_H
#define SRM_ENGINE_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "model/action.h"
#include "model/domain.h"



/* An open position. qty is signed: + long, - short. */
struct pos {
	int64_t id;
	char contract_id[SRM_ID_MAX];
	int qty;
	double avg_price;
	srm_ms opened;          /* engine time the position first appeared */
	uint64_t grew_seq;      /* engine sequence of the last increase: larger = grew later */
	srm_ms grew_at;         /* engine time of the last increase (or the open) */
	uint32_t cs;            /* the engine's slot of the contract (no lookup by string) */
	bool restored;          /* put back from the state file; cleared after its next event */
	bool unvalued_said;     /* the alert that it cannot be valued went out (once) */
	/*
	 * A closing fill and the position event that shows it arrive in either order. Between
	 * them the closed contracts would count twice, in today's realized P&L and in the open
	 * position's unrealized. fills_ahead: contracts closed by fills (counted in realized) that
	 * no position event shows yet, left out of the unrealized; pos_ahead: contracts a position
	 * event took off before their fill came. Both are forgotten POS_AHEAD_MS after ahead_at.
	 */
	int fills_ahead, pos_ahead;
	srm_ms ahead_at;
};

#define POS_AHEAD_MS 5000

/* The contracts of p its unrealized P&L is of now (qty less the closes shown by fills only). */
static inline int pos_open_qty(const struct pos *p, srm_ms now)
{
	int a = now - p->ahead_at <= POS_AHEAD_MS ? p->fills_ahead : 0;
	int n = p->qty < 0 ? -p->qty : p->qty;

	if (a > n)
		a = n;
	return p->qty < 0 ? p->qty + a : p->qty - a;
}

/* A working order (status Open, Pending or Suspended). */
struct ord {
	int64_t id;
	char contract_id[SRM_ID_MAX];
	int status, type, side;
	int size;               /* the order's total size, as the gateway reports it */
	double limit_price, stop_price; /* PX_NULL when absent */
	int fill_volume;        /* of size: what is left is ord_remaining() */
	srm_ms seen;            /* engine time it first appeared */
	uint64_t grew_seq;      /* engine sequence when it appeared or a modify raised what is left */
};

/* One fill counted toward today's P&L and trade counts. */
struct fill_rec {
	int64_t id;
	srm_ms at;              /* fill time (creationTimestamp) */
	money_t pnl;            /* 0 for opening fills */
	money_t fees;
	bool closing;           /* profitAndLoss was present */
	bool voided;
	bool srm;               /* the fill of SRM's own close: P&L, but not a trade of the trader */
};

/* Fill timestamps for rolling windows (most recent hour), sorted ascending. */
#define TC_CAP 1024

struct trade_counter {
	srm_ms *t;              /* grows with the busiest hour, up to TC_CAP */
	size_t n, cap;
	int session;            /* non-voided fills since the last reset */
};

/*
 * Closes SRM asked for on one contract (close, partial close, close all; not dry run) and not
 * yet seen through: the closing fills that answer them are SRM's, not the trader's
 * (docs/DECISIONS.md), and until the position reaches `target` a further close must not
 * ask for what they will still remove. One per contract (a further close adds to it); kept
 * 10 s after the last close, or until the gateway refused it.
 */
struct srm_close {
	char contract_id[SRM_ID_MAX];
	int side;               /* of the closing orders: PX_ASK closes a long */
	int left;               /* closing fills still expected, in contracts */
	int target;             /* the signed position size they aim at (0: flat) */
	bool done;              /* seen through (target reached), outgrown, or its order ended */
	bool recheck;           /* a close was trimmed by it: rules look again when it lapses */
	srm_ms at;              /* engine time of the last close */
};

/*
 * A request of the engine's on the wire (close, partial close, cancel, place or modify a
 * stop): until its EV_ACTION_RESULT, the same request is not asked for again (`again`
 * remembers that it was wanted, so the account is judged again when the answer comes).
 */
struct srm_req {
	int kind;               /* enum act_kind */
	char contract_id[SRM_ID_MAX];
	int64_t order_id;
	int size;
	srm_ms at;
	bool again;
};

struct acct {
	int64_t id;
	char name[SRM_NAME_MAX];
	double balance;
	bool can_trade;
	bool seen;              /* an account event has arrived */
	size_t n_pos, cap_pos;
	struct pos *pos;
	size_t n_ord, cap_ord;
	struct ord *ord;
	money_t realized;       /* sum of profitAndLoss of non-voided fills of today (fills_day) */
	money_t fees;           /* sum of fees of non-voided fills of today */
	srm_ms reset_at;        /* an admin reset of this account today (0: none): fills before it are not today's */
	struct trade_counter tc;
	size_t n_closes, cap_closes;
	struct srm_close *closes;       /* SRM's own closes still expecting their fills */
	size_t n_reqs, cap_reqs;
	struct srm_req *reqs;           /* the engine's requests waiting for their answer */
	int fail_streak;                /* requests refused in a row (the retry backoff) */
	srm_ms retry_at;                /* a retry timer is armed for then (0: none) */
	const struct rules_cfg *rules;  /* effective rules (override or global) */
	void *rstate[RULE_COUNT];       /* each rule's per-account state (rule_def.state_size) */
	uint32_t memory_gen;            /* bumped when a rule's persisted state changes */
	uint8_t warned[RULE_COUNT];     /* warn_at shares already alerted today, per rule */
};

/* A lockout held by the lockout manager. symbol "" = whole account. */
struct lockout {
	uint64_t id;
	int64_t account_id;
	char symbol[SRM_SCOPE_MAX];
	int rule;               /* rule index, -1 admin */
	enum until_kind until;
	srm_ms since;
	srm_ms until_ts;        /* UNTIL_TIME */
	bool flatten;           /* it flattened its scope when it started: it keeps it flat */
	uint64_t call;          /* the engine call that started it (0: restored) */
	char reason[192];
};

/* The last quote of a contract. */
struct quote {
	char contract_id[SRM_ID_MAX];
	double bid, ask, last;  /* PX_NULL when never seen */
	srm_ms at;              /* engine time it was applied */
};

/* A cached contract with its trader symbol ("MNQ") and id root ("MNQ", "EP"). */
struct contract {
	struct px_contract c;
	char symbol[SRM_SYMBOL_MAX];
	char root[SRM_SYMBOL_MAX];
};

#endif
