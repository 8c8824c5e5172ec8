/*
 * fuzz_ipc_cmds.c: libFuzzer target: bytes from a hostile local client -> the real IPC
 * server on a real socket -> srmd's command handlers (auth and its deferred paths off the
 * loop, admin commands, reloads, history), with hang-ups at any point. One daemon context
 * (engine, state file, auth, reloader) lives across inputs, as srmd's does across clients.
 *
 * Input: byte 0 picks where the client hangs up (0: after reading the answers; else after
 * that many bytes); byte 1 the write chunk size. The rest is what the client sends. Checks:
 * nothing crashes or leaks (ASan/LSan), every connection is gone once its client has hung
 * up and its deferred replies are done, and srmd still answers `ping` afterwards.
 */
#include <crypt.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon/srmd.h"
#include "util/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct srmd d;
static char dir[48], sock[96];

static void fatal_setup(const char *what)
{
	fprintf(stderr, "fuzz_ipc_cmds: setup: %s\n", what);
	abort();
}

/* A cheap hash (sha256crypt, 1000 rounds) so that fuzzing `auth` is not bound by yescrypt. */
static void write_config(const char *path)
{
	struct crypt_data cd;
	const char *h;
	FILE *f;

	memset(&cd, 0, sizeof(cd));
	h = crypt_rn("fuzz-pw", "$5$rounds=1000$fuzzsalt$", &cd, (int)sizeof(cd));
	if (h == NULL || h[0] == '*')
		fatal_setup("crypt");
	f = fopen(path, "w");
	if (f == NULL)
		fatal_setup("config");
	fprintf(f,
		"gateway: {api_url: http://127.0.0.1:1, user_hub_url: http://127.0.0.1:1/hubs/user,\n"
		"          market_hub_url: http://127.0.0.1:1/hubs/market, username: u, api_key: k}\n"
		"daemon: {state_dir: %s/state, socket: %s, log_level: error}\n"
		"admin: {password_hash: \"%s\"}\n"
		"rules:\n"
		"  max_contracts: {enabled: true, limit: 4, action: reduce_to_limit}\n"
		"  daily_realized_loss: {enabled: true, loss_limit: 500}\n"
		"  symbol_blocks: {enabled: true, symbols: [RTY], close_existing: true}\n",
		dir, sock, h);
	fclose(f);
}

static void feed_book(void)
{
	struct srm_event ev;

	d.guarded = calloc(2, sizeof(*d.guarded));
	d.guarded[0] = 7001;
	d.guarded[1] = 7002;
	d.n_guarded = 2;
	for (int i = 0; i < 2; i++) {
		memset(&ev, 0, sizeof(ev));
		ev.kind = EV_ACCOUNT;
		ev.u.account.id = d.guarded[i];
		snprintf(ev.u.account.name, sizeof(ev.u.account.name), "FUZZ-%d", i);
		ev.u.account.balance = 50000;
		ev.u.account.can_trade = true;
		srmd_feed(&d, &ev);
	}
	memset(&ev, 0, sizeof(ev));
	ev.kind = EV_POSITION;
	ev.u.position.id = 1;
	ev.u.position.account_id = 7001;
	snprintf(ev.u.position.contract_id, sizeof(ev.u.position.contract_id), "CON.F.US.MNQ.Z26");
	ev.u.position.type = PX_PT_LONG;
	ev.u.position.size = 2;
	ev.u.position.average_price = 21000;
	srmd_feed(&d, &ev);
}

/* The temporary directory goes at exit (FUZZ_KEEP=1 keeps it, to look at the state file). */
static void cleanup(void)
{
	char cmd[128];

	if (getenv("FUZZ_KEEP") != NULL)
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "fuzz_ipc_cmds: could not remove %s\n", dir);
}

static void setup(void)
{
	struct config_diag diag = {0};
	struct srm_err err = {0};
	char path[160], db[160];

	/* as srmd's main does: a reply to a client that hung up is an error, not a kill */
	signal(SIGPIPE, SIG_IGN);
	snprintf(dir, sizeof(dir), "/tmp/srm-fuzz-ipc-XXXXXX");
	if (mkdtemp(dir) == NULL)
		fatal_setup("mkdtemp");
	snprintf(sock, sizeof(sock), "%s/srm.sock", dir);
	snprintf(path, sizeof(path), "%s/srm.yaml", dir);
	write_config(path);
	log_set_level(LOG_ERROR);
	d.loop = uv_default_loop();
	d.config_path = strdup(path);
	d.cfg = config_load(path, &diag);
	if (d.cfg == NULL)
		fatal_setup(diag.n ? diag.msgs[0] : "config");
	d.zone = tz_load(d.cfg->daemon.timezone, &err);
	if (d.zone == NULL || statedir_open(&d.statedir, d.cfg->daemon.state_dir, &err) != 0)
		fatal_setup(err.msg);
	snprintf(db, sizeof(db), "%s/srm.db", d.cfg->daemon.state_dir);
	d.st = store_open(db, &err);
	if (d.st == NULL)
		fatal_setup(err.msg);
	d.eng = engine_new(d.cfg, d.zone, srmd_now());
	d.auth = auth_new(d.loop, d.st);
	auth_set_refuse_delay(d.auth, 0);
	srmd_reloader_new(&d);
	d.ipc = ipc_server_new(d.loop, sock, srmd_ipc_request, &d, &err);
	if (d.ipc == NULL)
		fatal_setup(err.msg);
	d.phase = PH_GUARDING;
	feed_book();
	atexit(cleanup);
}

static bool settled(void)
{
	return ipc_server_clients(d.ipc) == 0 && auth_pending(d.auth) == 0 && !srmd_reload_busy(&d);
}

/* Run the loop until the server has let go of every client and nothing is pending. */
static void settle(void)
{
	for (int i = 0; i < 20000 && !settled(); i++) {
		uv_run(d.loop, UV_RUN_NOWAIT);
		if (!settled())
			usleep(50);
	}
	if (!settled()) {
		fprintf(stderr, "fuzz_ipc_cmds: a client or a deferred reply never went away\n");
		abort();
	}
}

static int client(void)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
		abort();
	return fd;
}

/* Read what srmd sent; returns how many newline-ended lines came. */
static int drain(int fd)
{
	char buf[65536];
	ssize_t r;
	int lines = 0;

	while ((r = read(fd, buf, sizeof(buf))) > 0)
		for (ssize_t i = 0; i < r; i++)
			lines += buf[i] == '\n';
	return lines;
}

/* Like the CLI: wait (bounded) for the answer to what was just sent. */
static void await_answer(int fd)
{
	for (int i = 0; i < 400; i++) {
		uv_run(d.loop, UV_RUN_NOWAIT);
		if (drain(fd) > 0)
			return;
		usleep(50);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;

	if (!ready) {
		setup();
		ready = true;
	}
	if (size < 2)
		return 0;
	/* stopping ends the daemon this context stands for: every other command is fair game */
	if (memmem(data, size, "daemon.stop", 11) != NULL)
		return 0;
	size_t hang = data[0] == 0 ? SIZE_MAX : (size_t)data[0] * 8;
	size_t chunk = 1 + data[1] % 64;
	const uint8_t *p = data + 2;
	size_t n = size - 2, off = 0;
	int fd = client();

	uv_run(d.loop, UV_RUN_NOWAIT);
	while (off < n && off < hang) {
		size_t k = n - off < chunk ? n - off : chunk;
		ssize_t w = write(fd, p + off, k);

		if (w <= 0) {
			if (w < 0 && errno == EAGAIN) {
				uv_run(d.loop, UV_RUN_NOWAIT);
				drain(fd);
				continue;
			}
			break; /* srmd hung up on us (a cap, a timeout): fine */
		}
		/* a whole line sent: in the patient mode, wait for its answer as the CLI does */
		bool line_end = memchr(p + off, '\n', (size_t)w) != NULL;

		off += (size_t)w;
		uv_run(d.loop, UV_RUN_NOWAIT);
		if (line_end && hang == SIZE_MAX)
			await_answer(fd);
		else
			drain(fd);
	}
	if (hang == SIZE_MAX) {
		/* let the last answers come (deferred ones too), then hang up */
		for (int i = 0; i < 200; i++) {
			uv_run(d.loop, UV_RUN_NOWAIT);
			drain(fd);
			if (auth_pending(d.auth) == 0 && !srmd_reload_busy(&d))
				break;
			usleep(100);
		}
	}
	close(fd);
	settle();
	/* the daemon still answers */
	fd = client();
	const char ping[] = "{\"id\":9,\"cmd\":\"ping\"}\n";

	if (write(fd, ping, sizeof(ping) - 1) != (ssize_t)sizeof(ping) - 1)
		abort();
	bool got = false;

	for (int i = 0; i < 2000 && !got; i++) {
		char buf[4096];
		ssize_t r;

		uv_run(d.loop, UV_RUN_NOWAIT);
		r = read(fd, buf, sizeof(buf) - 1);
		if (r > 0) {
			buf[r] = '\0';
			got = strstr(buf, "\"id\":9") != NULL;
		} else {
			usleep(50);
		}
	}
	if (!got) {
		fprintf(stderr, "fuzz_ipc_cmds: srmd stopped answering ping\n");
		abort();
	}
	close(fd);
	settle();
	return 0;
}
