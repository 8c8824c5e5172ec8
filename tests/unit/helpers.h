/* helpers.h: builders of real events and configs for the unit tests (no mocks: real engine objects). */
#ifndef SRM_TESTS_HELPERS_H
#define SRM_TESTS_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "config/config.h"
#include "engine/engine.h"
#include "model/event.h"

/* A test world: a config (defaults, every rule disabled), a zone, an engine. */
struct tworld {
	struct srm_config cfg;
	struct tz *zone;        /* America/Chicago */
	struct engine *eng;
	struct act_list last;   /* actions of the last call */
};

/* ISO-8601 UTC -> ms (fails the test when malformed). */
srm_ms T(const char *iso);

/* Set up cfg with config_rules_defaults() and every rule disabled; engine created at now. */
void tw_init(struct tworld *w, srm_ms now);
/* Recreate the engine after editing w->cfg (state is lost). */
void tw_restart(struct tworld *w, srm_ms now);
void tw_free(struct tworld *w);

/* Feed events (each returns and stores the action list). */
struct act_list tw_contract(struct tworld *w, srm_ms now, const char *id, const char *name,
			    double tick_size, double tick_value);
/* Registers ES (CON.F.US.EP.Z26 ESZ6 0.25/12.5), MNQ (CON.F.US.MNQ.Z26 0.25/0.5),
 * NQ, MES, RTY (CON.F.US.RTY.Z26 0.1/5), CL (CON.F.US.CLE.Z26 CLZ6 0.01/10). */
void tw_std_contracts(struct tworld *w, srm_ms now);
struct act_list tw_account(struct tworld *w, srm_ms now, int64_t id, bool can_trade);
/* The same with a balance (tw_account: 50000). */
struct act_list tw_account_bal(struct tworld *w, srm_ms now, int64_t id, bool can_trade,
			       double balance);
/* qty signed: + long, - short; 0 = closed. */
struct act_list tw_position(struct tworld *w, srm_ms now, int64_t acct, const char *contract,
			    int qty, double avg);
/* The same with the gateway's position id given. */
struct act_list tw_position_id(struct tworld *w, srm_ms now, int64_t acct, const char *contract,
			       int64_t id, int qty, double avg);
struct act_list tw_order(struct tworld *w, srm_ms now, int64_t acct, int64_t id,
			 const char *contract, int status, int type, int side, int size,
			 double limit_price, double stop_price);
/* The same with fillVolume: size is the order's total, fill_volume what of it filled. */
struct act_list tw_order_fv(struct tworld *w, srm_ms now, int64_t acct, int64_t id,
			    const char *contract, int status, int type, int side, int size,
			    int fill_volume, double limit_price, double stop_price);
/* pnl PX_NULL for an opening fill. */
struct act_list tw_trade(struct tworld *w, srm_ms now, int64_t acct, int64_t id,
			 const char *contract, int side, int size, double price, double pnl,
			 double fees, bool voided);
struct act_list tw_quote(struct tworld *w, srm_ms now, const char *contract, double bid,
			 double ask, double last);
struct act_list tw_advance(struct tworld *w, srm_ms now);
/* The executor's report of a request's answer (EV_ACTION_RESULT); size only for partial closes. */
struct act_list tw_result(struct tworld *w, srm_ms now, int64_t acct, enum act_kind kind,
			  const char *contract, int64_t order_id, int size, enum act_outcome outcome);
/* Admin acts and a missing contract, as the events srmd feeds (EV_ADMIN_*, EV_CONTRACT_MISSING). */
struct act_list t_admin_lockout(struct engine *e, int64_t acct, enum until_kind until,
				srm_ms until_ts, const char *reason, srm_ms now);
struct act_list t_admin_clear(struct engine *e, int64_t acct, srm_ms now);
struct act_list t_admin_reset(struct engine *e, int64_t acct, srm_ms now);
struct act_list t_admin_enforce(struct engine *e, int64_t acct, int rule, bool dry_run, srm_ms now);
struct act_list t_contract_missing(struct engine *e, const char *contract_id, srm_ms now);
/* Judge an account's whole state again (EV_RECHECK). */
struct act_list tw_recheck(struct tworld *w, srm_ms now, int64_t acct);
/* A new config (EV_CONFIG, as srmd's reload sends it): cfg must outlive its use. */
struct act_list tw_config(struct tworld *w, srm_ms now, const struct srm_config *cfg);

/* Count actions of a kind (and rule, -2 = any) in a list. */
size_t t_count(struct act_list l, enum act_kind kind, int rule);
/* Actions of a kind (ACT_KIND_COUNT = any) by a rule (-2 = any) for one account. */
size_t t_count_acct(struct act_list l, enum act_kind kind, int rule, int64_t acct);
/* Actions by a rule, any kind, any account. */
size_t t_count_rule(struct act_list l, int rule);
/* The first action of a kind (and rule, -2 = any), or NULL. */
const struct srm_action *t_find(struct act_list l, enum act_kind kind, int rule);
/* Print a list to stderr (debugging a failing test). */
void t_dump(struct act_list l);

#define ES "CON.F.US.EP.Z26"
#define MNQ "CON.F.US.MNQ.Z26"
#define NQ "CON.F.US.ENQ.Z26"
#define MES "CON.F.US.MES.Z26"
#define RTY "CON.F.US.RTY.Z26"
#define CL "CON.F.US.CLE.Z26"

#endif
