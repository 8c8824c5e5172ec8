/* fuzz_wire.c: libFuzzer target: arbitrary bytes -> cJSON -> every wire decoder, never a crash. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* strnlen */
#endif

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/strutil.h"
#include "wire/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A decoder failed: it must have said why. A decoder succeeded: its strings must be sound. */
static void check(int rc, const struct srm_err *err)
{
	if (rc != 0 && (rc != -1 || err->msg[0] == '\0' || err->code == 0 ||
			memchr(err->msg, '\0', sizeof(err->msg)) == NULL))
		abort();
}

static void check_str(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);

	if (n >= cap || !utf8_valid(s, n))
		abort();
}

static void decode_one(const cJSON *j)
{
	struct srm_err err;
	struct srm_event ev[4];
	struct wire_envelope env;
	size_t n;
	int rc;

	err.code = 0, err.msg[0] = '\0';
	rc = wire_decode_account(j, &ev[0].u.account, &err);
	check(rc, &err);
	if (rc == 0)
		check_str(ev[0].u.account.name, sizeof(ev[0].u.account.name));

	err.code = 0, err.msg[0] = '\0';
	rc = wire_decode_order(j, &ev[0].u.order, &err);
	check(rc, &err);
	if (rc == 0) {
		const struct px_order *o = &ev[0].u.order;

		check_str(o->contract_id, sizeof(o->contract_id));
		check_str(o->custom_tag, sizeof(o->custom_tag));
		/* a status the reference does not list is `other` (kept: wire/decode.c get_enum) */
		if (o->status < 0 || (o->status > PX_OS_SUSPENDED && o->status != PX_OS_OTHER) ||
		    (o->status == PX_OS_OTHER) != o->odd_status || o->side < 0 || o->side > 1 ||
		    o->size < 0)
			abort();
	}

	err.code = 0, err.msg[0] = '\0';
	rc = wire_decode_position(j, &ev[0].u.position, &err);
	check(rc, &err);
	if (rc == 0 && (!isfinite(ev[0].u.position.average_price) || ev[0].u.position.size < 0))
		abort();

	err.code = 0, err.msg[0] = '\0';
	rc = wire_decode_trade(j, &ev[0].u.trade, &err);
	check(rc, &err);

	err.code = 0, err.msg[0] = '\0';
	rc = wire_decode_contract(j, &ev[0].u.contract, &err);
	check(rc, &err);
	if (rc == 0 && !(ev[0].u.contract.tick_size > 0))
		abort();

	err.code = 0, err.msg[0] = '\0';
	check(wire_decode_quote("CON.F.US.EP.U25", j, &ev[0].u.quote, &err), &err);

	for (int k = EV_ACCOUNT; k <= EV_TIMER; k++) {
		err.code = 0, err.msg[0] = '\0';
		n = 99;
		rc = wire_decode_user_event((enum ev_kind)k, j, ev, 4, &n, &err);
		check(rc, &err);
		if ((rc == 0 && n > 4) || (rc != 0 && n != 0))
			abort();
	}

	err.code = 0, err.msg[0] = '\0';
	rc = wire_decode_envelope(j, &env, &err);
	check(rc, &err);
	if (rc == 0)
		check_str(env.error_message, sizeof(env.error_message));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cJSON *root = cJSON_ParseWithLength((const char *)data, size);
	const cJSON *c;

	if (root == NULL)
		return 0;
	decode_one(root);
	cJSON_ArrayForEach(c, root)
		decode_one(c);
	/* the market hub's argument list: [contractId, data] */
	if (cJSON_IsArray(root) && cJSON_GetArraySize(root) == 2) {
		const cJSON *id = cJSON_GetArrayItem(root, 0);
		struct px_quote q;
		struct srm_err err = { 0 };

		check(wire_decode_quote(cJSON_IsString(id) ? id->valuestring : NULL,
					cJSON_GetArrayItem(root, 1), &q, &err), &err);
	}
	cJSON_Delete(root);
	return 0;
}
