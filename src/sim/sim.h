/*
 * sim.h: srm-sim internals shared by its modules: the simulated world (contracts, quotes,
 * accounts, orders, positions, trades), tokens, rate limits, faults, the request log and
 * hub connections. One struct sim is created by main.c and passed everywhere (no globals).
 */
#ifndef SRM_SIM_SIM_H
#define SRM_SIM_SIM_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/domain.h"

#define SIM_MAX_ACCOUNTS 4096
#define SIM_MAX_ORDERS 200000      /* orders kept per run (then: UnknownError) */
#define SIM_MAX_TRADES 200000
#define SIM_MAX_POSITIONS 8192
#define SIM_MAX_TOKENS 1024
#define SIM_MAX_BODY (256 * 1024)  /* REST and control request bodies */
#define SIM_MAX_HUB_IN (256 * 1024) /* buffered, not yet terminated hub input */
#define SIM_MAX_SUBS SIM_MAX_ACCOUNTS /* subscriptions of one kind per hub connection */
#define SIM_HUB_QUEUE 65536        /* queued outgoing records per hub connection */
#define SIM_HUB_QUEUE_BYTES (32u * 1024 * 1024)
#define SIM_REQLOG 20000           /* request log entries kept */
#define SIM_REQLOG_BODY 4096       /* bytes of a logged body/arguments */
#define SIM_MAX_FAULTS 32
#define SIM_MAX_LOAD_RATE 100000  /* background quotes per second (--quote-rate) */
#define SIM_PINGS 4096             /* WebSocket ping round trips kept (bench) */

/* One contract with its static definition and live quote. */
struct sim_contract {
	struct px_contract c;
	const char *symbol;   /* trader symbol: "ES" */
	double start_price;
	double fee;           /* per contract per side */
	int mirror;           /* index of the contract whose walk this one follows, or -1 */
	double bid, ask, last, open, high, low;
	int64_t volume;
	srm_ms quote_ts;
};

/* A position (one per account and contract while open). */
struct sim_position {
	struct px_position p;
	int net;              /* signed size */
	bool used;
};

/* An order with the simulator's bookkeeping beside the gateway model. */
struct sim_order {
	struct px_order o;
	double trail_dist;    /* trailing stop distance in price, 0 if not trailing */
	int64_t parent_id;    /* bracket leg: entry order id */
	int64_t oco_id;       /* bracket leg: sibling leg id */
	int sl_ticks, tp_ticks, sl_type, tp_type; /* entry order: brackets (type 0: none) */
	int64_t rest_due_ns;  /* partial_fills fault: the rest fills then (0: not split) */
};

/* A token issued by Auth/loginKey or Auth/validate. */
struct sim_token {
	char tok[512];
	int64_t exp;          /* unix seconds */
	bool revoked;
};

enum fault_kind { FAULT_HTTP, FAULT_LATENCY, FAULT_HUB_REFUSE, FAULT_HUB_SILENT };

/* An armed fault on a path ("*" or "" matches every /api path). */
struct sim_fault {
	int kind;
	char path[128];
	int status;
	int ms;
	int count;            /* remaining; <0: unlimited */
};

/* One entry of the request log. */
struct sim_req {
	int64_t seq;
	int64_t ts_ns;
	bool hub;
	char target[128];
	char *body;           /* JSON text (or a JSON string of the raw text), owned */
	int status;
};

struct hub_conn;
struct uv_loop_s;

/* Options from the command line. */
struct sim_opts {
	char listen_host[64];
	int listen_port;
	char user[64];
	char key[128];
	int accounts;
	uint64_t seed;
	int token_ttl;        /* seconds */
	bool rate_limit;
	int quote_ms;         /* random-walk period; 0: off */
	int ping_ms;          /* hub keep-alive period */
	int client_timeout_ms;
	char scenario[512];
	double speed;
	char tls_cert[512], tls_key[512];
	bool quiet;
	double firm_mll;      /* the firm's Maximum Loss Limit (end-of-day trailing); 0: off */
	int load_rate;        /* --quote-rate: background quotes per second (0: off) */
	char load_contracts[256]; /* --quote-contracts: comma-separated symbols or ids */
};

/* The firm's view of an account (--firm-mll): the trailing floor it liquidates at. */
struct sim_firm {
	double high;          /* high-water mark: the best end-of-day balance */
	double floor;         /* never goes down; stops at the starting balance */
	bool liquidated;      /* equity touched the floor: closed out, canTrade false */
	int64_t liquidated_ms;
};

/* Background quote load (--quote-rate, POST /sim/bench/quote-load): a bounded walk. */
#define SIM_LOAD_MAX_CONTRACTS 32
struct sim_load {
	int rate;             /* quotes per second over all its contracts; 0: off */
	int ci[SIM_LOAD_MAX_CONTRACTS]; /* the contracts, quoted in turn */
	int offset[SIM_LOAD_MAX_CONTRACTS]; /* ticks from where the load began (within +-4) */
	int n, next;
	int64_t start_ns;     /* when this rate began */
	int64_t sent;         /* quotes sent since start_ns */
	int64_t total;        /* quotes sent in this run */
};

/* A WebSocket ping on a user-hub connection and its pong (POST /sim/bench/ping). */
struct sim_ping {
	int64_t seq, sent_ns, pong_ns; /* CLOCK_MONOTONIC; 0: not yet */
};

struct sim {
	struct sim_opts opt;
	struct uv_loop_s *loop;
	struct sim_contract *contracts;
	int ncontracts;
	struct px_account accounts[SIM_MAX_ACCOUNTS];
	struct sim_firm firm[SIM_MAX_ACCOUNTS];
	int naccounts;
	struct sim_order *orders;
	size_t norders, orders_cap;
	struct px_trade *trades;
	size_t ntrades, trades_cap;
	struct sim_position positions[SIM_MAX_POSITIONS];
	int64_t next_order_id, next_trade_id, next_position_id;
	uint64_t rng;
	/* auth */
	struct sim_token tokens[SIM_MAX_TOKENS];
	size_t ntokens;
	int64_t token_serial;
	/* rate limit: ring of recent request times (ms) per bucket */
	int64_t rl_general[200];
	int rl_general_i;
	int64_t rl_bars[50];
	int rl_bars_i;
	/* faults */
	struct sim_fault faults[SIM_MAX_FAULTS];
	int nfaults;
	int reject_auth;
	int64_t stall_until_ns;
	int64_t refuse_hubs_until_ns; /* hub upgrades get 503 until then (fault refuse_hubs) */
	int partial_fills;    /* market orders still to fill in two parts (fault) */
	int partial_ms;       /* ... this long apart */
	/* request log */
	struct sim_req reqlog[SIM_REQLOG];
	int64_t req_seq;      /* seq of the last entry */
	/* hub connections and pending control responses */
	struct hub_conn *conns;
	int64_t rec_seq;      /* seq of the last record queued to any hub connection */
	struct http_pss *waiting; /* control requests waiting for their events to be written */
	/* benchmarks: background quotes, ping round trips */
	struct sim_load load;
	void *load_timer;     /* server.c's uv_timer_t, NULL when not serving */
	struct sim_ping pings[SIM_PINGS];
	int64_t ping_seq;
	size_t live_lo;       /* orders below this index are all done (matching skips them) */
	/* scenario */
	struct scenario *scn;
	bool stopping;
};

/* Clocks. */
int64_t sim_mono_ns(void);
srm_ms sim_now_ms(void);

/* --- market.c: contracts, state and matching --- */
void market_init(struct sim *s);
void market_reset(struct sim *s);
void market_free(struct sim *s);
int market_find_contract(const struct sim *s, const char *id);
struct px_account *market_find_account(struct sim *s, int64_t id);
struct sim_order *market_find_order(struct sim *s, int64_t id);
/* The open position of an account in a contract, or NULL. */
struct sim_position *market_find_position(struct sim *s, int64_t account_id, int ci);
/* Fill px_quote for a contract. */
void market_quote(const struct sim *s, int ci, struct px_quote *q);
/* The GatewayQuote data object of a contract (full field set). */
cJSON *market_quote_json(const struct sim *s, int ci);

/* An order request (REST Order/place or the trader's own platform). */
struct order_req {
	int64_t account_id;
	char contract_id[SRM_ID_MAX];
	int type, side, size;
	double limit_price, stop_price, trail_price;
	char custom_tag[SRM_TAG_MAX];
	int sl_ticks, sl_type, tp_ticks, tp_type; /* type 0: no bracket */
};
/* Place an order; returns the Order/place errorCode (0 ok) with *id and a message. */
int market_place(struct sim *s, const struct order_req *r, int64_t *id, char *msg, size_t cap);
/* Cancel; returns the Order/cancel errorCode. */
int market_cancel(struct sim *s, int64_t account_id, int64_t order_id, char *msg, size_t cap);
/* Modify; returns the Order/modify errorCode. NAN/0 size leave fields unchanged. */
int market_modify(struct sim *s, int64_t account_id, int64_t order_id, int size, double limit,
		  double stop, char *msg, size_t cap);
/* Close (size 0: all) a position with a market order; returns 0, or -1 no position, -2 bad size. */
int market_close(struct sim *s, int64_t account_id, int ci, int size, char *msg, size_t cap);
/* Set a quote (and run matching, send GatewayQuote). */
void market_set_quote(struct sim *s, int ci, double bid, double ask, double last);
/* One random-walk step of every contract. */
void market_walk(struct sim *s);
/*
 * Background quotes: `rate` per second over the contracts of `list` (comma-separated
 * symbols or ids; NULL or "": ES, NQ, YM, CL, GC), each quote one step of a walk
 * kept within 4 ticks of where it began. Returns 0, or -1 with a message.
 */
int market_load_set(struct sim *s, int rate, const char *list, char *err, size_t cap);
/* Send the background quotes due by now (the server's 1 ms timer). */
void market_load_tick(struct sim *s);
/* Periodic: fill the rest of market orders split by the partial_fills fault when due. */
void market_cron(struct sim *s);
/* The firm (--firm-mll): liquidate accounts whose equity is at or under the floor. */
void market_firm_check(struct sim *s);
/* The firm's end of day: each account's floor trails its closing balance. */
void market_firm_day_end(struct sim *s);
/* Change an account (GatewayUserAccount sent). */
void market_set_account(struct sim *s, struct px_account *a, const bool *can_trade,
			const double *balance);

/* --- hub.c: SignalR hub connections --- */
enum hub_kind { HUB_USER, HUB_MARKET };
enum sub_kind { SUB_ACCOUNTS, SUB_ORDERS, SUB_POSITIONS, SUB_TRADES, SUB_QUOTES, SUB_MTRADES,
		SUB_DEPTH, SUB_NKINDS };
struct lws;
struct hub_conn *hub_conn_new(struct sim *s, struct lws *wsi, int hub);
void hub_conn_free(struct sim *s, struct hub_conn *c);
/* Bytes received on the socket; returns -1 when the connection must close. */
int hub_conn_rx(struct sim *s, struct hub_conn *c, const char *in, size_t len);
/* The socket is writable; returns -1 when the connection must close. */
int hub_conn_writable(struct sim *s, struct hub_conn *c);
/* Periodic: keep-alive pings, client timeouts, end of a stall. */
void hub_cron(struct sim *s);
/* Send a user-hub event (target "GatewayUserOrder", ...) about an account. */
void hub_user_event(struct sim *s, int64_t account_id, int sub, const char *target, cJSON *data);
/* Send a market-hub event (target "GatewayQuote", ...) about a contract. */
void hub_market_event(struct sim *s, int ci, int sub, const char *target, cJSON *data);
/* Close every hub socket without a close message. */
void hub_drop_all(struct sim *s);
/* Send hostile (malformed, mistyped) records to every open hub connection. */
void hub_send_garbage(struct sim *s);
/* Is any record with seq <= seq still queued on a connection? */
bool hub_pending(const struct sim *s, int64_t seq);
/* Queue count quote records (bench). */
void hub_flood(struct sim *s, int ci, long count);
/* Queue count GatewayUserOrder records (one order on contract ci) to an account's subscribers. */
void hub_flood_orders(struct sim *s, int64_t account_id, int ci, long count);
/* Number of open hub connections. */
int hub_count(const struct sim *s);
/*
 * Bench: a WebSocket ping (RFC 6455 opcode 9, payload its sequence number) on each user-hub
 * connection subscribed to the account's orders; the client's pong is timed in s->pings.
 * Returns the sequence number, or -1 when no connection is subscribed.
 */
int64_t hub_ping(struct sim *s, int64_t account_id);
/* A pong arrived on a hub connection. */
void hub_conn_pong(struct sim *s, struct hub_conn *c, const char *in, size_t len);

/* --- auth.c: tokens and rate limits --- */
/* Issue a token for the configured user; returns it (static storage in s). */
const char *auth_issue(struct sim *s);
enum auth_result { AUTH_OK, AUTH_MISSING, AUTH_UNKNOWN, AUTH_EXPIRED };
int auth_check(struct sim *s, const char *token);
void auth_revoke(struct sim *s, const char *token);
/* Record a request in a rate-limit bucket; false when over the limit. */
bool auth_rate_ok(struct sim *s, bool bars);

/* --- control.c: request log and the control API --- */
void reqlog_add(struct sim *s, bool hub, const char *target, const char *body, size_t len,
		int status);
void reqlog_free(struct sim *s);
/* Result of a control or REST handler. */
struct http_resp {
	int status;
	char *body;           /* malloc'd JSON (or text), NULL: empty body */
	const char *ctype;    /* NULL: application/json */
	int delay_ms;         /* latency fault */
	int64_t wait_seq;     /* control: answer when records <= wait_seq are written (0: now) */
	bool events_sent;     /* control: body gets "eventsSentNs" appended when sent */
};
void control_handle(struct sim *s, int method, const char *path, const char *query,
		    const char *body, size_t len, struct http_resp *r);
/* Find and consume an armed fault for an /api path. */
void fault_apply(struct sim *s, const char *path, struct http_resp *r);
/* Consume a hub fault armed for an invocation target: 0 none, FAULT_HUB_REFUSE or _SILENT. */
int fault_hub(struct sim *s, const char *target);

/* --- rest.c: the REST API --- */
void rest_handle(struct sim *s, int method, const char *path, const char *auth_header,
		 const char *body, size_t len, struct http_resp *r);
/* JSON helpers shared by rest.c and control.c. */
char *json_print(cJSON *j); /* frees j */
char *json_envelope(cJSON *o, int code, const char *msg); /* frees o */

/* --- scenario.c --- */
struct scenario *scenario_load(struct sim *s, const char *path, char *err, size_t cap);
void scenario_start(struct sim *s, struct scenario *sc);
void scenario_free(struct scenario *sc);

/* --- server.c --- */
int server_run(struct sim *s);
/* s->load.rate changed: start or stop the 1 ms timer that sends the background quotes. */
void server_load_changed(struct sim *s);

enum { SIM_GET, SIM_POST, SIM_DELETE, SIM_OTHER };

#endif
