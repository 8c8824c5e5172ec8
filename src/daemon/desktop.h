/*
 * desktop.h: desktop notifications (alerts.desktop) through the freedesktop Notifications
 * service (org.freedesktop.Notifications, method Notify) on the session D-Bus, with sd-bus
 * on srmd's libuv loop: the bus's fd in a uv_poll_t, its timeouts in a uv_timer_t, every
 * call asynchronous. One notification in flight; the alerts' queue does the rest (retries,
 * rate, journal). Functions return 0 or -1 with why filled.
 */
#ifndef SRM_DAEMON_DESKTOP_H
#define SRM_DAEMON_DESKTOP_H

#include <stdbool.h>
#include <stddef.h>

#include <uv.h>

#define DESKTOP_APP_NAME "SRM"
#define DESKTOP_TIMEOUT_MS 10000   /* one notification: connected, asked and answered */

struct desktop;

/* The outcome of one desktop_notify that returned 0, called once, on the loop. */
typedef void (*desktop_done_fn)(void *ud, bool ok, const char *why);

struct desktop *desktop_new(uv_loop_t *loop, desktop_done_fn done, void *ud);
/*
 * Is there a session bus to talk to: DBUS_SESSION_BUS_ADDRESS (unix: addresses only: a tcp:
 * host would need a DNS lookup on the loop), else the socket $XDG_RUNTIME_DIR/bus. When not,
 * why says what is missing.
 */
bool desktop_bus_present(char *why, size_t cap);
/*
 * desktop_bus_present, and libsystemd's sd-bus can be used (it is loaded on the first call
 * that finds a bus: srmd without desktop notifications does not carry it).
 */
bool desktop_available(struct desktop *dt, char *why, size_t cap);
/*
 * Send one notification (summary, body: plain text; critical: the urgency hint 2, else 1),
 * connecting first when not connected (not before the reconnect backoff allows). 0: done
 * will be called; -1: nothing was sent (busy, no bus, cannot connect), why says so.
 */
int desktop_notify(struct desktop *dt, const char *summary, const char *body, bool critical,
		   char *why, size_t cap);
/* Drop the connection and what is in flight (done is not called again); freed once closed. */
void desktop_close(struct desktop *dt);

#endif
