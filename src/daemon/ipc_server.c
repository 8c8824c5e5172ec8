/* ipc_server.c: the Unix-socket server on the libuv loop: hostile input never stalls the daemon. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon/ipc_server.h"
#include "util/log.h"
#include "util/strutil.h"
#include "util/xalloc.h"

#define SWEEP_MS 1000

struct ipc_server {
	uv_loop_t *loop;
	uv_pipe_t listener;
	uv_timer_t sweep;           /* partial-request and idle timeouts */
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	ipc_request_fn fn;
	void *ud;
	struct ipc_client *clients[IPC_MAX_CLIENTS];
	size_t n_clients;
	uint64_t serial;
	int open_handles;           /* listener, sweep timer, clients: closed when 0 */
	/* closed connections, logged as counts at most once per sweep (floods must not flood the log) */
	unsigned n_timed_out, n_evicted, n_refused;
	bool closing;
	void (*close_cb)(void *);
	void *close_ud;
};

struct wreq {
	uv_write_t req;
	struct ipc_client *c;
	size_t len;
	char data[];
};

static void handle_closed(struct ipc_server *s)
{
	if (--s->open_handles == 0 && s->closing && s->close_cb != NULL)
		s->close_cb(s->close_ud);
}

void ipc_client_hold(struct ipc_client *c)
{
	c->refs++;
}

void ipc_client_release(struct ipc_client *c)
{
	if (--c->refs > 0)
		return;
	explicit_bzero(&c->lb, sizeof(c->lb));
	free(c);
}

bool ipc_client_gone(const struct ipc_client *c)
{
	return c->closing;
}

static void client_closed(uv_handle_t *h)
{
	struct ipc_client *c = h->data;
	struct ipc_server *s = c->srv;

	ipc_client_release(c); /* the connection's own reference */
	handle_closed(s);
}

static void client_drop(struct ipc_client *c)
{
	struct ipc_server *s = c->srv;

	if (c->closing)
		return;
	c->closing = true;
	c->busy = false;
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
	struct ipc_client *c = w->c;

	c->out_pending -= w->len;
	if (status < 0)
		client_drop(c);
	free(w);
	ipc_client_release(c); /* the write's reference */
}

void ipc_client_send(struct ipc_client *c, const char *line)
{
	size_t n = strlen(line);
	struct wreq *w;
	uv_buf_t b;

	if (c->closing || n == 0)
		return;
	/* a backlog is what a slow client shows; one reply alone may be long (a status of 4,096 accounts) */
	if (c->out_pending > 0 && c->out_pending + n > IPC_OUT_MAX) {
		log_warn("ipc", "client too slow, dropping it | pending=%zu uid=%ld", c->out_pending,
			 c->uid);
		client_drop(c);
		return;
	}
	w = xmalloc(sizeof(*w) + n);
	w->c = c;
	w->len = n;
	memcpy(w->data, line, n);
	b = uv_buf_init(w->data, (unsigned)n);
	c->out_pending += n;
	ipc_client_hold(c);
	if (uv_write(&w->req, (uv_stream_t *)&c->pipe, &b, 1, write_done) != 0) {
		c->out_pending -= n;
		free(w);
		client_drop(c);
		ipc_client_release(c);
	}
}

/*
 * A last word before closing a client: written now if the socket takes it (a queued write
 * would be cancelled by the close), else lost; the client sees the hang-up either way.
 */
static void send_err_and_drop(struct ipc_client *c, const char *code, const char *msg)
{
	char *r = ipc_reply_err(0, code, msg);

	if (r != NULL && !c->closing && c->out_pending == 0) {
		uv_buf_t b = uv_buf_init(r, (unsigned)strlen(r));

		(void)uv_try_write((uv_stream_t *)&c->pipe, &b, 1);
	}
	free(r);
	client_drop(c);
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

	c->partial_ms = 0;
	if (len == 0)
		return 0;
	c->last_active_ms = uv_now(c->srv->loop);
	if (ipc_parse_request(line, len, &req, &err) != 0) {
		char *r = ipc_reply_err(req.id, "bad_request", err.msg);

		explicit_bzero(line, len);
		/* NOLINTBEGIN(clang-analyzer-unix.Malloc): read_cb holds c while lines are fed */
		if (r != NULL)
			ipc_client_send(c, r);
		free(r);
		return c->closing ? 1 : 0;
		/* NOLINTEND(clang-analyzer-unix.Malloc) */
	}
	explicit_bzero(line, len);
	/* the handler may drop the client; its memory stays until this request is done */
	ipc_client_hold(c);
	c->srv->fn(c, &req, c->srv->ud);
	ipc_req_free(&req);

	int stop = c->closing || c->busy ? 1 : 0;

	ipc_client_release(c);
	/* stop feeding lines to a handler that paused the client or dropped it */
	return stop;
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
	if (n == 0 || c->closing)
		goto wipe;
	/* Lines after a pause are refused: one request at a time while a reply is delayed. */
	if (c->busy) {
		char *r = ipc_reply_err(0, "busy", "previous request still pending");

		if (r != NULL)
			ipc_client_send(c, r);
		free(r);
		goto wipe;
	}
	ipc_client_hold(c);
	linebuf_feed(&c->lb, buf->base, (size_t)n, on_line, on_overflow, c);
	if (!c->closing && (c->lb.len > 0 || c->lb.overflow) && c->partial_ms == 0)
		c->partial_ms = uv_now(c->srv->loop);
	ipc_client_release(c);
wipe:
	if (n > 0)
		explicit_bzero(buf->base, (size_t)n);
}

void ipc_client_pause(struct ipc_client *c)
{
	c->busy = true;
}

void ipc_client_resume(struct ipc_client *c)
{
	c->busy = false;
}

/* Close the partial and idle connections (a timeout is said to the client first). */
static void on_sweep(uv_timer_t *t)
{
	struct ipc_server *s = t->data;
	uint64_t now = uv_now(s->loop);

	for (size_t i = s->n_clients; i-- > 0;) {
		struct ipc_client *c = s->clients[i];

		if (c->busy)
			continue;
		if (c->partial_ms != 0 && now - c->partial_ms >= IPC_PARTIAL_MS) {
			s->n_timed_out++;
			send_err_and_drop(c, "timeout", "request line not completed within 5 s");
		} else if (!c->subscribed && now - c->last_active_ms >= IPC_IDLE_MS) {
			s->n_timed_out++;
			send_err_and_drop(c, "timeout", "idle connection closed");
		}
	}
	if (s->n_timed_out + s->n_evicted + s->n_refused > 0)
		log_warn("ipc", "closed connections | timed_out=%u evicted_over_cap=%u refused=%u "
			 "open=%zu", s->n_timed_out, s->n_evicted, s->n_refused, s->n_clients);
	s->n_timed_out = s->n_evicted = s->n_refused = 0;
}

/* Is a better eviction candidate than b (NULL: none yet)? Idle and partial ones go first. */
static bool evict_before(const struct ipc_client *a, const struct ipc_client *b)
{
	if (b == NULL)
		return true;
	if (a->subscribed != b->subscribed)
		return !a->subscribed;
	return a->serial < b->serial;
}

/*
 * Make room for a connection of uid: over its own cap, one of its oldest connections goes;
 * over the global cap, one of the uid holding the most. Connections waiting for a delayed
 * reply stay. Returns false when nothing may go (the new connection is refused).
 */
static bool make_room(struct ipc_server *s, long uid)
{
	size_t mine = 0;
	long victim_uid = uid;

	for (size_t i = 0; i < s->n_clients; i++)
		mine += s->clients[i]->uid == uid;
	if (mine < IPC_MAX_PER_UID && s->n_clients < IPC_MAX_CLIENTS)
		return true;
	if (mine < IPC_MAX_PER_UID) {
		/* the global cap: the uid with the most connections gives one up */
		size_t best = 0;

		for (size_t i = 0; i < s->n_clients; i++) {
			size_t k = 0;

			for (size_t j = 0; j < s->n_clients; j++)
				k += s->clients[j]->uid == s->clients[i]->uid;
			if (k > best) {
				best = k;
				victim_uid = s->clients[i]->uid;
			}
		}
	}
	struct ipc_client *v = NULL;

	for (size_t i = 0; i < s->n_clients; i++) {
		struct ipc_client *c = s->clients[i];

		if (c->uid == victim_uid && !c->busy && evict_before(c, v))
			v = c;
	}
	if (v == NULL)
		return false;
	s->n_evicted++;
	send_err_and_drop(v, "evicted", "closed to make room: too many connections from this user");
	return true;
}

static long peer_uid(struct ipc_client *c)
{
	uv_os_fd_t fd;
	struct ucred cr;
	socklen_t len = sizeof(cr);

	if (uv_fileno((uv_handle_t *)&c->pipe, &fd) == 0 &&
	    getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) == 0)
		return (long)cr.uid;
	return -1;
}

static void on_connection(uv_stream_t *server, int status)
{
	struct ipc_server *s = server->data;
	struct ipc_client *c;

	if (status < 0 || s->closing)
		return;
	c = xcalloc(1, sizeof(*c));
	c->srv = s;
	c->uid = -1;
	c->refs = 1;
	uv_pipe_init(s->loop, &c->pipe, 0);
	s->open_handles++;
	c->pipe.data = c;
	if (uv_accept(server, (uv_stream_t *)&c->pipe) != 0) {
		c->closing = true;
		uv_close((uv_handle_t *)&c->pipe, client_closed);
		return;
	}
	c->uid = peer_uid(c);
	c->serial = ++s->serial;
	c->last_active_ms = uv_now(s->loop);
	if (!make_room(s, c->uid)) {
		s->n_refused++;
		/* not in the list: send_err_and_drop finds nothing to unlink */
		send_err_and_drop(c, "too_many_connections", "srmd has too many connections; try again");
		return;
	}
	s->clients[s->n_clients++] = c;
	uv_read_start((uv_stream_t *)&c->pipe, alloc_cb, read_cb);
}

static void freed_on_close(uv_handle_t *h)
{
	free(h->data);
}

/* Is something other than a socket at path? (Then it is never replaced.) */
static bool not_a_socket(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 && !S_ISSOCK(st.st_mode);
}

struct ipc_server *ipc_server_new(uv_loop_t *loop, const char *path, ipc_request_fn fn, void *ud,
				  struct srm_err *err)
{
	struct ipc_server *s = xcalloc(1, sizeof(*s));
	int rc;

	if (strlen(path) >= sizeof(s->path)) {
		free(s);
		srm_err_set(err, SRM_EINVAL, "socket path too long (at most %zu bytes): %s",
			    sizeof(s->path) - 1, path);
		return NULL;
	}
	if (not_a_socket(path)) {
		free(s);
		srm_err_set(err, SRM_EINVAL, "%s exists and is not a socket; not touching it "
			    "(remove it or choose another daemon.socket)", path);
		return NULL;
	}
	strlcpy_s(s->path, path, sizeof(s->path));
	s->loop = loop;
	s->fn = fn;
	s->ud = ud;
	uv_pipe_init(loop, &s->listener, 0);
	s->open_handles = 1;
	s->listener.data = s;
	rc = uv_pipe_bind(&s->listener, path);
	if (rc == UV_EADDRINUSE) {
		/* a socket file is there: live daemon, or stale after a crash? */
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		struct sockaddr_un sa = {.sun_family = AF_UNIX};

		strlcpy_s(sa.sun_path, path, sizeof(sa.sun_path));
		if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
			close(fd);
			srm_err_set(err, SRM_EINVAL, "%s: another srmd is running", path);
			goto fail;
		}
		if (fd >= 0)
			close(fd);
		if (not_a_socket(path)) {
			srm_err_set(err, SRM_EINVAL, "%s exists and is not a socket; not touching it", path);
			goto fail;
		}
		unlink(path);
		rc = uv_pipe_bind(&s->listener, path);
	}
	if (rc != 0) {
		srm_err_set(err, SRM_EIO, "%s: %s", path, uv_strerror(rc));
		goto fail;
	}
	chmod(path, 0660);
	rc = uv_listen((uv_stream_t *)&s->listener, 128, on_connection);
	if (rc != 0) {
		srm_err_set(err, SRM_EIO, "%s: listen: %s", path, uv_strerror(rc));
		unlink(path);
		goto fail;
	}
	uv_timer_init(loop, &s->sweep);
	s->open_handles++;
	s->sweep.data = s;
	uv_timer_start(&s->sweep, on_sweep, SWEEP_MS, SWEEP_MS);
	return s;
fail:
	/* the listener is closed on a later loop turn; s goes with it */
	s->fn = NULL;
	uv_close((uv_handle_t *)&s->listener, freed_on_close);
	return NULL;
}

static void listener_closed(uv_handle_t *h)
{
	handle_closed(h->data);
}

void ipc_server_close(struct ipc_server *s, void (*cb)(void *ud), void *ud)
{
	s->closing = true;
	s->close_cb = cb;
	s->close_ud = ud;
	unlink(s->path);
	while (s->n_clients > 0)
		client_drop(s->clients[s->n_clients - 1]);
	uv_timer_stop(&s->sweep);
	uv_close((uv_handle_t *)&s->sweep, listener_closed);
	uv_close((uv_handle_t *)&s->listener, listener_closed);
}

void ipc_server_free(struct ipc_server *s)
{
	free(s);
}
