/* faultvfs.c: test infrastructure: a SQLite VFS shim that forwards to the real VFS and fails the Nth call of an operation. */
#include "store/faultvfs.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/strutil.h"

/* An open file of the shim: ours first, the real VFS's file right behind it (szOsFile). */
struct fv_file {
	sqlite3_file base;
	sqlite3_file *real;
};

struct fv_arm {
	long nth;      /* 0: disarmed */
	long count;    /* -1: forever */
	long base;     /* calls of the operation when it was armed */
	int rc;
};

/* The shim's one block of state (see the header: test infrastructure, one thread). */
static struct {
	sqlite3_vfs shim;
	sqlite3_vfs *real;
	bool registered;
	long calls[FAULTVFS_OP_COUNT];
	struct fv_arm arm[FAULTVFS_OP_COUNT];
	long failures;
} fv;

static const struct {
	const char *name;
	int rc;
} op_table[FAULTVFS_OP_COUNT] = {
	[FAULTVFS_READ] = {"read", SQLITE_IOERR_READ},
	[FAULTVFS_WRITE] = {"write", SQLITE_IOERR_WRITE},
	[FAULTVFS_SYNC] = {"sync", SQLITE_IOERR_FSYNC},
	[FAULTVFS_TRUNCATE] = {"truncate", SQLITE_IOERR_TRUNCATE},
	[FAULTVFS_FILESIZE] = {"filesize", SQLITE_IOERR_FSTAT},
	[FAULTVFS_LOCK] = {"lock", SQLITE_IOERR_LOCK},
	[FAULTVFS_SHMMAP] = {"shmmap", SQLITE_IOERR_SHMMAP},
	[FAULTVFS_OPEN] = {"open", SQLITE_CANTOPEN},
};

/* The ERR names of a spec; 0 is the operation's own code. */
static const struct {
	const char *name;
	int rc;
} err_table[] = {
	{"ioerr", 0},
	{"full", SQLITE_FULL},
	{"nomem", SQLITE_IOERR_NOMEM},
	{"busy", SQLITE_BUSY},
	{"perm", SQLITE_PERM},
};
#define N_ERRS (sizeof(err_table) / sizeof(err_table[0]))

/* Count a call of op; its error code when this one is to fail, else SQLITE_OK. */
static int fault(enum faultvfs_op op)
{
	struct fv_arm *a = &fv.arm[op];
	long k = ++fv.calls[op] - a->base;

	if (a->nth <= 0 || k < a->nth || (a->count >= 0 && k - a->nth >= a->count))
		return SQLITE_OK;
	fv.failures++;
	return a->rc != 0 ? a->rc : op_table[op].rc;
}

static sqlite3_file *real_of(sqlite3_file *file)
{
	return ((struct fv_file *)file)->real;
}

/* io_methods: every call goes to the real file's methods, the counted ones through fault(). */

static int fv_close(sqlite3_file *file)
{
	sqlite3_file *r = real_of(file);
	int rc = r->pMethods->xClose(r);

	file->pMethods = NULL;
	return rc;
}

static int fv_read(sqlite3_file *file, void *buf, int amt, sqlite3_int64 off)
{
	sqlite3_file *r = real_of(file);
	int rc = fault(FAULTVFS_READ);

	if (rc != SQLITE_OK) {
		memset(buf, 0, (size_t)amt);
		return rc;
	}
	return r->pMethods->xRead(r, buf, amt, off);
}

static int fv_write(sqlite3_file *file, const void *buf, int amt, sqlite3_int64 off)
{
	sqlite3_file *r = real_of(file);
	int rc = fault(FAULTVFS_WRITE);

	return rc != SQLITE_OK ? rc : r->pMethods->xWrite(r, buf, amt, off);
}

static int fv_truncate(sqlite3_file *file, sqlite3_int64 size)
{
	sqlite3_file *r = real_of(file);
	int rc = fault(FAULTVFS_TRUNCATE);

	return rc != SQLITE_OK ? rc : r->pMethods->xTruncate(r, size);
}

static int fv_sync(sqlite3_file *file, int flags)
{
	sqlite3_file *r = real_of(file);
	int rc = fault(FAULTVFS_SYNC);

	return rc != SQLITE_OK ? rc : r->pMethods->xSync(r, flags);
}

static int fv_file_size(sqlite3_file *file, sqlite3_int64 *size)
{
	sqlite3_file *r = real_of(file);
	int rc = fault(FAULTVFS_FILESIZE);

	return rc != SQLITE_OK ? rc : r->pMethods->xFileSize(r, size);
}

static int fv_lock(sqlite3_file *file, int level)
{
	sqlite3_file *r = real_of(file);
	int rc = fault(FAULTVFS_LOCK);

	return rc != SQLITE_OK ? rc : r->pMethods->xLock(r, level);
}

/* Never failed: SQLite cannot do anything sensible with a failed unlock. */
static int fv_unlock(sqlite3_file *file, int level)
{
	sqlite3_file *r = real_of(file);

	return r->pMethods->xUnlock(r, level);
}

static int fv_check_reserved_lock(sqlite3_file *file, int *out)
{
	sqlite3_file *r = real_of(file);

	return r->pMethods->xCheckReservedLock(r, out);
}

static int fv_file_control(sqlite3_file *file, int op, void *arg)
{
	sqlite3_file *r = real_of(file);
	int rc = r->pMethods->xFileControl(r, op, arg);

	/* say the shim is in the stack, as SQLite's own shims (vfstrace, multiplex) do */
	if (op == SQLITE_FCNTL_VFSNAME && rc == SQLITE_OK) {
		char **name = arg;

		*name = sqlite3_mprintf("%s/%z", FAULTVFS_NAME, *name);
	}
	return rc;
}

static int fv_sector_size(sqlite3_file *file)
{
	sqlite3_file *r = real_of(file);

	return r->pMethods->xSectorSize(r);
}

static int fv_device_characteristics(sqlite3_file *file)
{
	sqlite3_file *r = real_of(file);

	return r->pMethods->xDeviceCharacteristics(r);
}

/* Version 2: the WAL's shared memory (the -shm file of the unix VFS). */

static int fv_shm_map(sqlite3_file *file, int pg, int pgsz, int extend, void volatile **p)
{
	sqlite3_file *r = real_of(file);
	int rc = fault(FAULTVFS_SHMMAP);

	if (rc != SQLITE_OK) {
		*p = NULL;
		return rc;
	}
	return r->pMethods->xShmMap(r, pg, pgsz, extend, p);
}

static int fv_shm_lock(sqlite3_file *file, int offset, int n, int flags)
{
	sqlite3_file *r = real_of(file);

	return r->pMethods->xShmLock(r, offset, n, flags);
}

static void fv_shm_barrier(sqlite3_file *file)
{
	sqlite3_file *r = real_of(file);

	r->pMethods->xShmBarrier(r);
}

static int fv_shm_unmap(sqlite3_file *file, int delete_flag)
{
	sqlite3_file *r = real_of(file);

	return r->pMethods->xShmUnmap(r, delete_flag);
}

/* Version 3: memory-mapped I/O (mmap_size > 0). */

static int fv_fetch(sqlite3_file *file, sqlite3_int64 off, int amt, void **p)
{
	sqlite3_file *r = real_of(file);

	return r->pMethods->xFetch(r, off, amt, p);
}

static int fv_unfetch(sqlite3_file *file, sqlite3_int64 off, void *p)
{
	sqlite3_file *r = real_of(file);

	return r->pMethods->xUnfetch(r, off, p);
}

#define FV_METHODS_V1                                                                       \
	.xClose = fv_close, .xRead = fv_read, .xWrite = fv_write, .xTruncate = fv_truncate,  \
	.xSync = fv_sync, .xFileSize = fv_file_size, .xLock = fv_lock, .xUnlock = fv_unlock, \
	.xCheckReservedLock = fv_check_reserved_lock, .xFileControl = fv_file_control,       \
	.xSectorSize = fv_sector_size, .xDeviceCharacteristics = fv_device_characteristics
#define FV_METHODS_V2                                                                       \
	.xShmMap = fv_shm_map, .xShmLock = fv_shm_lock, .xShmBarrier = fv_shm_barrier,       \
	.xShmUnmap = fv_shm_unmap

/* One table per io_methods version: a file gets the version its real file reports. */
static const sqlite3_io_methods fv_methods[3] = {
	{.iVersion = 1, FV_METHODS_V1},
	{.iVersion = 2, FV_METHODS_V1, FV_METHODS_V2},
	{.iVersion = 3, FV_METHODS_V1, FV_METHODS_V2, .xFetch = fv_fetch, .xUnfetch = fv_unfetch},
};

/* The VFS methods: forwarded with the real VFS as their first argument (it keeps its pAppData). */

static int fv_open(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *file, int flags,
		   int *out_flags)
{
	struct fv_file *f = (struct fv_file *)file;
	int rc, v;

	(void)vfs;
	f->base.pMethods = NULL;
	f->real = (sqlite3_file *)(f + 1);
	f->real->pMethods = NULL;
	rc = fault(FAULTVFS_OPEN);
	if (rc != SQLITE_OK)
		return rc;
	rc = fv.real->xOpen(fv.real, name, f->real, flags, out_flags);
	/* A real file with methods is closed by SQLite through ours, even after a failed open. */
	if (f->real->pMethods != NULL) {
		v = f->real->pMethods->iVersion;
		f->base.pMethods = &fv_methods[(v < 1 ? 1 : v > 3 ? 3 : v) - 1];
	}
	return rc;
}

static int fv_delete(sqlite3_vfs *vfs, const char *name, int sync_dir)
{
	(void)vfs;
	return fv.real->xDelete(fv.real, name, sync_dir);
}

static int fv_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
	(void)vfs;
	return fv.real->xAccess(fv.real, name, flags, out);
}

static int fv_full_pathname(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
	(void)vfs;
	return fv.real->xFullPathname(fv.real, name, n, out);
}

static void *fv_dl_open(sqlite3_vfs *vfs, const char *name)
{
	(void)vfs;
	return fv.real->xDlOpen(fv.real, name);
}

static void fv_dl_error(sqlite3_vfs *vfs, int n, char *msg)
{
	(void)vfs;
	fv.real->xDlError(fv.real, n, msg);
}

static void (*fv_dl_sym(sqlite3_vfs *vfs, void *handle, const char *sym))(void)
{
	(void)vfs;
	return fv.real->xDlSym(fv.real, handle, sym);
}

static void fv_dl_close(sqlite3_vfs *vfs, void *handle)
{
	(void)vfs;
	fv.real->xDlClose(fv.real, handle);
}

static int fv_randomness(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	return fv.real->xRandomness(fv.real, n, out);
}

static int fv_sleep(sqlite3_vfs *vfs, int us)
{
	(void)vfs;
	return fv.real->xSleep(fv.real, us);
}

static int fv_current_time(sqlite3_vfs *vfs, double *out)
{
	(void)vfs;
	return fv.real->xCurrentTime(fv.real, out);
}

static int fv_get_last_error(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	return fv.real->xGetLastError ? fv.real->xGetLastError(fv.real, n, out) : 0;
}

static int fv_current_time_int64(sqlite3_vfs *vfs, sqlite3_int64 *out)
{
	(void)vfs;
	return fv.real->xCurrentTimeInt64(fv.real, out);
}

static int fv_set_system_call(sqlite3_vfs *vfs, const char *name, sqlite3_syscall_ptr p)
{
	(void)vfs;
	return fv.real->xSetSystemCall(fv.real, name, p);
}

static sqlite3_syscall_ptr fv_get_system_call(sqlite3_vfs *vfs, const char *name)
{
	(void)vfs;
	return fv.real->xGetSystemCall(fv.real, name);
}

static const char *fv_next_system_call(sqlite3_vfs *vfs, const char *name)
{
	(void)vfs;
	return fv.real->xNextSystemCall(fv.real, name);
}

/* Fill the shim from the real VFS: same version (up to 3), path length and file size + ours. */
static void shim_init(sqlite3_vfs *real)
{
	sqlite3_vfs *s = &fv.shim;

	fv.real = real;
	memset(s, 0, sizeof(*s));
	s->iVersion = real->iVersion < 3 ? real->iVersion : 3;
	s->szOsFile = (int)sizeof(struct fv_file) + real->szOsFile;
	s->mxPathname = real->mxPathname;
	s->zName = FAULTVFS_NAME;
	s->xOpen = fv_open;
	s->xDelete = fv_delete;
	s->xAccess = fv_access;
	s->xFullPathname = fv_full_pathname;
	s->xDlOpen = real->xDlOpen ? fv_dl_open : NULL;
	s->xDlError = real->xDlError ? fv_dl_error : NULL;
	s->xDlSym = real->xDlSym ? fv_dl_sym : NULL;
	s->xDlClose = real->xDlClose ? fv_dl_close : NULL;
	s->xRandomness = fv_randomness;
	s->xSleep = fv_sleep;
	s->xCurrentTime = fv_current_time;
	s->xGetLastError = fv_get_last_error;
	if (s->iVersion >= 2)
		s->xCurrentTimeInt64 = real->xCurrentTimeInt64 ? fv_current_time_int64 : NULL;
	if (s->iVersion >= 3) {
		s->xSetSystemCall = real->xSetSystemCall ? fv_set_system_call : NULL;
		s->xGetSystemCall = real->xGetSystemCall ? fv_get_system_call : NULL;
		s->xNextSystemCall = real->xNextSystemCall ? fv_next_system_call : NULL;
	}
}

static int do_register(bool make_default)
{
	int rc = sqlite3_initialize();

	if (rc != SQLITE_OK)
		return rc;
	if (fv.real == NULL) {
		sqlite3_vfs *real = sqlite3_vfs_find(NULL);

		if (real == NULL)
			return SQLITE_ERROR;
		shim_init(real);
	}
	if (fv.registered && !make_default)
		return SQLITE_OK;
	/* registering a registered VFS again only moves it (to the head, as the default) */
	rc = sqlite3_vfs_register(&fv.shim, make_default ? 1 : 0);
	if (rc == SQLITE_OK)
		fv.registered = true;
	return rc;
}

int faultvfs_register(void)
{
	return do_register(false);
}

int faultvfs_register_default(void)
{
	return do_register(true);
}

void faultvfs_unregister(void)
{
	bool was_default;

	if (!fv.registered)
		return;
	was_default = sqlite3_vfs_find(NULL) == &fv.shim;
	sqlite3_vfs_unregister(&fv.shim);
	fv.registered = false;
	if (was_default)
		sqlite3_vfs_register(fv.real, 1);
}

void faultvfs_arm_rc(enum faultvfs_op op, long nth, long count, int rc)
{
	struct fv_arm *a;

	if ((unsigned)op >= FAULTVFS_OP_COUNT)
		return;
	a = &fv.arm[op];
	if (nth < 1 || count == 0 || count < -1) {
		memset(a, 0, sizeof(*a));
		return;
	}
	a->nth = nth;
	a->count = count;
	a->base = fv.calls[op];
	a->rc = rc;
}

void faultvfs_arm(enum faultvfs_op op, long nth, long count)
{
	faultvfs_arm_rc(op, nth, count, 0);
}

void faultvfs_disarm(void)
{
	memset(fv.arm, 0, sizeof(fv.arm));
}

void faultvfs_reset(void)
{
	faultvfs_disarm();
	memset(fv.calls, 0, sizeof(fv.calls));
	fv.failures = 0;
}

long faultvfs_calls(enum faultvfs_op op)
{
	return (unsigned)op < FAULTVFS_OP_COUNT ? fv.calls[op] : 0;
}

long faultvfs_failures(void)
{
	return fv.failures;
}

const char *faultvfs_op_name(enum faultvfs_op op)
{
	return (unsigned)op < FAULTVFS_OP_COUNT ? op_table[op].name : "?";
}

/* A decimal long in [lo, hi] (or exactly alt), the whole of s. */
static bool parse_long(const char *s, long lo, long hi, long alt, long *out)
{
	char *end;
	long v;

	if (*s == '\0')
		return false;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || ((v < lo || v > hi) && v != alt))
		return false;
	*out = v;
	return true;
}

static bool parse_errname(const char *s, int *rc)
{
	for (size_t i = 0; i < N_ERRS; i++)
		if (strcmp(s, err_table[i].name) == 0) {
			*rc = err_table[i].rc;
			return true;
		}
	return false;
}

#define FV_NTH_MAX 1000000000L

/*
 * One "OP:NTH[:COUNT[:ERR]]" item (item is modified) into arms[op], given[op] and own_rc[op]
 * (whether ERR was given); an operation already given is refused.
 */
static int parse_item(char *item, int idx, const char *orig, struct fv_arm *arms, bool *given,
		      bool *own_rc, struct srm_err *err)
{
	char *field[4] = {item};
	int nf = 1, op = -1;
	struct fv_arm a = {.count = 1};

	for (char *p = item; *p != '\0' && nf <= 4; p++)
		if (*p == ':') {
			*p = '\0';
			if (nf < 4)
				field[nf] = p + 1;
			nf++;
		}
	if (nf < 2 || nf > 4)
		return srm_err_set(err, SRM_EINVAL,
				   "fault spec item %d \"%s\": expected OP:NTH[:COUNT[:ERR]]", idx, orig);
	for (int i = 0; i < FAULTVFS_OP_COUNT; i++)
		if (strcmp(field[0], op_table[i].name) == 0)
			op = i;
	if (op < 0)
		return srm_err_set(err, SRM_EINVAL,
				   "fault spec item %d \"%s\": unknown operation \"%s\" (expected read, "
				   "write, sync, truncate, filesize, lock, shmmap or open)",
				   idx, orig, field[0]);
	if (given[op])
		return srm_err_set(err, SRM_EINVAL,
				   "fault spec item %d \"%s\": operation \"%s\" is armed twice", idx, orig,
				   field[0]);
	if (!parse_long(field[1], 1, FV_NTH_MAX, 1 /* no other value */, &a.nth))
		return srm_err_set(err, SRM_EINVAL,
				   "fault spec item %d \"%s\": NTH: expected an integer from 1 to %ld, got \"%s\"",
				   idx, orig, FV_NTH_MAX, field[1]);
	if (nf >= 3 && !parse_long(field[2], 1, FV_NTH_MAX, -1, &a.count))
		return srm_err_set(err, SRM_EINVAL,
				   "fault spec item %d \"%s\": COUNT: expected -1 or an integer from 1 to %ld, got \"%s\"",
				   idx, orig, FV_NTH_MAX, field[2]);
	if (nf == 4 && !parse_errname(field[3], &a.rc))
		return srm_err_set(err, SRM_EINVAL,
				   "fault spec item %d \"%s\": ERR: expected ioerr, full, nomem, busy or perm, got \"%s\"",
				   idx, orig, field[3]);
	arms[op] = a;
	given[op] = true;
	own_rc[op] = nf == 4;
	return 0;
}

int faultvfs_arm_spec(const char *spec, struct srm_err *err)
{
	char buf[FAULTVFS_SPEC_MAX + 1], orig[FAULTVFS_SPEC_MAX + 1];
	struct fv_arm arms[FAULTVFS_OP_COUNT] = {{0}};
	bool given[FAULTVFS_OP_COUNT] = {false}, own_rc[FAULTVFS_OP_COUNT] = {false};
	bool have_default = false;
	int default_rc = 0, idx = 0, n = 0;
	size_t len;
	char *item;

	if (spec == NULL)
		return srm_err_set(err, SRM_EINVAL, "fault spec: none given");
	len = strnlen(spec, FAULTVFS_SPEC_MAX + 1);
	if (len > FAULTVFS_SPEC_MAX)
		return srm_err_set(err, SRM_EINVAL, "fault spec: longer than %d characters",
				   FAULTVFS_SPEC_MAX);
	if (len == 0)
		return srm_err_set(err, SRM_EINVAL,
				   "fault spec: empty (expected e.g. \"write:5:3,sync:2:-1,err=full\")");
	memcpy(buf, spec, len + 1);
	item = buf;
	for (;;) {
		char *comma = strchr(item, ',');

		if (comma != NULL)
			*comma = '\0';
		idx++;
		strlcpy_s(orig, item, sizeof(orig));
		if (*item == '\0')
			return srm_err_set(err, SRM_EINVAL, "fault spec item %d: empty", idx);
		if (strncmp(item, "err=", 4) == 0) {
			if (have_default)
				return srm_err_set(err, SRM_EINVAL,
						   "fault spec item %d \"%s\": err= given twice", idx, orig);
			if (!parse_errname(item + 4, &default_rc))
				return srm_err_set(err, SRM_EINVAL,
						   "fault spec item %d \"%s\": expected err=ioerr, full, nomem, busy or perm",
						   idx, orig);
			have_default = true;
		} else {
			if (parse_item(item, idx, orig, arms, given, own_rc, err) != 0)
				return -1;
			n++;
		}
		if (comma == NULL)
			break;
		item = comma + 1;
	}
	if (n == 0)
		return srm_err_set(err, SRM_EINVAL, "fault spec \"%s\": no operation to fail", spec);
	faultvfs_disarm();
	for (int i = 0; i < FAULTVFS_OP_COUNT; i++)
		if (given[i])
			faultvfs_arm_rc((enum faultvfs_op)i, arms[i].nth, arms[i].count,
					own_rc[i] ? arms[i].rc : default_rc);
	return 0;
}

int faultvfs_arm_from_env(const char *name, struct srm_err *err)
{
	const char *spec = getenv(name);
	int rc;

	if (spec == NULL || spec[0] == '\0')
		return 0;
	rc = faultvfs_register_default();
	if (rc != SQLITE_OK)
		return srm_err_set(err, SRM_EIO, "%s: cannot register the fault VFS: %s", name,
				   sqlite3_errstr(rc));
	if (faultvfs_arm_spec(spec, err) != 0) {
		srm_err_prefix(err, "%s: ", name);
		return -1;
	}
	return 0;
}
