/* http.c: libcurl's multi interface on a libuv loop (see http.h). */
#include <stdbool.h>
#include <stdlib.h>

#include "gateway/http.h"
#include "util/xalloc.h"

struct http_sock {
	uv_poll_t poll;          /* first: the handle is the struct */
	curl_socket_t fd;
	struct http_multi *m;
};

struct http_multi {
	uv_loop_t *loop;
	CURLM *multi;
	uv_timer_t timer;
	http_done_cb done;
	void *owner;
	int open_handles;        /* the timer and the socket polls */
	bool closing;
	void (*closed)(void *arg);
	void *closed_arg;
};

static void check_multi(struct http_multi *m)
{
	CURLMsg *msg;
	int left;

	while (!m->closing && (msg = curl_multi_info_read(m->multi, &left)) != NULL) {
		CURL *easy = msg->easy_handle;
		CURLcode cc = msg->data.result;

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_multi_remove_handle(m->multi, easy);
		m->done(m->owner, easy, cc);
	}
}

static void on_closed(uv_handle_t *h)
{
	struct http_multi *m = h->data;

	if (h->type == UV_POLL)
		free((struct http_sock *)(void *)h);
	if (--m->open_handles == 0 && m->closing) {
		if (m->closed != NULL)
			m->closed(m->closed_arg);
		free(m);
	}
}

static void poll_cb(uv_poll_t *p, int status, int events)
{
	struct http_sock *sk = (struct http_sock *)(void *)p;
	struct http_multi *m = sk->m;
	int flags = 0, running;

	if (status < 0)
		flags = CURL_CSELECT_ERR;
	if (events & UV_READABLE)
		flags |= CURL_CSELECT_IN;
	if (events & UV_WRITABLE)
		flags |= CURL_CSELECT_OUT;
	curl_multi_socket_action(m->multi, sk->fd, flags, &running);
	check_multi(m);
}

/* CURLMOPT_SOCKETFUNCTION: watch (or stop watching) a socket with uv_poll. */
static int socket_cb(CURL *e, curl_socket_t fd, int what, void *userp, void *socketp)
{
	struct http_multi *m = userp;
	struct http_sock *sk = socketp;
	int ev = 0;

	(void)e;
	if (what == CURL_POLL_REMOVE) {
		if (sk != NULL) {
			uv_poll_stop(&sk->poll);
			uv_close((uv_handle_t *)&sk->poll, on_closed);
			curl_multi_assign(m->multi, fd, NULL);
		}
		return 0;
	}
	if (sk == NULL) {
		sk = xcalloc(1, sizeof(*sk));
		sk->fd = fd;
		sk->m = m;
		if (uv_poll_init_socket(m->loop, &sk->poll, fd) != 0) {
			free(sk);
			return -1;
		}
		sk->poll.data = m;
		m->open_handles++;
		curl_multi_assign(m->multi, fd, sk);
	}
	if (what & CURL_POLL_IN)
		ev |= UV_READABLE;
	if (what & CURL_POLL_OUT)
		ev |= UV_WRITABLE;
	uv_poll_start(&sk->poll, ev, poll_cb);
	return 0;
}

static void timer_fired(uv_timer_t *t)
{
	struct http_multi *m = t->data;
	int running;

	curl_multi_socket_action(m->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	check_multi(m);
}

/* CURLMOPT_TIMERFUNCTION. */
static int timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
	struct http_multi *m = userp;

	(void)multi;
	if (timeout_ms < 0)
		uv_timer_stop(&m->timer);
	else
		uv_timer_start(&m->timer, timer_fired, (uint64_t)timeout_ms, 0);
	return 0;
}

struct http_multi *http_multi_new(uv_loop_t *loop, http_done_cb done, void *owner,
				  long max_host_connections)
{
	struct http_multi *m = xcalloc(1, sizeof(*m));

	m->loop = loop;
	m->done = done;
	m->owner = owner;
	m->multi = curl_multi_init();
	if (m->multi == NULL) {
		free(m);
		return NULL;
	}
	curl_multi_setopt(m->multi, CURLMOPT_SOCKETFUNCTION, socket_cb);
	curl_multi_setopt(m->multi, CURLMOPT_SOCKETDATA, m);
	curl_multi_setopt(m->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
	curl_multi_setopt(m->multi, CURLMOPT_TIMERDATA, m);
	if (max_host_connections > 0)
		curl_multi_setopt(m->multi, CURLMOPT_MAX_HOST_CONNECTIONS, max_host_connections);
	uv_timer_init(loop, &m->timer);
	m->timer.data = m;
	m->open_handles = 1;
	return m;
}

int http_multi_add(struct http_multi *m, CURL *easy)
{
	return m->closing || curl_multi_add_handle(m->multi, easy) != CURLM_OK ? -1 : 0;
}

void http_multi_kick(struct http_multi *m)
{
	int running;

	if (m->closing)
		return;
	curl_multi_socket_action(m->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	/* whatever finished is read by timer_fired, on the loop: no completion re-enters here */
	uv_timer_start(&m->timer, timer_fired, 0, 0);
}

void http_multi_remove(struct http_multi *m, CURL *easy)
{
	curl_multi_remove_handle(m->multi, easy);
}

void http_multi_free(struct http_multi *m, void (*closed)(void *arg), void *arg)
{
	if (m == NULL)
		return;
	m->closing = true;
	m->closed = closed;
	m->closed_arg = arg;
	curl_multi_cleanup(m->multi); /* may report sockets removed: closed via socket_cb */
	m->multi = NULL;
	uv_timer_stop(&m->timer);
	uv_close((uv_handle_t *)&m->timer, on_closed);
}
