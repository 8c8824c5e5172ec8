/* domain.h: the gateway's objects as typed structs (ProjectX models, see shared/projectx-api.md). */
#ifndef SRM_MODEL_DOMAIN_H
#define SRM_MODEL_DOMAIN_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>

/* Engine time: milliseconds since the Unix epoch, UTC. */
typedef int64_t srm_ms;

/*
 * How far the gateway's clock may run ahead of ours: a fill stamped up to this far after the
 * engine's now is taken as "now" (RULE-006 counts it; one stamped past the daily reset makes
 * the reset happen first, that much early).
 */
#define SRM_CLOCK_SKEW_MS 5000

/* Money in account currency, in cents (exact sums; limits compare exactly). */
typedef int64_t money_t;

/*
 * Ranges at the door: what the gateway, a replay file, the state file or a config may say.
 * Anything outside is refused where it comes in (wire, store, config, CLI), so no
 * arithmetic inside can overflow on it; money also saturates at MONEY_MAX (a profit never
 * wraps into a loss).
 */
#define PX_SIZE_MAX 100000          /* contracts in one order, position or fill */
#define PX_PRICE_MAX 1e9            /* |a price| */
#define PX_TICK_SIZE_MIN 1e-9
#define PX_TICK_SIZE_MAX 1e6
#define PX_TICK_VALUE_MAX 1e7       /* one tick of one contract, in money */
#define PX_MONEY_MAX 1e12           /* |a balance, a P&L, fees| in money (not cents) */
#define SRM_TIME_MIN 946684800000LL   /* 2000-01-01T00:00:00Z */
#define SRM_TIME_MAX 4102444800000LL  /* 2100-01-01T00:00:00Z */
#define MONEY_MAX ((money_t)100000000000000000LL) /* 1e17 cents: sums saturate here */

/* Clamp cents to [-MONEY_MAX, MONEY_MAX]. */
static inline money_t money_clamp(money_t v)
{
	return v > MONEY_MAX ? MONEY_MAX : v < -MONEY_MAX ? -MONEY_MAX : v;
}

/* Convert a decimal (money) to cents, rounding to nearest; saturates, NaN is 0. */
static inline money_t money_from_double(double v)
{
	double c = v * 100.0;

	if (c != c)
		return 0;
	if (c >= (double)MONEY_MAX)
		return MONEY_MAX;
	if (c <= -(double)MONEY_MAX)
		return -MONEY_MAX;
	return (money_t)llround(c);
}

/* a + b, saturating at +-MONEY_MAX (never wraps). */
static inline money_t money_add(money_t a, money_t b)
{
	return money_clamp(money_clamp(a) + money_clamp(b));
}

#define SRM_ID_MAX 64    /* contract ids, symbol ids: "CON.F.US.MNQ.U25" */
#define SRM_NAME_MAX 96  /* account names, contract names/descriptions */
#define SRM_TAG_MAX 128  /* customTag */
#define SRM_SYMBOL_MAX 16 /* trader symbol: "MNQ", "ES" */
/* what a symbol lockout covers: a symbol, a contract or a glob from the config ("CON.F.US.RTY.*") */
#define SRM_SCOPE_MAX 32

/* Absent nullable decimals are NAN. */
#define PX_NULL NAN

/* OrderSide (API reference §9). */
enum px_side { PX_BID = 0, PX_ASK = 1 };

/* OrderType (API reference §9). */
enum px_order_type {
	PX_OT_UNKNOWN = 0,
	PX_OT_LIMIT = 1,
	PX_OT_MARKET = 2,
	PX_OT_STOP_LIMIT = 3,
	PX_OT_STOP = 4,
	PX_OT_TRAILING_STOP = 5,
	PX_OT_JOIN_BID = 6,
	PX_OT_JOIN_ASK = 7,
};

/* OrderStatus (API reference §9). */
enum px_order_status {
	PX_OS_NONE = 0,
	PX_OS_OPEN = 1,
	PX_OS_FILLED = 2,
	PX_OS_CANCELLED = 3,
	PX_OS_EXPIRED = 4,
	PX_OS_REJECTED = 5,
	PX_OS_PENDING = 6,
	PX_OS_PENDING_CANCEL = 7,
	PX_OS_SUSPENDED = 8,
	/*
	 * A status this build does not know (a value the reference does not list): kept and
	 * treated as working exposure, never as gone (fail closed); the decoder flags it.
	 */
	PX_OS_OTHER = 99,
};

/* PositionType (API reference §9). */
enum px_position_type { PX_PT_UNDEFINED = 0, PX_PT_LONG = 1, PX_PT_SHORT = 2 };

/* TradingAccountModel / GatewayUserAccount. */
struct px_account {
	int64_t id;
	char name[SRM_NAME_MAX];
	double balance;
	bool can_trade;
	bool is_visible;
	bool simulated;
};

/* OrderModel / GatewayUserOrder. */
struct px_order {
	int64_t id;
	int64_t account_id;
	char contract_id[SRM_ID_MAX];
	char symbol_id[SRM_ID_MAX];
	srm_ms created;
	srm_ms updated;          /* 0 when absent */
	int status;              /* enum px_order_status */
	int type;                /* enum px_order_type */
	int side;                /* enum px_side */
	int size;
	double limit_price;      /* PX_NULL when absent */
	double stop_price;       /* PX_NULL when absent */
	int fill_volume;
	double filled_price;     /* PX_NULL when absent */
	char custom_tag[SRM_TAG_MAX]; /* "" when absent */
	/*
	 * A status or type value the reference does not list: status became PX_OS_OTHER, type
	 * PX_OT_UNKNOWN (not a stop, so exposure); raw_* keep the values as received.
	 */
	bool odd_status, odd_type;
	int raw_status, raw_type;
};

/* PositionModel / GatewayUserPosition. size is always >= 0; size 0 means closed. */
struct px_position {
	int64_t id;
	int64_t account_id;
	char contract_id[SRM_ID_MAX];
	srm_ms created;
	int type;                /* enum px_position_type */
	int size;
	double average_price;
};

/* HalfTradeModel / GatewayUserTrade (a fill). */
struct px_trade {
	int64_t id;
	int64_t account_id;
	char contract_id[SRM_ID_MAX];
	srm_ms created;
	double price;
	double profit_and_loss;  /* PX_NULL on opening (half-turn) fills */
	double fees;
	int side;
	int size;
	bool voided;
	int64_t order_id;
};

/* GatewayQuote: contract id (first hub argument) + data. Absent prices are PX_NULL. */
struct px_quote {
	char contract_id[SRM_ID_MAX];
	char symbol[SRM_ID_MAX];  /* the symbolId, e.g. "F.US.EP" */
	double last_price;
	double best_bid;
	double best_ask;
	srm_ms timestamp;         /* 0 when absent */
};

/* ContractModel. */
struct px_contract {
	char id[SRM_ID_MAX];
	char name[SRM_NAME_MAX];
	char description[SRM_NAME_MAX];
	double tick_size;
	double tick_value;
	bool active;
	char symbol_id[SRM_ID_MAX]; /* "" when absent (older schema) */
};

#endif
