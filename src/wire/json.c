/* json.c: the JSON view (json.h) of cJSON values. */
#include "wire/json.h"

static bool cj_member(const struct wj *obj, const char *key, size_t klen, struct wj *out)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj->p, key);

	(void)klen;
	if (it == NULL)
		return false;
	wj_from_cjson(it, out);
	return true;
}

static size_t cj_count(const struct wj *arr)
{
	int n = cJSON_GetArraySize(arr->p);

	return n > 0 ? (size_t)n : 0;
}

static bool cj_item(const struct wj *arr, size_t i, struct wj *out)
{
	const cJSON *it = i < (size_t)INT32_MAX ? cJSON_GetArrayItem(arr->p, (int)i) : NULL;

	if (it == NULL)
		return false;
	wj_from_cjson(it, out);
	return true;
}

static const struct wj_ops cj_ops = { cj_member, cj_count, cj_item };

void wj_from_cjson(const cJSON *j, struct wj *out)
{
	wj_clear(out);
	out->ops = &cj_ops;
	out->p = j;
	if (j == NULL)
		out->t = WJ_ABSENT;
	else if (cJSON_IsNull(j))
		out->t = WJ_NULL;
	else if (cJSON_IsFalse(j))
		out->t = WJ_FALSE;
	else if (cJSON_IsTrue(j))
		out->t = WJ_TRUE;
	else if (cJSON_IsNumber(j)) {
		out->t = WJ_NUMBER;
		out->num = j->valuedouble;
	} else if (cJSON_IsString(j)) {
		out->t = WJ_STRING;
		out->str = j->valuestring; /* NULL only in a node built by hand */
	} else if (cJSON_IsArray(j))
		out->t = WJ_ARRAY;
	else if (cJSON_IsObject(j))
		out->t = WJ_OBJECT;
	else
		out->t = WJ_INVALID;
}
