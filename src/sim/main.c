/* main.c: srm-sim command line: options, the simulated world, the server loop. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim/sim.h"
#include "util/clock.h"
#include "util/strutil.h"

/* CLOCK_MONOTONIC nanoseconds (the clock of tsNs and eventsSentNs). */
int64_t sim_mono_ns(void)
{
	return (int64_t)clock_mono_ns();
}

/* Wall-clock UTC milliseconds (gateway timestamps). */
srm_ms sim_now_ms(void)
{
	return clock_wall_ms();
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: srm-sim [options]\n"
		"  --listen HOST:PORT     address (default 127.0.0.1:0; port 0 picks a free one)\n"
		"  --accounts N           practice accounts (default 2, max %d)\n"
		"  --user NAME --key KEY  credentials for Auth/loginKey (default demo/demo)\n"
		"  --seed N               random-walk seed (default 1)\n"
		"  --quote-interval-ms N  random-walk period (default 250; 0: quotes only on demand)\n"
		"  --token-ttl SECONDS    token lifetime (default 86400)\n"
		"  --no-rate-limit        disable the 200/60s and 50/30s limits\n"
		"  --ping-ms N            hub keep-alive ping period (default 15000)\n"
		"  --client-timeout-ms N  close a hub client silent this long (default 30000; 0: never)\n"
		"  --scenario FILE        play a JSON-lines scenario (see docs/SIMULATOR.md)\n"
		"  --speed X              scenario speed factor (default 1)\n"
		"  --tls-cert FILE --tls-key FILE   serve https/wss\n"
		"  --quote-rate N         background quotes per second (max %d), each a step of a\n"
		"                         walk within 4 ticks; also POST /sim/bench/quote-load\n"
		"  --quote-contracts LIST the contracts of --quote-rate, quoted in turn (symbols or\n"
		"                         ids; default ES,NQ,YM,CL,GC)\n"
		"  --quiet                less logging\n"
		"  --firm-mll MONEY       play the firm: a Maximum Loss Limit trailing the end-of-day\n"
		"                         balance (locked at the 50,000 start); equity at the floor is\n"
		"                         liquidated and canTrade set false (POST /sim/firm/day-end)\n",
		SIM_MAX_ACCOUNTS, SIM_MAX_LOAD_RATE);
}

static int parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int parse_opts(struct sim_opts *o, int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "accounts", required_argument, NULL, 'a' },
		{ "user", required_argument, NULL, 'u' },
		{ "key", required_argument, NULL, 'k' },
		{ "seed", required_argument, NULL, 's' },
		{ "quote-interval-ms", required_argument, NULL, 'q' },
		{ "token-ttl", required_argument, NULL, 't' },
		{ "no-rate-limit", no_argument, NULL, 'R' },
		{ "ping-ms", required_argument, NULL, 'p' },
		{ "client-timeout-ms", required_argument, NULL, 'c' },
		{ "scenario", required_argument, NULL, 'S' },
		{ "speed", required_argument, NULL, 'x' },
		{ "tls-cert", required_argument, NULL, 'C' },
		{ "tls-key", required_argument, NULL, 'K' },
		{ "quiet", no_argument, NULL, 'Q' },
		{ "firm-mll", required_argument, NULL, 'M' },
		{ "quote-rate", required_argument, NULL, 'r' },
		{ "quote-contracts", required_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;
	long v;

	while ((ch = getopt_long(argc, argv, "h", lopts, NULL)) != -1) {
		switch (ch) {
		case 'l': {
			const char *colon = strrchr(optarg, ':');

			if (colon == NULL || (size_t)(colon - optarg) >= sizeof(o->listen_host) ||
			    colon == optarg || parse_long(colon + 1, 0, 65535, &v) != 0) {
				fprintf(stderr, "srm-sim: --listen: expected HOST:PORT, got \"%s\"\n",
					optarg);
				return -1;
			}
			memcpy(o->listen_host, optarg, (size_t)(colon - optarg));
			o->listen_host[colon - optarg] = '\0';
			o->listen_port = (int)v;
			break;
		}
		case 'a':
			if (parse_long(optarg, 1, SIM_MAX_ACCOUNTS, &v) != 0)
				goto bad;
			o->accounts = (int)v;
			break;
		case 'u':
			strlcpy_s(o->user, optarg, sizeof(o->user));
			break;
		case 'k':
			strlcpy_s(o->key, optarg, sizeof(o->key));
			break;
		case 's':
			if (parse_long(optarg, 0, 0x7fffffffL, &v) != 0)
				goto bad;
			o->seed = (uint64_t)v;
			break;
		case 'q':
			if (parse_long(optarg, 0, 3600000, &v) != 0)
				goto bad;
			o->quote_ms = (int)v;
			break;
		case 't':
			if (parse_long(optarg, 1, 100000000, &v) != 0)
				goto bad;
			o->token_ttl = (int)v;
			break;
		case 'R':
			o->rate_limit = false;
			break;
		case 'p':
			if (parse_long(optarg, 0, 3600000, &v) != 0)
				goto bad;
			o->ping_ms = (int)v;
			break;
		case 'c':
			if (parse_long(optarg, 0, 3600000, &v) != 0)
				goto bad;
			o->client_timeout_ms = (int)v;
			break;
		case 'S':
			strlcpy_s(o->scenario, optarg, sizeof(o->scenario));
			break;
		case 'x': {
			char *end;

			o->speed = strtod(optarg, &end);
			if (end == optarg || *end != '\0' || !(o->speed > 0) || o->speed > 1e6)
				goto bad;
			break;
		}
		case 'C':
			strlcpy_s(o->tls_cert, optarg, sizeof(o->tls_cert));
			break;
		case 'K':
			strlcpy_s(o->tls_key, optarg, sizeof(o->tls_key));
			break;
		case 'Q':
			o->quiet = true;
			break;
		case 'M':
			if (parse_long(optarg, 1, 10000000, &v) != 0)
				goto bad;
			o->firm_mll = (double)v;
			break;
		case 'r':
			if (parse_long(optarg, 0, SIM_MAX_LOAD_RATE, &v) != 0)
				goto bad;
			o->load_rate = (int)v;
			break;
		case 'L':
			if (strlen(optarg) >= sizeof(o->load_contracts))
				goto bad;
			strlcpy_s(o->load_contracts, optarg, sizeof(o->load_contracts));
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
		continue;
bad:
		fprintf(stderr, "srm-sim: %s: bad value \"%s\"\n", argv[optind - 1], optarg);
		return -1;
	}
	if (optind < argc) {
		fprintf(stderr, "srm-sim: unexpected argument \"%s\"\n", argv[optind]);
		return -1;
	}
	if ((o->tls_cert[0] != '\0') != (o->tls_key[0] != '\0')) {
		fprintf(stderr, "srm-sim: --tls-cert and --tls-key go together\n");
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct sim *s = calloc(1, sizeof(*s));
	int rc;

	if (s == NULL)
		return 1;
	strlcpy_s(s->opt.listen_host, "127.0.0.1", sizeof(s->opt.listen_host));
	strlcpy_s(s->opt.user, "demo", sizeof(s->opt.user));
	strlcpy_s(s->opt.key, "demo", sizeof(s->opt.key));
	s->opt.accounts = 2;
	s->opt.seed = 1;
	s->opt.token_ttl = 86400;
	s->opt.rate_limit = true;
	s->opt.quote_ms = 250;
	s->opt.ping_ms = 15000;
	s->opt.client_timeout_ms = 30000;
	s->opt.speed = 1.0;
	if (parse_opts(&s->opt, argc, argv) != 0) {
		free(s);
		return 2;
	}
	market_init(s);
	if (s->opt.load_rate > 0) {
		char err[160];

		if (market_load_set(s, s->opt.load_rate, s->opt.load_contracts, err, sizeof(err)) != 0) {
			fprintf(stderr, "srm-sim: --quote-contracts: %s\n", err);
			market_free(s);
			free(s);
			return 2;
		}
	}
	if (s->opt.scenario[0] != '\0') {
		char err[600];

		s->scn = scenario_load(s, s->opt.scenario, err, sizeof(err));
		if (s->scn == NULL) {
			fprintf(stderr, "srm-sim: %s\n", err);
			market_free(s);
			free(s);
			return 2;
		}
	}
	rc = server_run(s);
	scenario_free(s->scn);
	reqlog_free(s);
	market_free(s);
	free(s);
	return rc;
}
