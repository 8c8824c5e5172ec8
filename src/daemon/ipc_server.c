/* ipc_server.c: the Unix-socket server on the libuv loop: hostile input never stalls the daemon. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/ipc_server.h"
#include "util/log.h"
#include "util/strutil.h"
#include "util/xalloc.h"

struct ipc_server {
	uv_loop_t *loop;
	uv_pipe_t listener;
	char path[108];
	ipc_request_fn fn;
	void *ud;
	struct ipc_client *clients[IPC_MAX_CLIENTS];
	size_t n_clients;
	int closing_handles;
	void (*close_cb)(void *);
	void *close_ud;
};

struct wreq {
	uv_write_t req;
	struct ipc_client *c;
	size_t len;
	char data[];
};

static void client_closed(uv_handle_t *h)
{
	struct ipc_client *c = h->data;
	struct ipc_server *s = c->srv;

	free(c);
	if (s->close_cb != NULL && --s->closing_handles == 0)
		s->close_cb(s->close_ud);
}

static void client_drop(struct ipc_client *c)
{
	struct ipc_server *s = c->srv;

	if (c->closing)
		return;
	c->closing = true;
	for (size_t i = 0; i < s->n_clients; i++)
		if (s->clients[i] == c) {
			s->clients[i] = s->clients[--s->n_clients];
			break;
		}
	uv_read_stop((uv_stream_t *)&c->pipe);
	uv_close((uv_handle_t *)&c->pipe, client_closed);
}

static void write_done(uv_write_t *req, int status)
{
	struct wreq *w = (struct wreq *)req;

	w->c->out_pending -= w->len;
	if (status < 0)
		client_drop(w->c);
	free(w);
}

void ipc_client_send(struct ipc_client *c, const char *line)
{
	size_t n = strlen(line);
	struct wreq *w;
	uv_buf_t b;

	if (c->closing || n == 0)
		return;
	if (c->out_pending + n > IPC_OUT_MAX) {
		log_warn("ipc", "client too slow, dropping it | pending=%zu", c->out_pending);
		client_drop(c);
		return;
	}
	w = xmalloc(sizeof(*w) + n);
	w->c = c;
	w->len = n;
	memcpy(w->data, line, n);
	b = uv_buf_init(w->data, (unsigned)n);
	c->out_pending += n;
	if (uv_write(&w->req, (uv_stream_t *)&c->pipe, &b, 1, write_done) != 0) {
		c->out_pending -= n;
		free(w);
		client_drop(c);
	}
}

void ipc_broadcast(struct ipc_server *s, const char *line)
{
	for (size_t i = s->n_clients; i-- > 0;)
		if (s->clients[i]->subscribed)
			ipc_client_send(s->clients[i], line);
}

size_t ipc_server_clients(const struct ipc_server *s)
{
	return s->n_clients;
}

static int on_line(char *line, size_t len, void *ud)
{
	struct ipc_client *c = ud;
	struct ipc_req req;
	struct srm_err err = {0};

	if (len == 0)
		return 0;
	if (ipc_parse_request(line, len, &req, &err) != 0) {
		char *r = ipc_reply_err(req.id, "bad_request", err.msg);

		if (r != NULL)
			ipc_client_send(c, r);
		free(r);
		return c->closing ? 1 : 0;
	}
	c->srv->fn(c, &req, c->srv->ud);
	ipc_req_free(&req);
	/* stop feeding lines to a handler that paused the client or dropped it */
	return c->closing || c->busy ? 1 : 0;
}

static int on_overflow(void *ud)
{
	struct ipc_client *c = ud;
	char *r = ipc_reply_err(0, "line_too_long", "request line longer than 65536 bytes, discarded");

	if (r != NULL)
		ipc_client_send(c, r);
	free(r);
	return 0;
}

static void alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	static char slab[65536]; /* one loop thread: reads are consumed before the next alloc */

	(void)h;
	(void)suggested;
	*buf = uv_buf_init(slab, sizeof(slab));
}

static void read_cb(uv_stream_t *st, ssize_t n, const uv_buf_t *buf)
{
	struct ipc_client *c = st->data;

	if (n < 0) {
		client_drop(c);
		return;
	}
	if (n == 0)
		return;
	/* Lines after a pause are dropped with an error: one request at a time while busy. */
	if (c->busy) {
		char *r = ipc_reply_err(0, "busy", "previous request still pending");

		if (r != NULL)
			ipc_client_send(c, r);
		free(r);
		return;
	}
	linebuf_feed(&c->lb, buf->base, (size_t)n, on_line, on_overflow, c);
}

void ipc_client_pause(struct ipc_client *c)
{
	c->busy = true;
}

void ipc_client_resume(struct ipc_client *c)
{
	c->busy = false;
}

static void on_connection(uv_stream_t *server, int status)
{
	struct ipc_server *s = server->data;
	struct ipc_client *c;

	if (status < 0)
		return;
	c = xcalloc(1, sizeof(*c));
	c->srv = s;
	c->uid = -1;
	uv_pipe_init(s->loop, &c->pipe, 0);
	c->pipe.data = c;
	if (uv_accept(server, (uv_stream_t *)&c->pipe) != 0) {
		c->closing = true;
		uv_close((uv_handle_t *)&c->pipe, client_closed);
		return;
	}
	if (s->n_clients >= IPC_MAX_CLIENTS) {
		log_warn("ipc", "too many clients, refusing one | max=%d", IPC_MAX_CLIENTS);
		c->closing = true;
		uv_close((uv_handle_t *)&c->pipe, client_closed);
		return;
	}
	uv_os_fd_t fd;

	if (uv_fileno((uv_handle_t *)&c->pipe, &fd) == 0) {
		struct ucred cr;
		socklen_t len = sizeof(cr);

		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) == 0)
			c->uid = (long)cr.uid;
	}
	s->clients[s->n_clients++] = c;
	uv_read_start((uv_stream_t *)&c->pipe, alloc_cb, read_cb);
}

struct ipc_server *ipc_server_new(uv_loop_t *loop, const char *path, ipc_request_fn fn, void *ud,
				  struct srm_err *err)
{
	struct ipc_server *s = xcalloc(1, sizeof(*s));
	int rc;

	if (strlen(path) >= sizeof(s->path)) {
		free(s);
		srm_err_set(err, SRM_EINVAL, "socket path too long: %s", path);
		return NULL;
	}
	strlcpy_s(s->path, path, sizeof(s->path));
	s->loop = loop;
	s->fn = fn;
	s->ud = ud;
	uv_pipe_init(loop, &s->listener, 0);
	s->listener.data = s;
	rc = uv_pipe_bind(&s->listener, path);
	if (rc == UV_EADDRINUSE) {
		/* a socket file is there: live daemon, or stale after a crash? */
		int fd = socket(AF_UNIX, SOCK_STREAM, 0);
		struct sockaddr_un { sa_family_t f; char p[108]; } sa = {.f = AF_UNIX};

		strlcpy_s(sa.p, path, sizeof(sa.p));
		if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
			close(fd);
			srm_err_set(err, SRM_EINVAL, "%s: another srmd is running", path);
			goto fail;
		}
		if (fd >= 0)
			close(fd);
		unlink(path);
		rc = uv_pipe_bind(&s->listener, path);
	}
	if (rc != 0) {
		srm_err_set(err, SRM_EIO, "%s: %s", path, uv_strerror(rc));
		goto fail;
	}
	chmod(path, 0660);
	rc = uv_listen((uv_stream_t *)&s->listener, 16, on_connection);
	if (rc != 0) {
		srm_err_set(err, SRM_EIO, "%s: listen: %s", path, uv_strerror(rc));
		unlink(path);
		goto fail;
	}
	return s;
fail:
	s->closing_handles = 1;
	uv_close((uv_handle_t *)&s->listener, NULL);
	/* the listener is closed on the next loop turn; s must live until then */
	s->fn = NULL;
	return NULL;
}

static void listener_closed(uv_handle_t *h)
{
	struct ipc_server *s = h->data;

	if (--s->closing_handles == 0 && s->close_cb != NULL)
		s->close_cb(s->close_ud);
}

void ipc_server_close(struct ipc_server *s, void (*cb)(void *ud), void *ud)
{
	s->close_cb = cb;
	s->close_ud = ud;
	s->closing_handles = 1 + (int)s->n_clients;
	unlink(s->path);
	while (s->n_clients > 0)
		client_drop(s->clients[s->n_clients - 1]);
	uv_close((uv_handle_t *)&s->listener, listener_closed);
}
