/* proto.c: newline-delimited JSON requests and replies between srm and srmd. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ipc/proto.h"
#include "util/strutil.h"

int linebuf_feed(struct linebuf *lb, const char *data, size_t n,
		 int (*on_line)(char *line, size_t len, void *ud), int (*on_overflow)(void *ud),
		 void *ud)
{
	for (size_t i = 0; i < n; i++) {
		char c = data[i];
		int rc;

		if (c == '\n') {
			if (lb->overflow) {
				lb->overflow = false;
				lb->len = 0;
				continue;
			}
			size_t len = lb->len;

			if (len > 0 && lb->buf[len - 1] == '\r')
				len--;
			lb->buf[len] = '\0';
			lb->len = 0;
			rc = on_line(lb->buf, len, ud);
			if (rc != 0)
				return rc;
			continue;
		}
		if (lb->overflow)
			continue;
		if (lb->len + 1 >= sizeof(lb->buf)) {
			lb->overflow = true;
			lb->len = 0;
			if (on_overflow != NULL && (rc = on_overflow(ud)) != 0)
				return rc;
			continue;
		}
		lb->buf[lb->len++] = c;
	}
	return 0;
}

int ipc_parse_request(const char *line, size_t len, struct ipc_req *req, struct srm_err *err)
{
	const cJSON *id, *cmd, *args;

	memset(req, 0, sizeof(*req));
	if (!utf8_valid(line, len))
		return srm_err_set(err, SRM_EINVAL, "request is not valid UTF-8");
	req->root = cJSON_ParseWithLength(line, len);
	if (req->root == NULL || !cJSON_IsObject(req->root)) {
		ipc_req_free(req);
		return srm_err_set(err, SRM_EINVAL, "request is not a JSON object");
	}
	id = cJSON_GetObjectItemCaseSensitive(req->root, "id");
	if (id != NULL) {
		if (!cJSON_IsNumber(id) || !isfinite(id->valuedouble) || id->valuedouble != floor(id->valuedouble) ||
		    fabs(id->valuedouble) > 9007199254740992.0) {
			ipc_req_free(req);
			return srm_err_set(err, SRM_EINVAL, "field 'id': expected an integer");
		}
		req->id = (int64_t)id->valuedouble;
	}
	cmd = cJSON_GetObjectItemCaseSensitive(req->root, "cmd");
	if (!cJSON_IsString(cmd) || cmd->valuestring[0] == '\0' ||
	    strlen(cmd->valuestring) >= sizeof(req->cmd)) {
		int64_t keep = req->id;

		ipc_req_free(req);
		req->id = keep;
		return srm_err_set(err, SRM_EINVAL, "field 'cmd': expected a command name");
	}
	strlcpy_s(req->cmd, cmd->valuestring, sizeof(req->cmd));
	args = cJSON_GetObjectItemCaseSensitive(req->root, "args");
	if (args != NULL && !cJSON_IsObject(args) && !cJSON_IsNull(args)) {
		int64_t keep = req->id;

		ipc_req_free(req);
		req->id = keep;
		return srm_err_set(err, SRM_EINVAL, "field 'args': expected an object");
	}
	req->args = cJSON_IsObject(args) ? args : NULL;
	return 0;
}

/* Wipe every string of a request before it is freed: one may be the admin password. */
/* NOLINTNEXTLINE(misc-no-recursion): cJSON refuses nesting deeper than CJSON_NESTING_LIMIT */
static void wipe(cJSON *j)
{
	for (; j != NULL; j = j->next) {
		if (j->valuestring != NULL)
			explicit_bzero(j->valuestring, strlen(j->valuestring));
		wipe(j->child);
	}
}

void ipc_req_free(struct ipc_req *req)
{
	wipe(req->root);
	cJSON_Delete(req->root);
	req->root = NULL;
	req->args = NULL;
}

static char *finish(cJSON *o)
{
	char *s = cJSON_PrintUnformatted(o);
	size_t n;
	char *line;

	cJSON_Delete(o);
	if (s == NULL)
		return NULL;
	n = strlen(s);
	line = realloc(s, n + 2);
	if (line == NULL) {
		free(s);
		return NULL;
	}
	line[n] = '\n';
	line[n + 1] = '\0';
	return line;
}

char *ipc_reply_ok(int64_t id, cJSON *data)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "id", (double)id);
	cJSON_AddTrueToObject(o, "ok");
	cJSON_AddItemToObject(o, "data", data ? data : cJSON_CreateNull());
	return finish(o);
}

char *ipc_reply_err(int64_t id, const char *code, const char *message)
{
	cJSON *o = cJSON_CreateObject(), *e = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "id", (double)id);
	cJSON_AddFalseToObject(o, "ok");
	cJSON_AddStringToObject(e, "code", code);
	cJSON_AddStringToObject(e, "message", message);
	cJSON_AddItemToObject(o, "error", e);
	return finish(o);
}

char *ipc_event(const char *kind, cJSON *data)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "event", kind);
	cJSON_AddItemToObject(o, "data", data ? data : cJSON_CreateNull());
	return finish(o);
}

char *ipc_request(int64_t id, const char *cmd, cJSON *args)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "id", (double)id);
	cJSON_AddStringToObject(o, "cmd", cmd);
	if (args != NULL)
		cJSON_AddItemToObject(o, "args", args);
	return finish(o);
}

static const cJSON *arg(const struct ipc_req *req, const char *key)
{
	return req->args ? cJSON_GetObjectItemCaseSensitive(req->args, key) : NULL;
}

int ipc_arg_string(const struct ipc_req *req, const char *key, const char **out, struct srm_err *err)
{
	const cJSON *v = arg(req, key);

	if (v == NULL || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsString(v))
		return srm_err_set(err, SRM_EINVAL, "args.%s: expected a string", key);
	*out = v->valuestring;
	return 0;
}

int ipc_arg_int64(const struct ipc_req *req, const char *key, int64_t *out, struct srm_err *err)
{
	const cJSON *v = arg(req, key);

	if (v == NULL || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble != floor(v->valuedouble) ||
	    fabs(v->valuedouble) > 9007199254740992.0)
		return srm_err_set(err, SRM_EINVAL, "args.%s: expected an integer", key);
	*out = (int64_t)v->valuedouble;
	return 0;
}

int ipc_arg_bool(const struct ipc_req *req, const char *key, bool *out, struct srm_err *err)
{
	const cJSON *v = arg(req, key);

	if (v == NULL || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsBool(v))
		return srm_err_set(err, SRM_EINVAL, "args.%s: expected true or false", key);
	*out = cJSON_IsTrue(v);
	return 0;
}
