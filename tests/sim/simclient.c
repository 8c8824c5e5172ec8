/* simclient.c: blocking HTTP and WebSocket test client for srm-sim, and process control. */
#include "simclient.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define RS '\x1e'

int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int read_line(int fd, char *buf, size_t cap, int timeout_ms)
{
	size_t n = 0;

	while (n + 1 < cap) {
		struct pollfd pf = { .fd = fd, .events = POLLIN };
		char c;

		if (poll(&pf, 1, timeout_ms) <= 0)
			return -1;
		if (read(fd, &c, 1) != 1)
			return -1;
		if (c == '\n')
			break;
		buf[n++] = c;
	}
	buf[n] = '\0';
	return 0;
}

/* Start srm-sim; reads "listening on HOST:PORT" and the "account ID NAME" lines. */
int simproc_start(struct simproc *p, const char *const *args)
{
	const char *bin = getenv("SRM_SIM");
	const char *wrap = getenv("SRM_SIM_WRAPPER");
	int pfd[2];
	char line[256];

	memset(p, 0, sizeof(*p));
	if (bin == NULL)
		bin = "src/sim/srm-sim";
	if (pipe(pfd) != 0)
		return -1;
	p->pid = fork();
	if (p->pid < 0)
		return -1;
	if (p->pid == 0) {
		const char *argv[64];
		int n = 0;
		char wbuf[512];

		if (wrap != NULL && wrap[0] != '\0') {
			snprintf(wbuf, sizeof(wbuf), "%s", wrap);
			for (char *t = wbuf; *t != '\0' && n < 20;) {
				char *sp = strchr(t, ' ');

				if (sp != NULL)
					*sp = '\0';
				if (*t != '\0')
					argv[n++] = t;
				if (sp == NULL)
					break;
				t = sp + 1;
			}
		}
		argv[n++] = bin;
		argv[n++] = "--listen";
		argv[n++] = "127.0.0.1:0";
		argv[n++] = "--quiet";
		for (int i = 0; args != NULL && args[i] != NULL && n < 62; i++)
			argv[n++] = args[i];
		argv[n] = NULL;
		prctl(PR_SET_PDEATHSIG, SIGTERM); /* never outlive a crashed test */
		dup2(pfd[1], 1);
		close(pfd[0]);
		close(pfd[1]);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(pfd[1]);
	p->out_fd = pfd[0];
	int timeout = wrap != NULL ? 30000 : 5000;
	if (read_line(p->out_fd, line, sizeof(line), timeout) != 0 ||
	    sscanf(line, "listening on 127.0.0.1:%d", &p->port) != 1) {
		simproc_stop(p);
		return -1;
	}
	while (p->naccounts < 8 && read_line(p->out_fd, line, sizeof(line), 200) == 0) {
		long long id;

		if (sscanf(line, "account %lld", &id) == 1)
			p->accounts[p->naccounts++] = id;
	}
	return 0;
}

/* Stop with SIGTERM; the exit status, or -1. */
int simproc_stop(struct simproc *p)
{
	int st = 0;

	if (p->pid <= 0)
		return -1;
	kill(p->pid, SIGTERM);
	for (int i = 0; i < 3000; i++) {
		pid_t r = waitpid(p->pid, &st, WNOHANG);

		if (r == p->pid) {
			p->pid = 0;
			close(p->out_fd);
			return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
		}
		usleep(10000);
	}
	kill(p->pid, SIGKILL);
	waitpid(p->pid, &st, 0);
	p->pid = 0;
	close(p->out_fd);
	return -1;
}

static int tcp_connect(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	int one = 1;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		close(fd);
		return -1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t w = send(fd, p, len, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

static int read_full(int fd, void *buf, size_t len, int timeout_ms)
{
	char *p = buf;

	while (len > 0) {
		struct pollfd pf = { .fd = fd, .events = POLLIN };
		int r = poll(&pf, 1, timeout_ms);
		ssize_t n;

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -2; /* timeout */
		n = recv(fd, p, len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Read response headers up to the blank line. */
static int read_headers(int fd, char *buf, size_t cap, int timeout_ms)
{
	size_t n = 0;

	while (n + 1 < cap) {
		if (read_full(fd, buf + n, 1, timeout_ms) != 0)
			return -1;
		n++;
		buf[n] = '\0';
		if (n >= 4 && memcmp(buf + n - 4, "\r\n\r\n", 4) == 0)
			return 0;
	}
	return -1;
}

/* One HTTP/1.1 request with Connection: close. */
int http_do(int port, const char *method, const char *path, const char *hdrs, const char *body,
	    size_t len, struct http_res *res)
{
	char req[4096];
	int fd = tcp_connect(port);
	int n;

	memset(res, 0, sizeof(*res));
	if (fd < 0)
		return -1;
	n = snprintf(req, sizeof(req),
		     "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n%s"
		     "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
		     method, path, hdrs != NULL ? hdrs : "", len);
	if (write_all(fd, req, (size_t)n) != 0 || (len > 0 && write_all(fd, body, len) != 0)) {
		/* The server may answer (413) before reading everything: still read. */
	}
	if (read_headers(fd, res->headers, sizeof(res->headers), 10000) != 0 ||
	    sscanf(res->headers, "HTTP/1.%*d %d", &res->status) != 1) {
		close(fd);
		return -1;
	}
	const char *cl = strcasestr(res->headers, "content-length:");
	size_t blen = cl != NULL ? (size_t)strtoul(cl + 15, NULL, 10) : 0;
	res->body = malloc(blen + 1);
	if (blen > 0 && read_full(fd, res->body, blen, 10000) != 0) {
		free(res->body);
		res->body = NULL;
		close(fd);
		return -1;
	}
	res->body[blen] = '\0';
	res->len = blen;
	close(fd);
	return 0;
}

void http_res_free(struct http_res *res)
{
	free(res->body);
	res->body = NULL;
}

/* POST JSON to /api (with a bearer token when given). */
cJSON *api_post(int port, const char *path, const char *token, const char *json, int *status)
{
	struct http_res r;
	char hdr[1200] = "";
	cJSON *j;

	if (token != NULL)
		snprintf(hdr, sizeof(hdr), "Authorization: Bearer %s\r\n", token);
	if (http_do(port, "POST", path, hdr, json, json != NULL ? strlen(json) : 0, &r) != 0) {
		*status = -1;
		return NULL;
	}
	*status = r.status;
	j = cJSON_Parse(r.body);
	http_res_free(&r);
	return j;
}

cJSON *sim_get(int port, const char *path, int *status)
{
	struct http_res r;
	cJSON *j;

	if (http_do(port, "GET", path, NULL, NULL, 0, &r) != 0) {
		*status = -1;
		return NULL;
	}
	*status = r.status;
	j = cJSON_Parse(r.body);
	http_res_free(&r);
	return j;
}

char *sim_login(int port)
{
	int st;
	cJSON *j = api_post(port, "/api/Auth/loginKey", NULL,
			    "{\"userName\":\"demo\",\"apiKey\":\"demo\"}", &st);
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(j, "token");
	char *tok = cJSON_IsString(t) ? strdup(t->valuestring) : NULL;

	cJSON_Delete(j);
	return tok;
}

/* --- WebSocket --- */

int wsc_open(struct wsc *w, int port, const char *path, const char *extra_hdrs)
{
	char req[4096], hdr[2048];
	int n;

	memset(w, 0, sizeof(*w));
	w->fd = tcp_connect(port);
	if (w->fd < 0)
		return -1;
	n = snprintf(req, sizeof(req),
		     "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
		     "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
		     "Sec-WebSocket-Version: 13\r\n%s\r\n",
		     path, extra_hdrs != NULL ? extra_hdrs : "");
	if (write_all(w->fd, req, (size_t)n) != 0 ||
	    read_headers(w->fd, hdr, sizeof(hdr), 5000) != 0 ||
	    sscanf(hdr, "HTTP/1.%*d %d", &w->status) != 1 || w->status != 101) {
		close(w->fd);
		w->fd = -1;
		return -1;
	}
	return 0;
}

int wsc_send_op(struct wsc *w, int opcode, bool fin, const void *data, size_t len)
{
	unsigned char h[14];
	size_t hl = 0;
	const unsigned char mask[4] = { 0x12, 0x34, 0x56, 0x78 };
	unsigned char *buf;
	int rc;

	h[hl++] = (unsigned char)((fin ? 0x80 : 0) | (opcode & 0x0f));
	if (len < 126) {
		h[hl++] = (unsigned char)(0x80 | len);
	} else if (len < 65536) {
		h[hl++] = 0x80 | 126;
		h[hl++] = (unsigned char)(len >> 8);
		h[hl++] = (unsigned char)len;
	} else {
		h[hl++] = 0x80 | 127;
		for (int i = 7; i >= 0; i--)
			h[hl++] = (unsigned char)((uint64_t)len >> (i * 8));
	}
	memcpy(h + hl, mask, 4);
	hl += 4;
	buf = malloc(hl + len + 1);
	memcpy(buf, h, hl);
	for (size_t i = 0; i < len; i++)
		buf[hl + i] = ((const unsigned char *)data)[i] ^ mask[i % 4];
	rc = write_all(w->fd, buf, hl + len);
	free(buf);
	return rc;
}

int wsc_send(struct wsc *w, const void *data, size_t len)
{
	return wsc_send_op(w, 1, true, data, len);
}

/* Read one frame; text/continuation payload is appended to acc. 0 ok, -1 closed, -2 timeout. */
static int read_frame(struct wsc *w, int timeout_ms)
{
	unsigned char h[2], ext[8];
	uint64_t len;
	int r = read_full(w->fd, h, 2, timeout_ms);

	if (r != 0) {
		if (r == -1)
			w->closed = true;
		return r;
	}
	int op = h[0] & 0x0f;
	len = h[1] & 0x7f;
	if (len == 126) {
		if (read_full(w->fd, ext, 2, 5000) != 0)
			return w->closed = true, -1;
		len = ((uint64_t)ext[0] << 8) | ext[1];
	} else if (len == 127) {
		if (read_full(w->fd, ext, 8, 5000) != 0)
			return w->closed = true, -1;
		len = 0;
		for (int i = 0; i < 8; i++)
			len = (len << 8) | ext[i];
	}
	if (len > (64u << 20))
		return w->closed = true, -1;
	char *payload = malloc(len + 1);
	if (len > 0 && read_full(w->fd, payload, len, 5000) != 0) {
		free(payload);
		return w->closed = true, -1;
	}
	if (op == 8) {
		w->got_close_frame = true;
		w->closed = true;
		free(payload);
		return -1;
	}
	if (op == 9)
		wsc_send_op(w, 10, true, payload, len);
	if ((op == 1 || op == 0) && w->count_only) {
		for (uint64_t i = 0; i < len; i++)
			w->rs_count += payload[i] == RS;
		w->frames += op == 1;
	} else if (op == 1 || op == 0) {
		if (op == 1)
			w->frames++;
		if (w->len + len + 1 > w->cap) {
			w->cap = (w->len + len + 1) * 2;
			w->acc = realloc(w->acc, w->cap);
		}
		memcpy(w->acc + w->len, payload, len);
		w->len += len;
	}
	free(payload);
	return 0;
}

char *wsc_record(struct wsc *w, int timeout_ms)
{
	int64_t deadline = mono_ns() + (int64_t)timeout_ms * 1000000;

	for (;;) {
		char *rs = w->acc != NULL ? memchr(w->acc, RS, w->len) : NULL;

		if (rs != NULL) {
			size_t n = (size_t)(rs - w->acc);
			char *rec = malloc(n + 1);

			memcpy(rec, w->acc, n);
			rec[n] = '\0';
			memmove(w->acc, rs + 1, w->len - n - 1);
			w->len -= n + 1;
			return rec;
		}
		if (w->closed)
			return NULL;
		int left = (int)((deadline - mono_ns()) / 1000000);
		if (left <= 0 || read_frame(w, left) != 0)
			return NULL;
	}
}

cJSON *wsc_msg(struct wsc *w, int timeout_ms)
{
	for (;;) {
		char *rec = wsc_record(w, timeout_ms);
		cJSON *j;

		if (rec == NULL)
			return NULL;
		j = cJSON_Parse(rec);
		free(rec);
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(j, "type");
		if (cJSON_IsNumber(t) && t->valueint == 6) {
			cJSON_Delete(j);
			continue;
		}
		return j;
	}
}

long wsc_count(struct wsc *w, long want, int timeout_ms)
{
	w->count_only = true;
	while (w->rs_count < want && read_frame(w, timeout_ms) == 0)
		;
	return w->rs_count;
}

void wsc_close(struct wsc *w)
{
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
	free(w->acc);
	w->acc = NULL;
}

int hub_open(struct wsc *w, int port, const char *hub, const char *token)
{
	char path[1024];
	const char hs[] = "{\"protocol\":\"json\",\"version\":1}\x1e";

	snprintf(path, sizeof(path), "/hubs/%s?access_token=%s", hub, token);
	if (wsc_open(w, port, path, NULL) != 0)
		return -1;
	if (wsc_send(w, hs, sizeof(hs) - 1) != 0)
		return -1;
	char *rec = wsc_record(w, 5000);
	int rc = rec != NULL && strcmp(rec, "{}") == 0 ? 0 : -1;
	free(rec);
	return rc;
}

int hub_invoke(struct wsc *w, const char *target, const char *args_json, const char *id)
{
	char buf[1024];
	int n;

	if (id != NULL)
		n = snprintf(buf, sizeof(buf),
			     "{\"type\":1,\"invocationId\":\"%s\",\"target\":\"%s\",\"arguments\":%s}\x1e",
			     id, target, args_json);
	else
		n = snprintf(buf, sizeof(buf), "{\"type\":1,\"target\":\"%s\",\"arguments\":%s}\x1e",
			     target, args_json);
	if (wsc_send(w, buf, (size_t)n) != 0)
		return -1;
	if (id == NULL)
		return 0;
	cJSON *j = wsc_msg(w, 5000);
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(j, "type");
	const cJSON *iid = cJSON_GetObjectItemCaseSensitive(j, "invocationId");
	int rc = cJSON_IsNumber(t) && t->valueint == 3 && cJSON_IsString(iid) &&
		 strcmp(iid->valuestring, id) == 0 &&
		 cJSON_GetObjectItemCaseSensitive(j, "error") == NULL ? 0 : -1;
	cJSON_Delete(j);
	return rc;
}
