/* token.c: JWT `exp` parsing (base64url payload, cJSON) and the refresh schedule. */
#include "gateway/token.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define JWT_MAX_PAYLOAD 8192

static int b64url_val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-' || c == '+')
		return 62;
	if (c == '_' || c == '/')
		return 63;
	return -1;
}

/* Decode base64url (padding optional) of len chars into out; returns bytes or -1. */
static long b64url_decode(const char *in, size_t len, char *out, size_t cap)
{
	uint32_t acc = 0;
	int bits = 0;
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		int v;

		if (in[i] == '=')
			break;
		v = b64url_val((unsigned char)in[i]);
		if (v < 0)
			return -1;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n + 1 >= cap)
				return -1;
			out[n++] = (char)((acc >> bits) & 0xff);
		}
	}
	out[n] = '\0';
	return (long)n;
}

int gw_jwt_exp(const char *jwt, int64_t *exp_s, struct srm_err *err)
{
	const char *p1, *p2;
	char *buf = NULL;
	cJSON *j = NULL;
	const cJSON *e;
	long n;
	int rc = -1;

	if (jwt == NULL || (p1 = strchr(jwt, '.')) == NULL ||
	    (p2 = strchr(p1 + 1, '.')) == NULL) {
		srm_err_set(err, SRM_EINVAL, "token: expected a JWT with three parts");
		goto out;
	}
	if ((size_t)(p2 - p1 - 1) > JWT_MAX_PAYLOAD) {
		srm_err_set(err, SRM_EINVAL, "token: JWT payload too long");
		goto out;
	}
	buf = malloc(JWT_MAX_PAYLOAD);
	if (buf == NULL) {
		srm_err_set(err, SRM_ENOMEM, "token: out of memory");
		goto out;
	}
	n = b64url_decode(p1 + 1, (size_t)(p2 - p1 - 1), buf, JWT_MAX_PAYLOAD);
	if (n < 0) {
		srm_err_set(err, SRM_EINVAL, "token: JWT payload is not base64url");
		goto out;
	}
	j = cJSON_ParseWithLength(buf, (size_t)n);
	if (j == NULL || !cJSON_IsObject(j)) {
		srm_err_set(err, SRM_EINVAL, "token: JWT payload is not a JSON object");
		goto out;
	}
	e = cJSON_GetObjectItemCaseSensitive(j, "exp");
	if (e == NULL) {
		srm_err_set(err, SRM_EMISSING, "token: JWT has no 'exp' claim");
		goto out;
	}
	if (!cJSON_IsNumber(e) || !isfinite(e->valuedouble) || e->valuedouble < 0 ||
	    e->valuedouble > 1e12) {
		srm_err_set(err, SRM_EINVAL, "token: JWT 'exp' is not a valid time");
		goto out;
	}
	*exp_s = (int64_t)e->valuedouble;
	rc = 0;
out:
	cJSON_Delete(j);
	free(buf);
	return rc;
}

int64_t gw_token_refresh_delay_ms(int64_t now_ms, int64_t exp_s)
{
	int64_t q = now_ms / 1000, r = now_ms % 1000, d, left, margin;

	/*
	 * exp_s * 1000 - now_ms overflows int64 for some inputs (a forged claim, a clock gone
	 * wild), and the contract is any now, any exp. So work in whole seconds first:
	 * now_ms = q * 1000 + r with 0 <= r < 1000, left = (exp_s - q) * 1000 - r, and
	 * saturate a life too long for int64 milliseconds.
	 */
	if (r < 0) {
		q--;
		r += 1000;
	}
	if (q > 0 && exp_s < INT64_MIN + q)
		return 0;
	if (q < 0 && exp_s > INT64_MAX + q)
		d = INT64_MAX;
	else
		d = exp_s - q;
	if (d <= 0)
		return 0;
	left = d > INT64_MAX / 1000 ? INT64_MAX : d * 1000 - r;
	margin = left / 4;
	if (margin > 300000)
		margin = 300000;
	return left - margin;
}
