/* secure.h: keep secrets (API key, token, admin password) out of core dumps and ptrace. */
#ifndef SRM_UTIL_SECURE_H
#define SRM_UTIL_SECURE_H

/*
 * No core dumps (RLIMIT_CORE 0) and not dumpable (PR_SET_DUMPABLE 0: no core, no ptrace
 * attach by the same user, /proc/PID/mem closed). Returns 0, or -1 if either failed.
 */
int secure_no_dumps(void);

#endif
