/*
 * fuzz_hubrec.c: libFuzzer target: arbitrary bytes as one hub record, read by cJSON only and
 * by the fast parser (simdjson): never a crash, and always the same result (type, outcome,
 * message, events byte for byte). The differential test (tests/gateway/test_fastjson.c)
 * runs a fixed corpus; this one lets the fuzzer look for a record the two read differently.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/dispatch.h"
#include "gateway/fastjson.h"

#define CAP 8

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct gw_fastjson *fj;
	static struct srm_event ea[CAP], eb[CAP];
	struct gw_record a, b;

	if (fj == NULL && (fj = gw_fastjson_new(0)) == NULL)
		abort();
	memset(ea, 0xA5, sizeof(ea));
	memset(eb, 0x5A, sizeof(eb));
	gw_dispatch_record(NULL, (const char *)data, size, ea, CAP, &a);
	gw_dispatch_record(fj, (const char *)data, size, eb, CAP, &b);
	if (a.fast || a.type != b.type || strcmp(a.res.why, b.res.why) != 0)
		abort();
	if (a.type == 1 && (a.res.rc != b.res.rc || a.res.n != b.res.n || a.res.n > CAP ||
			    strcmp(a.res.what, b.res.what) != 0 ||
			    strcmp(a.res.target, b.res.target) != 0 || a.res.logout != b.res.logout ||
			    (a.res.rc == GW_DISP_EVENTS &&
			     memcmp(ea, eb, a.res.n * sizeof(ea[0])) != 0)))
		abort();
	/* a malformed result always says why */
	if ((a.type == -1 || (a.type == 1 && a.res.rc == GW_DISP_MALFORMED)) &&
	    (a.res.why[0] == '\0' || memchr(a.res.why, '\0', sizeof(a.res.why)) == NULL))
		abort();
	cJSON_Delete(a.tree);
	cJSON_Delete(b.tree);
	return 0;
}
