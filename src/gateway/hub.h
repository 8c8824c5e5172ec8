/*
 * hub.h: a SignalR hub client (JSON hub protocol, API reference §10-§11) on the caller's
 * libuv loop (layers: transport.h, wsclient.h, this, dispatch.h). One struct gw_hub per hub (/hubs/user, /hubs/market).
 * Connects straight to wss://.../hubs/x?access_token=JWT (no negotiate, WebSockets only,
 * as ProjectX's samples do), keeps the connection alive (pings, server timeout), reconnects
 * with bounded exponential backoff + jitter, resubscribes everything it was asked to keep,
 * and then raises "resync needed". Events are decoded with src/wire/ and delivered to one
 * callback in arrival order; a malformed event is counted and logged, never fatal.
 * Errors: 0 / -1 (+ struct srm_err where given).
 */
#ifndef SRM_GATEWAY_HUB_H
#define SRM_GATEWAY_HUB_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "model/event.h"
#include "util/err.h"

enum gw_hub_kind { GW_HUB_USER = 0, GW_HUB_MARKET };

enum gw_hub_state {
	GW_HUB_IDLE = 0,    /* not started, or stopped */
	GW_HUB_CONNECTING,  /* TCP/TLS/WebSocket/handshake in progress */
	GW_HUB_CONNECTED,   /* handshake done, subscriptions sent */
	GW_HUB_WAITING,     /* disconnected, reconnect timer running */
};

struct gw_hub;
struct gw_ws;

/*
 * What the hubs on loop share: the TLS context, which trusts the system CAs plus ca_file when
 * given (tests). NULL + err when the CAs cannot be loaded. Free it after the hubs.
 */
struct gw_ws *gw_ws_new(uv_loop_t *loop, const char *ca_file, struct srm_err *err);
void gw_ws_free(struct gw_ws *ws);

/* One decoded event (EV_ACCOUNT/ORDER/POSITION/TRADE from the user hub, EV_QUOTE from market). */
typedef void (*gw_hub_event_cb)(struct gw_hub *hub, const struct srm_event *ev, void *ud);
/*
 * State changes. resync is true on a CONNECTED that follows a lost connection: events may
 * have been missed (the server does not replay them), so the daemon reconciles via REST.
 */
typedef void (*gw_hub_state_cb)(struct gw_hub *hub, enum gw_hub_state st, bool resync, void *ud);
/* Completion of a blocking invocation: error NULL on success (result may be NULL). */
typedef void (*gw_hub_invoke_cb)(struct gw_hub *hub, const char *error, const cJSON *result,
				 void *ud);

struct gw_hub_opts {
	enum gw_hub_kind kind;
	struct gw_ws *ws;           /* the shared WebSocket context */
	const char *url;            /* https://rtc.topstepx.com/hubs/user (http/https/ws/wss) */
	int ping_ms;                /* keep-alive when we sent nothing for this long; default 10000 */
	int server_timeout_ms;      /* nothing received for this long: dead; default 30000 */
	int handshake_timeout_ms;   /* default 15000 */
	int invoke_timeout_ms;      /* blocking invocation without completion; default 10000 */
	int reconnect_min_ms;       /* default 500 */
	int reconnect_max_ms;       /* default 30000 */
	size_t max_record;          /* largest record accepted; default 4 MiB */
	uint64_t seed;              /* jitter; 0: from the clock */
	gw_hub_event_cb on_event;
	gw_hub_state_cb on_state;
	/*
	 * The server refused the handshake as unauthorized (a token it no longer accepts: the
	 * gateway restarted, the session was revoked): the owner gets a new token (may be NULL).
	 */
	void (*on_unauthorized)(struct gw_hub *hub, void *ud);
	void *ud;
};

struct gw_hub_stats {
	enum gw_hub_state state;
	uint64_t records;           /* records received */
	uint64_t events;            /* events delivered */
	uint64_t malformed;         /* events/records rejected (logged) */
	uint64_t ignored;           /* well-formed events we do not use (GatewayDepth, ...) */
	uint64_t connects;          /* successful handshakes */
	uint64_t disconnects;
	uint64_t pings_sent;
	uint64_t invocations;       /* invocations sent */
	uint64_t invoke_errors;     /* completions with an error, or timed out */
	int attempt;                /* consecutive failed connection attempts */
};

/* Create (not connected). NULL + err on bad options. */
struct gw_hub *gw_hub_new(uv_loop_t *loop, const struct gw_hub_opts *opts, struct srm_err *err);
/*
 * Stop, fail pending invocations (callbacks run now with error "cancelled") and free. The
 * memory goes after the loop has run the close callbacks. NULL is fine.
 */
void gw_hub_free(struct gw_hub *hub);
/* Set the access token (copied); if connected or connecting, reconnect with it now. */
void gw_hub_set_token(struct gw_hub *hub, const char *token);
/* Start connecting (a token must have been set). */
int gw_hub_start(struct gw_hub *hub);
/* Drop the connection and do not reconnect. */
void gw_hub_stop(struct gw_hub *hub);
enum gw_hub_state gw_hub_state(const struct gw_hub *hub);
void gw_hub_stats(const struct gw_hub *hub, struct gw_hub_stats *out);

/*
 * Blocking invocation (carries an invocationId, completion tracked with a timeout).
 * args (a JSON array, may be NULL) is taken. -1 when not connected.
 */
int gw_hub_invoke(struct gw_hub *hub, const char *target, cJSON *args, gw_hub_invoke_cb cb,
		  void *ud);
/* Non-blocking invocation (no invocationId, no completion). -1 when not connected. */
int gw_hub_send(struct gw_hub *hub, const char *target, cJSON *args);

/*
 * Remembered subscriptions: sent now if connected (at most 128 awaiting completion at once,
 * the rest in order as completions come), and again after every reconnect.
 * User hub: SubscribeAccounts; SubscribeOrders/Positions/Trades for an account.
 * Market hub: SubscribeContractQuotes for each contract in the wanted set.
 */
int gw_hub_subscribe_accounts(struct gw_hub *hub);
int gw_hub_subscribe_account(struct gw_hub *hub, int64_t account_id);
int gw_hub_unsubscribe_account(struct gw_hub *hub, int64_t account_id);
/*
 * Make the quote subscriptions exactly `ids` (contracts with an open position or working
 * order): subscribes new ones, unsubscribes ones no longer wanted.
 */
int gw_hub_set_quotes(struct gw_hub *hub, const char *const *ids, size_t n);
/* Is a contract's quote subscription wanted? */
bool gw_hub_has_quote(const struct gw_hub *hub, const char *contract_id);
/*
 * What the remembered subscriptions are on this connection. Only a completion without
 * error confirms one; a refused or timed-out one is asked again 1 s, 2 s, ... 30 s later, and
 * every one again after a reconnect. gw_hub_subscribe_account refuses past 4,096 accounts,
 * gw_hub_set_quotes past 512 contracts (counted in refused): the owner must not call what
 * is not confirmed "watched".
 */
struct gw_hub_subs {
	size_t wanted;            /* subscriptions kept (an account is 3: orders, positions, trades) */
	size_t confirmed;         /* completed without error on this connection */
	size_t failed;            /* refused or timed out, not confirmed since (being asked again) */
	size_t refused;           /* accounts or contracts asked for past the caps */
	size_t accounts;          /* accounts kept (user hub) */
	char last_error[200];     /* the latest refusal: "SubscribeOrders 10001: ..." */
};
void gw_hub_subs(const struct gw_hub *hub, struct gw_hub_subs *out);
/* Connected, with every remembered subscription confirmed and none refused past a cap. */
bool gw_hub_whole(const struct gw_hub *hub);

#endif
