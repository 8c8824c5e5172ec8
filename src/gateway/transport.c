/* transport.c: TCP on libuv with optional TLS through OpenSSL memory BIOs, for the hub client. */
#include "gateway/transport.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/strutil.h"
#include "util/xalloc.h"

#define CONN_RBUF (64 * 1024)   /* one read from the socket */
#define CONN_PBUF (16 * 1024)   /* one TLS record's plaintext at most */

struct gw_tls {
	SSL_CTX *ctx;
};

struct wreq {
	uv_write_t req;
	struct gw_conn *c;
	size_t len;
	char data[];
};

struct gw_conn {
	uv_loop_t *loop;
	uv_tcp_t *tcp;            /* replaced when the next address is tried */
	uv_getaddrinfo_t gai;
	uv_connect_t creq;
	struct gw_conn_cbs cbs;
	void *ud;
	SSL *ssl;                 /* NULL: plain TCP */
	BIO *rbio, *wbio;         /* owned by ssl */
	char host[256];
	int port;
	struct addrinfo *ai, *next_ai;
	bool gai_pending;
	bool open;                /* on_open reported: writes allowed */
	bool closing;
	bool abandoned;
	size_t queued;
	char why[200];
	char rbuf[CONN_RBUF];
	char pbuf[CONN_PBUF];
};

struct gw_tls *gw_tls_new(const char *ca_file, struct srm_err *err)
{
	struct gw_tls *t = xcalloc(1, sizeof(*t));

	t->ctx = SSL_CTX_new(TLS_client_method());
	if (t->ctx == NULL) {
		srm_err_set(err, SRM_EIO, "TLS: cannot create a client context");
		goto fail;
	}
	SSL_CTX_set_min_proto_version(t->ctx, TLS1_2_VERSION);
	SSL_CTX_set_verify(t->ctx, SSL_VERIFY_PEER, NULL);
	if (SSL_CTX_set_default_verify_paths(t->ctx) != 1) {
		srm_err_set(err, SRM_EIO, "TLS: cannot load the system CA certificates");
		goto fail;
	}
	if (ca_file != NULL && *ca_file != '\0' &&
	    SSL_CTX_load_verify_locations(t->ctx, ca_file, NULL) != 1) {
		srm_err_set(err, SRM_EIO, "TLS: cannot load CA certificates from %s", ca_file);
		goto fail;
	}
	return t;
fail:
	ERR_clear_error();
	gw_tls_free(t);
	return NULL;
}

void gw_tls_free(struct gw_tls *t)
{
	if (t == NULL)
		return;
	SSL_CTX_free(t->ctx);
	free(t);
}

static void tcp_closed(uv_handle_t *hd)
{
	struct gw_conn *c = hd->data;

	free(hd);
	if (c == NULL)
		return; /* a handle of an address that did not connect */
	if (!c->abandoned && c->cbs.on_close != NULL)
		c->cbs.on_close(c, c->why, c->ud);
	SSL_free(c->ssl);
	if (c->ai != NULL)
		uv_freeaddrinfo(c->ai);
	free(c);
}

static void start_close(struct gw_conn *c)
{
	uv_close((uv_handle_t *)c->tcp, tcp_closed);
}

/* The end: remember why, stop everything; on_close follows from the loop. */
static void conn_fail(struct gw_conn *c, const char *why)
{
	if (c->closing)
		return;
	c->closing = true;
	c->open = false;
	strlcpy_s(c->why, why, sizeof(c->why));
	if (c->gai_pending)
		uv_cancel((uv_req_t *)&c->gai); /* its callback closes */
	else
		start_close(c);
}

static void conn_failf(struct gw_conn *c, const char *what, const char *detail)
{
	char buf[200];

	snprintf(buf, sizeof(buf), "%s: %s", what, detail);
	conn_fail(c, buf);
}

static void write_done(uv_write_t *req, int status)
{
	struct wreq *w = (struct wreq *)req;
	struct gw_conn *c = w->c;

	c->queued -= w->len;
	free(w);
	if (status < 0 && status != UV_ECANCELED)
		conn_failf(c, "write failed", uv_strerror(status));
}

/* Bytes to the socket: straight away when nothing waits, else copied behind the queue. */
static int tcp_write(struct gw_conn *c, const char *p, size_t n)
{
	struct wreq *w;
	uv_buf_t b;
	int r;

	if (c->closing)
		return -1;
	if (c->queued == 0) {
		b = uv_buf_init((char *)p, (unsigned)n);
		r = uv_try_write((uv_stream_t *)c->tcp, &b, 1);
		if (r >= 0) {
			p += r;
			n -= (size_t)r;
		} else if (r != UV_EAGAIN) {
			conn_failf(c, "write failed", uv_strerror(r));
			return -1;
		}
	}
	if (n == 0)
		return 0;
	if (c->queued + n > GW_CONN_OUT_MAX) {
		conn_fail(c, "send queue full");
		return -1;
	}
	w = xmalloc(sizeof(*w) + n);
	w->c = c;
	w->len = n;
	memcpy(w->data, p, n);
	b = uv_buf_init(w->data, (unsigned)n);
	r = uv_write(&w->req, (uv_stream_t *)c->tcp, &b, 1, write_done);
	if (r < 0) {
		free(w);
		conn_failf(c, "write failed", uv_strerror(r));
		return -1;
	}
	c->queued += n;
	return 0;
}

/* What OpenSSL wrote into the memory BIO goes to the socket. */
static int flush_tls(struct gw_conn *c)
{
	char tmp[CONN_PBUF];
	int n;

	while (!c->closing && (n = BIO_read(c->wbio, tmp, (int)sizeof(tmp))) > 0)
		if (tcp_write(c, tmp, (size_t)n) < 0)
			return -1;
	return c->closing ? -1 : 0;
}

static void tls_error(struct gw_conn *c, const char *what)
{
	long v = SSL_get_verify_result(c->ssl);
	unsigned long e = ERR_get_error();
	char buf[160];

	if (v != X509_V_OK)
		conn_failf(c, "TLS: certificate verify failed", X509_verify_cert_error_string(v));
	else if (e != 0) {
		ERR_error_string_n(e, buf, sizeof(buf));
		conn_failf(c, what, buf);
	} else {
		conn_fail(c, what);
	}
	ERR_clear_error();
}

static void report_open(struct gw_conn *c)
{
	c->open = true;
	if (c->cbs.on_open != NULL)
		c->cbs.on_open(c, c->ud);
}

/* TLS bytes in: finish the handshake, then hand over every plaintext byte there is. */
static void tls_in(struct gw_conn *c, const char *p, size_t n)
{
	int r;

	if (BIO_write(c->rbio, p, (int)n) != (int)n) {
		conn_fail(c, "TLS: out of memory");
		return;
	}
	if (!c->open) {
		ERR_clear_error();
		r = SSL_do_handshake(c->ssl);
		if (r != 1) {
			int e = SSL_get_error(c->ssl, r);

			if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
				tls_error(c, "TLS handshake failed");
			else
				flush_tls(c);
			return;
		}
		if (flush_tls(c) < 0)
			return;
		report_open(c);
	}
	while (!c->closing) {
		ERR_clear_error();
		r = SSL_read(c->ssl, c->pbuf, (int)sizeof(c->pbuf));
		if (r <= 0) {
			int e = SSL_get_error(c->ssl, r);

			if (e == SSL_ERROR_ZERO_RETURN)
				conn_fail(c, "TLS closed by the server");
			else if (e != SSL_ERROR_WANT_READ)
				tls_error(c, "TLS read failed");
			break;
		}
		if (c->cbs.on_data != NULL)
			c->cbs.on_data(c, c->pbuf, (size_t)r, c->ud);
	}
	if (!c->closing)
		flush_tls(c); /* a key update, a session ticket's answer */
}

static void alloc_cb(uv_handle_t *hd, size_t suggested, uv_buf_t *buf)
{
	struct gw_conn *c = hd->data;

	(void)suggested;
	*buf = uv_buf_init(c->rbuf, sizeof(c->rbuf));
}

static void read_cb(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
	struct gw_conn *c = s->data;

	if (c == NULL || c->closing || nread == 0)
		return;
	if (nread < 0) {
		conn_fail(c, nread == UV_EOF ? "closed by the server" : uv_strerror((int)nread));
		return;
	}
	if (c->ssl != NULL)
		tls_in(c, buf->base, (size_t)nread);
	else if (c->cbs.on_data != NULL)
		c->cbs.on_data(c, buf->base, (size_t)nread, c->ud);
}

static bool is_ip_literal(const char *host)
{
	unsigned char a[16];

	return inet_pton(AF_INET, host, a) == 1 || inet_pton(AF_INET6, host, a) == 1;
}

static int tls_start(struct gw_conn *c, struct gw_tls *tls)
{
	c->ssl = SSL_new(tls->ctx);
	c->rbio = BIO_new(BIO_s_mem());
	c->wbio = BIO_new(BIO_s_mem());
	if (c->ssl == NULL || c->rbio == NULL || c->wbio == NULL) {
		BIO_free(c->rbio);
		BIO_free(c->wbio);
		c->rbio = c->wbio = NULL;
		return -1;
	}
	SSL_set_bio(c->ssl, c->rbio, c->wbio);
	SSL_set_connect_state(c->ssl);
	if (is_ip_literal(c->host)) {
		if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(c->ssl), c->host) != 1)
			return -1;
	} else if (SSL_set_tlsext_host_name(c->ssl, c->host) != 1 ||
		   SSL_set1_host(c->ssl, c->host) != 1) {
		return -1;
	}
	return 0;
}

static void try_connect(struct gw_conn *c);

static void connect_cb(uv_connect_t *req, int status)
{
	struct gw_conn *c = req->data;
	int r;

	if (c->closing)
		return;
	if (status < 0) {
		if (c->next_ai != NULL) {
			/* the next address on a fresh handle (a failed one cannot connect again) */
			c->tcp->data = NULL;
			uv_close((uv_handle_t *)c->tcp, tcp_closed);
			c->tcp = xcalloc(1, sizeof(*c->tcp));
			uv_tcp_init(c->loop, c->tcp);
			c->tcp->data = c;
			try_connect(c);
			return;
		}
		conn_failf(c, "connect failed", uv_strerror(status));
		return;
	}
	uv_tcp_nodelay(c->tcp, 1);
	r = uv_read_start((uv_stream_t *)c->tcp, alloc_cb, read_cb);
	if (r < 0) {
		conn_failf(c, "read failed", uv_strerror(r));
		return;
	}
	if (c->ssl == NULL) {
		report_open(c);
		return;
	}
	ERR_clear_error();
	r = SSL_do_handshake(c->ssl);
	if (r != 1 && SSL_get_error(c->ssl, r) != SSL_ERROR_WANT_READ) {
		tls_error(c, "TLS handshake failed");
		return;
	}
	flush_tls(c);
}

static void try_connect(struct gw_conn *c)
{
	struct addrinfo *ai = c->next_ai;
	int r;

	c->next_ai = ai->ai_next;
	c->creq.data = c;
	r = uv_tcp_connect(&c->creq, c->tcp, ai->ai_addr, connect_cb);
	if (r < 0)
		conn_failf(c, "connect failed", uv_strerror(r));
}

static void gai_cb(uv_getaddrinfo_t *req, int status, struct addrinfo *res)
{
	struct gw_conn *c = req->data;

	c->gai_pending = false;
	if (c->closing) {
		if (res != NULL)
			uv_freeaddrinfo(res);
		start_close(c);
		return;
	}
	if (status < 0 || res == NULL) {
		if (res != NULL)
			uv_freeaddrinfo(res);
		conn_failf(c, "cannot resolve the host", uv_strerror(status));
		return;
	}
	c->ai = c->next_ai = res;
	try_connect(c);
}

struct gw_conn *gw_conn_open(uv_loop_t *loop, struct gw_tls *tls, const char *host, int port,
			     const struct gw_conn_cbs *cbs, void *ud)
{
	struct gw_conn *c = xcalloc(1, sizeof(*c));
	struct addrinfo hints;
	char portstr[8];
	int r;

	c->loop = loop;
	c->cbs = *cbs;
	c->ud = ud;
	c->port = port;
	c->tcp = xcalloc(1, sizeof(*c->tcp));
	uv_tcp_init(loop, c->tcp);
	c->tcp->data = c;
	if (strlcpy_s(c->host, host, sizeof(c->host)) >= sizeof(c->host)) {
		conn_fail(c, "host name too long");
		return c;
	}
	if (tls != NULL && tls_start(c, tls) < 0) {
		ERR_clear_error();
		conn_fail(c, "TLS: cannot set up the connection");
		return c;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_protocol = IPPROTO_TCP;
	snprintf(portstr, sizeof(portstr), "%d", port);
	c->gai.data = c;
	c->gai_pending = true;
	r = uv_getaddrinfo(loop, &c->gai, gai_cb, c->host, portstr, &hints);
	if (r < 0) {
		c->gai_pending = false;
		conn_failf(c, "cannot resolve the host", uv_strerror(r));
	}
	return c;
}

int gw_conn_write(struct gw_conn *c, const void *p, size_t n)
{
	if (c->closing || !c->open)
		return -1;
	if (n == 0)
		return 0;
	if (c->ssl == NULL)
		return tcp_write(c, p, n);
	if (n > (size_t)1 << 30) {
		conn_fail(c, "send queue full");
		return -1;
	}
	ERR_clear_error();
	if (SSL_write(c->ssl, p, (int)n) != (int)n) {
		tls_error(c, "TLS write failed");
		return -1;
	}
	return flush_tls(c);
}

size_t gw_conn_queued(const struct gw_conn *c)
{
	return c->queued;
}

void gw_conn_close(struct gw_conn *c, const char *why)
{
	conn_fail(c, why);
}

void gw_conn_abandon(struct gw_conn *c)
{
	c->abandoned = true;
	conn_fail(c, "abandoned");
}
