/* record.c: events <-> the JSON lines of `srm replay` and `srmd --record`. */
#include "wire/record.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/rule.h"
#include "model/action.h"
#include "util/strutil.h"
#include "util/timefmt.h"
#include "wire/wire.h"

static const char *const outcome_names[] = {"ok", "gone", "failed"};
static const char *const until_names[] = {"none", "time", "reset", "permanent"};

/* The names of the engine's own inputs (the gateway's come from wire_event_name). */
static const struct {
	enum ev_kind kind;
	const char *name;
} own[] = {
	{EV_ACTION_RESULT, "ActionResult"},   {EV_RECHECK, "Recheck"},
	{EV_CONTRACT_MISSING, "ContractMissing"}, {EV_ADMIN_LOCKOUT, "AdminLockout"},
	{EV_ADMIN_CLEAR, "AdminClear"},       {EV_ADMIN_RESET, "AdminReset"},
	{EV_ADMIN_ENFORCE, "AdminEnforce"}, {EV_CONFIG, "Config"},
};

static const char *own_name(enum ev_kind k)
{
	for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++)
		if (own[i].kind == k)
			return own[i].name;
	return NULL;
}

static int own_kind(const char *name, enum ev_kind *k)
{
	for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++)
		if (strcmp(own[i].name, name) == 0) {
			*k = own[i].kind;
			return 0;
		}
	return -1;
}

static cJSON *own_data(const struct srm_event *ev)
{
	cJSON *o = cJSON_CreateObject();
	char buf[40];

	if (o == NULL)
		return NULL;
	switch (ev->kind) {
	case EV_ACTION_RESULT: {
		const struct ev_result *r = &ev->u.result;

		cJSON_AddNumberToObject(o, "accountId", (double)r->account_id);
		cJSON_AddStringToObject(o, "action", act_kind_name((enum act_kind)r->kind));
		cJSON_AddStringToObject(o, "contractId", r->contract_id);
		cJSON_AddNumberToObject(o, "orderId", (double)r->order_id);
		cJSON_AddNumberToObject(o, "size", r->size);
		cJSON_AddStringToObject(o, "outcome",
					(unsigned)r->outcome < 3 ? outcome_names[r->outcome] : "failed");
		break;
	}
	case EV_RECHECK:
		cJSON_AddNumberToObject(o, "accountId", (double)ev->u.recheck.account_id);
		break;
	case EV_CONTRACT_MISSING:
		cJSON_AddStringToObject(o, "contractId", ev->u.missing.contract_id);
		break;
	case EV_ADMIN_LOCKOUT: {
		const struct ev_admin *a = &ev->u.admin;

		cJSON_AddNumberToObject(o, "accountId", (double)a->account_id);
		cJSON_AddStringToObject(o, "until", (unsigned)a->until < 4 ? until_names[a->until] : "none");
		if (a->until == UNTIL_TIME)
			cJSON_AddStringToObject(o, "untilTs", iso_format(a->until_ts, buf, sizeof(buf)));
		cJSON_AddStringToObject(o, "reason", a->reason);
		break;
	}
	case EV_ADMIN_CLEAR:
	case EV_ADMIN_RESET:
		cJSON_AddNumberToObject(o, "accountId", (double)ev->u.admin.account_id);
		break;
	case EV_ADMIN_ENFORCE:
		cJSON_AddNumberToObject(o, "accountId", (double)ev->u.admin.account_id);
		cJSON_AddStringToObject(o, "rule", rule_id_name(ev->u.admin.rule));
		cJSON_AddBoolToObject(o, "dryRun", ev->u.admin.dry_run);
		break;
	case EV_CONFIG:
		if (ev->u.config.yaml == NULL) {
			cJSON_Delete(o);
			return NULL;
		}
		cJSON_AddStringToObject(o, "path", ev->u.config.path ? ev->u.config.path : "");
		cJSON_AddStringToObject(o, "yaml", ev->u.config.yaml);
		cJSON_AddBoolToObject(o, "judge", ev->u.config.judge);
		break;
	default:
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static char *line_of(srm_ms ts, const char *name, const char *contract_id, cJSON *data)
{
	cJSON *o = cJSON_CreateObject();
	char buf[40];
	char *s;

	if (o == NULL || data == NULL) {
		cJSON_Delete(o);
		cJSON_Delete(data);
		return NULL;
	}
	cJSON_AddStringToObject(o, "ts", iso_format(ts, buf, sizeof(buf)));
	cJSON_AddStringToObject(o, "event", name);
	if (contract_id != NULL)
		cJSON_AddStringToObject(o, "contractId", contract_id);
	cJSON_AddItemToObject(o, "data", data);
	s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return s;
}

char *record_line(srm_ms ts, const struct srm_event *ev)
{
	switch (ev->kind) {
	case EV_ACCOUNT:
		return line_of(ts, wire_event_name(ev->kind), NULL, wire_encode_account(&ev->u.account));
	case EV_ORDER:
		return line_of(ts, wire_event_name(ev->kind), NULL, wire_encode_order(&ev->u.order));
	case EV_POSITION:
		return line_of(ts, wire_event_name(ev->kind), NULL, wire_encode_position(&ev->u.position));
	case EV_TRADE:
		return line_of(ts, wire_event_name(ev->kind), NULL, wire_encode_trade(&ev->u.trade));
	case EV_CONTRACT:
		return line_of(ts, wire_event_name(ev->kind), NULL, wire_encode_contract(&ev->u.contract));
	case EV_QUOTE:
		return line_of(ts, wire_event_name(ev->kind), ev->u.quote.contract_id,
			       wire_encode_quote(&ev->u.quote));
	case EV_TIMER:
	case EV_KIND_COUNT:
		return NULL;
	default:
		return line_of(ts, own_name(ev->kind), NULL, own_data(ev));
	}
}

char *record_header(srm_ms ts, const char *by)
{
	cJSON *d = cJSON_CreateObject();

	if (d != NULL)
		cJSON_AddStringToObject(d, "by", by);
	return line_of(ts, RECORD_HEADER, NULL, d);
}

static int name_index(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], s) == 0)
			return (int)i;
	return -1;
}

/* "RULE-003" -> 2, "ENGINE" -> -1; -2 when neither. */
static int rule_of(const char *s)
{
	if (strcmp(s, "ENGINE") == 0)
		return -1;
	for (int r = 0; r < RULE_COUNT; r++)
		if (strcmp(rule_id_name(r), s) == 0)
			return r;
	return -2;
}

static int parse_own(enum ev_kind kind, const cJSON *d, struct srm_event *ev, struct srm_err *err)
{
	char s[200];
	int idx;

	memset(ev, 0, sizeof(*ev));
	ev->kind = kind;
	switch (kind) {
	case EV_ACTION_RESULT: {
		struct ev_result *r = &ev->u.result;

		if (wire_get_int64(d, "accountId", true, &r->account_id, err) ||
		    wire_get_string(d, "action", true, false, s, sizeof(s), err))
			return -1;
		if ((idx = act_kind_parse(s)) < 0)
			return srm_err_set(err, SRM_EINVAL, "field 'action': unknown action \"%s\"", s);
		r->kind = idx;
		if (wire_get_string(d, "contractId", false, true, r->contract_id, sizeof(r->contract_id), err) ||
		    wire_get_int64(d, "orderId", false, &r->order_id, err) ||
		    wire_get_int(d, "size", false, 0, PX_SIZE_MAX, &r->size, err) ||
		    wire_get_string(d, "outcome", true, false, s, sizeof(s), err))
			return -1;
		if ((idx = name_index(outcome_names, 3, s)) < 0)
			return srm_err_set(err, SRM_EINVAL, "field 'outcome': expected ok, gone or failed, got \"%s\"", s);
		r->outcome = idx;
		return 0;
	}
	case EV_RECHECK:
		return wire_get_int64(d, "accountId", true, &ev->u.recheck.account_id, err);
	case EV_CONTRACT_MISSING:
		return wire_get_string(d, "contractId", true, false, ev->u.missing.contract_id,
				       sizeof(ev->u.missing.contract_id), err);
	case EV_ADMIN_LOCKOUT: {
		struct ev_admin *a = &ev->u.admin;

		if (wire_get_int64(d, "accountId", true, &a->account_id, err) ||
		    wire_get_string(d, "until", true, false, s, sizeof(s), err))
			return -1;
		if ((idx = name_index(until_names, 4, s)) < 1)
			return srm_err_set(err, SRM_EINVAL, "field 'until': expected time, reset or permanent, got \"%s\"", s);
		a->until = idx;
		if (wire_get_time(d, "untilTs", a->until == UNTIL_TIME, &a->until_ts, err) ||
		    wire_get_string(d, "reason", false, true, a->reason, sizeof(a->reason), err))
			return -1;
		return 0;
	}
	case EV_ADMIN_CLEAR:
	case EV_ADMIN_RESET:
		return wire_get_int64(d, "accountId", true, &ev->u.admin.account_id, err);
	case EV_ADMIN_ENFORCE: {
		struct ev_admin *a = &ev->u.admin;

		if (wire_get_int64(d, "accountId", true, &a->account_id, err) ||
		    wire_get_string(d, "rule", true, false, s, sizeof(s), err) ||
		    wire_get_bool(d, "dryRun", false, &a->dry_run, err))
			return -1;
		if ((a->rule = rule_of(s)) < 0)
			return srm_err_set(err, SRM_EINVAL, "field 'rule': unknown rule \"%s\"", s);
		return 0;
	}
	case EV_CONFIG: {
		/* the text is read by record_config_yaml; here only that it is there */
		const cJSON *y = cJSON_GetObjectItemCaseSensitive(d, "yaml");

		if (!cJSON_IsString(y))
			return srm_err_set(err, SRM_EINVAL, "field 'yaml': expected a string");
		return wire_get_bool(d, "judge", false, &ev->u.config.judge, err);
	}
	default:
		return srm_err_set(err, SRM_EINVAL, "not an event of its own");
	}
}

int record_config_yaml(const char *line, char **yaml, char **path, struct srm_err *err)
{
	cJSON *j = cJSON_Parse(line);
	const cJSON *ev, *d, *y, *p;
	int rc = -1;

	*yaml = *path = NULL;
	if (j == NULL || !cJSON_IsObject(j)) {
		srm_err_set(err, SRM_EINVAL, "not a JSON object");
		goto out;
	}
	ev = cJSON_GetObjectItemCaseSensitive(j, "event");
	if (!cJSON_IsString(ev) || strcmp(ev->valuestring, "Config") != 0) {
		rc = 0;
		goto out;
	}
	d = cJSON_GetObjectItemCaseSensitive(j, "data");
	y = cJSON_GetObjectItemCaseSensitive(d, "yaml");
	p = cJSON_GetObjectItemCaseSensitive(d, "path");
	if (!cJSON_IsString(y)) {
		srm_err_set(err, SRM_EINVAL, "Config: field 'yaml': expected a string");
		goto out;
	}
	*yaml = strdup(y->valuestring);
	*path = strdup(cJSON_IsString(p) && p->valuestring[0] != '\0' ? p->valuestring : "recorded config");
	if (*yaml == NULL || *path == NULL) {
		free(*yaml);
		free(*path);
		*yaml = *path = NULL;
		srm_err_set(err, SRM_ENOMEM, "out of memory");
		goto out;
	}
	rc = 1;
out:
	cJSON_Delete(j);
	return rc;
}

int record_parse(const char *line, srm_ms *ts, struct srm_event *evs, size_t cap, bool *header,
		 struct srm_err *err)
{
	cJSON *j = cJSON_Parse(line);
	char tsbuf[64], name[64], cid[SRM_ID_MAX];
	enum ev_kind kind;
	size_t n = 0;
	int rc = -1;

	*header = false;
	if (j == NULL || !cJSON_IsObject(j)) {
		srm_err_set(err, SRM_EINVAL, "not a JSON object");
		goto out;
	}
	if (wire_get_string(j, "ts", true, false, tsbuf, sizeof(tsbuf), err) != 0)
		goto out;
	if (iso_parse(tsbuf, ts) != 0) {
		srm_err_set(err, SRM_EINVAL, "field 'ts': expected an ISO-8601 time, got \"%s\"", tsbuf);
		goto out;
	}
	if (*ts < SRM_TIME_MIN || *ts >= SRM_TIME_MAX) {
		srm_err_set(err, SRM_EINVAL, "field 'ts': expected a time in 2000..2099, got \"%s\"", tsbuf);
		goto out;
	}
	if (wire_get_string(j, "event", true, false, name, sizeof(name), err) != 0)
		goto out;
	const cJSON *data = cJSON_GetObjectItemCaseSensitive(j, "data");

	if (strcmp(name, RECORD_HEADER) == 0) {
		*header = true;
		rc = 0;
		goto out;
	}
	if (data == NULL) {
		srm_err_set(err, SRM_EMISSING, "missing field 'data'");
		goto out;
	}
	if (own_kind(name, &kind) == 0) {
		if (cap < 1 || parse_own(kind, data, &evs[0], err) != 0) {
			srm_err_prefix(err, "%s: ", name);
			goto out;
		}
		rc = 1;
		goto out;
	}
	if (wire_event_kind(name, &kind) != 0) {
		srm_err_set(err, SRM_EINVAL, "field 'event': unknown event \"%s\"", name);
		goto out;
	}
	if (kind == EV_QUOTE) {
		if (wire_get_string(j, "contractId", true, false, cid, sizeof(cid), err) != 0)
			goto out;
		evs[0].kind = EV_QUOTE;
		if (wire_decode_quote(cid, data, &evs[0].u.quote, err) != 0)
			goto out;
		n = 1;
	} else if (wire_decode_user_event(kind, data, evs, cap, &n, err) != 0) {
		goto out;
	}
	rc = (int)n;
out:
	cJSON_Delete(j);
	return rc;
}
