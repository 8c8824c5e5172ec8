/* fuzz_config.c: libFuzzer target: arbitrary bytes as a YAML config: an error list or a config, never a crash. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config_diag diag;
	char *text = malloc(size + 1);
	struct srm_config *cfg;

	memcpy(text, data, size);
	text[size] = '\0';
	memset(&diag, 0, sizeof(diag));
	cfg = config_load_string(text, "fuzz.yaml", &diag);
	if (cfg == NULL && diag.n == 0)
		abort(); /* a refusal must say why */
	config_free(cfg);
	free(text);
	return 0;
}
