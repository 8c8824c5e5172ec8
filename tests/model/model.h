/*
 * model.h: the differential test's second implementation (tests/model/model.c), written from
 * SPEC alone, and the event history it folds from the start at every step. The driver
 * (test_model.c) feeds the same history to the real engine and compares the two.
 */
#ifndef SRM_TESTS_MODEL_MODEL_H
#define SRM_TESTS_MODEL_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/action.h"
#include "model/domain.h"
#include "model/event.h"
#include "util/tz.h"

#define M_MAX_ACCTS 4
#define M_MAX_CONTRACTS 8
#define M_PPM 1000000L
#define M_MAX_ORDERS 256
#define M_MAX_FILLS 512
#define M_MAX_SYMLIM 8
#define M_MAX_RESETS 64

/* A day's parameters as the model reads them (the driver builds the engine's config from the same values). */
struct mcfg {
	const struct tz *zone;
	int reset_min;                  /* local minutes after midnight */
	int n_holidays;
	int32_t holidays[4];            /* local dates, days since 1970-01-01 */
	size_t n_resets;
	srm_ms resets[M_MAX_RESETS];    /* the model's own calendar over the day (model_calendar) */

	int n_accts;
	int64_t accts[M_MAX_ACCTS];
	int n_contracts;
	char contract_id[M_MAX_CONTRACTS][SRM_ID_MAX];
	char contract_sym[M_MAX_CONTRACTS][SRM_SYMBOL_MAX];

	int r001_limit;
	bool r001_gross, r001_close_all;
	/* max_contracts/max_contracts_per_instrument weights: millionths per contract of each
	 * contract's symbol (M_PPM: not weighted; the same weights in both rules) */
	long w[M_MAX_CONTRACTS];
	int r002_default;
	bool r002_close_all;
	int r002_n;
	char r002_sym[M_MAX_SYMLIM][SRM_SYMBOL_MAX];
	int r002_limit[M_MAX_SYMLIM];
	money_t r003_loss;              /* cents, positive */
	bool r003_fees;
	int r006_minute, r006_hour, r006_session;       /* 0: off */
	srm_ms r006_cool_minute, r006_cool_hour;        /* per_session's cooldown is until_reset */
};

/* What one history item is. */
enum hkind {
	H_START = 0,    /* the engine is created (item 0) */
	H_EVENT,        /* an event fed to engine_apply */
	H_RESTART,      /* the engine is rebuilt from the store (test_restart.c's way) */
};

/* A request the engine emitted at a step (what the executor would send). */
struct hreq {
	int kind;       /* enum act_kind */
	int rule;
	int64_t account_id, order_id;
	int size;
	char contract_id[SRM_ID_MAX];
	char why0[SRM_SYMBOL_MAX];      /* RULE-002: the symbol its reason judged */
	long whyn;                      /* and the count it gave (-1: none) */
	srm_ms ts;                      /* the engine time it was decided at (a timer's: before the event) */
};

struct hitem {
	enum hkind kind;
	srm_ms now;
	struct srm_event ev;
	bool srm;               /* a fill made by the driver to answer one of SRM's closes */
	int8_t ai, ci;          /* account / contract index in the mcfg (-1: none) */
	uint32_t req0, nreq;    /* the engine's requests at this step (hist.req) */
};

struct hist {
	struct hitem *v;
	size_t n, cap;
	struct hreq *req;
	size_t nreq, capreq;
};

/*
 * Variants: the model with one of the engine's suspected semantics instead of SPEC's. Used
 * only to name the class of a disagreement (which variant makes it vanish), never to pass.
 */
enum {
	MV_NOPOSJ = 1u << 0,    /* RULE-001/002 do not judge orders at position events */
	MV_PARTIAL = 1u << 1,   /* a partly filled order's fillVolume is subtracted twice */
	MV_SUSP = 1u << 2,      /* Suspended bracket legs are working exposure */
	MV_PCANCEL = 1u << 3,   /* PendingCancel / unknown statuses drop the order from the book */
	MV_EARLY = 1u << 4,     /* no early reset: a fill stamped after the reset counts in the old day */
	MV_AHEAD = 1u << 5,     /* RULE-006 windows end at now (fills stamped ahead are missed) */
	MV_NEWID = 1u << 6,     /* a new position id in a contract with an open position is no new position */
	MV_STALE0 = 1u << 7,    /* a size-0 position event removes the contract's position whatever its id */
	MV_EVONLY = 1u << 8,    /* an order event judges only that order, against the orders seen before it */
	MV_RESJ = 1u << 9,      /* the account is judged again at a close's answer (the engine's rejudge) */
	MV_NOSETTLE = 1u << 10, /* no settle window: a position event's excess is cancelled at once */
	MV_RSEEN = 1u << 11,    /* after a restart, the orders' grew-last order is the order they were first seen in */
	MV_LEGACY = MV_NOPOSJ | MV_EVONLY,      /* the engine's judging before the settle window */
	MV_COUNT = 12
};

struct mpos_out {
	int ai, ci;
	int64_t id;
	int qty;
	srm_ms opened;
	int grow;               /* history index of its last growth: the reduce order */
};

struct mord_out {
	int ai, ci;
	int64_t id;
	int status, remaining;
	bool exposure, modgrow; /* counts as working exposure; last grew by a modify */
};

struct macct_out {
	money_t realized, fees;
	int session;
	bool r003;              /* RULE-003's until_reset lockout holds */
	int r006;               /* RULE-006 lockout: UNTIL_NONE / UNTIL_TIME / UNTIL_RESET */
	srm_ms r006_until;
	bool over001_before, over001_after;     /* positions alone over RULE-001's limit */
	unsigned over002_before, over002_after; /* bit ci: the symbol of contract ci is over */
};

/* The guess of SRM's own fills (DECISIONS "RULE-006") against the driver's truth, for item k's fill. */
enum {
	SG_SAME = 0,
	SG_TRADER_AS_SRM,       /* the trader's fill taken for SRM's (the documented cost) */
	SG_SRM_AS_TRADER,       /* SRM's fill taken for the trader's, on the side the guess expected */
	SG_SRM_FLIPPED,         /* SRM's fill taken for the trader's: it came on the other side (the position turned) */
};

struct mout {
	srm_ms last_reset, next_reset;
	int guess;              /* SG_*: item k is a new fill and the guess differs from the truth */
	struct macct_out a[M_MAX_ACCTS];
	size_t n_pos;
	struct mpos_out pos[M_MAX_ACCTS * M_MAX_CONTRACTS];
	size_t n_ord;
	struct mord_out ord[M_MAX_ORDERS];
	size_t n_fill;
	struct mfill_out { int64_t id; bool srm; } fill[M_MAX_FILLS]; /* the guess for each fill seen */
	bool judged;            /* RULE-001/002 judged the event's account at this step */
	int judged_ai;
	size_t n_cancel;
	int64_t cancel[M_MAX_ORDERS];   /* the cancels the engine should ask for now (RULE-001/002) */
};

/* The model's own calendar: every reset instant in [from - 10 days, to + 10 days]. */
void model_calendar(struct mcfg *c, srm_ms from, srm_ms to);
/* Account and contract indices of an item (from its event). */
void model_annotate(const struct mcfg *c, struct hitem *it);
/* Fold h->v[0..k] from scratch and say what must hold after item k. */
void model_eval(const struct mcfg *c, const struct hist *h, size_t k, unsigned variants,
		struct mout *out);

#endif
