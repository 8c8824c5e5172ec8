/*
 * srmd.h: the daemon's context: the imperative shell around the pure engine. One libuv
 * loop; gateway events -> engine -> one SQLite transaction -> enforcement requests -> CLI.
 */
#ifndef SRM_DAEMON_SRMD_H
#define SRM_DAEMON_SRMD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <uv.h>

#include "config/config.h"
#include "daemon/auth.h"
#include "daemon/ipc_server.h"
#include "daemon/statedir.h"
#include "engine/engine.h"
#include "gateway/hub.h"
#include "gateway/rest.h"
#include "store/store.h"
#include "util/tz.h"

#define SRMD_VERSION "0.1.0"

enum srmd_phase { PH_STARTING = 0, PH_LOGIN, PH_RECONCILE, PH_GUARDING, PH_STOPPING };

/* A position (contract_id set) or an order (order_id set) the hubs reported, and when. */
struct hub_news {
	int64_t account_id;
	int64_t order_id;
	char contract_id[SRM_ID_MAX];
	uint64_t seq;
};

struct srmd {
	uv_loop_t *loop;
	char *config_path;
	char *socket_path;
	char *db_path;
	struct srm_config *cfg;
	struct tz *zone;
	struct engine *eng;
	struct store *st;
	struct statedir statedir;   /* locked for this srmd's whole life */
	struct ipc_server *ipc;
	struct auth *auth;          /* admin password checks (auth.c) */
	struct reloader *reloader;  /* config reloads off the loop (reload.c) */
	struct gw_rest *rest;
	struct gw_ws *ws;           /* the WebSocket context both hubs share */
	struct gw_hub *user_hub, *market_hub;
	enum srmd_phase phase;
	srm_ms started_ms;
	uint64_t started_ns;
	srm_ms last_event_ms;
	uint64_t events, bad_events;
	int reconciles_pending;
	bool resync_wanted;
	bool recon_failed;          /* a step of the current reconcile failed */
	int recon_failures;         /* failed rounds in a row (backoff) */
	uint64_t blind_since_ms;    /* monotonic ms the user hub went down (0: up) */
	uint64_t blind_poll_ms;     /* ... the next REST poll while it stays down */
	uint64_t recon_retry_ms;    /* monotonic ms: the next round not before */
	char recon_error[200];      /* what failed last ("" once reconciled) */
	char recon_why[64];         /* why the current or last round started */
	struct recon_round *recon_round; /* the latest round while its searches are out */
	struct recon_round *recon_parked; /* a round waiting for the user hub's subscriptions */
	/* SRM's closes whose position event has not come yet: looked up over REST when due */
	struct verify_due *verify;
	size_t n_verify, cap_verify;
	int verifies_pending;       /* their Position/searchOpen calls out */

	uint64_t recon_parked_ms;   /* monotonic ms it was parked */
	uint64_t subs_short_ms;     /* monotonic ms since the user hub's subscriptions are unanswered */
	srm_ms user_hub_whole;      /* wall time the user hub was last connected with every
				     * subscription confirmed (0: never yet) */
	/* guarded: reconciled, connected, logged in (srmd_guard); since when it is so or not */
	bool guard_ok;
	srm_ms guard_since;
	/* journal rows left without an answer by the last run (kill -9): settled after the
	 * first reconcile with what it shows (srmd_settle_restart) */
	int64_t *unsettled;
	size_t n_unsettled;
	bool want_exit;
	int exit_code;

	struct alerts *alerts;      /* the trader's alert channels (alerts.c) */
	struct dashboard *dash;     /* the web dashboard, NULL when off (dashboard.c) */
	bool quotes_refused;        /* the market hub refused some subscriptions (logged once) */
	/* the rules' persisted memory last saved per account (engine acct memory_gen) */
	struct srmd_mem_gen { int64_t id; uint32_t gen; } *mem_gen;
	size_t n_mem_gen;
	int64_t *guarded;           /* account ids guarded */
	size_t n_guarded;

	/*
	 * Hub news while a reconcile is pending (reconcile.c): a REST answer asked for before a
	 * hub event on the same position or order must not undo it. Cleared when none is pending.
	 */
	struct hub_news *news;
	size_t n_news, cap_news;
	uint64_t news_seq;

	int64_t *dirty;             /* accounts whose positions/orders changed since the last save */
	size_t n_dirty, cap_dirty;
	bool book_save_failing;     /* logged once until a save works again */

	char (*looked_up)[SRM_ID_MAX]; /* contract ids already asked for */
	size_t n_looked_up, cap_looked_up;

	size_t n_inflight;          /* enforcement requests on the wire (exec.c) */
	/* events that arrived while one was being fed (srmd_feed is not re-entered) */
	struct srm_event *later;
	size_t n_later, cap_later;
	bool feeding;
	cJSON *capture;             /* the next event's actions go here too (admin enforce's reply) */
	FILE *record;               /* --record FILE: every event the engine gets */

	uv_signal_t sig_term, sig_int, sig_hup;
	uv_signal_t *sig_extra;     /* a test build's own signal (srmd-fault), closed at stop */
	uv_timer_t cron;
	uv_timer_t retry;           /* frees the WebSocket context a loop turn after the hubs */
	uv_timer_t login_timer;     /* log in again after a failed login (backoff) */
	int login_attempts;
	char last_error[256];       /* shown by `srm status` while not guarding */
};

/* Wall-clock ms and monotonic ns (the shell's clock; the engine never reads one). */
srm_ms srmd_now(void);
uint64_t srmd_mono_ns(void);

/* core.c: write one event to the --record file. */
void srmd_record(struct srmd *d, srm_ms ts, const struct srm_event *ev);
/* core.c: feed one event through engine, store, executor, subscribers. */
void srmd_feed(struct srmd *d, const struct srm_event *ev);
/* Persist and execute a list of actions decided outside srmd_feed (admin, timers). */
void srmd_handle_actions(struct srmd *d, struct act_list l);
bool srmd_guarded(const struct srmd *d, int64_t account_id, const char *name);
/* Subscribe the market hub to exactly the contracts with positions or orders. */
void srmd_sync_quotes(struct srmd *d);
/*
 * Save the positions and working orders of the accounts whose book changed (one
 * transaction; run by the cron and at exit, never on the enforcement path). After a restart
 * they come back before the first reconcile, with their open and seen times.
 */
void srmd_save_books(struct srmd *d);

/*
 * exec.c: the executor. exec_send puts one engine action that is a gateway request on the
 * wire (the engine already expanded close_all / cancel_all and keeps one request per target
 * in flight); its answer is journaled and fed back to the engine as EV_ACTION_RESULT.
 * exec_report then tells the CLI subscribers, the alert channels and the log about any
 * action, and journals the outcome of one that is not sent (unless outcome_saved: the
 * caller wrote exec_unsent_outcome in its own transaction). Every request of an event is
 * sent before any is reported.
 */
bool exec_sends(const struct srm_action *a);
const char *exec_unsent_outcome(const struct srm_action *a);
void exec_send(struct srmd *d, const struct srm_action *a, int64_t journal_id);
void exec_report(struct srmd *d, const struct srm_action *a, int64_t journal_id,
		 bool outcome_saved);
size_t exec_inflight(const struct srmd *d);

/*
 * Is SRM guarding now: logged in, reconciled (the last round succeeded, none pending), both
 * hubs connected? When not, reason says why. Updates guard_ok/guard_since.
 */
bool srmd_guard(struct srmd *d, char *reason, size_t cap);
/* At start: journal rows the last run left without an answer are settled ("unknown: srmd
 * restarted before the answer"; lockouts "recorded"), the gateway actions remembered. */
void srmd_settle_at_start(struct srmd *d);
/* After the first reconcile of a run: those rows get what the gateway shows now (position
 * flat or not, order gone or working). */
void srmd_settle_restart(struct srmd *d);
/*
 * How long to wait before the first login: a restart loop (more than 5 starts within 30 s:
 * 1 s doubling to 30 s) or the last run's login backoff must not burn the gateway's rate
 * budget. Records this start.
 */
uint64_t srmd_start_delay_ms(struct srmd *d);
/* Persist when the next login may be tried (wall ms; 0 after a success). */
void srmd_login_backoff_saved(struct srmd *d, srm_ms retry_at);

/* reconcile.c: start-up and after reconnects. */
/*
 * Each cron turn: while the user hub has been down longer than alerts.guard_after and a
 * guarded account has open positions or working orders, poll them over REST (a reconcile,
 * every BLIND_POLL_MS, inside the rate budget below enforcement) so the rules go on judging
 * what the gateway shows.
 */
void srmd_blind_poll(struct srmd *d);
void srmd_reconcile(struct srmd *d, const char *why);
/*
 * A resync after the user hub was lost at wall time `since` (minus its server timeout):
 * accounts flat with nothing working are asked one Order/search since then, and looked at in
 * full only when it shows an order; the rest as srmd_reconcile. since 0: srmd_reconcile.
 */
void srmd_reconcile_since(struct srmd *d, const char *why, srm_ms since);
/* The 100 ms cron: a round parked until the user hub's subscriptions are confirmed goes on. */
void srmd_reconcile_tick(struct srmd *d);
/* The latest round's accounts searched and all, while it is out (false: none is). */
bool srmd_reconcile_progress(const struct srmd *d, size_t *done, size_t *total);
/* At exit: a round still parked. */
void srmd_reconcile_free(struct srmd *d);
/*
 * A close SRM sent was accepted: 2 s later, if the engine's book still shows the position
 * short of the close's target (engine_close_unseen), the account's positions are looked up
 * over REST (the engine must not judge again on a book that missed its own close: it would
 * close again). srmd_verify_tick: the cron.
 */
void srmd_verify_later(struct srmd *d, int64_t account_id, const char *contract_id);
void srmd_verify_tick(struct srmd *d);
/* A hub event is about to be applied: remember it while a reconcile is pending. */
void srmd_hub_news(struct srmd *d, const struct srm_event *ev);

/* lifecycle.c: tell systemd (Type=notify) when $NOTIFY_SOCKET is set; no-op otherwise. */
void srmd_notify(struct srmd *d, const char *msg);
/* Begin a graceful shutdown (SIGTERM, `srm admin daemon stop`). */
void srmd_shutdown(struct srmd *d, int code);
/* The REST client and both hubs, with srmd's callbacks (nothing is sent yet). */
int srmd_gateway_open(struct srmd *d, struct srm_err *err);
/* Signals (TERM, INT, HUP), the 100 ms cron and the timers srmd_shutdown closes. */
void srmd_handles_open(struct srmd *d);
/* Log in after delay_ms (a start-up backoff). */
void srmd_login_later(struct srmd *d, uint64_t delay_ms);

/* commands.c: IPC request handler. */
void srmd_ipc_request(struct ipc_client *c, struct ipc_req *req, void *ud);
/* publish.c: an event to `srm monitor` subscribers (data consumed). */
void srmd_publish(struct srmd *d, const char *kind, cJSON *data);
/*
 * reload.c: read the config file again off the loop and swap it in on the loop when valid
 * (the old one stays on any error). c (NULL for SIGHUP) gets the reply to request id then.
 */
void srmd_reload(struct srmd *d, struct ipc_client *c, int64_t id);
void srmd_reloader_new(struct srmd *d);
/* Is a reload running or waiting? */
bool srmd_reload_busy(const struct srmd *d);
void srmd_reloader_free(struct srmd *d);

#endif
