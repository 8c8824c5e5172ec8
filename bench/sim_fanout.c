/*
 * sim_fanout.c: how many hub messages per second srm-sim pushes to one subscribed client.
 * Starts the real srm-sim, subscribes one market-hub connection to ES quotes, asks the
 * simulator (POST /sim/bench/flood) to push N GatewayQuote records as fast as the socket takes
 * them, and times their arrival. Usage: bench-sim-fanout [N] (SRM_SIM: path of srm-sim).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simclient.h"

int main(int argc, char **argv)
{
	const char *args[] = { "--quote-interval-ms", "0", "--no-rate-limit", NULL };
	long n = argc > 1 ? strtol(argv[1], NULL, 10) : 500000;
	struct simproc p;
	struct wsc w;
	char body[160];
	struct http_res r;
	int rc = 1;

	if (n <= 0 || n > 100000000) {
		fprintf(stderr, "usage: bench-sim-fanout [N]\n");
		return 2;
	}
	if (simproc_start(&p, args) != 0) {
		fprintf(stderr, "bench-sim-fanout: cannot start srm-sim (set SRM_SIM)\n");
		return 1;
	}
	char *tok = sim_login(p.port);
	if (tok == NULL || hub_open(&w, p.port, "market", tok) != 0 ||
	    hub_invoke(&w, "SubscribeContractQuotes", "[\"CON.F.US.EP.Z26\"]", "1") != 0) {
		fprintf(stderr, "bench-sim-fanout: cannot subscribe\n");
		goto out;
	}
	snprintf(body, sizeof(body), "{\"contractId\":\"CON.F.US.EP.Z26\",\"count\":%ld}", n);
	int64_t t0 = mono_ns();
	if (http_do(p.port, "POST", "/sim/bench/flood", NULL, body, strlen(body), &r) != 0 ||
	    r.status != 200) {
		fprintf(stderr, "bench-sim-fanout: flood request failed\n");
		goto out;
	}
	http_res_free(&r);
	long got = wsc_count(&w, n, 10000);
	int64_t t1 = mono_ns();
	double s = (double)(t1 - t0) / 1e9;
	if (got < n) {
		fprintf(stderr, "bench-sim-fanout: received %ld of %ld records\n", got, n);
		goto out;
	}
	printf("sim-fanout: %ld GatewayQuote records in %.3f s: %.0f msg/s, %ld frames "
	       "(%.1f records/frame)\n", n, s, (double)n / s, w.frames, (double)n / (double)w.frames);
	rc = 0;
out:
	wsc_close(&w);
	free(tok);
	if (simproc_stop(&p) != 0)
		rc = 1;
	return rc;
}
