/*
 * statedir.h: srmd's state directory: created private (0700), refused when others may
 * write it, and held with an exclusive lock for the daemon's whole life, so a second srmd
 * on the same state file exits at once instead of enforcing twice.
 */
#ifndef SRM_DAEMON_STATEDIR_H
#define SRM_DAEMON_STATEDIR_H

#include <stdbool.h>
#include <sys/types.h>

#include "util/err.h"

struct statedir {
	int lock_fd;            /* flock(LOCK_EX) on DIR/srmd.lock; -1 when not held */
	bool used_before;       /* the lock file was there: a state file was kept here before */
};

/*
 * Create dir (and parents, 0700) if needed; refuse it when it is not a directory, not ours,
 * or writable by group or others; take the lock (never waits). On a lock held by another
 * process, err says which pid holds it. Returns 0 or -1.
 */
int statedir_open(struct statedir *sd, const char *dir, struct srm_err *err);
/* Release the lock (at exit; the file stays, it marks the directory as used). */
void statedir_close(struct statedir *sd);

/* Is the directory of path writable by group or others? (A socket must not live there.) */
bool statedir_parent_shared(const char *path, char *why, size_t cap);

#endif
