/*
 * json.h: a read-only view of one parsed JSON value, whichever parser made it: cJSON (REST,
 * IPC, the simulator, and every record the fast parser does not take) or the hub's simdjson
 * parser (src/gateway/fastjson.h). The decoders in decode.c read values only through it, so
 * a record gets the same checks and the same messages from either parser. A value's type,
 * number and string are filled in when the view is made; members and items are looked up
 * through the parser's ops. A view is valid as long as the parsed document it points into.
 */
#ifndef SRM_WIRE_JSON_H
#define SRM_WIRE_JSON_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

enum wj_type {
	WJ_ABSENT = 0,   /* no value (a member that is not there) */
	WJ_NULL,
	WJ_FALSE,
	WJ_TRUE,
	WJ_NUMBER,
	WJ_STRING,
	WJ_ARRAY,
	WJ_OBJECT,
	WJ_INVALID,      /* a cJSON node of no JSON type (built by hand, never parsed) */
};

struct wj;

struct wj_ops {
	/* The first member named key (C-string comparison, as cJSON's): false if none. */
	bool (*member)(const struct wj *obj, const char *key, size_t klen, struct wj *out);
	/* Number of elements of an array. */
	size_t (*count)(const struct wj *arr);
	/* Element i of an array: false if out of range. */
	bool (*item)(const struct wj *arr, size_t i, struct wj *out);
};

struct wj {
	enum wj_type t;
	double num;               /* WJ_NUMBER */
	const char *str;          /* WJ_STRING: NUL-terminated (read as a C string); NULL in a
	                           * cJSON node built by hand */
	const struct wj_ops *ops;
	const void *p;            /* the parser's handle of the value */
	uint64_t h[2];
};

/* Make v the absent value. */
static inline void wj_clear(struct wj *v)
{
	v->t = WJ_ABSENT;
	v->num = 0;
	v->str = NULL;
	v->ops = NULL;
	v->p = NULL;
	v->h[0] = v->h[1] = 0;
}

/* View a cJSON value (NULL: absent). */
void wj_from_cjson(const cJSON *j, struct wj *out);

/* The first member named key of an object (absent when obj is not an object). */
static inline bool wj_member(const struct wj *obj, const char *key, struct wj *out)
{
	if (obj->t != WJ_OBJECT || !obj->ops->member(obj, key, strlen(key), out)) {
		wj_clear(out);
		return false;
	}
	return true;
}

/* Elements of an array (0 for anything else). */
static inline size_t wj_count(const struct wj *arr)
{
	return arr->t == WJ_ARRAY ? arr->ops->count(arr) : 0;
}

/* Element i of an array (absent when out of range or not an array). */
static inline bool wj_item(const struct wj *arr, size_t i, struct wj *out)
{
	if (arr->t != WJ_ARRAY || !arr->ops->item(arr, i, out)) {
		wj_clear(out);
		return false;
	}
	return true;
}

#endif
