/*
 * auth.h: the admin password check of the IPC `auth` command, made safe to expose:
 * - the yescrypt hash runs off the loop (uv_queue_work), so guessing never delays
 *   enforcement;
 * - a limiter per peer uid (SO_PEERCRED), across connections: after AUTH_FREE_FAILURES
 *   wrong passwords, one attempt per 2^k s (k = failures beyond them, capped at
 *   AUTH_MAX_SPACING_MS); an attempt before its time is refused without hashing; one hash
 *   per uid at a time; quiet for AUTH_FORGET_MS forgets the failures;
 * - every refusal answers after AUTH_REFUSE_DELAY_MS, through a hold on the client, so a
 *   client that hangs up meanwhile costs nothing;
 * - the audit table gets the first failure of a streak and then one summary row per
 *   AUTH_SUMMARY_MS while it lasts (and at its end), not a row per guess; the log likewise.
 */
#ifndef SRM_DAEMON_AUTH_H
#define SRM_DAEMON_AUTH_H

#include <stdint.h>
#include <uv.h>

#include "daemon/ipc_server.h"
#include "store/store.h"

#define AUTH_FREE_FAILURES 5
#define AUTH_MAX_SPACING_MS 60000
#define AUTH_REFUSE_DELAY_MS 500
#define AUTH_SUMMARY_MS 60000
#define AUTH_FORGET_MS (15 * 60 * 1000)
#define AUTH_MAX_PEERS 64
#define AUTH_MAX_HASHING 2          /* hashes in flight in all (the thread pool is shared) */
#define AUTH_PASSWORD_MAX 1024

struct auth;

struct auth *auth_new(uv_loop_t *loop, struct store *st);
/* Free after the loop has run its last callbacks (pending hashes finish first). */
void auth_free(struct auth *a);
/* srmd is stopping: delayed refusals are sent now, nothing new is started. */
void auth_shutdown(struct auth *a);
/*
 * Check password against hash (yescrypt or bcrypt, `srm admin passwd`) for client c; the
 * reply to request id goes to c later (ok: c->authed is set; else an error with code
 * auth_failed or rate_limited). The password is copied and wiped after use.
 */
void auth_attempt(struct auth *a, struct ipc_client *c, int64_t id, const char *password,
		  const char *hash);
/* The refusal delay (default AUTH_REFUSE_DELAY_MS; a fuzz harness sets 0). */
void auth_set_refuse_delay(struct auth *a, uint64_t ms);
/* Hashes and delayed refusals still to come. */
size_t auth_pending(const struct auth *a);
/* Flush the audit summaries that are due (call from the cron). */
void auth_cron(struct auth *a);

#endif
