/* auth.c: srm-sim's JWT-like session tokens (with an exp claim) and the REST rate limiter. */
#include <stdio.h>
#include <string.h>

#include "sim/sim.h"
#include "util/strutil.h"

static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* base64url without padding; returns the length written (out always NUL-terminated). */
static size_t b64url_encode(const unsigned char *in, size_t n, char *out, size_t cap)
{
	size_t o = 0;

	for (size_t i = 0; i < n && o + 5 < cap; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;
		size_t k = n - i;

		if (k > 1)
			v |= (uint32_t)in[i + 1] << 8;
		if (k > 2)
			v |= in[i + 2];
		out[o++] = b64url[(v >> 18) & 63];
		out[o++] = b64url[(v >> 12) & 63];
		if (k > 1)
			out[o++] = b64url[(v >> 6) & 63];
		if (k > 2)
			out[o++] = b64url[v & 63];
	}
	out[o] = '\0';
	return o;
}

/* FNV-1a, mixed with a per-run secret: a signature a client cannot forge by accident. */
static uint64_t sig_hash(const char *s, uint64_t secret)
{
	uint64_t h = 1469598103934665603ull ^ secret;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ull;
	}
	return h;
}

/*
 * Issue a token "header.payload.sig" whose payload carries sub, jti, iat and exp (PXPY decodes
 * exp to schedule its refresh, API reference §3). Kept in a bounded table; the oldest token is
 * forgotten when it is full.
 */
const char *auth_issue(struct sim *s)
{
	char payload[256], hdr[64], pay[360], sig[32];
	unsigned char sigb[16];
	int64_t now = sim_now_ms() / 1000;
	int64_t exp = now + s->opt.token_ttl;
	const char *h = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
	struct sim_token *t;

	snprintf(payload, sizeof(payload),
		 "{\"sub\":\"%s\",\"jti\":\"%lld\",\"iat\":%lld,\"exp\":%lld,\"iss\":\"srm-sim\"}",
		 s->opt.user, (long long)++s->token_serial, (long long)now, (long long)exp);
	b64url_encode((const unsigned char *)h, strlen(h), hdr, sizeof(hdr));
	b64url_encode((const unsigned char *)payload, strlen(payload), pay, sizeof(pay));
	if (s->ntokens == SIM_MAX_TOKENS) {
		memmove(&s->tokens[0], &s->tokens[1], sizeof(s->tokens[0]) * (SIM_MAX_TOKENS - 1));
		s->ntokens--;
	}
	t = &s->tokens[s->ntokens++];
	memset(t, 0, sizeof(*t));
	snprintf(t->tok, sizeof(t->tok), "%s.%s", hdr, pay);
	uint64_t hv = sig_hash(t->tok, s->opt.seed ^ 0x5eed5eedull);
	uint64_t hv2 = sig_hash(pay, hv);
	for (int i = 0; i < 8; i++) {
		sigb[i] = (unsigned char)(hv >> (i * 8));
		sigb[8 + i] = (unsigned char)(hv2 >> (i * 8));
	}
	b64url_encode(sigb, sizeof(sigb), sig, sizeof(sig));
	size_t len = strlen(t->tok);
	snprintf(t->tok + len, sizeof(t->tok) - len, ".%s", sig);
	t->exp = exp;
	return t->tok;
}

/* Check a bearer token (AUTH_OK, AUTH_MISSING, AUTH_UNKNOWN or AUTH_EXPIRED). */
int auth_check(struct sim *s, const char *token)
{
	if (token == NULL || token[0] == '\0')
		return AUTH_MISSING;
	for (size_t i = 0; i < s->ntokens; i++) {
		struct sim_token *t = &s->tokens[i];

		if (strcmp(t->tok, token) != 0)
			continue;
		if (t->revoked)
			return AUTH_UNKNOWN;
		if (t->exp <= sim_now_ms() / 1000)
			return AUTH_EXPIRED;
		return AUTH_OK;
	}
	return AUTH_UNKNOWN;
}

/* Auth/logout: the token stops working. */
void auth_revoke(struct sim *s, const char *token)
{
	for (size_t i = 0; i < s->ntokens; i++)
		if (strcmp(s->tokens[i].tok, token) == 0)
			s->tokens[i].revoked = true;
}

/*
 * Sliding-window limiter (API reference §8): 200 requests per 60 s, 50 per 30 s for
 * History/retrieveBars. A ring holds the times of the last N accepted requests; a request is
 * refused when the oldest of them is still inside the window. Scope: the whole simulator.
 */
bool auth_rate_ok(struct sim *s, bool bars)
{
	int64_t now = sim_mono_ns() / 1000000;
	int64_t *ring = bars ? s->rl_bars : s->rl_general;
	int n = bars ? 50 : 200;
	int *idx = bars ? &s->rl_bars_i : &s->rl_general_i;
	int64_t window = bars ? 30000 : 60000;

	if (!s->opt.rate_limit)
		return true;
	if (ring[*idx] != 0 && now - ring[*idx] < window)
		return false;
	ring[*idx] = now;
	*idx = (*idx + 1) % n;
	return true;
}
