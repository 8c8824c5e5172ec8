/*
 * sim.h: the seeded generator of trading days for the differential test: a small gateway
 * (orders, fills, positions, brackets, the clock lead, resends) driven by a random trader,
 * which also answers the engine's requests as the real gateway would.
 */
#ifndef SRM_TESTS_MODEL_SIM_H
#define SRM_TESTS_MODEL_SIM_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/engine.h"
#include "model.h"

/* Features the generator leaves out (SRM_MODEL_SKIP: the class they provoke is skipped). */
enum {
	SK_PARTIAL = 1u << 0,   /* partial fills */
	SK_MODIFY = 1u << 1,    /* modifies that raise an order's size */
	SK_SUSP = 1u << 2,      /* brackets (Suspended legs) */
	SK_AHEAD = 1u << 3,     /* fills stamped ahead of the engine's clock */
	SK_EARLY = 1u << 4,     /* fills stamped after the reset arriving before it */
	SK_NEWID = 1u << 5,     /* lost size-0 events (a contract's position comes back with a new id) */
	SK_STALE0 = 1u << 6,    /* stale size-0 events (out of order, resent) */
	SK_PCANCEL = 1u << 7,   /* PendingCancel */
	SK_RESTART = 1u << 8,   /* restarts */
};

struct sim;

/* A new day from its seed: fills mc (accounts, contracts, rules, calendar) using zone. */
struct sim *sim_new(uint64_t seed, unsigned skip, const struct tz *zone, struct mcfg *mc);
void sim_free(struct sim *s);
/* The next item to feed (H_START first); false when the day is over. */
bool sim_next(struct sim *s, struct hitem *it);
/* The engine's actions after the last item: the gateway answers them later. */
void sim_answer(struct sim *s, struct act_list l, srm_ms now);
/* After an H_RESTART: the reconcile (positions, orders, today's trades, recheck) as events. */
void sim_reconcile(struct sim *s, const struct engine *e, srm_ms now);
/* A short description of the day (date, kind). */
const char *sim_describe(const struct sim *s);

#endif
