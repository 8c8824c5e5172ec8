/* desktop.c: desktop notifications over the session D-Bus with sd-bus on the loop (desktop.h). */
#include <dlfcn.h>
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <systemd/sd-bus.h>

#include "daemon/desktop.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/strutil.h"
#include "util/xalloc.h"

#define NOTIFY_DEST "org.freedesktop.Notifications"
#define NOTIFY_PATH "/org/freedesktop/Notifications"
#define NOTIFY_IFACE "org.freedesktop.Notifications"
#define RECONNECT_BASE_MS 1000
#define RECONNECT_CAP_MS 60000
#define PROCESS_MAX 64             /* sd_bus_process steps per loop callback; then yield */
#define URGENCY_NORMAL 1
#define URGENCY_CRITICAL 2

/*
 * libsystemd's sd-bus, loaded (dlopen) when the channel is first wanted: srmd without desktop
 * notifications does not carry it and the four libraries it pulls in (0.7 MiB resident,
 * measured with bench/footprint.sh). The header's own declarations type the pointers.
 */
#define SDBUS_API(X)                                                                            \
	X(sd_bus_open_user) X(sd_bus_close_unref) X(sd_bus_set_method_call_timeout)             \
	X(sd_bus_get_fd) X(sd_bus_get_events) X(sd_bus_get_timeout) X(sd_bus_process)           \
	X(sd_bus_call_method_async) X(sd_bus_message_get_error) X(sd_bus_message_read)          \
	X(sd_bus_message_read_strv)
#define SDBUS_PTR(f) __typeof__(f) *(f);
#define SDBUS_NAME(f) #f,
static const char *const sdbus_names[] = { SDBUS_API(SDBUS_NAME) };
#define SDBUS_N (sizeof(sdbus_names) / sizeof(sdbus_names[0]))
union sdbus_api {
	struct {
		SDBUS_API(SDBUS_PTR)
	} f;
	void *p[SDBUS_N];           /* the same pointers, filled by dlsym in this order */
};
_Static_assert(sizeof(((union sdbus_api *)NULL)->f) == sizeof(void *) * SDBUS_N,
	       "one pointer per name");

struct desktop {
	uv_loop_t *loop;
	union sdbus_api api;
	void *lib;                  /* libsystemd.so.0, NULL until loaded */
	bool load_tried;
	char load_why[160];         /* why it could not be loaded */
	desktop_done_fn done;
	void *ud;
	sd_bus *bus;                /* NULL: not connected */
	uv_poll_t *poll;            /* on the bus's fd, one per connection (closed with it) */
	uv_timer_t timer;           /* sd-bus's next deadline (authentication, a call's timeout) */
	uv_timer_t deadline;        /* the whole notification's (DESKTOP_TIMEOUT_MS) */
	int markup;                 /* the server takes body markup: -1 not asked on this connection */
	bool said_connected;        /* "connected" logged for this connection */
	/* the notification in flight (GetCapabilities first, once per connection) */
	bool busy;
	char summary[192];
	char body[512];
	bool critical;
	/* its outcome, handed to done after sd_bus_process returns (never from inside sd-bus) */
	bool have_result, result_ok;
	char result_why[200];
	uint64_t backoff_ms, next_connect_ms;
	int open_handles;
	bool closing;
};

static uint64_t mono_ms(void)
{
	return clock_mono_ns() / 1000000;
}

bool desktop_bus_present(char *why, size_t cap)
{
	const char *addr = getenv("DBUS_SESSION_BUS_ADDRESS");
	const char *rt = getenv("XDG_RUNTIME_DIR");
	char path[4096];
	struct stat st;

	if (addr != NULL && addr[0] != '\0') {
		/* every address of the list (;-separated) must be unix: (path=, abstract=, ...) */
		for (const char *p = addr; p != NULL; p = strchr(p, ';') ? strchr(p, ';') + 1 : NULL) {
			if (*p == '\0')
				break;
			if (strncmp(p, "unix:", 5) != 0) {
				snprintf(why, cap, "DBUS_SESSION_BUS_ADDRESS is not a unix: address");
				return false;
			}
		}
		return true;
	}
	if (rt == NULL || rt[0] != '/') {
		snprintf(why, cap, "no session bus (DBUS_SESSION_BUS_ADDRESS and XDG_RUNTIME_DIR are unset)");
		return false;
	}
	if ((size_t)snprintf(path, sizeof(path), "%s/bus", rt) >= sizeof(path) ||
	    stat(path, &st) != 0 || !S_ISSOCK(st.st_mode)) {
		snprintf(why, cap, "no session bus (DBUS_SESSION_BUS_ADDRESS is unset and there is no "
			 "$XDG_RUNTIME_DIR/bus)");
		return false;
	}
	return true;
}

/* Load sd-bus once: 0, or -1 (load_why says why) without libsystemd.so.0 or a function of it. */
static int api_load(struct desktop *dt)
{
	if (dt->load_tried)
		return dt->lib != NULL ? 0 : -1;
	dt->load_tried = true;
	dt->lib = dlopen("libsystemd.so.0", RTLD_NOW | RTLD_LOCAL);
	if (dt->lib == NULL) {
		const char *e = dlerror();

		snprintf(dt->load_why, sizeof(dt->load_why), "cannot load libsystemd.so.0: %s",
			 e != NULL ? e : "unknown error");
		return -1;
	}
	for (size_t i = 0; i < SDBUS_N; i++) {
		dt->api.p[i] = dlsym(dt->lib, sdbus_names[i]);
		if (dt->api.p[i] == NULL) {
			snprintf(dt->load_why, sizeof(dt->load_why), "libsystemd.so.0 has no %s (too old)",
				 sdbus_names[i]);
			(void)dlclose(dt->lib);
			dt->lib = NULL;
			return -1;
		}
	}
	return 0;
}

bool desktop_available(struct desktop *dt, char *why, size_t cap)
{
	if (!desktop_bus_present(why, cap))
		return false;
	if (api_load(dt) != 0) {
		strlcpy_s(why, dt->load_why, cap);
		return false;
	}
	return true;
}

/* ---- the connection on the loop ------------------------------------------------------ */

static void handle_closed(uv_handle_t *h)
{
	struct desktop *dt = h->data;

	if (--dt->open_handles == 0 && dt->closing)
		free(dt);
}

static void poll_freed(uv_handle_t *h)
{
	free(h);
}

/* The next connection no sooner than 1 s, 2 s, 4 s ... 60 s after this failure. */
static void backoff(struct desktop *dt)
{
	dt->backoff_ms = dt->backoff_ms == 0 ? RECONNECT_BASE_MS
			 : dt->backoff_ms * 2 > RECONNECT_CAP_MS ? RECONNECT_CAP_MS : dt->backoff_ms * 2;
	dt->next_connect_ms = mono_ms() + dt->backoff_ms;
}

static void result(struct desktop *dt, bool ok, const char *why)
{
	if (!dt->busy || dt->have_result)
		return;
	dt->have_result = true;
	dt->result_ok = ok;
	strlcpy_s(dt->result_why, why, sizeof(dt->result_why));
}

/* Hand the outcome over (outside sd-bus's callbacks: done may send the next one). */
static void finish(struct desktop *dt)
{
	if (!dt->have_result || dt->closing)
		return;
	dt->have_result = false;
	dt->busy = false;
	uv_timer_stop(&dt->deadline);
	dt->done(dt->ud, dt->result_ok, dt->result_why);
}

/* Close the connection; what is in flight fails with why. The next try waits the backoff. */
static void drop_bus(struct desktop *dt, const char *why)
{
	if (dt->bus == NULL)
		return;
	if (dt->poll != NULL) {
		/* before the fd is closed: uv_close takes it out of epoll at once */
		uv_close((uv_handle_t *)dt->poll, poll_freed);
		dt->poll = NULL;
	}
	uv_timer_stop(&dt->timer);
	/* no flush (it would block): the calls still queued are dropped with their slots */
	dt->bus = dt->api.f.sd_bus_close_unref(dt->bus);
	backoff(dt);
	if (!dt->closing)
		log_warn("alerts", "session bus connection closed; reconnecting at the next alert | "
			 "why=\"%s\" backoff_ms=%llu", why, (unsigned long long)dt->backoff_ms);
	result(dt, false, why);
}

static void pump(struct desktop *dt);

static void poll_cb(uv_poll_t *p, int status, int events)
{
	struct desktop *dt = p->data;

	(void)events;
	if (status < 0) {
		char why[96];

		snprintf(why, sizeof(why), "session bus socket: %s", uv_strerror(status));
		drop_bus(dt, why);
		finish(dt);
		return;
	}
	pump(dt);
}

static void timer_cb(uv_timer_t *t)
{
	pump(t->data);
}

static void deadline_cb(uv_timer_t *t)
{
	struct desktop *dt = t->data;

	drop_bus(dt, "no answer from the notification service in time");
	finish(dt);
}

/* Watch what sd-bus waits for now: its fd's events and its next deadline. */
static void rearm(struct desktop *dt)
{
	uint64_t until = UINT64_MAX, now_us = clock_mono_ns() / 1000;
	int ev, flags = 0, r;
	char why[96];

	if (dt->bus == NULL)
		return;
	ev = dt->api.f.sd_bus_get_events(dt->bus);
	r = ev < 0 ? ev : dt->api.f.sd_bus_get_timeout(dt->bus, &until);
	if (r < 0) {
		snprintf(why, sizeof(why), "session bus: %s", strerror(-r));
		drop_bus(dt, why);
		return;
	}
	if (ev & POLLIN)
		flags |= UV_READABLE;
	if (ev & POLLOUT)
		flags |= UV_WRITABLE;
	/* the connection is watched while idle too: a bus that goes away is seen at once */
	(void)uv_poll_start(dt->poll, flags | UV_DISCONNECT, poll_cb);
	if (until == UINT64_MAX)
		uv_timer_stop(&dt->timer);
	else
		uv_timer_start(&dt->timer, timer_cb, until > now_us ? (until - now_us + 999) / 1000 : 0,
			       0);
}

/* Let sd-bus read, write, authenticate and dispatch replies; bounded per loop turn. */
static void pump(struct desktop *dt)
{
	int r = 0, i;

	for (i = 0; dt->bus != NULL && i < PROCESS_MAX; i++) {
		r = dt->api.f.sd_bus_process(dt->bus, NULL);
		if (r < 0) {
			char why[96];

			snprintf(why, sizeof(why), "session bus: %s", strerror(-r));
			drop_bus(dt, why);
			break;
		}
		if (r == 0)
			break;
	}
	if (dt->bus != NULL) {
		rearm(dt);
		if (i == PROCESS_MAX)
			uv_timer_start(&dt->timer, timer_cb, 0, 0); /* more to do: the next loop turn */
	}
	finish(dt);
}

/* ---- the calls ----------------------------------------------------------------------- */

/* "Notify: org.freedesktop.DBus.Error.ServiceUnknown: ..." from an error reply. */
static bool reply_failed(struct desktop *dt, sd_bus_message *m, const char *what, char *why,
			 size_t cap)
{
	const sd_bus_error *e = dt->api.f.sd_bus_message_get_error(m);

	if (e == NULL)
		return false;
	snprintf(why, cap, "%s: %s%s%.120s", what, e->name != NULL ? e->name : "error",
		 e->message != NULL ? ": " : "", e->message != NULL ? e->message : "");
	return true;
}

static int notify_reply(sd_bus_message *m, void *ud, sd_bus_error *ret)
{
	struct desktop *dt = ud;
	char why[200];
	uint32_t id = 0;

	(void)ret;
	if (reply_failed(dt, m, "Notify", why, sizeof(why))) {
		result(dt, false, why);
		return 0;
	}
	if (dt->api.f.sd_bus_message_read(m, "u", &id) < 0) {
		result(dt, false, "Notify: the reply is not a notification id");
		return 0;
	}
	dt->backoff_ms = 0;
	if (!dt->said_connected) {
		dt->said_connected = true;
		log_info("alerts", "desktop notifications go to the session bus | markup=%d id=%u",
			 dt->markup, id);
	}
	result(dt, true, "");
	return 0;
}

static int send_notify(struct desktop *dt)
{
	char body[sizeof(dt->body) * 5], summary[sizeof(dt->summary)];

	/*
	 * app, replaces_id (none), icon (none), summary, body, actions (none), hints (the
	 * urgency), expire_timeout (-1: the server's default). D-Bus strings must be UTF-8; a
	 * markup-aware server would read & and < as markup.
	 */
	(void)utf8_scrub(dt->summary, false, summary, sizeof(summary));
	(void)utf8_scrub(dt->body, dt->markup == 1, body, sizeof(body));
	return dt->api.f.sd_bus_call_method_async(dt->bus, NULL, NOTIFY_DEST, NOTIFY_PATH,
						  NOTIFY_IFACE, "Notify", notify_reply, dt,
						  "susssasa{sv}i", DESKTOP_APP_NAME, (uint32_t)0,
						  "", summary, body, 0u, 1u, "urgency", "y",
						  (uint8_t)(dt->critical ? URGENCY_CRITICAL
									 : URGENCY_NORMAL),
						  (int32_t)-1);
}

/* GetCapabilities (once per connection): does the body take markup? Then Notify. */
static int caps_reply(sd_bus_message *m, void *ud, sd_bus_error *ret)
{
	struct desktop *dt = ud;
	char why[200], **caps = NULL;
	int r;

	(void)ret;
	if (reply_failed(dt, m, "GetCapabilities", why, sizeof(why))) {
		result(dt, false, why);
		return 0;
	}
	if (dt->api.f.sd_bus_message_read_strv(m, &caps) < 0) {
		result(dt, false, "GetCapabilities: the reply is not a list of strings");
		return 0;
	}
	dt->markup = 0;
	for (size_t i = 0; caps != NULL && caps[i] != NULL; i++) {
		if (strcmp(caps[i], "body-markup") == 0)
			dt->markup = 1;
		free(caps[i]);
	}
	free(caps);
	r = send_notify(dt);
	if (r < 0) {
		snprintf(why, sizeof(why), "Notify not sent: %s", strerror(-r));
		result(dt, false, why);
	}
	return 0;
}

static int connect_bus(struct desktop *dt, char *why, size_t cap)
{
	uint64_t now = mono_ms();
	int r, fd;

	if (!desktop_available(dt, why, cap))
		return -1;
	if (now < dt->next_connect_ms) {
		snprintf(why, cap, "the session bus was unreachable; next try in %llu ms",
			 (unsigned long long)(dt->next_connect_ms - now));
		return -1;
	}
	/* a non-blocking connect; authentication and Hello go on in pump() */
	r = dt->api.f.sd_bus_open_user(&dt->bus);
	if (r >= 0)
		/* GetCapabilities and Notify: each half of the whole deadline */
		r = dt->api.f.sd_bus_set_method_call_timeout(dt->bus,
							     (uint64_t)DESKTOP_TIMEOUT_MS * 1000 / 2);
	fd = r >= 0 ? dt->api.f.sd_bus_get_fd(dt->bus) : r;
	if (fd < 0) {
		snprintf(why, cap, "cannot connect to the session bus: %s", strerror(-fd));
		dt->bus = dt->api.f.sd_bus_close_unref(dt->bus);
		backoff(dt);
		return -1;
	}
	dt->poll = xcalloc(1, sizeof(*dt->poll));
	if (uv_poll_init(dt->loop, dt->poll, fd) != 0) {
		free(dt->poll);
		dt->poll = NULL;
		dt->bus = dt->api.f.sd_bus_close_unref(dt->bus);
		snprintf(why, cap, "cannot watch the session bus socket");
		return -1;
	}
	dt->poll->data = dt;
	dt->markup = -1;
	dt->said_connected = false;
	return 0;
}

int desktop_notify(struct desktop *dt, const char *summary, const char *body, bool critical,
		   char *why, size_t cap)
{
	int r;

	if (dt->busy || dt->closing) {
		snprintf(why, cap, "busy");
		return -1;
	}
	if (dt->bus == NULL && connect_bus(dt, why, cap) != 0)
		return -1;
	strlcpy_s(dt->summary, summary, sizeof(dt->summary));
	strlcpy_s(dt->body, body, sizeof(dt->body));
	dt->critical = critical;
	if (dt->markup < 0)
		r = dt->api.f.sd_bus_call_method_async(dt->bus, NULL, NOTIFY_DEST, NOTIFY_PATH,
						       NOTIFY_IFACE, "GetCapabilities", caps_reply,
						       dt, "");
	else
		r = send_notify(dt);
	if (r < 0) {
		snprintf(why, cap, "not sent on the session bus: %s", strerror(-r));
		drop_bus(dt, why);
		return -1;
	}
	dt->busy = true;
	dt->have_result = false;
	uv_timer_start(&dt->deadline, deadline_cb, DESKTOP_TIMEOUT_MS, 0);
	rearm(dt);
	if (dt->have_result) {
		/* rearm found the connection broken: nothing in flight after all */
		dt->have_result = false;
		dt->busy = false;
		uv_timer_stop(&dt->deadline);
		strlcpy_s(why, dt->result_why, cap);
		return -1;
	}
	return 0;
}

struct desktop *desktop_new(uv_loop_t *loop, desktop_done_fn done, void *ud)
{
	struct desktop *dt = xcalloc(1, sizeof(*dt));

	dt->loop = loop;
	dt->done = done;
	dt->ud = ud;
	dt->markup = -1;
	uv_timer_init(loop, &dt->timer);
	uv_timer_init(loop, &dt->deadline);
	dt->timer.data = dt->deadline.data = dt;
	dt->open_handles = 2;
	return dt;
}

void desktop_close(struct desktop *dt)
{
	if (dt == NULL || dt->closing)
		return;
	dt->closing = true;
	dt->busy = false;
	drop_bus(dt, "srmd is stopping");
	uv_close((uv_handle_t *)&dt->timer, handle_closed);
	uv_close((uv_handle_t *)&dt->deadline, handle_closed);
}
