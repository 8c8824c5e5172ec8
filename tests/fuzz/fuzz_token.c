/* fuzz_token.c: libFuzzer target: arbitrary bytes -> the JWT `exp` reader and the refresh delay. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/token.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* gw_jwt_exp accepts exp in [0, 1e12] s (year 33658); anything else must be refused. */
#define EXP_MAX 1000000000000LL

static const char b64url_tab[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* base64url without padding; out must hold 4 * ceil(n / 3) + 1 bytes. */
static void b64url(const uint8_t *in, size_t n, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;

		if (i + 1 < n)
			v |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < n)
			v |= in[i + 2];
		out[o++] = b64url_tab[(v >> 18) & 63];
		out[o++] = b64url_tab[(v >> 12) & 63];
		if (i + 1 < n)
			out[o++] = b64url_tab[(v >> 6) & 63];
		if (i + 2 < n)
			out[o++] = b64url_tab[v & 63];
	}
	out[o] = '\0';
}

/* The delay is never negative, 0 once due, and never later than exp (exact arithmetic). */
static void check_delay(int64_t now_ms, int64_t exp_s)
{
	int64_t d = gw_token_refresh_delay_ms(now_ms, exp_s);
	__int128 left = (__int128)exp_s * 1000 - now_ms;

	if (d < 0)
		abort();
	if (left <= 0 && d != 0)
		abort();
	if (left > 0 && (d == 0 || (__int128)d > left))
		abort();
	/*
	 * exactly: 5 min before exp, or at 3/4 of the remaining life when that is shorter
	 * (a life of about INT64_MAX ms may be saturated)
	 */
	if (left > 0 && left < INT64_MAX - 1000 &&
	    (__int128)d != left - (left / 4 < 300000 ? left / 4 : 300000))
		abort();
}

static void check_exp(const char *jwt, int64_t now_ms)
{
	struct srm_err err = {0};
	int64_t exp = -42;
	int rc = gw_jwt_exp(jwt, &exp, &err);

	if (rc == 0) {
		if (exp < 0 || exp > EXP_MAX)
			abort();
		check_delay(now_ms, exp);
	} else if (rc != -1 || err.code == 0 || err.msg[0] == '\0' ||
		   memchr(err.msg, '\0', sizeof(err.msg)) == NULL || exp != -42) {
		abort(); /* a refusal says why and leaves exp alone */
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char head[] = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."; /* HS256, JWT */
	static const char sig[] = ".c2lnbmF0dXJl";
	int64_t a = 0, b = 0;
	char *s;

	/* the first 16 bytes, as any (now_ms, exp_s) */
	if (size >= 16) {
		memcpy(&a, data, 8);
		memcpy(&b, data + 8, 8);
		check_delay(a, b);
		check_delay(a, (int64_t)((uint64_t)b % (EXP_MAX + 1)));
		check_delay((int64_t)((uint64_t)a % (EXP_MAX * 1000)), b);
	}
	/* the bytes as the whole token (a C string: up to the first NUL) */
	s = malloc(size + 1);
	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	check_exp(s, 1767225600000LL);
	free(s);
	/* the bytes as the payload of a well-formed token, so the JSON side is reached too */
	s = malloc(sizeof(head) + 4 * (size / 3 + 1) + sizeof(sig) + 1);
	if (s == NULL)
		return 0;
	memcpy(s, head, sizeof(head) - 1);
	b64url(data, size, s + sizeof(head) - 1);
	memcpy(s + strlen(s), sig, sizeof(sig));
	check_exp(s, a);
	free(s);
	return 0;
}
