/*
 * sandbox.c: the server's seccomp filter, with libseccomp.
 *
 * An allow-list, found by running the HTTP test suite under `strace -f`
 * and keeping what the process does after start-up: libmicrohttpd's epoll
 * loop, SQLite's file I/O and locks (each worker thread opens its store
 * handle on its first request, so opening files stays allowed), libsodium's
 * guarded memory (mlock, mprotect, madvise) and randomness, glibc's locks
 * and time.  Not on the list, among others: execve, fork and clone, socket,
 * connect, bind, ptrace, mount, setuid and friends, chmod/chown of paths,
 * kill of other processes.
 *
 * AddressSanitizer's runtime makes calls of its own (reading
 * /proc/self/maps, sigaltstack, its report and exit paths) that would turn a
 * clean error report into a kill mid-report, so a sanitizer build runs
 * without the filter and says so.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>

#include "build-config.h"
#include "http/sandbox.h"

#if HAVE_SECCOMP
#include <seccomp.h>
#endif

#if defined(__SANITIZE_ADDRESS__)
#define SANDBOX_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANDBOX_UNDER_ASAN 1
#endif
#endif

const char *sandbox_strerror(int outcome)
{
	switch (outcome) {
	case 0:
		return "seccomp filter in force";
	case SANDBOX_UNAVAILABLE:
		return "built without libseccomp: running without a seccomp filter";
	case SANDBOX_SKIPPED_SANITIZER:
		return "built with AddressSanitizer: running without a seccomp filter";
	case SANDBOX_UNSUPPORTED:
		return "the kernel takes no seccomp filter: running without one";
	default:
		return "seccomp filter not installed";
	}
}

#if HAVE_SECCOMP && !defined(SANDBOX_UNDER_ASAN)
/*
 * What the server may call after start-up, by name (libseccomp resolves the
 * numbers for the build's architecture and skips names it does not have).
 */
static const char *const sandbox_allowed[] = {
	/* sockets: libmicrohttpd's epoll loop and its inter-thread wake-ups */
	"accept4",
	"accept",
	"recvfrom",
	"recvmsg",
	"sendto",
	"sendmsg",
	"sendfile",
	"shutdown",
	"setsockopt",
	"getsockopt",
	"getsockname",
	"getpeername",
	"epoll_wait",
	"epoll_pwait",
	"epoll_pwait2",
	"epoll_ctl",
	"poll",
	"ppoll",
	"select",
	"pselect6",
	"eventfd2",
	"pipe2",
	/* files: SQLite (database, -wal, -shm) and stdio */
	"read",
	"write",
	"readv",
	"writev",
	"pread64",
	"pwrite64",
	"preadv",
	"pwritev",
	"openat",
	"open",
	"close",
	"fstat",
	"newfstatat",
	"stat",
	"lstat",
	"statx",
	"lseek",
	"fcntl",
	"fsync",
	"fdatasync",
	"ftruncate",
	"unlink",
	"unlinkat",
	"access",
	"faccessat",
	"faccessat2",
	"readlink",
	"readlinkat",
	"getcwd",
	"fchown",
	/* memory: malloc, Argon2's buffers, libsodium's guarded pages */
	"mmap",
	"munmap",
	"mremap",
	"mprotect",
	"madvise",
	"brk",
	"mlock",
	"munlock",
	"mlock2",
	/* threads, locks, time, randomness */
	"futex",
	"sched_yield",
	"nanosleep",
	"clock_nanosleep",
	"clock_gettime",
	"clock_getres",
	"gettimeofday",
	"time",
	"getrandom",
	"getpid",
	"gettid",
	"getuid",
	"geteuid",
	"getgid",
	"getegid",
	"set_robust_list",
	"rseq",
	"sysinfo",
	"uname",
	/* signals: the main thread's sigwait, abort() */
	"rt_sigprocmask",
	"rt_sigtimedwait",
	"rt_sigaction",
	"rt_sigreturn",
	"sigaltstack",
	"tgkill",
	/* leaving */
	"exit",
	"exit_group",
	"restart_syscall",
};

int sandbox_enter(enum sandbox_mode mode, char *errbuf, size_t errlen)
{
	scmp_filter_ctx ctx;
	size_t i;
	int r;

	if ((unsigned)mode >= _SANDBOX_MODE_MAX)
		return -EINVAL;
	ctx = seccomp_init(mode == SANDBOX_ENFORCE ? SCMP_ACT_KILL_PROCESS : SCMP_ACT_ERRNO(EPERM));
	if (!ctx) {
		/* libseccomp probes the kernel first: no context means no seccomp */
		if (mode == SANDBOX_PERMISSIVE)
			return SANDBOX_UNSUPPORTED;
		snprintf(errbuf, errlen,
			 "cannot set up the seccomp filter (--no-seccomp runs without one)");
		return -EOPNOTSUPP;
	}
	/* every thread of the pool, not only this one */
	r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	if (r < 0)
		goto fail;
	for (i = 0; i < sizeof(sandbox_allowed) / sizeof(sandbox_allowed[0]); i++) {
		int nr = seccomp_syscall_resolve_name(sandbox_allowed[i]);

		if (nr == __NR_SCMP_ERROR)
			continue; /* not a call of this architecture */
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
		if (r < 0)
			goto fail;
	}
	/* libmicrohttpd's threads name themselves as they start, which may be
	 * just after this filter; prctl is allowed for that alone */
	r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(prctl), 1,
			     SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)PR_SET_NAME));
	if (r < 0)
		goto fail;
	r = seccomp_load(ctx);
	if (r < 0)
		goto fail;
	seccomp_release(ctx);
	return 0;
fail:
	/* no seccomp() here (an old kernel, or valgrind, which runs every call
	 * itself): libseccomp says so as early as the TSYNC attribute */
	if (mode == SANDBOX_PERMISSIVE && (r == -EOPNOTSUPP || r == -ENOSYS)) {
		seccomp_release(ctx);
		return SANDBOX_UNSUPPORTED;
	}
	snprintf(errbuf, errlen,
		 "cannot install the seccomp filter: %s (--no-seccomp runs without one)",
		 strerror(-r));
	seccomp_release(ctx);
	return r;
}

#else

int sandbox_enter(enum sandbox_mode mode, char *errbuf, size_t errlen)
{
	(void)errbuf;
	(void)errlen;
	if ((unsigned)mode >= _SANDBOX_MODE_MAX)
		return -EINVAL;
#ifdef SANDBOX_UNDER_ASAN
	return SANDBOX_SKIPPED_SANITIZER;
#else
	return SANDBOX_UNAVAILABLE;
#endif
}

#endif
