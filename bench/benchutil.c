/* benchutil.c: see benchutil.h. */
#include "benchutil.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct buf {
	char *p;
	size_t len;
};

double bench_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t on_body(char *data, size_t sz, size_t n, void *ud)
{
	struct buf *b = ud;
	char *p = realloc(b->p, b->len + sz * n + 1);

	if (p == NULL)
		return 0;
	memcpy(p + b->len, data, sz * n);
	b->len += sz * n;
	p[b->len] = '\0';
	b->p = p;
	return sz * n;
}

static const char *bench_ca; /* https with this CA, else http */

void bench_use_tls(const char *ca_file)
{
	bench_ca = ca_file;
}

cJSON *bench_post(int port, const char *path, const char *json)
{
	CURL *c = curl_easy_init();
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
	struct buf b = { NULL, 0 };
	char url[256];
	long status = 0;
	cJSON *j = NULL;

	snprintf(url, sizeof(url), "%s://127.0.0.1:%d%s", bench_ca ? "https" : "http", port, path);
	if (c != NULL && h != NULL) {
		curl_easy_setopt(c, CURLOPT_URL, url);
		if (bench_ca != NULL)
			curl_easy_setopt(c, CURLOPT_CAINFO, bench_ca);
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, json);
		curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
		curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
		curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 10000L);
		if (curl_easy_perform(c) == CURLE_OK &&
		    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status) == CURLE_OK &&
		    status == 200 && b.p != NULL)
			j = cJSON_Parse(b.p);
	}
	if (j == NULL)
		fprintf(stderr, "bench: POST %s failed (HTTP %ld)\n", path, status);
	free(b.p);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return j;
}

char *bench_login(int port)
{
	cJSON *login = bench_post(port, "/api/Auth/loginKey",
				  "{\"userName\":\"demo\",\"apiKey\":\"demo\"}");
	const cJSON *tok = cJSON_GetObjectItemCaseSensitive(login, "token");
	char *t = cJSON_IsString(tok) ? strdup(tok->valuestring) : NULL;

	cJSON_Delete(login);
	if (t == NULL)
		fprintf(stderr, "bench: login failed\n");
	return t;
}

int bench_flood(int port, long long account, const char *contract, long nq, long no)
{
	char body[256];
	cJSON *r;

	if (nq > 0) {
		snprintf(body, sizeof(body), "{\"contractId\":\"%s\",\"count\":%ld}", contract, nq);
		r = bench_post(port, "/sim/bench/flood", body);
		if (r == NULL)
			return -1;
		cJSON_Delete(r);
	}
	if (no > 0) {
		snprintf(body, sizeof(body),
			 "{\"kind\":\"order\",\"accountId\":%lld,\"contractId\":\"%s\",\"count\":%ld}",
			 account, contract, no);
		r = bench_post(port, "/sim/bench/flood", body);
		if (r == NULL)
			return -1;
		cJSON_Delete(r);
	}
	return 0;
}

bool bench_parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		return false;
	*out = v;
	return true;
}
