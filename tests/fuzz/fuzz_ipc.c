/* fuzz_ipc.c: libFuzzer target: arbitrary bytes -> the IPC line framer -> the request parser. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ipc/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int on_line(char *line, size_t len, void *ud)
{
	struct ipc_req req;
	struct srm_err err = {0};
	const char *s = NULL;
	int64_t n = 0;
	bool b = false;

	(void)ud;
	if (len >= IPC_LINE_MAX || line[len] != '\0')
		abort();
	if (ipc_parse_request(line, len, &req, &err) != 0) {
		if (err.msg[0] == '\0')
			abort();
		return 0;
	}
	if (req.cmd[0] == '\0' || strlen(req.cmd) >= IPC_CMD_MAX)
		abort();
	(void)ipc_arg_string(&req, "account", &s, &err);
	(void)ipc_arg_int64(&req, "account", &n, &err);
	(void)ipc_arg_bool(&req, "dryRun", &b, &err);
	char *r = ipc_reply_ok(req.id, NULL);

	free(r);
	ipc_req_free(&req);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct linebuf lb;

	memset(&lb, 0, sizeof(lb));
	linebuf_feed(&lb, (const char *)data, size, on_line, NULL, NULL);
	/* and the same bytes again as one line */
	if (size > 0 && size < 4096) {
		char *line = malloc(size + 1);

		memcpy(line, data, size);
		line[size] = '\0';
		on_line(line, strnlen(line, size), NULL);
		free(line);
	}
	return 0;
}
