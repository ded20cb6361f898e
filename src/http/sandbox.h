/*
 * sandbox.h: the server's seccomp filter.  Once the socket is bound,
 * privileges are dropped and every thread of the pool runs, the process
 * may only make the system calls that serving needs (reading and writing
 * sockets and the database, memory, locks, time, randomness); anything else
 * (exec, new sockets, ptrace, mount, ...) kills the process.
 */
#ifndef KINTSUGI_HTTP_SANDBOX_H
#define KINTSUGI_HTTP_SANDBOX_H

#include <stddef.h>

enum sandbox_mode {
	SANDBOX_ENFORCE,    /* a call off the list kills the process (the default) */
	SANDBOX_PERMISSIVE, /* a call off the list fails with EPERM (--no-seccomp, debugging) */
	_SANDBOX_MODE_MAX
};

/*
 * Flags of sandbox_enter(): SANDBOX_DB_CLIENT allows socket() (unix, IPv4
 * and IPv6 streams only) and connect(), so that a lost PostgreSQL
 * connection can be made again; without it neither is on the list.
 */
#define SANDBOX_DB_CLIENT 1u

/* Positive outcomes of sandbox_enter(): nothing was installed, and why. */
#define SANDBOX_UNAVAILABLE	  1 /* built without libseccomp */
#define SANDBOX_SKIPPED_SANITIZER 2 /* AddressSanitizer needs calls we do not allow */
#define SANDBOX_UNSUPPORTED	  3 /* permissive mode, and the kernel takes no filter */

/*
 * sandbox_enter() - install the filter on every thread of the process
 * (SECCOMP_FILTER_FLAG_TSYNC) and set no_new_privs.  Returns 0 when the
 * filter is in force; SANDBOX_UNAVAILABLE, SANDBOX_SKIPPED_SANITIZER or
 * (SANDBOX_PERMISSIVE only) SANDBOX_UNSUPPORTED when nothing was installed;
 * or a negative errno with a reason in errbuf (SANDBOX_ENFORCE on a kernel
 * without seccomp filters is such a failure: the server does not start).
 */
int sandbox_enter(enum sandbox_mode mode, unsigned flags, char *errbuf, size_t errlen);

/*
 * sandbox_files() - Landlock: from now on this thread, and every thread it
 * starts after, opens files only beneath read_dir (read: the templates and
 * static files; NULL for none) and beneath write_dir (the database's
 * folder: read, write, create, remove, truncate); anything else answers
 * EACCES, whatever the file's own permissions say.  Call it before the
 * pool's threads start: Landlock cannot reach threads that already run.
 * Sets no_new_privs.  0 when in force; SANDBOX_UNSUPPORTED when the kernel
 * has no Landlock, SANDBOX_SKIPPED_SANITIZER in a sanitizer build (nothing
 * done); a negative errno with a reason in errbuf.
 */
int sandbox_files(const char *read_dir, const char *write_dir, char *errbuf, size_t errlen);
/* sandbox_strerror() - one line about a positive outcome, for the log. */
const char *sandbox_strerror(int outcome);

#endif
