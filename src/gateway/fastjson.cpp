// fastjson.cpp: simdjson's DOM behind the C API of fastjson.h (JSON views for src/wire).
#include "gateway/fastjson.h"

#include <simdjson.h>

#include <cstdlib>
#include <cstring>
#include <new>
#include <type_traits>

using simdjson::dom::element;
using simdjson::dom::element_type;

namespace {

// cJSON refuses nesting deeper than CJSON_NESTING_LIMIT containers; simdjson's max_depth
// counts the same way (tests/gateway/test_fastjson.c checks the boundary both ways).
constexpr size_t kDepth = CJSON_NESTING_LIMIT;

static_assert(sizeof(element) <= sizeof(((wj *)nullptr)->h), "an element fits a view");
static_assert(std::is_trivially_copyable<element>::value, "an element is plain data");

element el_of(const wj *v)
{
	element e;

	std::memcpy(static_cast<void *>(&e), v->h, sizeof(e));
	return e;
}

// cJSON compares keys as C strings: a key matches up to its first NUL.
bool key_is(std::string_view k, const char *key, size_t klen)
{
	if (k.size() != klen && (k.size() < klen || k[klen] != '\0'))
		return false;
	return std::memcmp(k.data(), key, klen) == 0;
}

} // namespace

/*
 * The members of the object last looked into, in order: the decoders ask one object for
 * ten or fifteen fields in a row, and walking simdjson's tape each time was most of the
 * cost. Valid for one parse (gen).
 */
#define FJ_FIELDS 48
struct fj_cache {
	uint64_t gen;
	unsigned char obj[sizeof(element)];
	size_t n;
	bool complete;        // every member is in f[]
	struct {
		std::string_view k;
		element v;
	} f[FJ_FIELDS];
};

struct gw_fastjson {
	simdjson::dom::parser parser;
	char *buf; // the record, padded as simdjson reads
	size_t max;
	uint64_t gen;
	fj_cache cache;

	explicit gw_fastjson(size_t m) : parser(m), buf(nullptr), max(m), gen(1), cache() {}
};

namespace {

void view_of(const element &e, gw_fastjson *fj, wj *out);

bool sj_member(const wj *obj, const char *key, size_t klen, wj *out)
{
	gw_fastjson *fj = static_cast<gw_fastjson *>(const_cast<void *>(obj->p));
	fj_cache &c = fj->cache;
	simdjson::dom::object o;

	if (c.gen != fj->gen || std::memcmp(c.obj, obj->h, sizeof(c.obj)) != 0) {
		if (el_of(obj).get_object().get(o) != simdjson::SUCCESS)
			return false;
		c.gen = fj->gen;
		std::memcpy(c.obj, obj->h, sizeof(c.obj));
		c.n = 0;
		c.complete = true;
		for (auto field : o) {
			if (c.n == FJ_FIELDS) {
				c.complete = false;
				break;
			}
			c.f[c.n].k = field.key;
			c.f[c.n].v = field.value;
			c.n++;
		}
	}
	for (size_t i = 0; i < c.n; i++) {
		if (key_is(c.f[i].k, key, klen)) { // the first match, as cJSON's
			view_of(c.f[i].v, fj, out);
			return true;
		}
	}
	if (c.complete || el_of(obj).get_object().get(o) != simdjson::SUCCESS)
		return false;
	size_t i = 0;
	for (auto field : o) {
		if (i++ >= FJ_FIELDS && key_is(field.key, key, klen)) {
			view_of(field.value, fj, out);
			return true;
		}
	}
	return false;
}

size_t sj_count(const wj *arr)
{
	simdjson::dom::array a;

	return el_of(arr).get_array().get(a) == simdjson::SUCCESS ? a.size() : 0;
}

bool sj_item(const wj *arr, size_t i, wj *out)
{
	simdjson::dom::array a;
	element e;

	if (el_of(arr).get_array().get(a) != simdjson::SUCCESS || a.at(i).get(e) != simdjson::SUCCESS)
		return false;
	view_of(e, static_cast<gw_fastjson *>(const_cast<void *>(arr->p)), out);
	return true;
}

const wj_ops sj_ops = { sj_member, sj_count, sj_item };

void view_of(const element &e, gw_fastjson *fj, wj *out)
{
	out->num = 0;
	out->str = nullptr;
	out->ops = &sj_ops;
	out->p = fj;
	std::memcpy(out->h, static_cast<const void *>(&e), sizeof(e));
	switch (e.type()) {
	case element_type::OBJECT:
		out->t = WJ_OBJECT;
		break;
	case element_type::ARRAY:
		out->t = WJ_ARRAY;
		break;
	case element_type::STRING:
		out->t = WJ_STRING;
		out->str = e.get_c_str().value_unsafe();
		break;
	case element_type::INT64:
		out->t = WJ_NUMBER;
		out->num = static_cast<double>(e.get_int64().value_unsafe());
		break;
	case element_type::UINT64:
		out->t = WJ_NUMBER;
		out->num = static_cast<double>(e.get_uint64().value_unsafe());
		break;
	case element_type::DOUBLE:
		out->t = WJ_NUMBER;
		out->num = e.get_double().value_unsafe();
		break;
	case element_type::BOOL:
		out->t = e.get_bool().value_unsafe() ? WJ_TRUE : WJ_FALSE;
		break;
	case element_type::NULL_VALUE:
	default:
		out->t = WJ_NULL;
		break;
	}
}

bool numchar(unsigned char c)
{
	return (c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-';
}

bool hexsurrogate(const char *p, const char *end)
{
	// "\uD800".."\uDFFF": p points after "\u"
	return end - p >= 2 && (p[0] == 'd' || p[0] == 'D') &&
	       ((p[1] >= '8' && p[1] <= '9') || (p[1] >= 'a' && p[1] <= 'f') ||
		(p[1] >= 'A' && p[1] <= 'F'));
}

// Texts where cJSON and simdjson could read differently (see fastjson.h).
bool risky(const char *p, size_t n)
{
	const char *end = p + n, *q;

	for (q = p; (q = static_cast<const char *>(std::memchr(q, '-', end - q))) != nullptr; q++)
		if (end - q >= 2 && q[1] == '0' && (end - q == 2 || !numchar(q[2])))
			return true;
	// an escape is two bytes at least: the next search starts after it (a trailing '\\'
	// ends the loop)
	for (q = p; q < end && (q = static_cast<const char *>(std::memchr(q, '\\', end - q))) != nullptr;
	     q += 2)
		if (end - q >= 2 && q[1] == 'u' && hexsurrogate(q + 2, end))
			return true;
	// a run of 64 number characters covers two samples 32 bytes apart
	for (size_t k = 0; k + 32 < n; k += 32) {
		if (!numchar(p[k]) || !numchar(p[k + 32]))
			continue;
		size_t a = k, b = k + 32;

		while (a > 0 && numchar(p[a - 1]))
			a--;
		while (b + 1 < n && numchar(p[b + 1]))
			b++;
		if (b - a + 1 >= 64)
			return true;
	}
	return false;
}

} // namespace

extern "C" struct gw_fastjson *gw_fastjson_new(size_t max_len)
{
	size_t m = max_len != 0 ? max_len : GW_FASTJSON_MAX;
	gw_fastjson *fj = new (std::nothrow) gw_fastjson(m);

	if (fj == nullptr)
		return nullptr;
	fj->buf = static_cast<char *>(std::calloc(1, m + simdjson::SIMDJSON_PADDING));
	if (fj->buf == nullptr || fj->parser.allocate(m, kDepth) != simdjson::SUCCESS) {
		gw_fastjson_free(fj);
		return nullptr;
	}
	return fj;
}

extern "C" void gw_fastjson_free(struct gw_fastjson *fj)
{
	if (fj == nullptr)
		return;
	std::free(fj->buf);
	delete fj;
}

extern "C" int gw_fastjson_parse(struct gw_fastjson *fj, const char *p, size_t n, struct wj *root)
{
	element e;

	if (n == 0 || n > fj->max || risky(p, n))
		return -1;
	std::memcpy(fj->buf, p, n);
	std::memset(fj->buf + n, 0, simdjson::SIMDJSON_PADDING);
	fj->gen++;
	if (fj->parser.parse(fj->buf, n, false).get(e) != simdjson::SUCCESS)
		return -1;
	view_of(e, fj, root);
	return 0;
}
