/* timers.c: the timer manager: deadlines in a binary min-heap (FIFO among equal deadlines). */
#include "engine/engine_int.h"
#include "util/xalloc.h"

static bool before(const struct timer *a, const struct timer *b)
{
	return a->at < b->at || (a->at == b->at && a->seq < b->seq);
}

void timer_push(struct engine *e, srm_ms at, const struct ev_timer *t)
{
	if (e->n_heap == e->cap_heap) {
		e->cap_heap = e->cap_heap ? e->cap_heap * 2 : 64;
		e->heap = xreallocarray(e->heap, e->cap_heap, sizeof(*e->heap));
	}
	size_t i = e->n_heap++;
	struct timer x = {.at = at, .seq = ++e->seq, .t = *t};

	while (i > 0) {
		size_t p = (i - 1) / 2;

		if (!before(&x, &e->heap[p]))
			break;
		e->heap[i] = e->heap[p];
		i = p;
	}
	e->heap[i] = x;
}

bool timer_peek(const struct engine *e, srm_ms *at)
{
	if (e->n_heap == 0)
		return false;
	*at = e->heap[0].at;
	return true;
}

void timer_pop(struct engine *e, struct timer *out)
{
	*out = e->heap[0];
	struct timer last = e->heap[--e->n_heap];
	size_t i = 0, n = e->n_heap;

	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		const struct timer *best = &last;

		if (l < n && before(&e->heap[l], best)) {
			m = l;
			best = &e->heap[l];
		}
		if (r < n && before(&e->heap[r], best))
			m = r;
		if (m == i)
			break;
		e->heap[i] = e->heap[m];
		i = m;
	}
	if (n > 0)
		e->heap[i] = last;
}
