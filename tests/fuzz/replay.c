/*
 * replay.c: a fuzz target without libFuzzer, for `make test` (gcc and the ASan build): every
 * file of the corpus directories given, then seeded mutations of each (bit flips, byte
 * changes, insertions, deletions, truncations, splices with another file). The long,
 * coverage-guided runs are `make fuzz` (libFuzzer, clang).
 * usage: fuzz-replay-NAME [-n MUTATIONS] [-s SEED] DIR|FILE...
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REPLAY_INPUT_MAX (256 * 1024)

struct corpus {
	uint8_t **data;
	size_t *size;
	size_t n;
};

static uint64_t rng;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void add_file(struct corpus *c, const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	size_t n;

	if (f == NULL)
		return;
	buf = malloc(REPLAY_INPUT_MAX);
	n = buf ? fread(buf, 1, REPLAY_INPUT_MAX, f) : 0;
	fclose(f);
	if (buf == NULL)
		return;
	c->data = realloc(c->data, (c->n + 1) * sizeof(*c->data));
	c->size = realloc(c->size, (c->n + 1) * sizeof(*c->size));
	if (c->data == NULL || c->size == NULL)
		abort();
	c->data[c->n] = buf;
	c->size[c->n] = n;
	c->n++;
}

static void add(struct corpus *c, const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *e;

	if (stat(path, &st) != 0)
		return;
	if (!S_ISDIR(st.st_mode)) {
		add_file(c, path);
		return;
	}
	d = opendir(path);
	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		char p[4096];

		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", path, e->d_name);
		add(c, p);
	}
	closedir(d);
}

/* One mutation of src into dst (at most REPLAY_INPUT_MAX bytes); returns its size. */
static size_t mutate(const struct corpus *c, const uint8_t *src, size_t n, uint8_t *dst)
{
	size_t len = n;

	memcpy(dst, src, n);
	for (int k = 0, m = 1 + (int)(next() % 4); k < m; k++) {
		size_t at = len ? next() % len : 0;

		switch (next() % 6) {
		case 0: /* flip a bit */
			if (len)
				dst[at] ^= (uint8_t)(1u << (next() % 8));
			break;
		case 1: /* an interesting byte */ {
			static const uint8_t b[] = {0, 0xff, '"', '\n', '{', '}', '[', ']', ':', ',', '\\', 0x1e, '-', '9'};

			if (len)
				dst[at] = b[next() % sizeof(b)];
			break;
		}
		case 2: /* insert */
			if (len < REPLAY_INPUT_MAX) {
				memmove(dst + at + 1, dst + at, len - at);
				dst[at] = (uint8_t)next();
				len++;
			}
			break;
		case 3: /* delete a run */
			if (len) {
				size_t r = 1 + next() % (len - at);

				memmove(dst + at, dst + at + r, len - at - r);
				len -= r;
			}
			break;
		case 4: /* truncate */
			len = at;
			break;
		default: /* splice the tail of another input */ {
			size_t j = next() % c->n, from = c->size[j] ? next() % c->size[j] : 0;
			size_t take = c->size[j] - from;

			if (at + take > REPLAY_INPUT_MAX)
				take = REPLAY_INPUT_MAX - at;
			memcpy(dst + at, c->data[j] + from, take);
			len = at + take;
			break;
		}
		}
	}
	return len;
}

int main(int argc, char **argv)
{
	struct corpus c = {0};
	long mutations = 200;
	uint64_t seed = 0x5eed5eedULL;
	uint8_t *buf = malloc(REPLAY_INPUT_MAX + 1);
	unsigned long runs = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-n") == 0 && i + 1 < argc)
			mutations = strtol(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "-s") == 0 && i + 1 < argc)
			seed = strtoull(argv[++i], NULL, 10);
		else
			add(&c, argv[i]);
	}
	if (buf == NULL || c.n == 0) {
		fprintf(stderr, "fuzz replay: no inputs\n");
		return 2;
	}
	rng = seed ? seed : 1;
	for (size_t i = 0; i < c.n; i++) {
		LLVMFuzzerTestOneInput(c.data[i], c.size[i]);
		runs++;
		for (long m = 0; m < mutations; m++) {
			size_t len = mutate(&c, c.data[i], c.size[i], buf);

			LLVMFuzzerTestOneInput(buf, len);
			runs++;
		}
	}
	printf("fuzz replay: %zu inputs, %lu runs, seed %llu: no crash\n", c.n, runs,
	       (unsigned long long)seed);
	for (size_t i = 0; i < c.n; i++)
		free(c.data[i]);
	free(c.data);
	free(c.size);
	free(buf);
	return 0;
}
