/*
 * config.c: loads srm.yaml (SPEC §9) with libyaml into struct srm_config: the public entry
 * points (config_load*, from a file or a string), the checks before the document is built
 * (size, NUL bytes, nesting, one document), the order of the walk (the top level, the checks
 * across keys, the overrides, the profiles), the redacted text for recordings, config_free.
 * The walking is walk.c's, the tables schema.c's (internal.h has the layers).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/internal.h"
#include "util/xalloc.h"

#define CFG_DEPTH_MAX 32   /* libyaml's cost grows with nesting: no config needs more than ~6 */

/* ---- loading -------------------------------------------------------------------------- */

/*
 * Before building the document: one pass over libyaml's events that refuses what the
 * loader must never half-read or choke on. Nesting deeper than CFG_DEPTH_MAX (libyaml's
 * scanner costs O(tokens x depth): 120 KB of brackets took 14 s), and several documents
 * (yaml_parser_load reads the first one only: the rest would be ignored silently). The pass
 * stops at the first problem, so its own cost stays linear.
 */
int cfg_prescan(struct cfg_walk *c, const char *buf, size_t len)
{
	yaml_parser_t p;
	yaml_event_t ev;
	int depth = 0, docs = 0, rc = 0;

	if (!yaml_parser_initialize(&p)) {
		cfg_err(c, NULL, "", "cannot initialise the YAML parser");
		return -1;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
	for (;;) {
		if (!yaml_parser_parse(&p, &ev)) {
			rc = 0; /* a syntax error: yaml_parser_load reports it with its line */
			break;
		}
		yaml_event_type_t t = ev.type;
		unsigned long line = (unsigned long)ev.start_mark.line + 1;

		yaml_event_delete(&ev);
		if (t == YAML_STREAM_END_EVENT)
			break;
		if (t == YAML_DOCUMENT_START_EVENT && ++docs > 1) {
			char msg[300];

			snprintf(msg, sizeof(msg), "%s:%lu: a second YAML document (---): a config is one "
				 "document; only the first would be read, so none is", c->file, line);
			cfg_add_msg(c, msg);
			rc = -1;
			break;
		}
		if (t == YAML_SEQUENCE_START_EVENT || t == YAML_MAPPING_START_EVENT) {
			if (++depth > CFG_DEPTH_MAX) {
				char msg[300];

				snprintf(msg, sizeof(msg), "%s:%lu: nested deeper than %d levels: not a "
					 "config", c->file, line, CFG_DEPTH_MAX);
				cfg_add_msg(c, msg);
				rc = -1;
				break;
			}
		} else if (t == YAML_SEQUENCE_END_EVENT || t == YAML_MAPPING_END_EVENT) {
			depth--;
		}
	}
	yaml_parser_delete(&p);
	return rc;
}

static struct srm_config *load_buf(const char *buf, size_t len, const char *path,
				   struct config_diag *diag, bool env_lenient)
{
	struct cfg_walk *c = xcalloc(1, sizeof(*c));
	struct srm_config *cfg = NULL;
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root;
	char g[CFG_GOT_MAX + 8];

	cfg_tables_init();

	c->file = path;
	c->diag = diag;
	c->doc = &doc;
	c->env_lenient = env_lenient;
	if (len > CFG_FILE_MAX) {
		cfg_err(c, NULL, "", "file too large (over %d bytes)", CFG_FILE_MAX);
		goto out_ctx;
	}
	if (memchr(buf, '\0', len) != NULL) {
		cfg_err(c, NULL, "", "not a text file (contains NUL bytes)");
		goto out_ctx;
	}
	if (cfg_prescan(c, buf, len) != 0)
		goto out_ctx;
	if (!yaml_parser_initialize(&parser)) {
		cfg_err(c, NULL, "", "cannot initialise the YAML parser");
		goto out_ctx;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	if (!yaml_parser_load(&parser, &doc)) {
		char msg[512];

		snprintf(msg, sizeof(msg), "%s:%lu: YAML syntax error: %s%s%s", path,
			 (unsigned long)parser.problem_mark.line + 1,
			 parser.problem != NULL ? parser.problem : "malformed",
			 parser.context != NULL ? " " : "",
			 parser.context != NULL ? parser.context : "");
		cfg_add_msg(c, msg);
		yaml_parser_delete(&parser);
		goto out_ctx;
	}
	yaml_parser_delete(&parser);

	root = yaml_document_get_root_node(&doc);
	if (root == NULL) {
		cfg_err(c, NULL, "", "the file is empty (expected gateway, accounts, daemon, rules)");
		goto out_doc;
	}
	if (root->type != YAML_MAPPING_NODE) {
		cfg_err(c, root, "", "the top level must be a mapping of keys, got %s",
			cfg_got(root, g, sizeof(g)));
		goto out_doc;
	}
	cfg = xcalloc(1, sizeof(*cfg));
	cfg_set_defaults(cfg, path);
	c->rules_base = (char *)&cfg->rules;
	c->pres = &cfg->rules_pres;
	cfg_walk_map(c, root, cfg_top_opts, (char *)cfg, "");
	c->rules_base = NULL;
	c->pres = NULL;
	cfg_firm_urls(c, cfg);
	cfg_check_dashboard(c, cfg);
	if (c->overrides != NULL)
		cfg_parse_overrides(c, cfg);
	if (c->profiles != NULL)
		cfg_parse_profiles(c, cfg);
out_doc:
	yaml_document_delete(&doc);
out_ctx:
	if (c->extra > 0) {
		size_t last = sizeof(diag->msgs) / sizeof(diag->msgs[0]) - 1;

		snprintf(diag->msgs[last], sizeof(diag->msgs[last]), "%s: ... and %zu more errors%s",
			 path, c->extra + 1,
			 c->over_budget ? "; too many nodes to check (aliases?), gave up" : "");
	}
	if (diag->n > 0) {
		config_free(cfg);
		cfg = NULL;
	}
	free(c);
	return cfg;
}

/* Load and validate a YAML config file (see config.h). */
struct srm_config *config_load(const char *path, struct config_diag *diag)
{
	return config_load_env(path, diag, false);
}

struct srm_config *config_load_env(const char *path, struct config_diag *diag, bool env_lenient)
{
	struct srm_config *cfg = NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	diag->n = 0;
	diag->n_notes = 0;
	f = fopen(path, "rb");
	if (f == NULL) {
		snprintf(diag->msgs[0], sizeof(diag->msgs[0]), "%s: cannot open: %s", path,
			 strerror(errno));
		diag->n = 1;
		return NULL;
	}
	buf = xmalloc(CFG_FILE_MAX + 2);
	len = fread(buf, 1, CFG_FILE_MAX + 1, f);
	if (ferror(f)) {
		snprintf(diag->msgs[0], sizeof(diag->msgs[0]), "%s: cannot read: %s", path,
			 strerror(errno));
		diag->n = 1;
		goto out;
	}
	buf[len] = '\0';
	cfg = load_buf(buf, len, path, diag, env_lenient);
out:
	fclose(f);
	free(buf);
	return cfg;
}

/* ---- the text without its secrets (config_redacted) ----------------------------------- */

/* Is key the name of a secret option (T_SECRET) anywhere in the schema? */
/* NOLINTNEXTLINE(misc-no-recursion): the schema is 3 levels deep; depth < 8 */
static bool secret_in(const struct opt *tab, const char *key, size_t len, int depth)
{
	for (const struct opt *o = tab; o->key != NULL; o++) {
		if (o->type == T_SECRET && strlen(o->key) == len && memcmp(o->key, key, len) == 0)
			return true;
		if (o->sub != NULL && depth < 8 && secret_in(o->sub, key, len, depth + 1))
			return true;
	}
	return false;
}

/* A value that only names an environment variable ("${NAME}") shows no secret. */
static bool env_reference(const yaml_node_t *v)
{
	const char *s = (const char *)v->data.scalar.value;
	size_t n = v->data.scalar.length;

	if (v->type != YAML_SCALAR_NODE || n < 4 || s[0] != '$' || s[1] != '{' || s[n - 1] != '}')
		return false;
	for (size_t i = 2; i < n - 1; i++)
		if (!cfg_env_name_char(s[i], i == 2))
			return false; /* a ${NAME:-fallback} may hold a literal secret */
	return true;
}

struct span {
	size_t from, to;
	char *text;             /* what goes there; NULL: "***" (a secret) */
};

static int span_cmp(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	return x->from < y->from ? -1 : x->from > y->from;
}

/* Read a config file whole (bounded: CFG_FILE_MAX); buf is freed with explicit_bzero. */
static int read_file(struct cfg_walk *c, const char *path, char **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	int err;

	*buf = NULL;
	*len = 0;
	if (f == NULL) {
		cfg_err(c, NULL, "", "cannot open: %s", strerror(errno));
		return -1;
	}
	*buf = xmalloc(CFG_FILE_MAX + 2);
	*len = fread(*buf, 1, CFG_FILE_MAX + 1, f);
	err = ferror(f) ? errno : 0;
	(void)fclose(f); /* read only */
	(*buf)[*len] = '\0';
	if (err != 0) {
		cfg_err(c, NULL, "", "cannot read: %s", strerror(err));
		return -1;
	}
	return 0;
}

static void drop_file(char *buf)
{
	if (buf == NULL)
		return;
	explicit_bzero(buf, CFG_FILE_MAX + 2);
	free(buf);
}

/* A YAML double-quoted scalar of s (caller frees). */
static char *yaml_quoted(const char *s)
{
	size_t n = strlen(s), w = 0;
	char *q = xmalloc(n * 4 + 3);

	q[w++] = '"';
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\') {
			q[w++] = '\\';
			q[w++] = (char)*p;
		} else if (*p < 0x20 || *p == 0x7f) {
			w += (size_t)snprintf(q + w, 5, "\\x%02x", *p);
		} else {
			q[w++] = (char)*p;
		}
	}
	q[w++] = '"';
	q[w] = '\0';
	return q;
}

static void span_add(struct span **sp, size_t *n, const yaml_node_t *v, char *text)
{
	*sp = xreallocarray(*sp, *n + 1, sizeof(**sp));
	(*sp)[*n].from = v->start_mark.index;
	(*sp)[*n].to = v->end_mark.index;
	(*sp)[*n].text = text;
	(*n)++;
}

/*
 * A non-secret scalar that names ${NAME}s, as the walker reads it (its value then, quoted),
 * when resolve: what a recording must carry so that a replay elsewhere reads the same value.
 */
static void resolve_node(struct span **sp, size_t *n, const yaml_node_t *v, bool *seen,
			 const yaml_document_t *doc)
{
	char val[CFG_VALUE_MAX], why[160];
	size_t idx = (size_t)(v - doc->nodes.start);

	if (v->type != YAML_SCALAR_NODE || seen[idx] ||
	    memmem(v->data.scalar.value, v->data.scalar.length, "${", 2) == NULL)
		return;
	seen[idx] = true;
	if (cfg_env_subst((const char *)v->data.scalar.value, val, sizeof(val), why, sizeof(why),
			  NULL, 0) != 0)
		return; /* unset without a default: kept as written (srmd refused such a file) */
	span_add(sp, n, v, yaml_quoted(val));
}

/*
 * The text with every secret's value replaced by "***" (lines kept), or -1 + diag; with
 * resolve, every other value's ${NAME}s replaced by what they read now.
 */
static int redact_buf(struct cfg_walk *c, const char *buf, size_t len, bool resolve, char **out)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	struct span *sp = NULL;
	size_t n_sp = 0, extra = 0;
	bool *seen = NULL;
	char *res = NULL;
	size_t cap;
	int rc = -1;

	*out = NULL;
	if (len > CFG_FILE_MAX) {
		cfg_err(c, NULL, "", "file too large (over %d bytes)", CFG_FILE_MAX);
		goto out;
	}
	if (memchr(buf, '\0', len) != NULL) {
		cfg_err(c, NULL, "", "not a text file (contains NUL bytes)");
		goto out;
	}
	if (cfg_prescan(c, buf, len) != 0)
		goto out;
	if (!yaml_parser_initialize(&parser))
		goto out;
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	if (!yaml_parser_load(&parser, &doc)) {
		/* a file that does not parse is not shown: its secrets cannot be found */
		cfg_err(c, NULL, "", "YAML syntax error at line %lu: not shown (its secrets could not be "
			"told apart)", (unsigned long)parser.problem_mark.line + 1);
		yaml_parser_delete(&parser);
		goto out;
	}
	yaml_parser_delete(&parser);
	seen = xcalloc((size_t)(doc.nodes.top - doc.nodes.start) + 1, sizeof(*seen));
	/* every mapping, wherever it is (anchors and merge keys included): a secret key's value */
	for (yaml_node_t *m = doc.nodes.start; m < doc.nodes.top; m++) {
		if (m->type != YAML_MAPPING_NODE)
			continue;
		for (yaml_node_pair_t *pr = m->data.mapping.pairs.start; pr < m->data.mapping.pairs.top; pr++) {
			yaml_node_t *k = yaml_document_get_node(&doc, pr->key);
			yaml_node_t *v = yaml_document_get_node(&doc, pr->value);

			if (k == NULL || v == NULL || k->type != YAML_SCALAR_NODE ||
			    !secret_in(cfg_top_opts, (const char *)k->data.scalar.value, k->data.scalar.length, 0))
				continue;
			/* a secret is never resolved: "***", or its ${NAME} as written */
			seen[v - doc.nodes.start] = true;
			if (!env_reference(v))
				span_add(&sp, &n_sp, v, NULL);
		}
	}
	for (yaml_node_t *m = doc.nodes.start; resolve && m < doc.nodes.top; m++) {
		if (m->type == YAML_MAPPING_NODE) {
			for (yaml_node_pair_t *pr = m->data.mapping.pairs.start; pr < m->data.mapping.pairs.top; pr++) {
				yaml_node_t *v = yaml_document_get_node(&doc, pr->value);

				if (v != NULL)
					resolve_node(&sp, &n_sp, v, seen, &doc);
			}
		} else if (m->type == YAML_SEQUENCE_NODE) {
			for (yaml_node_item_t *it = m->data.sequence.items.start; it < m->data.sequence.items.top; it++) {
				yaml_node_t *v = yaml_document_get_node(&doc, *it);

				if (v != NULL)
					resolve_node(&sp, &n_sp, v, seen, &doc);
			}
		}
	}
	yaml_document_delete(&doc);
	if (n_sp > 1)
		qsort(sp, n_sp, sizeof(*sp), span_cmp);
	for (size_t i = 0; i < n_sp; i++)
		extra += sp[i].text != NULL ? strlen(sp[i].text) : 5;
	cap = len + extra + 1;
	res = xmalloc(cap);
	size_t at = 0, w = 0;

	for (size_t i = 0; i < n_sp; i++) {
		size_t from = sp[i].from < at ? at : sp[i].from, to = sp[i].to > len ? len : sp[i].to;
		const char *t = sp[i].text != NULL ? sp[i].text : "\"***\"";
		size_t tl = strlen(t);

		if (to <= from || sp[i].from < at)
			continue; /* inside one already replaced (a secret's block): gone with it */
		memcpy(res + w, buf + at, from - at);
		w += from - at;
		memcpy(res + w, t, tl);
		w += tl;
		/* keep the line count: a block scalar's lines become empty lines */
		for (size_t k = from; k < to; k++)
			if (buf[k] == '\n' && w < cap - 1)
				res[w++] = '\n';
		at = to;
	}
	memcpy(res + w, buf + at, len - at);
	w += len - at;
	res[w] = '\0';
	*out = res;
	res = NULL;
	rc = 0;
out:
	free(res);
	for (size_t i = 0; i < n_sp; i++)
		free(sp[i].text);
	free(sp);
	free(seen);
	return rc;
}

int config_redacted(const char *path, char **out, struct config_diag *diag)
{
	struct cfg_walk c = {.file = path, .diag = diag};
	char *buf;
	size_t len;
	int rc = -1;

	cfg_tables_init();
	diag->n = 0;
	*out = NULL;
	if (read_file(&c, path, &buf, &len) == 0)
		rc = redact_buf(&c, buf, len, false, out);
	drop_file(buf);
	return rc;
}

struct srm_config *config_load_redacted(const char *path, char **yaml, struct config_diag *diag)
{
	struct cfg_walk c = {.file = path, .diag = diag};
	struct srm_config *cfg = NULL;
	char *buf;
	size_t len;

	cfg_tables_init();
	diag->n = 0;
	diag->n_notes = 0;
	*yaml = NULL;
	if (read_file(&c, path, &buf, &len) == 0) {
		cfg = load_buf(buf, len, path, diag, false);
		/* the same bytes: what was loaded is what a recording shows */
		if (cfg != NULL && redact_buf(&c, buf, len, true, yaml) != 0) {
			config_free(cfg);
			cfg = NULL;
		}
	}
	drop_file(buf);
	return cfg;
}

struct srm_config *config_load_string_env(const char *text, const char *path,
					  struct config_diag *diag, bool env_lenient)
{
	diag->n = 0;
	diag->n_notes = 0;
	return load_buf(text, strlen(text), path, diag, env_lenient);
}

/* Load from a string (path is used in messages only). */
struct srm_config *config_load_string(const char *text, const char *path, struct config_diag *diag)
{
	diag->n = 0;
	diag->n_notes = 0;
	return load_buf(text, strlen(text), path, diag, false);
}

/* Free a config from config_load (NULL is fine). */
void config_free(struct srm_config *cfg)
{
	if (cfg == NULL)
		return;
	free(cfg->path);
	free(cfg->gateway.firm);
	free(cfg->gateway.api_url);
	free(cfg->gateway.user_hub_url);
	free(cfg->gateway.market_hub_url);
	free(cfg->gateway.username);
	if (cfg->gateway.api_key != NULL)
		explicit_bzero(cfg->gateway.api_key, strlen(cfg->gateway.api_key));
	free(cfg->gateway.api_key);
	free(cfg->gateway.ca_file);
	free(cfg->daemon.state_dir);
	free(cfg->daemon.socket);
	free(cfg->daemon.log_level);
	free(cfg->daemon.timezone);
	free(cfg->display.timezone);
	free(cfg->admin.password_hash);
	for (size_t i = 0; i < cfg->n_overrides; i++) {
		free(cfg->overrides[i].pres.off);
		free(cfg->overrides[i].pres.line);
		free(cfg->overrides[i].held);
	}
	free(cfg->overrides);
	for (size_t i = 0; i < cfg->n_profiles; i++) {
		free(cfg->profiles[i].pres.off);
		free(cfg->profiles[i].pres.line);
	}
	free(cfg->profiles);
	free(cfg->rules_pres.off);
	free(cfg->rules_pres.line);
	free(cfg->profile_dir);
	free(cfg->alerts.webhook_url);
	if (cfg->alerts.webhook_secret != NULL)
		explicit_bzero(cfg->alerts.webhook_secret, strlen(cfg->alerts.webhook_secret));
	free(cfg->alerts.webhook_secret);
	free(cfg->alerts.ntfy_url);
	free(cfg->alerts.ntfy_topic);
	if (cfg->alerts.ntfy_token != NULL)
		explicit_bzero(cfg->alerts.ntfy_token, strlen(cfg->alerts.ntfy_token));
	free(cfg->alerts.ntfy_token);
	for (size_t i = 0; i < cfg->alerts.n_command; i++)
		free(cfg->alerts.command[i]);
	free(cfg->alerts.heartbeat_url);
	free(cfg->dashboard.tls_cert);
	free(cfg->dashboard.tls_key);
	free(cfg);
}
