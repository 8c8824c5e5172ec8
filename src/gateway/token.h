/* token.h: the session token's lifetime: the JWT `exp` claim and when to refresh (pure). */
#ifndef SRM_GATEWAY_TOKEN_H
#define SRM_GATEWAY_TOKEN_H

#include <stdint.h>

#include "util/err.h"

/*
 * Read the `exp` claim (unix seconds) from a JWT "header.payload.signature" without
 * verifying it (the gateway does; we only need to know when to refresh, as project-x-py
 * does, API reference §3). Returns 0, or -1 with a reason.
 */
int gw_jwt_exp(const char *jwt, int64_t *exp_s, struct srm_err *err);

/*
 * Milliseconds from now_ms until the token should be refreshed: 5 minutes before `exp`,
 * or at 3/4 of the remaining life when that is shorter (short test tokens); 0 if overdue.
 */
int64_t gw_token_refresh_delay_ms(int64_t now_ms, int64_t exp_s);

#endif
