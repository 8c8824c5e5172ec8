/*
 * http.h: libcurl's multi interface on a libuv loop (sockets watched with uv_poll, curl's
 * timer on a uv_timer). The gateway's REST client and the alert channels share it: add an
 * easy handle, get it back when it is done. Nothing here knows what the requests are.
 */
#ifndef SRM_GATEWAY_HTTP_H
#define SRM_GATEWAY_HTTP_H

#include <curl/curl.h>
#include <uv.h>

struct http_multi;

/* An easy handle finished with cc; it is out of the multi again and still the caller's. */
typedef void (*http_done_cb)(void *owner, CURL *easy, CURLcode cc);

/* max_host_connections: curl's CURLMOPT_MAX_HOST_CONNECTIONS (0: curl's default). */
struct http_multi *http_multi_new(uv_loop_t *loop, http_done_cb done, void *owner,
				  long max_host_connections);
/* 0, or -1 when curl refuses it. */
int http_multi_add(struct http_multi *m, CURL *easy);
/*
 * Let curl start what was added now (connect, or write the request on a kept connection)
 * instead of at its 0 ms timer in the next loop turn. Finished transfers are reported from
 * the loop (a 0 ms timer), never from inside this call.
 */
void http_multi_kick(struct http_multi *m);
/* Take a handle out before it is done (no callback for it). */
void http_multi_remove(struct http_multi *m, CURL *easy);
/*
 * Stop: no callback after this. `closed(arg)` runs once every libuv handle it used has
 * closed (the loop must keep running until then); m is freed after it.
 */
void http_multi_free(struct http_multi *m, void (*closed)(void *arg), void *arg);

#endif
