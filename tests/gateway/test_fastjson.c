/*
 * test_fastjson.c: differential test of the hub's two record readers. Every record of a
 * corpus goes through gw_dispatch_record twice: cJSON only (the path every record took
 * before, cJSON + src/wire) and with the fast parser (simdjson, fastjson.cpp); the results
 * must be identical: the record's type, the outcome, the malformed message word for word,
 * the ignored target, and every decoded event byte for byte. The corpus: realistic quotes
 * and user events in every shape (flat, list, {action, data}) for every user-hub kind, the
 * fuzz corpus (tests/fuzz/corpus/wire) as every target's argument, hand-written malformed
 * records (types, ranges, nulls, numbers simdjson and cJSON read differently, escapes,
 * duplicate keys, NULs in keys, nesting at cJSON's limit, trailing bytes, invalid UTF-8),
 * and seeded byte mutations of all of them. It also checks the fast path is taken for the
 * well-formed records (else the test would compare cJSON with itself).
 * Usage: test_fastjson DIR_OF_THE_WIRE_FUZZ_CORPUS [MUTATIONS_PER_RECORD]
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/dispatch.h"
#include "gateway/fastjson.h"

#include "check.h"

#define CAP 8

static long fast_taken, compared;
static struct gw_fastjson *fj;


static void show(const char *label, const char *rec, size_t len, const struct gw_record *r)
{
	fprintf(stderr, "  %s: type=%d fast=%d rc=%d n=%zu what=%s why=%s target=%s\n", label,
		r->type, r->fast, r->res.rc, r->res.n, r->res.what, r->res.why, r->res.target);
	if (label[0] == 'o')
		fprintf(stderr, "  record: %.*s\n", (int)(len > 400 ? 400 : len), rec);
}

/* Both readers on one record; returns whether the fast one took it. */
static bool compare(const char *rec, size_t len)
{
	static struct srm_event ea[CAP], eb[CAP];
	struct gw_record a, b;
	bool same;

	memset(ea, 0xA5, sizeof(ea));
	memset(eb, 0x5A, sizeof(eb));
	gw_dispatch_record(NULL, rec, len, ea, CAP, &a);
	gw_dispatch_record(fj, rec, len, eb, CAP, &b);
	compared++;
	if (b.fast)
		fast_taken++;
	same = a.type == b.type && !a.fast &&
	       (a.type != 1 || (a.res.rc == b.res.rc && a.res.n == b.res.n &&
				strcmp(a.res.what, b.res.what) == 0 &&
				strcmp(a.res.why, b.res.why) == 0 &&
				strcmp(a.res.target, b.res.target) == 0 &&
				a.res.logout == b.res.logout &&
				(a.res.rc != GW_DISP_EVENTS ||
				 memcmp(ea, eb, a.res.n * sizeof(ea[0])) == 0)));
	if (a.type == -1)
		same = same && strcmp(a.res.why, b.res.why) == 0;
	CHECK(same);
	if (!same) {
		show("old (cJSON)", rec, len, &a);
		show("new (fast) ", rec, len, &b);
	}
	cJSON_Delete(a.tree);
	cJSON_Delete(b.tree);
	return b.fast;
}

static bool compare_s(const char *rec)
{
	return compare(rec, strlen(rec));
}

/* A user-hub invocation around one argument. */
static void invocation(char *buf, size_t cap, const char *target, const char *arg)
{
	snprintf(buf, cap, "{\"type\":1,\"target\":\"%s\",\"arguments\":[%s]}", target, arg);
}

static const char *const targets[] = {
	"GatewayUserAccount", "GatewayUserOrder", "GatewayUserPosition", "GatewayUserTrade",
};

static const char order[] =
	"{\"id\":9056,\"accountId\":10001,\"contractId\":\"CON.F.US.MNQ.Z25\","
	"\"symbolId\":\"F.US.MNQ\",\"creationTimestamp\":\"2025-07-21T13:45:00.123+00:00\","
	"\"updateTimestamp\":\"2025-07-21T13:45:01Z\",\"status\":1,\"type\":1,\"side\":0,"
	"\"size\":1,\"limitPrice\":21000.25,\"stopPrice\":null,\"fillVolume\":0,"
	"\"filledPrice\":null,\"customTag\":\"srm-auto-stop\"}";
static const char position[] =
	"{\"id\":77,\"accountId\":10001,\"contractId\":\"CON.F.US.MNQ.Z25\","
	"\"creationTimestamp\":\"2025-07-21T13:45:00Z\",\"type\":1,\"size\":2,"
	"\"averagePrice\":21000.5}";
static const char trade[] =
	"{\"id\":8604,\"accountId\":10001,\"contractId\":\"CON.F.US.MNQ.Z25\","
	"\"creationTimestamp\":\"2025-07-21T13:45:00Z\",\"price\":21000.25,"
	"\"profitAndLoss\":-12.5,\"fees\":1.24,\"side\":1,\"size\":1,\"voided\":false,"
	"\"orderId\":9056}";
static const char account[] =
	"{\"id\":10001,\"name\":\"50K-COMBINE\",\"balance\":50000.0,\"canTrade\":true,"
	"\"isVisible\":true,\"simulated\":true}";
static const char quote[] =
	"[\"CON.F.US.EP.Z26\",{\"symbol\":\"F.US.EP\",\"symbolName\":\"/ES\",\"lastPrice\":2100.25,"
	"\"bestBid\":2100.00,\"bestAsk\":2100.50,\"change\":-0.25,\"changePercent\":-0.01,"
	"\"open\":2090,\"high\":2110,\"low\":2080,\"volume\":12000,"
	"\"lastUpdated\":\"2024-07-21T13:45:00Z\",\"timestamp\":\"2024-07-21T13:45:00.5Z\"}]";

static char **corpus;
static size_t ncorpus, capcorpus;

static void add(const char *rec)
{
	if (ncorpus == capcorpus) {
		capcorpus = capcorpus ? 2 * capcorpus : 256;
		corpus = realloc(corpus, capcorpus * sizeof(*corpus));
		if (corpus == NULL)
			abort();
	}
	corpus[ncorpus++] = strdup(rec);
}

/* The well-formed records: each must take the fast path and match. */
static void t_valid(void)
{
	const char *const objs[] = { account, order, position, trade };
	char rec[8192], arg[4096];

	fprintf(stderr, "-- well-formed records: the fast path takes them, with the same events\n");
	for (int k = 0; k < 4; k++) {
		const char *o = objs[k];

		invocation(rec, sizeof(rec), targets[k], o);
		CHECK(compare_s(rec));
		add(rec);
		snprintf(arg, sizeof(arg), "[%s,%s]", o, o);
		invocation(rec, sizeof(rec), targets[k], arg);
		CHECK(compare_s(rec));
		add(rec);
		snprintf(arg, sizeof(arg), "{\"action\":1,\"data\":%s}", o);
		invocation(rec, sizeof(rec), targets[k], arg);
		CHECK(compare_s(rec));
		add(rec);
		snprintf(arg, sizeof(arg), "{\"action\":0,\"data\":[%s]}", o);
		invocation(rec, sizeof(rec), targets[k], arg);
		CHECK(compare_s(rec));
		add(rec);
	}
	snprintf(rec, sizeof(rec), "{\"type\":1,\"target\":\"GatewayQuote\",\"arguments\":%s}", quote);
	CHECK(compare_s(rec));
	add(rec);
	/* other targets (ignored) and the record-level shapes */
	CHECK(compare_s("{\"type\":1,\"target\":\"GatewayDepth\",\"arguments\":[\"X\",[]]}"));
	CHECK(compare_s("{\"type\":1,\"target\":\"GatewayLogout\",\"arguments\":[]}"));
	add("{\"type\":1,\"target\":\"GatewayLogout\",\"arguments\":[]}");
	add("{\"type\":3,\"invocationId\":\"1\",\"result\":null}");
	add("{\"type\":6}");
	add("{\"type\":7,\"error\":\"bye\"}");
}

/*
 * A record's own type never reads as the reader's "malformed" (-1) without saying why: a
 * negative type is out of range (fuzz_hubrec found {"type":-1} with an empty reason).
 */
static void t_negative_type(void)
{
	static const char *const recs[] = { "{\"type\":-1}", "{\"type\":-1,\"target\":\"x\"}",
					    "{\"type\":-0.5}", "{\"type\":\x01-1}", "{\"type\":-1e10}" };
	struct srm_event ev[CAP];
	struct gw_record r;

	for (size_t i = 0; i < sizeof(recs) / sizeof(recs[0]); i++) {
		gw_dispatch_record(NULL, recs[i], strlen(recs[i]), ev, CAP, &r);
		CHECK(r.type == -1 && strcmp(r.res.why, "'type' out of range") == 0);
		cJSON_Delete(r.tree);
	}
}

/* Malformed and odd records: both readers must say the same. */
static void t_malformed(void)
{
	static const char *const recs[] = {
		"", " ", "null", "[]", "1", "\"x\"", "{", "{}", "{\"type\":\"1\"}", "{\"type\":null}",
		"{\"type\":1}", "{\"type\":1.9,\"target\":\"GatewayLogout\",\"arguments\":[]}",
		"{\"type\":1e10,\"target\":\"x\",\"arguments\":[]}",
		"{\"type\":-1e10,\"target\":\"x\",\"arguments\":[]}",
		"{\"type\":-1,\"target\":\"GatewayLogout\",\"arguments\":[]}", "{\"type\":-0.5}",
		"{\"type\":\x01-1}",
		"{\"type\":1,\"target\":7,\"arguments\":[]}",
		"{\"type\":1,\"target\":\"GatewayQuote\",\"arguments\":{}}",
		"{\"type\":1,\"target\":\"GatewayQuote\",\"arguments\":[]}",
		"{\"type\":1,\"target\":\"GatewayQuote\",\"arguments\":[\"X\"]}",
		"{\"type\":1,\"target\":\"GatewayQuote\",\"arguments\":[1,{}]}",
		"{\"type\":1,\"target\":\"GatewayQuote\",\"arguments\":[\"X\",{}]}",
		"{\"type\":1,\"target\":\"GatewayQuote\",\"arguments\":[\"\",{\"bestBid\":1}]}",
		"{\"type\":1,\"target\":\"GatewayQuote\",\"arguments\":[\"X\",{\"bestBid\":-0}]}",
		"{\"type\":1,\"target\":\"GatewayQuote\",\"arguments\":[\"X\",{\"bestBid\":-0.0}]}",
		"{\"type\":1,\"target\":\"GatewayQuote\",\"arguments\":[\"X\",{\"bestBid\":1e400}]}",
		"{\"type\":1,\"target\":\"GatewayQuote\",\"arguments\":[\"X\",{\"bestBid\":1e-400}]}",
		"{\"type\":1,\"target\":\"GatewayQuote\",\"arguments\":[\"X\",{\"bestBid\":-1e-400}]}",
		"{\"type\":1,\"target\":\"GatewayQuote\",\"arguments\":[\"X\",{\"bestBid\":1e13}]}",
		"{\"type\":1,\"target\":\"GatewayQuote\",\"arguments\":[\"X\",{\"bestBid\":"
		"123456789012345678901234567890}]}",
		"{\"type\":1,\"target\":\"GatewayQuote\",\"arguments\":[\"X\",{\"bestBid\":"
		"18446744073709551615}]}",
		"{\"type\":1,\"target\":\"GatewayQuote\",\"arguments\":[\"X\",{\"bestBid\":"
		"-9223372036854775808}]}",
		"{\"type\":1,\"target\":\"GatewayQuote\",\"arguments\":[\"X\",{\"bestBid\":"
		"1.000000000000000000000000000000000000000000000000000000000000000001}]}",
		"{\"type\":1,\"target\":\"GatewayQuote\",\"arguments\":[\"X\",{\"bestBid\":"
		"1.0000000000000000000000000000000000000000000000000000000001}]}",
		"{\"type\":1,\"target\":\"GatewayQuote\",\"arguments\":[\"X\",{\"bestBid\":01}]}",
		"{\"type\":1,\"target\":\"GatewayQuote\",\"arguments\":[\"X\",{\"bestBid\":1.}]}",
		"{\"type\":1,\"target\":\"GatewayQuote\",\"arguments\":[\"X\",{\"bestBid\":\"1\"}]}",
		"{\"type\":1,\"target\":\"GatewayQuote\",\"arguments\":[\"X\",{\"bestBid\":true}]}",
		"{\"type\":1,\"target\":\"GatewayQuote\",\"arguments\":[\"X\",{\"bestBid\":2,\"bestBid\":3}]}",
		"{\"type\":1,\"target\":\"GatewayQuote\",\"arguments\":[\"X\",{\"best\\u0000x\":2,"
		"\"bestBid\\u0000y\":5}]}",
		"{\"type\":1,\"target\":\"GatewayQuote\",\"arguments\":[\"X\\u0000Y\",{\"bestBid\":5}]}",
		"{\"type\":1,\"target\":\"GatewayQuote\",\"arguments\":[\"\\uD83D\\uDE00\",{\"bestBid\":5}]}",
		"{\"type\":1,\"target\":\"GatewayQuote\",\"arguments\":[\"\\uDC00\",{\"bestBid\":5}]}",
		"{\"type\":1,\"target\":\"GatewayQuote\",\"arguments\":[\"\\uD800\",{\"bestBid\":5}]}",
		"{\"type\":1,\"target\":\"GatewayQuote\",\"arguments\":[\"\\uD800\\u0041\",{\"bestBid\":5}]}",
		"{\"type\":1,\"target\":\"GatewayQuote\",\"arguments\":[\"\xff\",{\"bestBid\":5}]}",
		"{\"type\":1,\"target\":\"GatewayQuote\",\"arguments\":[\"\xc3\xa9\",{\"bestBid\":5}]}",
		"{\"type\":1,\"target\":\"GatewayQuote\",\"arguments\":[\"a\tb\",{\"bestBid\":5}]}",
		"{\"type\":1,\"target\":\"GatewayQuote\",\"arguments\":[\"X\",{\"bestBid\":5}]}xyz",
		"{\"type\":1,\"target\":\"GatewayQuote\",\"arguments\":[\"X\",{\"bestBid\":5}]}  ",
		"\x01{\"type\":1,\"target\":\"GatewayQuote\",\"arguments\":[\"X\",{\"bestBid\":5}]}",
		"\xef\xbb\xbf{\"type\":1,\"target\":\"GatewayQuote\",\"arguments\":[\"X\",{\"bestBid\":5}]}",
		"{\"type\":1,\"target\":\"GatewayQuote\",\"arguments\":[\"X\",{\"bestBid\":5,}]}",
		"{\"type\":1,\"target\":\"GatewayQuote\",\"arguments\":[\"X\",{\"lastUpdated\":\"soon\","
		"\"bestBid\":5}]}",
		"{\"type\":1,\"target\":\"GatewayQuote\",\"arguments\":[\"X\",{\"timestamp\":"
		"\"1999-01-01T00:00:00Z\",\"bestBid\":5}]}",
		"{\"type\":1,\"target\":\"GatewayUserOrder\",\"arguments\":[]}",
		"{\"type\":1,\"target\":\"GatewayUserOrder\",\"arguments\":[[1]]}",
		"{\"type\":1,\"target\":\"GatewayUserOrder\",\"arguments\":[{\"data\":1}]}",
		"{\"type\":1,\"target\":\"GatewayUserOrder\",\"arguments\":[{\"action\":\"x\",\"data\":{}}]}",
		"{\"type\":1,\"target\":\"GatewayUserOrder\",\"arguments\":[[{},{},{},{},{},{},{},{},{}]]}",
		"{\"type\":1,\"target\":\"GatewayUserAccount\",\"arguments\":[{\"id\":1.5}]}",
		"{\"type\":1,\"target\":\"GatewayUserAccount\",\"arguments\":[{\"id\":4294967296}]}",
		"{\"type\":1,\"target\":\"GatewayUserTrade\",\"arguments\":[{\"id\":9007199254740993}]}",
	};
	char deep[4200];

	fprintf(stderr, "-- malformed and odd records: the same outcome and message\n");
	for (size_t i = 0; i < sizeof(recs) / sizeof(recs[0]); i++) {
		compare_s(recs[i]);
		add(recs[i]);
	}
	/* nesting around cJSON's limit, both ways */
	for (int d = CJSON_NESTING_LIMIT - 4; d <= CJSON_NESTING_LIMIT + 2; d++) {
		size_t n = 0;

		n += (size_t)snprintf(deep + n, sizeof(deep) - n, "{\"type\":1,\"target\":\"GatewayQuote\","
				      "\"arguments\":[\"X\",{\"bestBid\":5,\"x\":");
		for (int k = 0; k < d - 3; k++)
			deep[n++] = '[';
		for (int k = 0; k < d - 3; k++)
			deep[n++] = ']';
		snprintf(deep + n, sizeof(deep) - n, "}]}");
		compare_s(deep);
	}
}

/* The fuzz corpus of the wire decoders, as every target's argument and as quote data. */
static void t_fuzz_corpus(const char *dir)
{
	DIR *d = opendir(dir);
	const struct dirent *e;
	char path[1024], *body, *rec;
	long files = 0;

	fprintf(stderr, "-- the wire fuzz corpus (%s) in every target\n", dir);
	CHECK(d != NULL);
	if (d == NULL)
		return;
	body = malloc(1 << 16);
	rec = malloc((1 << 16) + 256);
	while ((e = readdir(d)) != NULL) {
		FILE *f;
		size_t n;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		f = fopen(path, "rb");
		if (f == NULL)
			continue;
		n = fread(body, 1, (1 << 16) - 1, f);
		fclose(f);
		body[n] = '\0';
		while (n > 0 && (body[n - 1] == '\n' || body[n - 1] == ' '))
			body[--n] = '\0';
		files++;
		for (int k = 0; k < 4; k++) {
			invocation(rec, (1 << 16) + 256, targets[k], body);
			compare_s(rec);
			add(rec);
		}
		snprintf(rec, (1 << 16) + 256, "{\"type\":1,\"target\":\"GatewayQuote\",\"arguments\":%s}",
			 body);
		compare_s(rec);
		add(rec);
		snprintf(rec, (1 << 16) + 256,
			 "{\"type\":1,\"target\":\"GatewayQuote\",\"arguments\":[\"X\",%s]}", body);
		compare_s(rec);
		add(rec);
	}
	closedir(d);
	free(body);
	free(rec);
	CHECK(files >= 5);
}

static uint32_t next_rand(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

/* Seeded byte mutations of every corpus record: flips, JSON-ish bytes, cuts, repeats. */
static void t_mutations(long per)
{
	static const char alphabet[] = "{}[],:\"\\-0123456789.eE+ntrufalsu\x1e\x00\xff\xc3 ";
	uint32_t seed = 0x5eed1234;
	char *buf = malloc(1 << 17);
	size_t base = ncorpus;

	fprintf(stderr, "-- %ld seeded mutations of each of %zu records\n", per, base);
	for (size_t i = 0; i < base; i++) {
		size_t len0 = strlen(corpus[i]);

		for (long m = 0; m < per; m++) {
			size_t len = len0;
			int edits = 1 + (int)(next_rand(&seed) % 4);

			if (len0 == 0 || len0 + 64 > (1 << 17))
				break;
			memcpy(buf, corpus[i], len0);
			for (int k = 0; k < edits && len > 0; k++) {
				size_t at = next_rand(&seed) % len;
				uint32_t op = next_rand(&seed) % 4;

				if (op == 0) {
					buf[at] = alphabet[next_rand(&seed) % (sizeof(alphabet) - 1)];
				} else if (op == 1) {
					buf[at] ^= (char)(1u << (next_rand(&seed) % 8));
				} else if (op == 2 && len > 1) {
					memmove(buf + at, buf + at + 1, len - at - 1);
					len--;
				} else if (len + 1 < (1 << 17)) {
					memmove(buf + at + 1, buf + at, len - at);
					buf[at] = alphabet[next_rand(&seed) % (sizeof(alphabet) - 1)];
					len++;
				}
			}
			compare(buf, len);
		}
	}
	free(buf);
}

int main(int argc, char **argv)
{
	long per = argc > 2 ? strtol(argv[2], NULL, 10) : 200;

	if (argc < 2) {
		fprintf(stderr, "usage: test_fastjson WIRE_CORPUS_DIR [MUTATIONS]\n");
		return 2;
	}
	fj = gw_fastjson_new(0);
	CHECK(fj != NULL);
	if (fj == NULL)
		return 1;
	t_valid();
	t_malformed();
	t_negative_type();
	t_fuzz_corpus(argv[1]);
	t_mutations(per);
	fprintf(stderr, "%ld records compared, %ld through the fast parser\n", compared, fast_taken);
	CHECK(fast_taken > compared / 20);
	for (size_t i = 0; i < ncorpus; i++)
		free(corpus[i]);
	free(corpus);
	gw_fastjson_free(fj);
	fprintf(stderr, "%d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
