/*
 * alerts.h: telling the trader (config `alerts:`): a webhook (JSON, HMAC-signed), ntfy (a
 * phone), a command (the alert as JSON on stdin), a desktop notification (D-Bus, desktop.h),
 * and a heartbeat to a dead man's switch.
 * Delivery never blocks the loop and never delays enforcement: a bounded queue, one
 * request in flight per channel, retries with backoff, a per-channel rate limit that
 * coalesces a storm, and what could not be delivered is journaled.
 */
#ifndef SRM_DAEMON_ALERTS_H
#define SRM_DAEMON_ALERTS_H

#include <stdbool.h>
#include <stdint.h>

#include "config/config.h"

struct srmd;
struct alerts;

struct alerts *alerts_new(struct srmd *d);
/* A new config (a reload): its channels from now on. */
void alerts_configure(struct alerts *al, const struct srm_config *cfg);
/* One alert (account 0: none; rule NULL: none). */
void alerts_emit(struct alerts *al, enum alert_event ev, int64_t account, const char *rule,
		 const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* A measured value an alert carries for scripts: the JSON body's "values": {key: value}. */
#define ALERT_VALUES_MAX 8
struct alert_value {
	char key[24];
	double value;
};
/* alerts_emit with values (at most ALERT_VALUES_MAX) and no rule. */
void alerts_emit_values(struct alerts *al, enum alert_event ev, int64_t account,
			const struct alert_value *v, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
/*
 * The guard's state now (each cron turn): not guarded longer than guard_after raises
 * guard_degraded once, guarded again after that raises guard_restored.
 */
void alerts_guard(struct alerts *al, bool guarded, const char *reason);
/* Stop: what is queued gets up to 2 s more, then everything is freed. */
void alerts_close(struct alerts *al);
/* For srm status: queued, delivered, failed (journaled), coalesced. */
void alerts_stats(const struct alerts *al, uint64_t out[4]);

#endif
