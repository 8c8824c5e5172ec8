/* benchutil.h: small helpers shared by the ingest benchmarks (blocking HTTP to srm-sim, clocks). */
#ifndef SRM_BENCH_BENCHUTIL_H
#define SRM_BENCH_BENCHUTIL_H

#include <cjson/cJSON.h>
#include <stdbool.h>

/* CLOCK_MONOTONIC in seconds. */
double bench_now_s(void);
/* From now on talk https to srm-sim, trusting ca_file. */
void bench_use_tls(const char *ca_file);
/* POST a JSON body to srm-sim on 127.0.0.1:port (blocking); the parsed answer, or NULL. */
cJSON *bench_post(int port, const char *path, const char *json);
/* Log in as demo/demo; a malloc'ed token, or NULL. */
char *bench_login(int port);
/* Ask srm-sim for a flood of nq quotes and no order events (either may be 0); 0 or -1. */
int bench_flood(int port, long long account, const char *contract, long nq, long no);
/* A decimal in [min, max], whole string. */
bool bench_parse_long(const char *s, long min, long max, long *out);

#endif
