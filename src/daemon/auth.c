/* auth.c: the admin password check: hashed off the loop, limited per peer uid, audited in summary. */
#include <crypt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/auth.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/strutil.h"
#include "util/xalloc.h"

struct peer {
	bool used;
	long uid;
	bool hashing;               /* one hash per uid at a time */
	unsigned failures;          /* wrong passwords since the last success (or quiet) */
	uint64_t last_ms;           /* loop time of the last attempt */
	uint64_t next_ok_ms;        /* no hash before this (loop time) */
	bool streak;                /* a run of failures is open: its first row is written */
	unsigned agg_fail, agg_refused; /* since the last audit row */
	uint64_t agg_since_ms;
};

struct delay {
	uv_timer_t t;
	struct auth *a;
	struct ipc_client *c;
	int64_t id;
	char code[24];
	char msg[200];
	struct delay *prev, *next;
};

struct job {
	uv_work_t w;
	struct auth *a;
	struct ipc_client *c;
	int64_t id;
	long uid;
	bool ok;
	char *hash;
	char pw[AUTH_PASSWORD_MAX + 1];
	struct crypt_data cd;       /* ~32 KiB: on the heap, not a pool thread's stack */
};

struct auth {
	uv_loop_t *loop;
	struct store *st;
	struct peer peers[AUTH_MAX_PEERS];
	int hashing;
	bool stopping;
	uint64_t refuse_ms;         /* AUTH_REFUSE_DELAY_MS (a fuzz harness sets 0) */
	struct delay *delays;       /* refusals waiting for their delay */
};

struct auth *auth_new(uv_loop_t *loop, struct store *st)
{
	struct auth *a = xcalloc(1, sizeof(*a));

	a->loop = loop;
	a->st = st;
	a->refuse_ms = AUTH_REFUSE_DELAY_MS;
	return a;
}

void auth_set_refuse_delay(struct auth *a, uint64_t ms)
{
	a->refuse_ms = ms;
}

size_t auth_pending(const struct auth *a)
{
	size_t n = (size_t)a->hashing;

	for (const struct delay *dl = a->delays; dl != NULL; dl = dl->next)
		n++;
	return n;
}

void auth_free(struct auth *a)
{
	free(a);
}

static void audit(struct auth *a, long uid, const char *what, bool ok)
{
	struct srm_err err = {0};

	if (a->st != NULL && store_audit(a->st, clock_wall_ms(), uid, what, ok, &err) != 0)
		log_error("store", "audit not saved | err=\"%s\"", err.msg);
}

/* Write what has gathered since the last row of this uid's failures (if anything). */
static void flush(struct auth *a, struct peer *p, uint64_t now)
{
	char what[200];

	if (p->agg_fail == 0 && p->agg_refused == 0)
		return;
	snprintf(what, sizeof(what), "auth: %u more wrong passwords and %u attempts refused "
		 "unchecked (rate limit) from uid %ld in %" PRIu64 " s", p->agg_fail, p->agg_refused,
		 p->uid, (now - p->agg_since_ms + 999) / 1000);
	audit(a, p->uid, what, false);
	log_warn("admin", "%s", what);
	p->agg_fail = p->agg_refused = 0;
	p->agg_since_ms = now;
}

static struct peer *peer_of(struct auth *a, long uid, uint64_t now)
{
	struct peer *free_p = NULL, *oldest = NULL;

	for (size_t i = 0; i < AUTH_MAX_PEERS; i++) {
		struct peer *p = &a->peers[i];

		if (p->used && p->uid == uid)
			return p;
		if (!p->used && free_p == NULL)
			free_p = p;
		if (p->used && !p->hashing && (oldest == NULL || p->last_ms < oldest->last_ms))
			oldest = p;
	}
	if (free_p == NULL) {
		if (oldest == NULL)
			return NULL;
		flush(a, oldest, now);
		free_p = oldest;
	}
	memset(free_p, 0, sizeof(*free_p));
	free_p->used = true;
	free_p->uid = uid;
	return free_p;
}

static void delay_closed(uv_handle_t *h)
{
	free(h->data);
}

static void delay_fire(uv_timer_t *t)
{
	struct delay *dl = t->data;
	struct auth *a = dl->a;
	char *line;

	if (!ipc_client_gone(dl->c)) {
		ipc_client_resume(dl->c);
		line = ipc_reply_err(dl->id, dl->code, dl->msg);
		if (line != NULL)
			ipc_client_send(dl->c, line);
		free(line);
	}
	ipc_client_release(dl->c);
	if (dl->prev != NULL)
		dl->prev->next = dl->next;
	else
		a->delays = dl->next;
	if (dl->next != NULL)
		dl->next->prev = dl->prev;
	uv_timer_stop(t);
	uv_close((uv_handle_t *)t, delay_closed);
}

/* Answer c with an error after AUTH_REFUSE_DELAY_MS (the client is held until then). */
static void refuse_later(struct auth *a, struct ipc_client *c, int64_t id, const char *code,
			 const char *msg)
{
	struct delay *dl = xcalloc(1, sizeof(*dl));

	dl->a = a;
	dl->c = c;
	dl->id = id;
	strlcpy_s(dl->code, code, sizeof(dl->code));
	strlcpy_s(dl->msg, msg, sizeof(dl->msg));
	ipc_client_hold(c);
	ipc_client_pause(c);
	uv_timer_init(a->loop, &dl->t);
	dl->t.data = dl;
	dl->next = a->delays;
	if (a->delays != NULL)
		a->delays->prev = dl;
	a->delays = dl;
	uv_timer_start(&dl->t, delay_fire, a->stopping ? 0 : a->refuse_ms, 0);
}

static bool same_hash(const char *x, const char *y)
{
	size_t nx = strlen(x), ny = strlen(y);
	unsigned char diff = nx != ny;

	for (size_t i = 0; i < nx && i < ny; i++)
		diff |= (unsigned char)(x[i] ^ y[i]);
	return diff == 0;
}

static void job_run(uv_work_t *w)
{
	struct job *j = w->data;
	const char *out = crypt_rn(j->pw, j->hash, &j->cd, (int)sizeof(j->cd));

	j->ok = out != NULL && out[0] != '*' && same_hash(out, j->hash);
	explicit_bzero(j->pw, sizeof(j->pw));
	explicit_bzero(&j->cd, sizeof(j->cd));
}

static uint64_t spacing_ms(unsigned failures)
{
	unsigned k = failures - AUTH_FREE_FAILURES;
	uint64_t ms = 1000ull << (k > 6 ? 6 : k);

	return ms > AUTH_MAX_SPACING_MS ? AUTH_MAX_SPACING_MS : ms;
}

static void job_done(uv_work_t *w, int status)
{
	struct job *j = w->data;
	struct auth *a = j->a;
	uint64_t now = uv_now(a->loop);
	struct peer *p = peer_of(a, j->uid, now);
	char msg[200];

	a->hashing--;
	if (p != NULL) {
		p->hashing = false;
		p->last_ms = now;
	}
	if (status != 0) {
		/* cancelled before it ran (srmd stopping): neither a success nor a failure */
		if (!ipc_client_gone(j->c))
			refuse_later(a, j->c, j->id, "stopping", "srmd is stopping");
	} else if (j->ok) {
		if (p != NULL) {
			flush(a, p, now);
			p->failures = 0;
			p->next_ok_ms = 0;
			p->streak = false;
		}
		audit(a, j->uid, "auth", true);
		log_info("admin", "auth | uid=%ld ok=1", j->uid);
		if (!ipc_client_gone(j->c)) {
			char *line = ipc_reply_ok(j->id, NULL);

			j->c->authed = true;
			ipc_client_resume(j->c);
			if (line != NULL)
				ipc_client_send(j->c, line);
			free(line);
		}
	} else {
		snprintf(msg, sizeof(msg), "wrong password");
		if (p != NULL) {
			p->failures++;
			if (p->failures >= AUTH_FREE_FAILURES) {
				uint64_t sp = spacing_ms(p->failures);

				p->next_ok_ms = now + sp;
				snprintf(msg, sizeof(msg), "wrong password; too many from this user, the next "
					 "attempt is checked in %" PRIu64 " s", sp / 1000);
			}
			if (!p->streak) {
				char what[100];

				snprintf(what, sizeof(what), "auth (wrong password) from uid %ld", j->uid);
				audit(a, j->uid, what, false);
				log_warn("admin", "%s", what);
				p->streak = true;
				p->agg_since_ms = now;
			} else {
				p->agg_fail++;
			}
		}
		if (!ipc_client_gone(j->c))
			refuse_later(a, j->c, j->id, "auth_failed", msg);
	}
	ipc_client_release(j->c);
	free(j->hash);
	free(j);
}

void auth_attempt(struct auth *a, struct ipc_client *c, int64_t id, const char *password,
		  const char *hash)
{
	uint64_t now = uv_now(a->loop);
	struct peer *p;
	char msg[200];

	if (a->stopping) {
		refuse_later(a, c, id, "stopping", "srmd is stopping");
		return;
	}
	if (strlen(password) > AUTH_PASSWORD_MAX) {
		refuse_later(a, c, id, "auth_failed", "wrong password");
		return;
	}
	p = peer_of(a, c->uid, now);
	if (p != NULL && p->failures > 0 && now - p->last_ms > AUTH_FORGET_MS) {
		flush(a, p, now);
		p->failures = 0;
		p->next_ok_ms = 0;
		p->streak = false;
	}
	if (p == NULL || p->hashing || a->hashing >= AUTH_MAX_HASHING || now < p->next_ok_ms) {
		uint64_t wait = p != NULL && now < p->next_ok_ms ? p->next_ok_ms - now : 1000;

		if (p != NULL) {
			p->last_ms = now;
			if (!p->streak) {
				p->streak = true;
				p->agg_since_ms = now;
			}
			p->agg_refused++;
		}
		snprintf(msg, sizeof(msg), "too many attempts from this user: not checked; try again in "
			 "%" PRIu64 " s", (wait + 999) / 1000);
		refuse_later(a, c, id, "rate_limited", msg);
		return;
	}
	struct job *j = xcalloc(1, sizeof(*j));

	j->a = a;
	j->c = c;
	j->id = id;
	j->uid = c->uid;
	j->hash = xstrdup(hash);
	strlcpy_s(j->pw, password, sizeof(j->pw));
	j->w.data = j;
	p->hashing = true;
	p->last_ms = now;
	a->hashing++;
	ipc_client_hold(c);
	ipc_client_pause(c);
	if (uv_queue_work(a->loop, &j->w, job_run, job_done) != 0) {
		explicit_bzero(j->pw, sizeof(j->pw));
		a->hashing--;
		p->hashing = false;
		ipc_client_release(c);
		free(j->hash);
		free(j);
		refuse_later(a, c, id, "auth_failed", "cannot check the password now; try again");
	}
}

void auth_cron(struct auth *a)
{
	uint64_t now = uv_now(a->loop);

	for (size_t i = 0; i < AUTH_MAX_PEERS; i++) {
		struct peer *p = &a->peers[i];

		if (!p->used || !p->streak)
			continue;
		if (now - p->agg_since_ms >= AUTH_SUMMARY_MS)
			flush(a, p, now);
		if (!p->hashing && now - p->last_ms > AUTH_FORGET_MS) {
			flush(a, p, now);
			p->streak = false;
			p->failures = 0;
			p->next_ok_ms = 0;
		}
	}
}

void auth_shutdown(struct auth *a)
{
	uint64_t now = uv_now(a->loop);

	a->stopping = true;
	for (size_t i = 0; i < AUTH_MAX_PEERS; i++)
		if (a->peers[i].used)
			flush(a, &a->peers[i], now);
	for (struct delay *dl = a->delays; dl != NULL; dl = dl->next)
		uv_timer_start(&dl->t, delay_fire, 0, 0);
}
