/* statedir.c: the state directory: private, checked, and locked for one srmd at a time. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/statedir.h"
#include "util/strutil.h"

static int mkdirs(const char *path)
{
	char buf[4096];

	if (strlcpy_s(buf, path, sizeof(buf)) >= sizeof(buf))
		return -1;
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0700) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(buf, 0700) != 0 && errno != EEXIST ? -1 : 0;
}

/* The pid written in a lock file, or 0. */
static long lock_holder(const char *path)
{
	FILE *f = fopen(path, "r");
	char buf[32], *end;
	long pid = 0;

	if (f == NULL)
		return 0;
	if (fgets(buf, sizeof(buf), f) != NULL) {
		errno = 0;
		pid = strtol(buf, &end, 10);
		if (errno != 0 || end == buf || (*end != '\n' && *end != '\0') || pid < 0)
			pid = 0;
	}
	(void)fclose(f);
	return pid;
}

int statedir_open(struct statedir *sd, const char *dir, struct srm_err *err)
{
	char lock[4200];
	struct stat st;
	int fd;

	sd->lock_fd = -1;
	sd->used_before = false;
	if (dir == NULL || dir[0] == '\0')
		return srm_err_set(err, SRM_EINVAL, "daemon.state_dir is not set and has no default "
				   "(HOME is not set): set it in the config");
	if (mkdirs(dir) != 0)
		return srm_err_set(err, SRM_EIO, "state_dir %s: %s", dir, strerror(errno));
	if (stat(dir, &st) != 0)
		return srm_err_set(err, SRM_EIO, "state_dir %s: %s", dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return srm_err_set(err, SRM_EINVAL, "state_dir %s is not a directory", dir);
	if (st.st_uid != geteuid())
		return srm_err_set(err, SRM_EINVAL, "state_dir %s belongs to uid %u, not to srmd's "
				   "user (%u): another user could change the state file", dir,
				   (unsigned)st.st_uid, (unsigned)geteuid());
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
		return srm_err_set(err, SRM_EINVAL, "state_dir %s is writable by group or others "
				   "(mode %03o): they could change the state file; chmod go-w it", dir,
				   (unsigned)(st.st_mode & 0777));
	snprintf(lock, sizeof(lock), "%s/srmd.lock", dir);
	sd->used_before = access(lock, F_OK) == 0;
	fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return srm_err_set(err, SRM_EIO, "%s: %s", lock, strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		int e = errno;
		long pid = lock_holder(lock);

		close(fd);
		if (e == EWOULDBLOCK) {
			if (pid > 0)
				return srm_err_set(err, SRM_EINVAL, "state_dir %s is in use by another srmd "
						   "(pid %ld): two daemons on one state file would both "
						   "enforce; stop that one first", dir, pid);
			return srm_err_set(err, SRM_EINVAL, "state_dir %s is in use by another srmd "
					   "(%s is locked)", dir, lock);
		}
		return srm_err_set(err, SRM_EIO, "%s: lock: %s", lock, strerror(e));
	}
	char pid[32];
	int n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());

	if (ftruncate(fd, 0) != 0 || pwrite(fd, pid, (size_t)n, 0) != n) {
		int e = errno;

		close(fd);
		return srm_err_set(err, SRM_EIO, "%s: %s", lock, strerror(e));
	}
	sd->lock_fd = fd;
	return 0;
}

void statedir_close(struct statedir *sd)
{
	if (sd->lock_fd >= 0)
		close(sd->lock_fd);
	sd->lock_fd = -1;
}

bool statedir_parent_shared(const char *path, char *why, size_t cap)
{
	char dir[4096];
	struct stat st;

	path_dirname(path, dir, sizeof(dir));
	if (stat(dir, &st) != 0)
		return false; /* binding will say what is wrong */
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) == 0)
		return false;
	snprintf(why, cap, "the socket's directory %s is writable by group or others (mode %03o): "
		 "anyone there could listen in srmd's place and the CLI refuses such a socket; use "
		 "a private directory (default $XDG_RUNTIME_DIR/srm.sock)", dir,
		 (unsigned)(st.st_mode & 0777));
	return true;
}
