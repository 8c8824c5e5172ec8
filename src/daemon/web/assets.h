/* assets.h: the dashboard's page and its files, compiled into srmd (embed.py writes assets.c). */
#ifndef SRM_DAEMON_WEB_ASSETS_H
#define SRM_DAEMON_WEB_ASSETS_H

#include <stddef.h>

struct dash_asset {
	const char *path;           /* "/app.js" */
	const char *ctype;          /* its Content-Type */
	const unsigned char *data;
	size_t len;
};

extern const struct dash_asset dash_assets[];
extern const size_t dash_n_assets;

#endif
