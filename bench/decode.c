/*
 * decode.c: the JSON layer of hub ingest alone, in memory, no socket. The two records are the
 * bytes srm-sim sends in bench/ingest.sh (captured off the wire): one GatewayQuote and one
 * GatewayUserOrder. Per record, three layers are timed:
 *   parse   cJSON_ParseWithLength + cJSON_Delete (the library alone);
 *   decode  what src/gateway/hub.c does with a record: parse, 'type' and 'target', then
 *           src/wire/ into a struct srm_event with every field checked, then delete;
 * and the result is printed as ns per record and the records/s that one core could reach if
 * the transport were free. Usage: bench-decode [N] (default 2000000 records per layer).
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wire/wire.h"

static const char quote_rec[] =
	"{\"type\":1,\"target\":\"GatewayQuote\",\"arguments\":[\"CON.F.US.EP.Z26\",{\"symbol\":"
	"\"F.US.EP\",\"lastPrice\":6800,\"bestBid\":6800.25,\"bestAsk\":6800.5,\"lastUpdated\":"
	"\"2026-11-28T13:14:56.737Z\",\"timestamp\":\"2026-11-28T13:14:56.737Z\",\"symbolName\":"
	"\"\",\"change\":0,\"changePercent\":0,\"open\":6800,\"high\":6800,\"low\":6800,"
	"\"volume\":0}]}";

static const char order_rec[] =
	"{\"type\":1,\"target\":\"GatewayUserOrder\",\"arguments\":[{\"id\":70002,\"accountId\":"
	"10001,\"contractId\":\"CON.F.US.EP.Z26\",\"symbolId\":\"F.US.EP\",\"creationTimestamp\":"
	"\"2026-11-28T13:15:05.727Z\",\"updateTimestamp\":\"2026-11-28T13:15:05.727Z\",\"status\":"
	"1,\"type\":1,\"side\":0,\"size\":1,\"limitPrice\":6798,\"stopPrice\":null,\"fillVolume\":"
	"0,\"filledPrice\":null,\"customTag\":null}]}";

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int parse_only(const char *rec, size_t len)
{
	cJSON *m = cJSON_ParseWithLength(rec, len);
	int ok = cJSON_IsObject(m);

	cJSON_Delete(m);
	return ok ? 0 : -1;
}

/* The steps of hub.c on_record → on_invocation → deliver_quote / deliver_user. */
static int decode(const char *rec, size_t len, struct srm_event *ev)
{
	struct srm_err err = { 0 };
	cJSON *m = cJSON_ParseWithLength(rec, len);
	const cJSON *type, *target, *args;
	enum ev_kind kind;
	size_t n = 0;
	int rc = -1;

	if (!cJSON_IsObject(m))
		goto out;
	type = cJSON_GetObjectItemCaseSensitive(m, "type");
	target = cJSON_GetObjectItemCaseSensitive(m, "target");
	args = cJSON_GetObjectItemCaseSensitive(m, "arguments");
	if (!cJSON_IsNumber(type) || type->valueint != 1 || !cJSON_IsString(target) ||
	    !cJSON_IsArray(args))
		goto out;
	if (strcmp(target->valuestring, "GatewayQuote") == 0) {
		const cJSON *cid = cJSON_GetArrayItem(args, 0);

		if (cJSON_GetArraySize(args) < 2 || !cJSON_IsString(cid))
			goto out;
		memset(ev, 0, sizeof(*ev));
		ev->kind = EV_QUOTE;
		rc = wire_decode_quote(cid->valuestring, cJSON_GetArrayItem(args, 1), &ev->u.quote,
				       &err);
	} else if (wire_event_kind(target->valuestring, &kind) == 0) {
		rc = wire_decode_user_event(kind, cJSON_GetArrayItem(args, 0), ev, 1, &n, &err);
		if (rc == 0 && n != 1)
			rc = -1;
	}
	if (rc != 0)
		fprintf(stderr, "bench-decode: %s\n", err.msg[0] ? err.msg : "bad record");
out:
	cJSON_Delete(m);
	return rc;
}

static void report(const char *layer, long n, double secs, size_t bytes)
{
	double ns = secs * 1e9 / (double)n;

	printf("%-8s %9ld records %7.3f s %8.0f ns/record %6.2f MB/s %10.0f records/s\n", layer,
	       n, secs, ns, (double)bytes / secs / 1e6, (double)n / secs);
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? strtol(argv[1], NULL, 10) : 2000000;
	const char *rec[2] = { quote_rec, order_rec };
	size_t len[2] = { sizeof(quote_rec) - 1, sizeof(order_rec) - 1 };
	struct srm_event ev;
	size_t bytes = 0;
	double t0;
	long bad = 0;

	if (n <= 0 || n > 1000000000) {
		fprintf(stderr, "usage: bench-decode [N]\n");
		return 2;
	}
	for (long i = 0; i < n; i++)
		bytes += len[i & 1];
	printf("bench-decode: %ld records, GatewayQuote (%zu bytes) and GatewayUserOrder (%zu bytes)"
	       " alternating, one core\n", n, len[0], len[1]);

	t0 = now_s();
	for (long i = 0; i < n; i++)
		bad += parse_only(rec[i & 1], len[i & 1]) != 0;
	report("parse", n, now_s() - t0, bytes);

	t0 = now_s();
	for (long i = 0; i < n; i++) {
		bad += decode(rec[i & 1], len[i & 1], &ev) != 0;
		if ((i & 1) == 0 && (ev.kind != EV_QUOTE || ev.u.quote.best_bid != 6800.25))
			bad++;
		if ((i & 1) == 1 && (ev.kind != EV_ORDER || ev.u.order.limit_price != 6798))
			bad++;
	}
	report("decode", n, now_s() - t0, bytes);
	if (bad > 0) {
		fprintf(stderr, "bench-decode: %ld records failed\n", bad);
		return 1;
	}
	return 0;
}
