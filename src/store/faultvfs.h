/* faultvfs.h: test infrastructure: a SQLite VFS shim ("srm-fault") that fails the Nth read/write/sync/... of the real VFS. */
#ifndef SRM_STORE_FAULTVFS_H
#define SRM_STORE_FAULTVFS_H

/*
 * The shim wraps the VFS that was the default when it was first registered (unix on Linux)
 * and forwards every call, including the WAL ones (xShmMap/xShmLock/xShmBarrier/xShmUnmap,
 * xFetch/xUnfetch: the io_methods version of each file is the one the real file reports, up
 * to 3). The -wal and -journal files are opened through the shim's xOpen like the database
 * file, so their reads, writes and syncs are counted and can fail too; the -shm is mapped
 * through the database file's xShmMap.
 *
 * Its only state is one static block (the shim, the real VFS, per-operation counters and
 * arms): it is for tests and for a test build of srmd armed from SRM_FAULT_VFS, not for
 * production. Not thread-safe: call everything, and use the databases it serves, from one
 * thread (the loop thread, or the test). Errors: 0 / -1 + struct srm_err.
 */

#include "util/err.h"

enum faultvfs_op {
	FAULTVFS_READ,     /* xRead: SQLITE_IOERR_READ */
	FAULTVFS_WRITE,    /* xWrite: SQLITE_IOERR_WRITE */
	FAULTVFS_SYNC,     /* xSync: SQLITE_IOERR_FSYNC */
	FAULTVFS_TRUNCATE, /* xTruncate: SQLITE_IOERR_TRUNCATE */
	FAULTVFS_FILESIZE, /* xFileSize: SQLITE_IOERR_FSTAT */
	FAULTVFS_LOCK,     /* xLock: SQLITE_IOERR_LOCK */
	FAULTVFS_SHMMAP,   /* xShmMap: SQLITE_IOERR_SHMMAP */
	FAULTVFS_OPEN,     /* xOpen of any file: SQLITE_CANTOPEN */
	FAULTVFS_OP_COUNT,
};

#define FAULTVFS_NAME "srm-fault"
#define FAULTVFS_ENV "SRM_FAULT_VFS"
/* Longest spec faultvfs_arm_spec() reads. */
#define FAULTVFS_SPEC_MAX 256

/* Register the shim under FAULTVFS_NAME, not as the default (idempotent); 0 or a SQLite code. */
int faultvfs_register(void);
/* Register the shim and make it the default VFS, so sqlite3_open_v2(..., NULL) goes through it. */
int faultvfs_register_default(void);
/* Unregister the shim; the VFS it wraps becomes the default again. */
void faultvfs_unregister(void);

/*
 * Make the nth call of op from now (1 = the next) and the count - 1 following ones fail
 * (count -1: every call until disarmed) with the operation's SQLITE_IOERR_* code above.
 * Arming one operation leaves the others' arms as they are. nth < 1 or count 0 disarms op.
 */
void faultvfs_arm(enum faultvfs_op op, long nth, long count);
/* The same, failing with rc (e.g. SQLITE_FULL for writes); rc 0 is the operation's own code. */
void faultvfs_arm_rc(enum faultvfs_op op, long nth, long count, int rc);
/* Disarm every operation (the counters go on). */
void faultvfs_disarm(void);
/* Disarm and zero the counters. */
void faultvfs_reset(void);

/* Calls of op through the shim since registration or faultvfs_reset(), failed ones included. */
long faultvfs_calls(enum faultvfs_op op);
/* Calls the shim made fail since registration or faultvfs_reset(). */
long faultvfs_failures(void);
/* "read", "write", ... as in a spec. */
const char *faultvfs_op_name(enum faultvfs_op op);

/*
 * Arm from a spec: comma-separated items "OP:NTH[:COUNT[:ERR]]" and at most one "err=ERR"
 * (the code of the items without their own), e.g. "write:5:3,sync:2:-1,err=full".
 * OP is an operation name above, NTH >= 1, COUNT >= 1 or -1 (default 1), ERR one of ioerr
 * (the operation's own code), full (SQLITE_FULL), nomem (SQLITE_IOERR_NOMEM), busy
 * (SQLITE_BUSY), perm (SQLITE_PERM). A good spec replaces every arm; a bad one changes
 * nothing.
 */
int faultvfs_arm_spec(const char *spec, struct srm_err *err);
/*
 * When the environment variable name (e.g. FAULTVFS_ENV) is set and not empty: register the
 * shim as the default VFS and arm it from its value. Unset or empty: nothing, returns 0.
 */
int faultvfs_arm_from_env(const char *name, struct srm_err *err);

#endif
