/* publish.c: events for `srm monitor` and other subscribers of the IPC socket. */
#include <stdlib.h>

#include "daemon/srmd.h"

void srmd_publish(struct srmd *d, const char *kind, cJSON *data)
{
	char *line;

	if (d->ipc == NULL) {
		cJSON_Delete(data);
		return;
	}
	line = ipc_event(kind, data);
	if (line != NULL)
		ipc_broadcast(d->ipc, line);
	free(line);
}
