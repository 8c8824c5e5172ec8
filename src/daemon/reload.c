/*
 * reload.c: a new config, read and checked off the loop (uv_queue_work), swapped in on it.
 * Parsing a hostile file must never hold up enforcement (a 120 KB file once blocked the loop
 * 14 s); the config loader also bounds depth and size. One reload runs at a time: asks that
 * come meanwhile (SIGHUP, `srm admin config reload`) are served by one more reload after it,
 * which reads the file as it is then. A reply waits for its reload through a hold on the
 * client, so a client that hangs up meanwhile costs nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/alerts.h"
#include "daemon/srmd.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/strutil.h"
#include "util/xalloc.h"

#define RELOAD_WAITERS_MAX 256

struct waiter {
	struct ipc_client *c;       /* NULL: SIGHUP */
	int64_t id;
	long uid;
};

struct reload_job {
	uv_work_t w;
	struct srmd *d;
	char *path;
	struct srm_config *cfg;
	struct tz *zone;
	char *yaml;                 /* the same bytes, secrets redacted (for --record) */
	struct config_diag diag;
	char err[300];
	struct waiter *waiters;
	size_t n_waiters;
};

struct reloader {
	struct reload_job *running;
	/* asks that came while one ran: the next reload answers them */
	struct waiter *next;
	size_t n_next;
	bool wanted;
};

static void job_run(uv_work_t *w)
{
	struct reload_job *j = w->data;
	struct srm_err err = {0};

	j->cfg = config_load_redacted(j->path, &j->yaml, &j->diag);
	if (j->cfg == NULL)
		return;
	j->zone = tz_load(j->cfg->daemon.timezone, &err);
	if (j->zone == NULL) {
		snprintf(j->err, sizeof(j->err), "timezone %s: %s", j->cfg->daemon.timezone, err.msg);
		config_free(j->cfg);
		j->cfg = NULL;
	}
}

static void answer(struct srmd *d, const struct waiter *wt, bool ok, const char *why)
{
	struct srm_err err = {0};
	char *line;

	if (store_audit(d->st, clock_wall_ms(), wt->uid, ok ? "config reload" : "config reload (refused)",
			ok, &err) != 0)
		log_error("store", "audit not saved | err=\"%s\"", err.msg);
	if (ipc_client_gone(wt->c)) {
		ipc_client_release(wt->c);
		return;
	}
	ipc_client_resume(wt->c);
	line = ok ? ipc_reply_ok(wt->id, NULL) : ipc_reply_err(wt->id, "config_invalid", why);
	if (line != NULL)
		ipc_client_send(wt->c, line);
	free(line);
	ipc_client_release(wt->c);
}

static void start(struct srmd *d);

/* Swap the new config in (when it is good) and answer the asks this reload served. */
static void finish(struct reload_job *j, int status)
{
	struct srmd *d = j->d;
	struct reloader *r = d->reloader;
	char why[4096] = "";
	size_t len = 0;
	bool ok = status == 0 && j->cfg != NULL && d->phase != PH_STOPPING;

	r->running = NULL;
	if (ok) {
		/* an event like any other: journaled, recorded, what it decides is sent */
		struct srm_event ev = {.kind = EV_CONFIG};
		struct srm_config *old = d->cfg;
		struct tz *old_zone = d->zone;

		ev.u.config = (struct ev_config){j->cfg, j->zone, j->yaml, d->config_path,
						 d->phase == PH_GUARDING};
		d->cfg = j->cfg;
		d->zone = j->zone;
		log_info("config", "reloaded | path=%s", d->config_path);
		srmd_feed(d, &ev);
		config_free(old);
		tz_free(old_zone);
		if (d->alerts != NULL)
			alerts_configure(d->alerts, d->cfg);
		enum log_level lvl;

		if (d->cfg->daemon.log_level && log_level_parse(d->cfg->daemon.log_level, &lvl) == 0)
			log_set_level(lvl);
	} else {
		for (size_t i = 0; i < j->diag.n && len + 2 < sizeof(why); i++)
			len += (size_t)snprintf(why + len, sizeof(why) - len, "%s%s", i ? "\n" : "",
						j->diag.msgs[i]);
		if (j->err[0] != '\0' && len + 2 < sizeof(why))
			snprintf(why + len, sizeof(why) - len, "%s%s", len ? "\n" : "", j->err);
		if (why[0] == '\0')
			strlcpy_s(why, d->phase == PH_STOPPING ? "srmd is stopping" : "reload failed", sizeof(why));
		log_error("config", "reload refused, keeping the old config | errors=%zu first=\"%s\"",
			  j->diag.n, j->diag.n > 0 ? j->diag.msgs[0] : j->err);
		config_free(j->cfg);
		tz_free(j->zone);
	}
	for (size_t i = 0; i < j->n_waiters; i++)
		if (j->waiters[i].c != NULL)
			answer(d, &j->waiters[i], ok, why);
	free(j->waiters);
	free(j->path);
	free(j->yaml);
	free(j);
}

static void job_done(uv_work_t *w, int status)
{
	struct reload_job *j = w->data;
	struct srmd *d = j->d;

	finish(j, status);
	if (d->reloader->wanted && d->phase != PH_STOPPING)
		start(d);
}

static void start(struct srmd *d)
{
	struct reloader *r = d->reloader;
	struct reload_job *j = xcalloc(1, sizeof(*j));

	j->d = d;
	j->path = xstrdup(d->config_path);
	j->waiters = r->next;
	j->n_waiters = r->n_next;
	r->next = NULL;
	r->n_next = 0;
	r->wanted = false;
	j->w.data = j;
	r->running = j;
	if (uv_queue_work(d->loop, &j->w, job_run, job_done) != 0) {
		snprintf(j->err, sizeof(j->err), "cannot start the reload");
		finish(j, -1);
	}
}

void srmd_reload(struct srmd *d, struct ipc_client *c, int64_t id)
{
	struct reloader *r = d->reloader;

	if (d->phase == PH_STOPPING)
		return;
	if (c != NULL) {
		if (r->n_next >= RELOAD_WAITERS_MAX) {
			char *line = ipc_reply_err(id, "busy", "too many reloads waiting; try again");

			if (line != NULL)
				ipc_client_send(c, line);
			free(line);
			return;
		}
		r->next = xreallocarray(r->next, r->n_next + 1, sizeof(*r->next));
		r->next[r->n_next].c = c;
		r->next[r->n_next].id = id;
		r->next[r->n_next].uid = c->uid;
		r->n_next++;
		ipc_client_hold(c);
		ipc_client_pause(c);
	}
	r->wanted = true;
	if (r->running == NULL)
		start(d);
}

bool srmd_reload_busy(const struct srmd *d)
{
	const struct reloader *r = d->reloader;

	return r != NULL && (r->running != NULL || r->n_next > 0);
}

void srmd_reloader_new(struct srmd *d)
{
	d->reloader = xcalloc(1, sizeof(struct reloader));
}

void srmd_reloader_free(struct srmd *d)
{
	struct reloader *r = d->reloader;

	if (r == NULL)
		return;
	for (size_t i = 0; i < r->n_next; i++)
		ipc_client_release(r->next[i].c);
	free(r->next);
	free(r);
	d->reloader = NULL;
}
